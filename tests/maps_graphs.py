"""Small hand-made graphs and overlay objects for the map tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ALIAS = '<img src=x onerror="window.__pwned=1">'
XSS_SCRIPT = "</script><script>window.__pwned=2</script>"


def tiny_graph() -> nx.MultiDiGraph:
    """8 nodes, 8 relationships (two parallel investments), one hostile name.

    Chains: innovation lab1, tech1; industrial ent1, pilot, xss; capital fund1;
    bridge alliance, dalian. Region Dalian: lab1 (locatedIn), ent1 (region text), dalian.
    Alliance members: lab1, ent1 (plus the alliance itself).
    """
    G = nx.MultiDiGraph()
    prov = {"source": "test-src", "sourceTitle": "A test article", "publisher": "Test Daily", "published": "2024-01-02"}
    G.add_node("lab1", cls="ResearchInstitute", labels=["Entity", "Organisation", "ResearchInstitute", "ResearchOrganisation"],
               name="大连化学物理研究所", nameEn="Dalian Institute of Chemical Physics", nameZh="大连化学物理研究所", aliases=["DICP"], **prov)
    G.add_node("tech1", cls="Technology", name="DMTO", nameZh="甲醇制烯烃", field=["catalysis"], **prov)
    G.add_node("ent1", cls="Enterprise", name="Levima", nameZh="中科乙烯", region="Dalian", **prov)
    G.add_node("pilot", cls="PilotPlatform", name="Pilot base", nameZh="中试基地", **prov)
    G.add_node("fund1", cls="VentureCapital", name="Canal Capital", **prov)
    G.add_node("xss", cls="Enterprise", name=XSS_NAME, aliases=[XSS_ALIAS, XSS_SCRIPT], description=XSS_SCRIPT, **prov)
    G.add_node("alliance", cls="Alliance", name="Catalysis Alliance", nameZh="催化联盟", **prov)
    G.add_node("dalian", cls="Region", name="Dalian", nameZh="大连市", **prov)
    edges = [
        ("lab1", "develops", "tech1", "", {}),
        ("ent1", "adopts", "tech1", "", {}),
        ("fund1", "investsIn", "ent1", "#1", {"amount": 100.0}),
        ("fund1", "investsIn", "ent1", "#2", {"amount": 50.0}),
        ("xss", "customerOf", "ent1", "", {"evidence": XSS_NAME}),
        ("lab1", "locatedIn", "dalian", "", {}),
        ("lab1", "memberOf", "alliance", "", {}),
        ("ent1", "memberOf", "alliance", "", {}),
    ]
    from canal.ontology import cypher_type

    for u, rel, v, k, attrs in edges:
        t = cypher_type(rel)
        G.add_edge(u, v, key=f"{u}-{t}->{v}{k}", type=t, rel=rel, **{**prov, **attrs})
    return G


@dataclass(frozen=True)
class FakeGap:
    """Shaped like canal.gaps.Gap (the contract)."""

    type: str
    scope: str
    severity: float
    nodes: tuple[str, ...]
    explanation_en: str
    explanation_zh: str
    cypher: str = "MATCH (n) RETURN n"
    params: dict[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeCandidate:
    """Shaped like canal.match.Candidate (the contract)."""

    source: str
    target: str
    direction: str
    score: float
    contributions: dict[str, float]
    explanation_en: str
    explanation_zh: str
    evidence_cypher: list[str] = field(default_factory=list)


GAPS = [
    FakeGap("stranded technology", "region:Dalian", 0.9, ("tech1",), "<b>never piloted</b> by anyone", "从未中试"),
    FakeGap("capital gap", "", 0.4, ("pilot", "not-on-map"), "no investor", "没有投资方"),
]
MATCHES = [FakeCandidate("tech1", "pilot", "technology->platform", 0.834, {"text": 0.5, "graph": 0.334}, "same field", "领域相同")]


def hub_records(projects: int = 120, per_project: int = 4, countries: int = 4) -> tuple[list[Any], list[Any]]:
    """A graph shaped like a real funding table: one programme funds every organisation,
    a few countries hold every organisation, projects have a handful of participants.

    Returns ``(nodes, relationships)`` as :mod:`canal.model` records (for a store).
    ``org0`` takes part in ``proj0`` only; the programme and the countries are the hubs.
    """
    from canal.model import Node, Relationship

    nodes = [Node("programme", "Programme", {"name": "Horizon 2020"})]
    nodes += [Node(f"country{c}", "Region", {"name": f"Country {c}"}) for c in range(countries)]
    rels = []
    org = 0
    for p in range(projects):
        nodes.append(Node(f"proj{p}", "PilotProject", {"name": f"Project {p}"}))
        for _ in range(per_project):
            oid = f"org{org}"
            nodes.append(Node(oid, "Enterprise", {"name": f"Organisation {org}", "foundedYear": 1990 + org % 30}))
            rels.append(Relationship("participatesIn", oid, f"proj{p}", "", {"role": "participant"}))
            rels.append(Relationship("grantsTo", "programme", oid, f"proj{p}", {"amount": 1000.0, "date": f"{2014 + p % 7}-01-01"}))
            rels.append(Relationship("locatedIn", oid, f"country{org % countries}", "", {}))
            org += 1
    return nodes, rels


def hub_graph(**kw: Any) -> nx.MultiDiGraph:
    """:func:`hub_records` as a networkx graph shaped like ``GraphStore.to_networkx()``."""
    from canal.ontology import cypher_type

    nodes, rels = hub_records(**kw)
    G = nx.MultiDiGraph()
    for n in nodes:
        G.add_node(n.id, cls=n.cls, **n.props)
    for r in rels:
        t = cypher_type(r.type)
        G.add_edge(r.source, r.target, key=f"{r.source}-{t}->{r.target}#{r.key}", type=t, rel=r.type, **r.props)
    return G
