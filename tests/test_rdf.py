"""RDF out and in: SHACL conformance and an isomorphic round trip."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from canal.exchange import export_graph, import_rdf
from canal.ontology import CANAL
from canal.rdf import isomorphic, node_iri, to_rdf, validate_rdf
from canal.store import GraphStore, open_store


def test_demo_graph_conforms_to_the_shapes(demo_store: GraphStore) -> None:
    report = validate_rdf(to_rdf(demo_store.to_networkx()))
    assert report.violations == []
    assert report.conforms


def test_broken_data_gets_messages_in_english_and_chinese(demo_store: GraphStore) -> None:
    g = to_rdf(demo_store.to_networkx())
    bad = node_iri("dmto")
    g.remove((bad, CANAL.name, None))
    g.add((node_iri("levima"), CANAL.memberOf, bad))
    report = validate_rdf(g)
    assert not report.conforms
    focus = {v.focus for v in report.violations}
    assert {"dmto", "levima"} <= focus
    assert all(v.message_en and v.message_zh for v in report.violations)


def test_export_import_export_is_isomorphic(demo_store: GraphStore, tmp_path: Path) -> None:
    first = export_graph(demo_store.to_networkx(), "ttl")
    path = tmp_path / "demo.ttl"
    path.write_text(first, encoding="utf-8")
    with open_store(str(tmp_path / "fresh.db")) as fresh:
        import_rdf(fresh, path)
        assert fresh.counts() == demo_store.counts()
        second = export_graph(fresh.to_networkx(), "ttl")
    assert isomorphic(Graph().parse(data=first, format="turtle"), Graph().parse(data=second, format="turtle"))


def test_jsonld_export_parses_back_to_the_same_graph(demo_store: GraphStore) -> None:
    G = demo_store.to_networkx()
    ttl = Graph().parse(data=export_graph(G, "ttl"), format="turtle")
    jsonld = Graph().parse(data=export_graph(G, "jsonld"), format="json-ld")
    assert isomorphic(ttl, jsonld)


def test_relationships_carry_provenance_in_rdf(demo_store: GraphStore) -> None:
    g = to_rdf(demo_store.to_networkx())
    links = list(g.subjects(RDF.type, CANAL.Link))
    assert links
    for link in links:
        assert g.value(link, CANAL.source) is not None
        assert isinstance(g.value(link, CANAL.evidence), Literal)
