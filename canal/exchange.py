"""Export and import of whole graphs: RDF (Turtle, JSON-LD) and GraphML."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import networkx as nx

from canal.errors import ConfigError
from canal.ontology import Ontology
from canal.rdf import from_rdf, parse_file, serialize, to_rdf
from canal.store.base import GraphStore


def _graphml_safe(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML takes scalars only: lists become ``|``-joined strings."""
    H: nx.MultiDiGraph = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: ("|".join(map(str, v)) if isinstance(v, list) else v) for k, v in d.items()})
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **{a: ("|".join(map(str, b)) if isinstance(b, list) else b) for a, b in d.items()})
    return H


def export_graph(G: nx.MultiDiGraph, fmt: str, *, ontology: Ontology | None = None) -> str:
    """Serialise a canal networkx graph as ``ttl``, ``jsonld`` or ``graphml``."""
    if fmt in ("ttl", "jsonld"):
        return serialize(to_rdf(G, ontology), fmt)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(_graphml_safe(G), buf)
        return buf.getvalue().decode("utf-8")
    raise ConfigError(f"unknown export format {fmt!r}")


def import_rdf(store: GraphStore, path: str | Path, **_: Any) -> tuple[int, int]:
    """Validate RDF instance data, then upsert it into ``store``; returns (nodes, relationships)."""
    nodes, rels = from_rdf(parse_file(path), store.ontology, source=str(path))
    store.ensure_indexes()
    n = store.upsert_nodes(nodes)
    r = store.upsert_relationships(rels)
    return n, r
