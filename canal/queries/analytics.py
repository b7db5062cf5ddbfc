"""Whole-graph measures that use Neo4j's Graph Data Science library where it is installed.

On Neo4j with GDS (``CALL gds.version()`` answers) the measure runs inside the database on
an in-memory projection of the canal graph; everywhere else (embedded FalkorDB, a FalkorDB
server, Neo4j without GDS) the graph comes out with ``to_networkx()`` and networkx computes
it. Both run PageRank over the directed graph with parallel relationships counted once per
pair and damping 0.85; GDS does not spread the rank of dangling nodes the way networkx does,
so scores differ slightly between the engines while the leading nodes agree.

>>> import tempfile, os
>>> from canal.store import open_store
>>> with open_store(os.path.join(tempfile.mkdtemp(), "t.db")) as s:
...     gds_version(s) is None, pagerank(s) == []
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from canal.errors import CanalError
from canal.ontology import ROOT_CLASS
from canal.store.base import GraphStore

__all__ = ["GDS_PAGERANK", "GDS_PROJECT", "Ranked", "gds_version", "pagerank"]

GDS_VERSION = "CALL gds.version() YIELD gdsVersion RETURN gdsVersion"
"""Answers on Neo4j with the Graph Data Science library (Neo4j only)."""

GDS_PROJECT = (
    f"MATCH (a:{ROOT_CLASS}) OPTIONAL MATCH (a)-[r]->(b:{ROOT_CLASS}) "
    "WITH DISTINCT a, b "
    "WITH gds.graph.project($graph, a, b) AS g "
    "RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS relationships"
)
"""Projects every canal node and related pair (parallel relationships once) into GDS (Neo4j only)."""

GDS_PAGERANK = (
    "CALL gds.pageRank.stream($graph, {dampingFactor: $damping, maxIterations: 100, tolerance: 1e-9}) "
    "YIELD nodeId, score "
    "WITH gds.util.asNode(nodeId) AS n, score "
    "RETURN n.id AS id, n.name AS name, score"
)
"""PageRank over the projection (Neo4j with GDS only)."""

GDS_DROP = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
"""Frees the projection (Neo4j only)."""


@dataclass(frozen=True)
class Ranked:
    """A node and its score; ``engine`` says who computed it (``gds`` or ``networkx``)."""

    id: str
    name: str
    score: float
    engine: str


def gds_version(store: GraphStore) -> str | None:
    """The GDS version on a Neo4j store, or None (other backends, or Neo4j without GDS)."""
    if not store.offers_gds:
        return None
    try:
        return str(store.query(GDS_VERSION).scalar())
    except CanalError:
        return None


def pagerank(store: GraphStore, *, top: int = 10, damping: float = 0.85, use_gds: bool | None = None) -> list[Ranked]:
    """The ``top`` nodes by PageRank, best first (ties by id); in GDS when available.

    ``use_gds``: None picks GDS when present, False forces networkx, True requires GDS.
    """
    gds = gds_version(store) if use_gds is not False else None
    if use_gds and gds is None:
        raise CanalError("Neo4j Graph Data Science is not available on this store")
    rows: list[tuple[str, str, float]]
    if gds is not None:
        name = "canal-pagerank"
        try:
            store.execute(GDS_DROP, {"graph": name})
            store.execute(GDS_PROJECT, {"graph": name})
            res = store.query(GDS_PAGERANK, {"graph": name, "damping": damping})
        finally:
            store.execute(GDS_DROP, {"graph": name})
        rows = [(str(i), str(n or i), float(s)) for i, n, s in res.rows]
        engine = "gds"
    else:
        G = store.to_networkx()
        if G.number_of_nodes() == 0:
            return []
        simple = nx.DiGraph(G)  # parallel relationships count once per pair, as in the projection
        scores: dict[Any, float] = nx.pagerank(simple, alpha=damping, max_iter=200, tol=1e-10)
        rows = [(str(n), str(G.nodes[n].get("name", n)), float(s)) for n, s in scores.items()]
        engine = "networkx"
    rows.sort(key=lambda r: (-r[2], r[0]))
    return [Ranked(i, n, s, engine) for i, n, s in rows[:top]]


CYPHER_CATALOGUE = [
    ("gds-version", GDS_VERSION, {}),
    ("gds-project", GDS_PROJECT, {"graph": "canal-pagerank"}),
    ("gds-pagerank", GDS_PAGERANK, {"graph": "canal-pagerank", "damping": 0.85}),
    ("gds-drop", GDS_DROP, {"graph": "canal-pagerank"}),
]
"""This module's Cypher, for the Neo4j parser check (:func:`canal.queries.lint.registered_cypher`)."""
