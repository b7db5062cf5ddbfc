"""The ontology is complete (labels, definitions, chains) and the code derives the schema from it."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from canal.ontology import CANAL, ROOT_CLASS, load_ontology
from canal.resources import shapes_file

PKG = Path(__file__).resolve().parent.parent / "canal"


def test_every_class_and_property_has_english_and_chinese_labels_and_definitions() -> None:
    onto = load_ontology()
    missing = []
    for c in onto.classes.values():
        for attr in ("label_en", "label_zh", "definition_en", "definition_zh"):
            if not getattr(c, attr):
                missing.append((c.name, attr))
    for coll in (onto.relations.values(), onto.properties.values()):
        for p in coll:
            for attr in ("label_en", "label_zh", "definition_en", "definition_zh"):
                if not getattr(p, attr):
                    missing.append((p.name, attr))
    assert missing == []
    # Chinese labels are Chinese
    assert all(re.search(r"[\u4e00-\u9fff]", c.label_zh) for c in onto.classes.values())


def test_every_concrete_class_states_its_chain_and_stage_follows_canal_order() -> None:
    onto = load_ontology()
    assert onto.stage_order == ["research", "pilot", "industrialisation", "capital"]
    assert set(onto.chains) == {"innovation", "industrial", "capital", "bridge"}
    for name in onto.node_classes:
        assert onto.classes[name].chain is not None, name
    assert (onto.chain_of("ResearchInstitute"), onto.stage_of("ResearchInstitute")) == ("innovation", "research")
    assert (onto.chain_of("PilotPlatform"), onto.stage_of("PilotPlatform")) == ("industrial", "pilot")
    assert (onto.chain_of("Enterprise"), onto.stage_of("Enterprise")) == ("industrial", "industrialisation")
    assert (onto.chain_of("GovernmentGuidanceFund"), onto.stage_of("GovernmentGuidanceFund")) == ("capital", "capital")
    assert onto.chain_of("Alliance") == "bridge"


def test_real_funding_data_fits_the_ontology() -> None:
    # research and innovation projects (e.g. Horizon 2020 actions) are not pilot projects
    onto = load_ontology()
    assert (onto.chain_of("ResearchProject"), onto.stage_of("ResearchProject")) == ("innovation", "research")
    assert not onto.is_a("ResearchProject", "PilotProject")
    assert onto.allows("participatesIn", "University", "ResearchProject")
    assert onto.allows("leads", "Enterprise", "ResearchProject")
    assert onto.allows("grantsTo", "Programme", "Enterprise")
    kinds = {k: onto.prop(k).kind for k in ("vat", "lei", "sme", "latitude", "longitude", "nutsCode", "totalCost", "netAmount")}
    assert kinds == {
        "vat": "string", "lei": "string", "sme": "boolean", "latitude": "float", "longitude": "float",
        "nutsCode": "string", "totalCost": "float", "netAmount": "float",
    }
    assert onto.node_property_allowed("vat", "University") and not onto.node_property_allowed("vat", "Technology")
    assert onto.relationship_property_allowed("totalCost") and onto.relationship_property_allowed("netAmount")
    assert "vat" in onto.indexed_properties()


def test_labels_are_the_class_and_its_ancestors() -> None:
    onto = load_ontology()
    assert onto.labels_for("University") == ("University", "ResearchOrganisation", "Organisation", ROOT_CLASS)
    assert onto.labels_for("Technology") == ("Technology", ROOT_CLASS)


def test_relationship_types_and_endpoints_come_from_object_properties() -> None:
    onto = load_ontology()
    g = onto.graph
    props = {str(s)[len(str(CANAL)) :] for s in g.subjects(RDF.type, OWL.ObjectProperty) if str(s).startswith(str(CANAL))}
    assert {r.name for r in onto.relations.values()} == {p for p in props if not p.startswith("link")}
    assert onto.allows("develops", "ResearchInstitute", "Technology")
    assert onto.allows("memberOf", "Enterprise", "Alliance")
    assert not onto.allows("memberOf", "Enterprise", "Technology")
    assert onto.allows("investsIn", "GovernmentGuidanceFund", "PilotProject")
    assert onto.relation("collaboratesWith").symmetric


def test_standard_vocabularies_are_reused() -> None:
    g = load_ontology().graph
    org = URIRef("http://www.w3.org/ns/org#Organization")
    assert (CANAL.Organisation, OWL.equivalentClass, org) in g or (CANAL.Organisation, RDFS.subClassOf, org) in g
    assert (CANAL.memberOf, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#memberOf")) in g


def test_shapes_use_only_terms_the_ontology_defines() -> None:
    onto = load_ontology()
    shapes = Graph().parse(shapes_file(), format="turtle")
    defined = {str(s) for s in onto.graph.subjects() if isinstance(s, URIRef)}
    used = {str(t) for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(str(CANAL))}
    assert sorted(used - defined) == []


def test_no_schema_name_is_hard_coded_in_the_code() -> None:
    """Labels and relationship types appear in Cypher text only through the ontology."""
    onto = load_ontology()
    names = set(onto.relationship_types) | {c for c in onto.node_classes}
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"[\(\[]\s*\w*\s*:\s*([A-Z][A-Za-z_]+)", text):
            if m.group(1) in names:
                offenders.append((path.name, m.group(0)))
    assert offenders == []
