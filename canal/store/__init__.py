"""Graph stores: one interface, three backends (embedded FalkorDB, FalkorDB server, Neo4j 5).

Only the modules of this package import a database driver. Backends are registered by URL
scheme in :mod:`canal.store.registry`.
"""

from __future__ import annotations

from typing import Any

from canal.ontology import Ontology
from canal.settings import Settings
from canal.store.base import Counts, GraphStore, QueryResult, looks_like_write
from canal.store.registry import backend_of, register_backend, unregister_backend

__all__ = ["Counts", "GraphStore", "QueryResult", "backend_of", "looks_like_write", "open_store", "register_backend", "unregister_backend"]


def open_store(
    db: str | None = None,
    *,
    settings: Settings | None = None,
    ontology: Ontology | None = None,
    **overrides: Any,
) -> GraphStore:
    """Open the store that ``db`` names (path, ``redis://`` or ``bolt://``/``neo4j://``; see
    :mod:`canal.store.registry`).

    >>> import tempfile, os
    >>> with open_store(os.path.join(tempfile.mkdtemp(), "t.db")) as store:
    ...     store.counts().total_nodes
    0
    """
    s = (settings or Settings.from_env()).with_(db=db, **overrides)
    return backend_of(s.db).load()(s, ontology)
