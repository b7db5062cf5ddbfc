"""Chain-gap analysis: planted gaps are found, hand-computed network values match, Cypher agrees."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from canal.errors import ConfigError
from canal.gaps import GAP_TYPES, Gap, find_gaps, frame_from_networkx
from canal.gaps.frame import frame_from_store
from canal.gaps.network import betweenness_shares, simple_graph
from canal.gaps.score import score
from canal.store import GraphStore, open_store
from canal.synth import load_synth, synth_graph
from tests.conftest import canal_cmd


def _graph(nodes: dict[str, str], edges: list[tuple[str, str, str]], **attrs: dict[str, object]) -> nx.MultiDiGraph:
    """A hand-built canal graph: nodes {id: class}, edges (source, relation, target)."""
    G = nx.MultiDiGraph()
    for n, c in nodes.items():
        G.add_node(n, cls=c, name=n, **attrs.get(n, {}))
    from canal.ontology import load_ontology

    onto = load_ontology()
    for s, r, t in edges:
        typ = onto.relation(r).type
        G.add_edge(s, t, key=f"{s}-{typ}->{t}", type=typ, rel=r)
    return G


def _check_cypher(store: GraphStore, gaps: list[Gap]) -> None:
    for g in gaps:
        rows = store.query(g.cypher, g.params).records()
        assert {r["id"] for r in rows} == set(g.nodes), (g.type, g.kind, g.scope, g.nodes)


# -- planted gaps --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_gaps_are_found_with_precision_and_recall_of_at_least_095_per_type(seed: int) -> None:
    r = synth_graph(1000, seed=seed)
    assert {t.type for t in r.truth} == set(GAP_TYPES)
    result = score(find_gaps(r.frame()), r.truth)
    for t in GAP_TYPES:
        assert result[t]["planted"] > 0, t
        assert result[t]["precision"] >= 0.95 and result[t]["recall"] >= 0.95, (t, result[t])


def test_networkx_and_array_paths_give_the_same_gaps() -> None:
    r = synth_graph(1000, seed=4)
    a = [g.as_dict() for g in find_gaps(r.graph)]
    b = [g.as_dict() for g in find_gaps(r.frame())]
    assert a == b


def test_each_gap_cypher_returns_its_nodes_on_a_synthetic_store(store: GraphStore) -> None:
    r = synth_graph(1000, seed=5)
    store.ensure_indexes()
    n, m = load_synth(store, r)
    assert (n, m) == (r.n_nodes, r.n_edges)
    gaps = find_gaps(store.to_networkx())
    assert {g.type for g in gaps} == set(GAP_TYPES)
    assert score(gaps, r.truth)["broker_risk"]["recall"] == 1.0
    _check_cypher(store, gaps)
    # the fast array export sees the same graph as to_networkx
    assert [g.as_dict() for g in find_gaps(frame_from_store(store))] == [g.as_dict() for g in gaps]


# -- the demo graph ------------------------------------------------------------------------------


def test_demo_gaps_json_lists_real_gaps_with_evidence_and_each_cypher_returns_its_nodes(demo_store: GraphStore) -> None:
    path = demo_store.settings.db
    demo_store.close()
    res = canal_cmd("--db", path, "gaps", "--format", "json")
    assert res.returncode == 0, res.stderr
    gaps = json.loads(res.stdout)
    types = {g["type"] for g in gaps}
    assert {"capital_gap", "broken_canal", "missing_pilot", "segment_gap", "alliance_role_gap"} <= types
    assert all(g["evidence"] and g["explanation_en"] and g["explanation_zh"] and g["cypher"] for g in gaps)
    assert all(g["basis"] in ("data", "canal") and g["settle"] and g["id"].startswith("gap-") for g in gaps)
    by_anchor = {(g["type"], g["nodes"][0]) for g in gaps}
    # DMTO reached Levima with no pilot record in the graph: a data gap (the story names no pilot test)
    assert ("missing_pilot", "dmto") in by_anchor
    # Zigong's carbon institute piloted its two graphite materials on its own platform, in a zone that
    # funds pilot work: neither stranded nor cut off from capital
    assert not {("stranded_technology", "cb-electrographite"), ("broken_canal", "carbon-institute")} & by_anchor
    with open_store(path) as s:
        for g in gaps:
            rows = s.query(g["cypher"], g["params"]).records()
            assert {r["id"] for r in rows} == set(g["nodes"]), g


def test_scope_keeps_the_gaps_of_one_alliance_or_region(demo_store: GraphStore) -> None:
    G = demo_store.to_networkx()
    every = find_gaps(G)
    cas = find_gaps(G, scope="alliance:cas-am-alliance")
    assert cas and set(g.key for g in cas) < set(g.key for g in every)
    members = {"cas-am-alliance", *G.predecessors("cas-am-alliance")}
    assert all(g.scope == "alliance:cas-am-alliance" or members & set(g.nodes) for g in cas)
    chongqing = find_gaps(G, scope="region:chongqing")
    assert chongqing and all(g.scope == "region:Chongqing" or any(G.nodes[n].get("region") == "Chongqing" for n in g.nodes)
                             for g in chongqing)
    assert find_gaps(G, scope="region:tianjin") == []  # Hexi's pilot projects are hosted by a funded institute
    # names compare after case, width and space folding (canal.resolve.names.fold_name)
    assert find_gaps(G, scope="region:ＣＨＯＮＧＱＩＮＧ ") == chongqing
    assert find_gaps(G, scope="alliance:CAS AM alliance") == cas
    with pytest.raises(ConfigError):
        find_gaps(G, scope="alliance:no-such-alliance")
    with pytest.raises(ConfigError):
        find_gaps(G, types=["no_such_type"])


# -- hand-built graphs: broker risk ---------------------------------------------------------------

CHAIN = {
    "F": "Fund",
    "E1": "Enterprise",
    "E2": "Enterprise",
    "B": "TechnologyTransferCentre",
    "R": "ResearchInstitute",
    "T1": "Technology",
    "T2": "Technology",
    "T3": "Technology",
}
CHAIN_EDGES = [
    ("F", "investsIn", "E1"),
    ("F", "investsIn", "E2"),
    ("E1", "customerOf", "E2"),
    ("B", "collaboratesWith", "E1"),
    ("B", "collaboratesWith", "R"),
    ("R", "develops", "T1"),
    ("R", "develops", "T2"),
    ("R", "develops", "T3"),
]


def test_broker_risk_matches_hand_computed_cuts_on_a_chain_of_brokers() -> None:
    # Undirected: triangle F-E1-E2 (capital F), then E1-B, B-R, R-T1, R-T2, R-T3 (all bridges).
    # Innovation nodes: R, T1, T2, T3. Articulation points: E1, B, R.
    #  remove E1 -> piece {B, R, T1, T2, T3}: 4 innovation, 0 capital; {F, E2} keeps F -> cut 4, via bridge E1-B
    #  remove B  -> piece {R, T1, T2, T3}: cut 4, via bridge B-R
    #  remove R  -> pieces {T1}, {T2}, {T3}: 1 each, cut 3 (= min_cut), all via bridges
    # severity = cut / (cut + min_cut): 4/7 = 0.571, 4/7, 3/6 = 0.5
    G = _graph(CHAIN, CHAIN_EDGES)
    gaps = [g for g in find_gaps(G, types=["broker_risk"]) if g.kind != "betweenness"]
    got = {g.anchor: (g.metrics["cut_off_innovation"], g.severity, g.kind, set(g.nodes[1:])) for g in gaps}
    assert got == {
        "E1": (4, 0.571, "bridge", {"R", "T1", "T2", "T3"}),
        "B": (4, 0.571, "bridge", {"R", "T1", "T2", "T3"}),
        "R": (3, 0.5, "bridge", {"T1", "T2", "T3"}),
    }
    assert next(g for g in gaps if g.anchor == "B").metrics["bridges"] == ["R"]
    # with min_cut 4 the institute no longer counts (it cuts off only 3)
    assert {g.anchor for g in find_gaps(G, types=["broker_risk"], min_cut=4) if g.kind != "betweenness"} == {"E1", "B"}


def test_a_second_path_to_capital_removes_the_broker_risk() -> None:
    # F also invests in R: the cycle F-E1-B-R-F makes E1 and B non-articulation points.
    # R still separates T1..T3 (3 innovation nodes) from capital: the only remaining broker.
    G = _graph(CHAIN, [*CHAIN_EDGES, ("F", "investsIn", "R")])
    gaps = [g for g in find_gaps(G, types=["broker_risk"]) if g.kind != "betweenness"]
    assert [(g.anchor, g.metrics["cut_off_innovation"]) for g in gaps] == [("R", 3)]


def test_a_funding_programme_is_a_source_of_capital_like_a_fund() -> None:
    # a research-funding programme (a bridge class) that grants to E1 and E2 plays the fund's part
    nodes = {**{k: v for k, v in CHAIN.items() if k != "F"}, "P": "Programme"}
    edges = [("P", "grantsTo", e) if s == "F" else (s, r, e) for s, r, e in CHAIN_EDGES]
    G = _graph(nodes, edges)
    gaps = [g for g in find_gaps(G, types=["broker_risk"]) if g.kind != "betweenness"]
    assert {g.anchor: g.metrics["cut_off_innovation"] for g in gaps} == {"E1": 4, "B": 4, "R": 3}
    # a programme's grant funds an adopter: no capital gap for it
    G2 = _graph({"P": "Programme", "E": "Enterprise", "T": "Technology"}, [("P", "grantsTo", "E"), ("E", "adopts", "T")])
    G3 = _graph({"E": "Enterprise", "T": "Technology"}, [("E", "adopts", "T")])
    assert [g.anchor for g in find_gaps(G3, types=["capital_gap"])] == ["E"]
    assert find_gaps(G2, types=["capital_gap"]) == []


def test_betweenness_concentration_on_a_star_matches_hand_values() -> None:
    # Star: hub H with leaves A, B, C, D. All 6 leaf pairs route through H: betweenness(H) = 6,
    # leaves 0, so H's share is 6/6 = 1.0 >= 0.5 -> one graph-level broker gap with severity 1.0.
    G = _graph(
        {"H": "Enterprise", "A": "Technology", "B": "Fund", "C": "Technology", "D": "Enterprise"},
        [("H", "adopts", "A"), ("B", "investsIn", "H"), ("H", "adopts", "C"), ("D", "customerOf", "H")],
    )
    f = frame_from_networkx(G)
    shares = betweenness_shares(simple_graph(f))
    assert dict(zip(f.ids, shares, strict=True)) == {"A": 0.0, "B": 0.0, "C": 0.0, "D": 0.0, "H": 1.0}
    conc = [g for g in find_gaps(G, types=["broker_risk"]) if g.kind == "betweenness"]
    assert [(g.nodes, g.severity, g.scope) for g in conc] == [(("H",), 1.0, "graph")]
    # a path P1-P2-P3-P4: betweenness 0, 2, 2, 0 (pairs 1-3, 1-4 through P2; 1-4, 2-4 through P3),
    # shares 0.5 each for P2 and P3 -> the top share 0.5 reaches the 0.5 threshold
    P = _graph({"P1": "Fund", "P2": "Enterprise", "P3": "Enterprise", "P4": "Technology"},
               [("P1", "investsIn", "P2"), ("P2", "customerOf", "P3"), ("P3", "adopts", "P4")])
    fp = frame_from_networkx(P)
    assert betweenness_shares(simple_graph(fp)) == [0.0, 0.5, 0.5, 0.0]


# -- hand-built graphs: structural hole ------------------------------------------------------------


def test_structural_hole_and_network_constraint_match_hand_values() -> None:
    # Innovation group {I1, L1, T1, T2} (institute, its lab, two technologies they both develop) has
    # no tie to an industrial or capital node; it reaches enterprise E only through the transfer
    # centre B and the person P. Severity = size/(size+min_hole) = 4/8 = 0.5.
    # Burt's constraint, p_ij = 1/deg(i), c_i = sum_j (p_ij + sum_q p_iq p_qj)^2 over neighbours j:
    #  B: neighbours I1, L1, E (deg 3); deg(L1) = 4 (I1, T1, T2, B), deg(I1) = 5 (L1, T1, T2, B, P)
    #     j=I1: 1/3 + p(B,L1) p(L1,I1) = 1/3 + 1/3*1/4 = 5/12 -> 25/144
    #     j=L1: 1/3 + p(B,I1) p(I1,L1) = 1/3 + 1/3*1/5 = 2/5  -> 4/25
    #     j=E : 1/3 (E is tied to neither I1 nor L1)          -> 1/9
    #     c_B = 25/144 + 4/25 + 1/9 = 0.44472
    #  P: neighbours I1, E (deg 2), not tied to each other: c_P = (1/2)^2 + (1/2)^2 = 0.5
    G = _graph(
        {"I1": "ResearchInstitute", "L1": "Laboratory", "T1": "Technology", "T2": "Technology",
         "B": "TechnologyTransferCentre", "P": "Person", "E": "Enterprise", "F": "Fund"},
        [("L1", "subOrganisationOf", "I1"), ("I1", "develops", "T1"), ("I1", "develops", "T2"),
         ("L1", "develops", "T1"), ("L1", "develops", "T2"), ("B", "collaboratesWith", "I1"),
         ("B", "collaboratesWith", "L1"), ("P", "worksFor", "I1"), ("B", "collaboratesWith", "E"),
         ("P", "worksFor", "E"), ("F", "investsIn", "E")],
    )
    holes = find_gaps(G, types=["structural_hole"])
    assert len(holes) == 1
    h = holes[0]
    assert set(h.nodes) == {"I1", "L1", "T1", "T2"} and h.nodes[0] == "I1"  # highest degree first
    assert (h.kind, h.severity, h.metrics["size"]) == ("innovation", 0.5, 4)
    assert h.metrics["constraint"] == {"B": pytest.approx(25 / 144 + 4 / 25 + 1 / 9, abs=1e-4), "P": 0.5}
    # one tie from the group to the enterprise closes the hole
    G.add_edge("E", "T1", key="E-ADOPTS->T1", type="ADOPTS", rel="adopts")
    assert find_gaps(G, types=["structural_hole"]) == []
    # groups smaller than min_hole are not holes
    G.remove_edge("E", "T1", key="E-ADOPTS->T1")
    assert find_gaps(G, types=["structural_hole"], min_hole=5) == []


# -- the other detectors on hand-built graphs --------------------------------------------------------


def test_stage_gaps_on_a_hand_built_canal() -> None:
    # R develops T (adopted by E, never piloted, no pilot project on it, no platform in Chongqing
    # or in T's field) and S
    # (never taken up). E has no funder; PP is a pilot project without grant. So:
    # stranded S; missing pilot T (users E); capital gap E (adopts T) and PP; broken canal R (T, S:
    # none reaches capital). A platform in E's region closes the missing pilot gap.
    nodes = {"R": "ResearchInstitute", "T": "Technology", "S": "Technology", "E": "Enterprise",
             "PP": "PilotProject", "PL": "PilotPlatform"}
    edges = [("R", "develops", "T"), ("R", "develops", "S"), ("E", "adopts", "T"), ("PP", "pilotedAt", "PL")]
    attrs = {"E": {"region": "Chongqing"}, "T": {"field": ["lasers"]}, "PL": {"region": "Tianjin", "field": ["optics"]}}
    G = _graph(nodes, edges, **attrs)
    got = {(g.type, g.kind, g.nodes) for g in find_gaps(G, types=GAP_TYPES[:4])}
    assert got == {
        ("stranded_technology", "technology", ("S", "R")),
        ("missing_pilot", "technology", ("T", "E")),
        ("capital_gap", "adopter", ("E", "T")),
        ("capital_gap", "pilot_project", ("PP",)),
        ("broken_canal", "institute", ("R", "S", "T")),
    }
    # a pilot project built on T is a pilot stage too
    G.add_edge("PP", "T", key="PP-BASED_ON->T", type="BASED_ON", rel="basedOn")
    assert not find_gaps(G, types=["missing_pilot"])
    G.remove_edge("PP", "T", key="PP-BASED_ON->T")
    G.nodes["PL"]["region"] = "Chongqing"
    assert not find_gaps(G, types=["missing_pilot"])
    # a grant to the adopter closes its capital gap and the institute's broken canal
    G.add_node("G", cls="Grant", name="G")
    G.add_edge("G", "E", key="G-GRANTS_TO->E", type="GRANTS_TO", rel="grantsTo")
    assert {g.type for g in find_gaps(G, types=["capital_gap", "broken_canal"])} == {"capital_gap"}


def test_alliance_and_segment_gaps_on_a_hand_built_canal() -> None:
    # Segments S1 -> S2 -> S3. In Tianjin, E1 works in S1 and E3 in S3: S2 is a missing middle.
    # Alliance A has E1 and R as members (no capital member) and they are not linked.
    # S4 (no upstream link) has no enterprise anywhere.
    nodes = {"S1": "IndustrySegment", "S2": "IndustrySegment", "S3": "IndustrySegment", "S4": "IndustrySegment",
             "E1": "Enterprise", "E3": "Enterprise", "R": "ResearchInstitute", "A": "Alliance"}
    edges = [("S1", "upstreamOf", "S2"), ("S2", "upstreamOf", "S3"), ("E1", "partOfSegment", "S1"),
             ("E3", "partOfSegment", "S3"), ("E1", "memberOf", "A"), ("R", "memberOf", "A")]
    G = _graph(nodes, edges, E1={"region": "Tianjin"}, E3={"region": "Tianjin"})
    got = {(g.type, g.kind, g.scope, g.nodes) for g in find_gaps(G, types=["alliance_role_gap", "segment_gap"])}
    assert got == {
        ("alliance_role_gap", "missing_chain", "alliance:A", ("A", "E1", "R")),
        ("alliance_role_gap", "no_links", "alliance:A", ("A", "E1", "R")),
        ("segment_gap", "middle", "region:Tianjin", ("S2", "S1", "S3")),
        ("segment_gap", "edge", "alliance:A", ("S2", "S1")),
        ("segment_gap", "empty", "graph", ("S2",)),
        ("segment_gap", "empty", "graph", ("S4",)),
    }


def test_hand_built_gaps_cypher_returns_the_same_nodes_on_falkordb(store: GraphStore) -> None:
    from canal.model import Node, Relationship

    G = _graph(
        {**CHAIN, "S": "Technology", "PP": "PilotProject", "A": "Alliance", "S1": "IndustrySegment",
         "S2": "IndustrySegment", "S3": "IndustrySegment"},
        [*CHAIN_EDGES, ("E1", "adopts", "T1"), ("R", "develops", "S"), ("E1", "memberOf", "A"), ("R", "memberOf", "A"),
         ("S1", "upstreamOf", "S2"), ("S2", "upstreamOf", "S3"), ("E1", "partOfSegment", "S1"), ("E2", "partOfSegment", "S3")],
        E1={"region": "Tianjin"}, E2={"region": "Tianjin"},
    )
    store.upsert_nodes([Node(n, d["cls"], {k: v for k, v in d.items() if k in ("name", "region", "field")}) for n, d in G.nodes(data=True)])
    store.upsert_relationships([Relationship(d["type"], u, v) for u, v, d in G.edges(data=True)])
    gaps = find_gaps(store.to_networkx())
    assert len({g.type for g in gaps}) >= 6
    _check_cypher(store, gaps)


# -- CLI -----------------------------------------------------------------------------------------------


def test_cli_synth_writes_loader_input_that_canal_load_accepts(tmp_path: Path) -> None:
    out = tmp_path / "syn"
    res = canal_cmd("synth", "--nodes", "600", "--seed", "2", "--out", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    db = str(tmp_path / "s.db")
    res = canal_cmd("--db", db, "load", info["spec"], "--format", "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    with open_store(db) as s:
        assert s.counts().total_nodes == info["nodes"]
        assert s.counts().total_relationships == info["relationships"]
    assert (out / "synth" / "truth.csv").read_text(encoding="utf-8").count("\n") == info["planted"] + 1
    res = canal_cmd("--db", db, "gaps", "--type", "capital_gap", "--format", "csv", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("id,severity,type,kind,basis,scope,nodes")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and {r["type"] for r in rows} == {"capital_gap"}


def test_cli_gaps_suggest_says_so_cleanly_when_matching_is_missing(demo_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from canal.cli import main

    path = demo_store.settings.db
    demo_store.close()
    monkeypatch.setitem(sys.modules, "canal.match", None)  # import fails as if the module were absent
    res = CliRunner().invoke(main, ["--db", path, "gaps", "--suggest", "--limit", "2"])
    assert res.exit_code != 0
    assert "canal.match" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["--db", path, "gaps", "--scope", "alliance:nowhere"])
    assert res.exit_code != 0 and "no alliance 'nowhere'" in res.output


def test_gap_cypher_passes_neo4j_5_parser_and_semantic_check() -> None:
    """Neo4j's own linter (tools/cypherlint, @neo4j-cypher/language-support) finds nothing in any gap query."""
    import shutil
    import subprocess

    lint = Path(__file__).parent.parent / "tools" / "cypherlint" / "lint.js"
    if not shutil.which("node") or not (lint.parent / "node_modules").is_dir():
        pytest.skip("node or tools/cypherlint is not installed")
    from canal.ontology import load_ontology

    onto = load_ontology()
    gaps = find_gaps(synth_graph(1000, seed=1).frame())
    seen: dict[tuple[str, str, str], Gap] = {}
    for g in gaps:
        seen.setdefault((g.type, g.kind, g.cypher), g)
    assert {g.type for g in seen.values()} == set(GAP_TYPES)
    request = {
        "schema": {"labels": sorted(onto.classes), "relationshipTypes": onto.relationship_types,
                   "propertyKeys": [*sorted(onto.properties), "id"]},
        "items": [{"name": f"{g.type}/{g.kind}", "query": g.cypher, "parameters": g.params} for g in seen.values()],
    }
    res = subprocess.run(["node", str(lint)], input=json.dumps(request), capture_output=True, text=True, timeout=120, check=True)
    problems = [(r["name"], d["message"]) for r in json.loads(res.stdout) for d in r["diagnostics"]]
    assert problems == []


def test_cli_gaps_suggest_adds_matching_candidates_per_gap(demo_store: GraphStore) -> None:
    pytest.importorskip("canal.match")
    from canal.cli import main

    path = demo_store.settings.db
    demo_store.close()
    res = CliRunner().invoke(main, ["--db", path, "gaps", "--suggest", "--format", "json", "--type", "capital_gap"])
    assert res.exit_code == 0, res.output
    gaps = json.loads(res.output)
    assert gaps and all("suggestions" in g for g in gaps)
    assert all({"source", "target", "score"} <= set(s) for g in gaps for s in g["suggestions"])
