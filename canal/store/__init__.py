"""Graph stores: one interface, three backends (embedded FalkorDB, FalkorDB server, Neo4j 5).

Only the modules of this package import a database driver.
"""

from __future__ import annotations

from typing import Any

from canal.ontology import Ontology
from canal.settings import Settings
from canal.store.base import Counts, GraphStore, QueryResult, looks_like_write

__all__ = ["Counts", "GraphStore", "QueryResult", "looks_like_write", "open_store"]


def open_store(
    db: str | None = None,
    *,
    settings: Settings | None = None,
    ontology: Ontology | None = None,
    **overrides: Any,
) -> GraphStore:
    """Open the store that ``db`` names (path, ``redis://`` or ``bolt://``/``neo4j://``).

    >>> import tempfile, os
    >>> with open_store(os.path.join(tempfile.mkdtemp(), "t.db")) as store:
    ...     store.counts().total_nodes
    0
    """
    s = (settings or Settings.from_env()).with_(db=db, **overrides)
    if s.backend == "neo4j":
        from canal.store.neo4j import Neo4jStore

        return Neo4jStore(s, ontology)
    from canal.store.falkor import FalkorStore

    return FalkorStore(s, ontology)
