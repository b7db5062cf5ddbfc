"""The :class:`Gap` record: one place where the canal is broken."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def __getattr__(name: str) -> Any:
    """``GAP_TYPES`` (every registered gap type, in canal order) and ``GAP_LABELS`` (their English and
    Chinese names), read from :mod:`canal.gaps.registry` on each access."""
    if name == "GAP_TYPES":
        from canal.gaps.registry import gap_types

        return gap_types()
    if name == "GAP_LABELS":
        from canal.gaps.registry import gap_labels

        return gap_labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BASES: tuple[str, ...] = ("canal", "data")
"""``canal``: the graph shows the link is missing in the world (a source or a coordinator says so);
``data``: canal only has no record of it (``Gap.settle`` says what data would settle it)."""


def gap_id(type_: str, kind: str, scope: str, anchor: str) -> str:
    """A short id that stays the same for the same gap on an unchanged graph.

    >>> gap_id("capital_gap", "adopter", "region:Chongqing", "e1")
    'gap-e8d83a5af0e0'
    """
    h = hashlib.sha1(f"{type_}\x1f{kind}\x1f{scope}\x1f{anchor}".encode()).hexdigest()
    return f"gap-{h[:12]}"


@dataclass(frozen=True)
class Gap:
    """One gap: what is broken, where, how badly, who is involved, and how to see it.

    ``nodes`` are node ids, most important first (``nodes[0]`` is the anchor);
    ``cypher`` with ``params`` returns exactly these ids (column ``id``) on the store.

    >>> g = Gap("capital_gap", "region:Chongqing", 0.6, ("e1",), "e1 has no investor", "e1 无投资方",
    ...         "RETURN $id AS id", {"id": "e1"}, ("ADOPTS e1 -> t1",), kind="adopter")
    >>> g.as_dict()["type"], g.key
    ('capital_gap', ('capital_gap', 'adopter', 'region:Chongqing', 'e1'))
    """

    type: str
    scope: str
    severity: float
    nodes: tuple[str, ...]
    explanation_en: str
    explanation_zh: str
    cypher: str
    params: dict[str, Any]
    evidence: tuple[str, ...] = ()
    kind: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    basis: str = "data"
    settle: str = ""
    review: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        """Stable id (hash of type, kind, scope and anchor): the handle for ``--dismiss`` / ``--confirm``."""
        return gap_id(self.type, self.kind, self.scope, self.anchor)

    @property
    def anchor(self) -> str:
        """The most important node (``nodes[0]``)."""
        return self.nodes[0] if self.nodes else ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of the gap for de-duplication and scoring: type, kind, scope, anchor."""
        return (self.type, self.kind, self.scope, self.anchor)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "type": self.type,
            "kind": self.kind,
            "scope": self.scope,
            "severity": self.severity,
            "nodes": list(self.nodes),
            "explanation_en": self.explanation_en,
            "explanation_zh": self.explanation_zh,
            "basis": self.basis,
            "settle": self.settle,
            "review": self.review,
            "evidence": list(self.evidence),
            "metrics": self.metrics,
            "cypher": self.cypher,
            "params": self.params,
        }
