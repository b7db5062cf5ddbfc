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
