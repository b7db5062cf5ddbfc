"""One typed settings object: CLI flags > environment (``CANAL_*``) > defaults.

>>> s = Settings.from_env({"CANAL_DB": "x.db"}, batch_size=10)
>>> (s.db, s.batch_size, s.graph)
('x.db', 10, 'canal')
>>> "secret" in repr(Settings(neo4j_password="secret"))
False
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from canal.errors import ConfigError

_ENV_PREFIX = "CANAL_"


@dataclass(frozen=True)
class Settings:
    """Everything canal can be configured with.

    ``db`` is a file path (embedded FalkorDB), a ``redis://`` URL (FalkorDB server) or a
    ``bolt://`` / ``neo4j://`` URI (Neo4j 5); :mod:`canal.store.registry` says which backend
    opens it.
    """

    db: str = "canal.db"
    graph: str = "canal"
    neo4j_user: str = "neo4j"
    neo4j_password: str = field(default="", repr=False)
    neo4j_database: str = "neo4j"
    batch_size: int = 2000
    lock_timeout: float = 30.0
    fsync: str = "always"
    progress: bool = True
    retract_share: float = 0.5
    neo4j_meta_database: str = ""

    def __post_init__(self) -> None:
        bad = []
        if not (self.lock_timeout >= 0 and self.lock_timeout < float("inf")):
            bad.append(f"lock_timeout (CANAL_LOCK_TIMEOUT) must be a number of seconds >= 0, got {self.lock_timeout!r}")
        if not self.batch_size > 0:
            bad.append(f"batch_size (CANAL_BATCH_SIZE) must be > 0, got {self.batch_size!r}")
        if not 0 <= self.retract_share <= 1:
            bad.append(f"retract_share (CANAL_RETRACT_SHARE) must be between 0 and 1, got {self.retract_share!r}")
        if self.fsync not in ("always", "everysec", "no"):
            bad.append(f"fsync (CANAL_FSYNC) must be always, everysec or no, got {self.fsync!r}")
        if bad:
            raise ConfigError("; ".join(bad))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        """Build settings from ``CANAL_*`` variables, then apply non-None overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, raw, type(getattr(cls(), f.name)))
        settings = cls(**values)
        return settings.with_(**overrides)

    def with_(self, **overrides: Any) -> Settings:
        """A copy with the given non-None values replaced."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is bool:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError:
        raise ConfigError(
            f"environment variable {_ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}"
        ) from None
    return raw


def split_assignment(text: str, what: str = "value") -> tuple[str, str]:
    """``NAME=VALUE`` split at the first ``=``: the one parser of assignments typed by a person
    (``--param``, ``--weight``, the shell's ``:param`` and saved-query arguments).

    >>> split_assignment("id=a=b")
    ('id', 'a=b')
    >>> split_assignment("id", "--param")
    Traceback (most recent call last):
    ...
    canal.errors.ConfigError: --param takes NAME=VALUE, got 'id'
    """
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"{what} takes NAME=VALUE, got {text!r}")
    return name.strip(), raw


def parse_assignment(text: str, what: str = "value") -> tuple[str, Any]:
    """``NAME=VALUE`` with the value read as JSON when it can be, else kept as text.

    >>> parse_assignment("id=dmto"), parse_assignment("n=3"), parse_assignment("xs=[1, 2]")
    (('id', 'dmto'), ('n', 3), ('xs', [1, 2]))
    """
    import json

    name, raw = split_assignment(text, what)
    try:
        return name, json.loads(raw)
    except ValueError:
        return name, raw
