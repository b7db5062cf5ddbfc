"""The RDF round trip keeps the stored order of multi-valued properties."""

from __future__ import annotations

from pathlib import Path

from canal.exchange import export_graph, import_graph
from canal.model import Node
from canal.rdf import from_rdf, to_rdf
from canal.store import GraphStore, open_store


def test_lists_come_back_in_their_stored_order(store: GraphStore, tmp_path: Path) -> None:
    store.ensure_indexes()
    store.upsert_nodes([Node("e1", "Enterprise", {"name": "E", "aliases": ["乙公司", "b", "A", "b2"]}), Node("e2", "Enterprise", {"name": "F", "aliases": ["a", "b"]})])
    G = store.to_networkx()
    for fmt in ("ttl", "jsonld"):
        f = tmp_path / f"g.{fmt}"
        f.write_text(export_graph(G, fmt), encoding="utf-8")
        with open_store(str(tmp_path / f"{fmt}.db")) as other:
            import_graph(other, f)
            H = other.to_networkx()
        assert H.nodes["e1"]["aliases"] == ["乙公司", "b", "A", "b2"]
        assert H.nodes["e2"]["aliases"] == ["a", "b"]
    # an edited list (values differ from the recorded order) keeps the sorted order
    g = to_rdf(G)
    from rdflib import Literal

    from canal.ontology import CANAL
    from canal.rdf import node_iri

    g.remove((node_iri("e1"), store.ontology.properties["aliases"].iri, Literal("A")))
    nodes, _ = from_rdf(g)
    assert next(n for n in nodes if n.id == "e1").props["aliases"] == ["b", "b2", "乙公司"]
    assert CANAL.valueOrder in set(g.predicates())
