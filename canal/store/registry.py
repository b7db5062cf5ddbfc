"""The backend registry: which :class:`GraphStore` class opens a ``--db`` value, by URL scheme.

A backend is one module holding a :class:`GraphStore` subclass, registered under a name with
the URL schemes it serves (none: the backend of plain file paths) and a ``"module:Class"``
factory that is imported only when a store of that backend is opened, so registering imports
no database driver (in the style of rdflib's ``plugin.register``). :func:`canal.store.open_store`
reads the registry; what a backend can do is said by its class (``supports_bulk``,
``is_embedded``... on :class:`GraphStore`), never by its name outside :mod:`canal.store`.

>>> from canal.store.registry import backend_of, register_backend, unregister_backend
>>> [backend_of(x).name for x in ("canal.db", "redis://h:6379", "bolt://h", "neo4j+s://h")]
['embedded', 'falkordb', 'neo4j', 'neo4j']
>>> register_backend("toy", schemes=("toy",), factory="canal.store.falkor:EmbeddedStore")
>>> backend_of("TOY://x").name
'toy'
>>> unregister_backend("toy")
>>> backend_of("toy://me:secret@x")
Traceback (most recent call last):
...
canal.errors.ConfigError: unsupported database URL scheme in 'toy://***@x' (canal knows bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc, redis, rediss, unix)
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from canal.errors import ConfigError
from canal.redact import redact

if TYPE_CHECKING:
    from canal.store.base import GraphStore


@dataclass(frozen=True)
class Backend:
    """One registered backend: ``schemes`` are lower-case URL schemes (empty: file paths)."""

    name: str
    schemes: tuple[str, ...]
    factory: str

    @property
    def takes_path(self) -> bool:
        """True for the backend of plain file paths (no URL scheme)."""
        return not self.schemes

    def load(self) -> type[GraphStore]:
        """Import the factory's module and return its store class."""
        from canal.store.base import GraphStore

        module, _, attr = self.factory.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr, None)
        except ImportError as exc:
            raise ConfigError(f"backend {self.name!r}: cannot import {module}: {exc}") from None
        if not (isinstance(cls, type) and issubclass(cls, GraphStore)):
            raise ConfigError(f"backend {self.name!r}: {self.factory} is not a GraphStore class")
        return cls


_BACKENDS: dict[str, Backend] = {}


def register_backend(name: str, *, schemes: tuple[str, ...] | list[str] = (), factory: str) -> None:
    """Register the store class ``factory`` (``"package.module:Class"``) for the URL ``schemes``.

    No schemes: the backend opens plain file paths (one backend may). A scheme another
    backend serves, or a name already registered, is a :class:`ConfigError`.
    """
    module, sep, attr = factory.partition(":")
    if not (module and sep and attr.isidentifier()):
        raise ConfigError(f"backend {name!r}: factory must be 'package.module:Class', not {factory!r}")
    if name in _BACKENDS:
        raise ConfigError(f"backend {name!r} is already registered")
    wanted = tuple(s.lower() for s in schemes)
    for other in _BACKENDS.values():
        taken = sorted(set(wanted) & set(other.schemes))
        if taken or (not wanted and other.takes_path):
            what = f"the scheme(s) {', '.join(taken)}" if taken else "file paths"
            raise ConfigError(f"backend {name!r}: {what} already belong to backend {other.name!r}")
    _BACKENDS[name] = Backend(name, wanted, factory)


def unregister_backend(name: str) -> None:
    """Forget a backend (tests and plugins that registered one); unknown names are ignored."""
    _BACKENDS.pop(name, None)


def backends() -> list[str]:
    """The registered backend names, in registration order."""
    return list(_BACKENDS)


def backend_of(db: str) -> Backend:
    """The backend that opens ``db``: by its URL scheme, else the backend of file paths."""
    scheme, sep, _ = db.partition("://")
    for b in _BACKENDS.values():
        if (sep and scheme.lower() in b.schemes) or (not sep and b.takes_path):
            return b
    known = ", ".join(sorted(s for b in _BACKENDS.values() for s in b.schemes))
    what = f"unsupported database URL scheme in {db!r}" if sep else f"no backend opens the file path {db!r}"
    raise ConfigError(redact(f"{what} (canal knows {known})"))


register_backend("embedded", factory="canal.store.falkor:EmbeddedStore")
register_backend("falkordb", schemes=("redis", "rediss", "unix"), factory="canal.store.falkor:FalkorStore")
register_backend("neo4j", schemes=("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"), factory="canal.store.neo4j:Neo4jStore")
