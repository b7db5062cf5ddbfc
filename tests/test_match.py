"""Matching: signals, ranking, exclusions, explanations, evidence Cypher, proposals, CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from canal.match import DEFAULT_WEIGHTS, SIGNALS, Candidate, match, proposals, suggest_for_gaps
from canal.match.explain import join_paths
from canal.match.graph import GraphIndex
from canal.match.learn import learn_weights
from canal.match.signals import build_signals, rank
from canal.model import Node, Relationship
from canal.store import GraphStore
from tests.conftest import canal_cmd

from .conftest import copy_database

# A hand-checkable world: technology t1 (catalysis, from lab L in park P, L in alliance A)
# e-good: same park, same alliance, shares catalysis words -> first.
# e-far: elsewhere, different field -> behind e-good.
# e-linked: already adopts t1 -> excluded.   e-gone: status retracted -> excluded.
NODES = [
    Node("region-x", "Region", {"name": "Region X", "nameZh": "甲市"}),
    Node("region-y", "Region", {"name": "Region Y", "nameZh": "乙市"}),
    Node("park-p", "IndustrialPark", {"name": "Park P", "nameZh": "丙园区"}),
    Node("alliance-a", "Alliance", {"name": "Catalysis Alliance", "nameZh": "催化产业联盟"}),
    Node("lab-l", "ResearchInstitute", {"name": "Lab L", "field": ["catalysis"]}),
    Node("t1", "Technology", {"name": "Methanol to olefins catalyst", "nameZh": "甲醇制烯烃催化剂", "description": "Zeolite catalyst turning methanol into olefins", "field": ["catalysis"], "trl": 6}),
    Node("e-good", "Enterprise", {"name": "Good Olefins Co", "nameZh": "好烯烃公司", "description": "Makes olefins from methanol with catalyst reactors", "field": ["catalysis"]}),
    Node("e-far", "Enterprise", {"name": "Far Textiles Co", "description": "Weaves cotton textiles", "field": ["textiles"]}),
    Node("e-linked", "Enterprise", {"name": "Linked Olefins Co", "description": "Olefins from methanol", "field": ["catalysis"]}),
    Node("e-gone", "Enterprise", {"name": "Gone Olefins Co", "description": "Olefins from methanol catalyst", "field": ["catalysis"], "status": "retracted"}),
    Node("vc-1", "VentureCapital", {"name": "Olefin Ventures", "description": "Invests in olefins and catalysis"}),
]
RELS = [
    Relationship("locatedIn", "park-p", "region-x"),
    Relationship("locatedIn", "lab-l", "park-p"),
    Relationship("locatedIn", "e-good", "park-p"),
    Relationship("locatedIn", "e-far", "region-y"),
    Relationship("locatedIn", "e-linked", "region-y"),
    Relationship("memberOf", "lab-l", "alliance-a"),
    Relationship("memberOf", "e-good", "alliance-a"),
    Relationship("develops", "lab-l", "t1"),
    Relationship("adopts", "e-linked", "t1", props={"date": "2020-05-01"}),
    Relationship("investsIn", "vc-1", "e-linked", props={"date": "2019-01-01"}),
]


def small_graph() -> nx.MultiDiGraph:
    from canal.ontology import load_ontology

    onto = load_ontology()
    G = nx.MultiDiGraph()
    for n in NODES:
        G.add_node(n.id, cls=n.cls, labels=list(onto.labels_for(n.cls)), **n.props)
    for r in RELS:
        G.add_edge(r.source, r.target, key=r.rid, type=onto.relation(r.type).type, rel=r.type, **r.props)
    return G


def test_technology_goes_first_to_the_enterprise_sharing_place_alliance_and_words() -> None:
    cands = match(small_graph(), for_id="t1", top=10)
    targets = [c.target for c in cands]
    assert targets[0] == "e-good"
    assert targets.index("e-good") < targets.index("e-far")
    assert all(c.direction == "to-enterprise" and c.source == "t1" for c in cands)


def test_already_linked_and_retracted_enterprises_are_never_proposed() -> None:
    targets = {c.target for c in match(small_graph(), for_id="t1", top=10)}
    assert "e-linked" not in targets
    assert "e-gone" not in targets
    assert targets == {"e-good", "e-far"}


def test_an_enterprise_that_develops_or_builds_on_the_technology_is_not_proposed_it() -> None:
    G = small_graph()
    G.add_edge("e-good", "t1", key="e-good-DEVELOPS->t1", type="DEVELOPS", rel="develops")
    assert "e-good" not in {c.target for c in match(G, for_id="t1", top=10)}
    assert "t1" not in {c.target for c in match(G, for_id="e-good", top=10)}
    G = small_graph()
    G.add_node("prod", cls="Product", labels=["Product", "Entity"], name="Textile catalyst")
    G.add_edge("prod", "t1", key="prod-BASED_ON->t1", type="BASED_ON", rel="basedOn")
    G.add_edge("e-far", "prod", key="e-far-PRODUCES->prod", type="PRODUCES", rel="produces")
    assert "e-far" not in {c.target for c in match(G, for_id="t1", top=10)}


def test_contributions_add_up_to_the_score_and_name_only_known_signals() -> None:
    for c in match(small_graph(), for_id="t1", top=10):
        assert set(c.contributions) <= set(SIGNALS)
        assert 0.0 <= c.score <= 1.0
        assert sum(c.contributions.values()) == pytest.approx(c.score, abs=1e-5)
    best = match(small_graph(), for_id="t1", top=1)[0]
    assert {"text", "codes", "region", "alliance"} <= set(best.contributions)


def test_explanations_name_the_shared_alliance_and_park_in_english_and_chinese() -> None:
    best = match(small_graph(), for_id="t1", top=1)[0]
    assert "Catalysis Alliance" in best.explanation_en and "Park P" in best.explanation_en
    assert "催化产业联盟" in best.explanation_zh and "丙园区" in best.explanation_zh
    assert "methanol" in best.explanation_en  # a shared word


def test_weights_are_tunable_a_text_only_ranking_ignores_the_alliance() -> None:
    c = match(small_graph(), for_id="t1", top=1, weights={k: 0.0 for k in SIGNALS} | {"text": 1.0})[0]
    assert set(c.contributions) == {"text"}


def test_names_resolve_and_directions_follow_the_source_class() -> None:
    G = small_graph()
    assert match(G, for_id="Methanol to olefins catalyst", top=1)[0].source == "t1"
    assert match(G, for_id="甲醇制烯烃催化剂", top=1)[0].source == "t1"
    ent = match(G, for_id="e-good", top=5)
    assert ent and all(c.direction == "to-technology" for c in ent)
    assert ent[0].target in {"t1", "lab-l"}
    funders = match(G, for_id="e-good", direction="to-funder", top=5)
    assert [c.target for c in funders] == ["vc-1"]


def test_evidence_paths_join_at_the_first_shared_node() -> None:
    a = (("s", "develops", False, "lab"), ("lab", "locatedIn", True, "park"), ("park", "locatedIn", True, "city"))
    b = (("t", "locatedIn", True, "park"), ("park", "locatedIn", True, "city"))
    assert join_paths(a, b) == (("s", "develops", False, "lab"), ("lab", "locatedIn", True, "park"), ("park", "locatedIn", False, "t"))


def _check_evidence(store: GraphStore, cands: list[Candidate]) -> int:
    checked = 0
    for c in cands:
        assert [e.cypher for e in c.evidence] == c.evidence_cypher
        for ev in c.evidence:
            rows = store.query(ev.cypher).rows
            assert rows, ev.cypher
            ids, types = rows[0]
            assert tuple(ids) == ev.nodes, ev.cypher
            assert tuple(types) == ev.types, ev.cypher
            assert ev.nodes[0] == c.source
            checked += 1
    return checked


def test_every_evidence_cypher_returns_the_path_it_claims_on_the_embedded_store(store: GraphStore) -> None:
    store.upsert_nodes(NODES)
    store.upsert_relationships(RELS)
    cands = match(store.to_networkx(), for_id="t1", top=5)
    assert _check_evidence(store, cands) >= 2


def test_demo_dmto_gets_plausible_enterprises_with_readable_reasons_and_working_evidence(demo_store: GraphStore) -> None:
    G = demo_store.to_networkx()
    cands = match(G, for_id="dmto", top=5)
    assert len(cands) == 5
    assert all(c.target_class == "Enterprise" for c in cands)
    assert "levima" not in {c.target for c in cands}  # DMTO is already licensed to Levima
    # members of the CAS advanced materials alliance, which DICP (DMTO's developer) belongs to, come first
    assert cands[0].target in {"chengdu-organic", "guangzhou-chemical", "sinopec-guangzhou-eng"}
    assert "alliance" in cands[0].explanation_en and "联盟" in cands[0].explanation_zh
    # a short Chinese name resolves through entity resolution's gazetteer
    assert match(G, for_id="联泓新材料", direction="to-funder", top=1)[0].source == "levima"
    n = 0
    for src in ("dmto", "gradient-nano-roller", "levima", "fibre-laser-project"):
        n += _check_evidence(demo_store, match(G, for_id=src, top=5))
    assert n >= 10


def test_results_are_deterministic() -> None:
    from canal.match.synthetic import planted_graph

    G = planted_graph(40, 120, seed=3).graph
    a = [c.as_dict() for c in match(G, direction="to-enterprise", top=5)]
    b = [c.as_dict() for c in match(G, direction="to-enterprise", top=5)]
    assert a == b and len(a) > 100


def test_blocked_ranking_equals_a_dense_reference_ranking() -> None:
    from canal.match.signals import dense_values, normalised
    from canal.match.synthetic import planted_graph

    G = planted_graph(30, 200, seed=5).graph
    index = GraphIndex(G)
    sig = build_signals(index, "to-enterprise")
    w = normalised(DEFAULT_WEIGHTS)
    got = rank(sig, w, top=5, block=7)
    rows = np.arange(len(sig.sources))
    vals = dense_values(sig, rows)
    dense = sum(w[k] * vals[k] for k in SIGNALS)
    for i in range(0, len(sig.sources), 5):
        s = np.asarray(dense[i], dtype=np.float64)
        s[sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]] = -np.inf
        s[~sig.target_ok] = -np.inf
        ref = np.lexsort((np.arange(len(s)), -np.round(s, 5)))[:5]
        assert [r.tgt for r in got[i]] == ref.tolist()


def test_learned_weights_come_from_a_time_split_and_are_non_negative() -> None:
    from canal.match.synthetic import planted_graph

    G = planted_graph(200, 600, seed=2).graph
    res = learn_weights(G, "to-enterprise", seed=0)
    assert res.learned and res.positives >= 20 and res.negatives > res.positives
    assert all(v >= 0 for v in res.weights.values())
    assert sum(res.weights.values()) == pytest.approx(sum(DEFAULT_WEIGHTS.values()), rel=1e-3)
    assert res.cutoff is not None
    # too few links: the defaults, unchanged
    assert learn_weights(small_graph(), "to-enterprise").weights == DEFAULT_WEIGHTS


def test_planted_matches_combined_ranker_beats_every_single_signal_random_and_popularity() -> None:
    from canal.match.evaluate import evaluate
    from canal.match.synthetic import planted_graph

    G = planted_graph(300, 1000, seed=0).graph
    rep = evaluate(G, directions=["to-enterprise"], splits=("random",), seed=0)
    learned = rep.get("to-enterprise", "random", "learned")
    assert learned is not None
    singles = [r.mrr for r in rep.rows if r.method.startswith("only:") and r.group == "all"]
    assert learned.mrr >= 1.15 * max(singles)
    for base in ("random", "popularity"):
        row = rep.get("to-enterprise", "random", base)
        assert row is not None and learned.mrr >= 5 * row.mrr
    assert rep.get("to-enterprise", "random", "learned", "newcomers") is not None


@dataclass(frozen=True)
class _Gap:
    type: str
    nodes: tuple[str, ...]


def test_suggestions_for_gaps_are_keyed_by_gap_type_and_first_node() -> None:
    G = small_graph()
    gaps = [_Gap("stranded_technology", ("t1",)), _Gap("capital_gap", ("e-good",)), _Gap("stranded_technology", ("nope",)), _Gap("x", ("region-x",))]
    out = suggest_for_gaps(G, gaps, top=3)
    assert set(out) == {("stranded_technology", "t1"), ("capital_gap", "e-good")}
    assert out[("stranded_technology", "t1")][0].target == "e-good"
    assert [c.target for c in out[("capital_gap", "e-good")]] == ["vc-1"]
    assert all(len(v) <= 3 for v in out.values())


def test_proposals_carry_score_date_and_reasons_and_are_not_proposed_again(store: GraphStore) -> None:
    import datetime as dt

    store.upsert_nodes(NODES)
    store.upsert_relationships(RELS)
    cands = match(store.to_networkx(), for_id="t1", top=1)
    rels = proposals(cands, day=dt.date(2026, 1, 2))
    assert store.upsert_relationships(rels) == 1
    rows = store.query(
        "MATCH (a {id: 't1'})-[r]->(b {id: 'e-good'}) WHERE type(r) = $t RETURN r.confidence, r.date, r.evidence", {"t": "PROPOSED_MATCH"}
    ).rows
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(round(cands[0].score, 4))
    assert rows[0][1] == "2026-01-02" and "Catalysis Alliance" in rows[0][2]
    assert "e-good" not in {c.target for c in match(store.to_networkx(), for_id="t1", top=5)}


def test_cli_match_json_table_and_write_proposals(tmp_path: Path, demo_db: Path) -> None:

    db = tmp_path / "d.db"
    copy_database(demo_db, db)
    r = canal_cmd("--db", str(db), "match", "--for", "dmto", "--top", "3", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data) == 3 and data[0]["source"] == "dmto" and data[0]["evidence_cypher"]
    r = canal_cmd("--db", str(db), "match", "--for", "DMTO", "--top", "2", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert "联盟" in r.stdout
    r = canal_cmd("--db", str(db), "match", "--for", "no-such-thing")
    assert r.returncode != 0 and "no node" in r.stderr and "Traceback" not in r.stderr
    r = canal_cmd("--db", str(db), "match", "--for", "dmto", "--top", "2", "--write-proposals", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "wrote 2 proposedMatch" in r.stderr
    assert r.stdout.startswith("source,rank,target")
    r = canal_cmd("--db", str(db), "query", "MATCH (:Entity)-[r]->(:Entity) WHERE type(r) = 'PROPOSED_MATCH' RETURN count(r)", "--format", "json")
    assert json.loads(r.stdout)[0]["count(r)"] == 2
    r = canal_cmd("--db", str(db), "match", "--evaluate", "--direction", "to-enterprise", "--format", "json")
    assert r.returncode == 0, r.stderr
    methods = {row["method"] for row in json.loads(r.stdout)["rows"]}
    assert {"random", "popularity", "same country", "same region, then country", "only:text", "graph", "default weights", "canal"} <= methods


def test_evidence_cypher_passes_neo4js_parser() -> None:
    from canal.queries.lint import CypherItem, lint_cypher, linter_problem

    if linter_problem() is not None:
        pytest.skip(f"Neo4j Cypher linter unavailable: {linter_problem()}")
    items = [CypherItem(f"m{i}", q, {}, "canal.match") for i, c in enumerate(match(small_graph(), for_id="t1", top=3)) for q in c.evidence_cypher]
    assert items
    assert [r.describe() for r in lint_cypher(items) if not r.ok] == []


def test_empty_and_tiny_graphs_give_empty_or_trivial_answers_not_errors() -> None:
    from canal.match.evaluate import evaluate

    G = nx.MultiDiGraph()
    assert match(G) == [] and evaluate(G).rows == [] and suggest_for_gaps(G, []) == {}
    G.add_node("t", cls="Technology", labels=["Technology", "Entity"], name="T")
    assert match(G, for_id="t") == [] and match(G, direction="to-funder") == []
    G.add_node("e", cls="Enterprise", labels=["Enterprise", "Organisation", "Entity"], name="E")
    assert [c.target for c in match(G, for_id="t")] == ["e"]
    with pytest.raises(Exception, match="not a technology"):
        match(small_graph(), for_id="region-x")


def test_stage_fit_text_names_the_stages_that_produced_its_value(demo_store: GraphStore) -> None:
    from canal.match.explain import stage_label

    G = demo_store.to_networkx()
    seen: dict[str, set[float]] = {}
    for c in match(G, direction="to-enterprise", top=10, learn=False):
        for sig, reason in zip(c.reason_signals, c.reasons_en, strict=True):
            if sig == "stage":
                text = reason.split(" (", 1)[1]
                seen.setdefault(text, set()).add(round(float(reason.split()[2]), 2))
    assert len(seen) >= 2
    assert all(len(v) == 1 for v in seen.values()), seen  # one text, one value
    onto = GraphIndex(G).onto
    assert stage_label(onto, 1.5)[0] != stage_label(onto, 2.0)[0] and "between" in stage_label(onto, 1.5)[0]


def test_a_funder_of_everyone_weighs_nothing_and_is_never_a_reason() -> None:
    from canal.ontology import load_ontology

    onto = load_ontology()
    G = small_graph()
    G.add_node("prog", cls="Programme", labels=list(onto.labels_for("Programme")), name="Everyone's Programme")
    G.add_node("vc-2", cls="VentureCapital", labels=list(onto.labels_for("VentureCapital")), name="Picky Ventures")
    for n in ("lab-l", "e-good", "e-far", "e-linked", "e-gone"):
        G.add_edge("prog", n, key=f"prog-GRANTS_TO->{n}", type="GRANTS_TO", rel="grantsTo")
    sig = build_signals(GraphIndex(G), "to-enterprise", sources=["lab-l"])
    vals = sig.S["investors"] @ sig.T["investors"].T
    assert vals.nnz == 0 or float(vals.max()) < 1e-6
    for c in match(G, for_id="lab-l", top=5, learn=False):
        assert not any("Everyone" in r for r in c.reasons_en)
    # a selective funder shared by the lab and one enterprise does count
    G.add_edge("vc-2", "lab-l", key="vc-2-INVESTS_IN->lab-l", type="INVESTS_IN", rel="investsIn")
    G.add_edge("vc-2", "e-far", key="vc-2-INVESTS_IN->e-far", type="INVESTS_IN", rel="investsIn")
    c = next(c for c in match(G, for_id="lab-l", top=5, learn=False) if c.target == "e-far")
    assert c.contributions.get("investors", 0) > 0 and any("Picky Ventures" in r for r in c.reasons_en)


def test_a_baseline_at_0_9_or_more_is_called_out_and_its_table_left_out() -> None:
    from canal.match.evaluate import evaluate
    from canal.ontology import load_ontology

    onto = load_ontology()
    G = nx.MultiDiGraph()

    def node(n: str, cls: str, **props: object) -> None:
        G.add_node(n, cls=cls, labels=list(onto.labels_for(cls)), **props)

    # every lab works, in its own project, with the one company of its own town: "same region" knows it all
    for i in range(20):
        node(f"lab{i}", "University", name=f"Lab {i}", region=f"Town {i}", country="XX")
        node(f"firm{i}", "Enterprise", name=f"Firm {i}", region=f"Town {i}", country="XX")
        node(f"p{i}", "PilotProject", name=f"P{i}")
        for x in (f"lab{i}", f"firm{i}"):
            G.add_edge(x, f"p{i}", key=f"{x}-PARTICIPATES_IN->p{i}", type="PARTICIPATES_IN", rel="participatesIn")
    for j in range(60):
        node(f"other{j}", "Enterprise", name=f"Other {j}", region="Elsewhere", country="YY")
    rep = evaluate(G, directions=["to-enterprise"], splits=["event"], seed=0, bootstrap=0, learn=False)
    row = rep.get("to-enterprise", "event", "same region, then country")
    assert row is not None and row.mrr >= 0.9
    assert any("REACHES MRR" in w and "same region" in w for w in rep.warnings)
    assert rep.table()[1] == [] and ("to-enterprise", "event") in rep.suppressed
