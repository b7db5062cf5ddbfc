"""Matching on real partnerships: a CORDIS Horizon 2020 slice loaded through its spec.

Co-participation in a project is a real lab <-> company link. The evaluation holds out
projects with everything they imply; canal must beat popularity and random there, never
lead an explanation with a reason most candidates share, and ``canal match --evaluate``
must report leakage-free figures and warn where the task is trivial.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from canal import open_store
from canal.ingest import load_spec
from canal.match import match
from canal.match.evaluate import evaluate, make_split
from canal.match.graph import GraphIndex
from canal.match.signals import build_signals, dense_values
from tests.conftest import canal_cmd

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "match_real"
SPEC = ROOT / "loaders" / "cordis.yaml"


@pytest.fixture(scope="module")
def cordis_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cordis") / "canal.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CANAL_CORDIS", str(FIXTURE))
        with open_store(str(db)) as store:
            load_spec(store, SPEC)
    return db


@pytest.fixture(scope="module")
def cordis(cordis_db: Path) -> Iterator[nx.MultiDiGraph]:
    with open_store(str(cordis_db)) as store:
        G = store.to_networkx()
    yield G


def _with_derived_collaborations(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph plus a collaboratesWith edge for every lab-company pair of a project (as a user might add)."""
    H = G.copy()
    for p, d in G.nodes(data=True):
        if d.get("cls") != "ResearchProject":
            continue
        members = sorted({u for u, _v, e in G.in_edges(p, data=True) if e.get("rel") == "participatesIn"})
        labs = [m for m in members if G.nodes[m]["cls"] in ("University", "ResearchInstitute")]
        firms = [m for m in members if G.nodes[m]["cls"] == "Enterprise"]
        for a in labs:
            for b in firms:
                H.add_edge(a, b, key=f"{a}-COLLABORATES_WITH->{b}#{p}", type="COLLABORATES_WITH", rel="collaboratesWith")
    return H


def test_a_project_split_leaves_no_trace_of_the_held_out_projects(cordis: nx.MultiDiGraph) -> None:
    G = _with_derived_collaborations(cordis)
    base = GraphIndex(G)
    sp = make_split(base, "to-enterprise", "event", share=0.2, seed=0)
    assert len(sp.held_events) == round(0.2 * len(base.events())) and sp.hidden
    train = GraphIndex(G, skip=sp.skip)
    held = set(sp.held_events)
    for e in held:
        assert not train.ins(e) and not train.outs(e)  # the project is gone from the training graph
    local = {e.rsplit(":", 1)[-1] for e in held}
    for u, v, k in G.edges(keys=True):
        if str(k) not in sp.skip:
            assert str(k).rsplit("#", 1)[-1] not in local or "#" not in str(k), (u, v, k)  # no grant for it
    for s, ts in sp.hidden.items():
        for t in ts:
            assert (s, t) not in sp.train_links
            assert not [x for x in train.outs(s) + train.ins(s) if x[1] == t]  # no direct tie left either
    # the held-out pairs are exactly the lab-company pairs met only in held-out projects
    pairs_held = {(lab, firm) for lab, ts in sp.hidden.items() for firm in ts}
    assert pairs_held and all(base.is_lab(a) and base.is_enterprise(b) for a, b in pairs_held)


def test_default_ranker_beats_popularity_and_random_on_real_partnerships(cordis: nx.MultiDiGraph) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the learner used to divide by zero
        rep = evaluate(cordis, directions=["to-enterprise"], splits=["event"], seed=0, bootstrap=300)
    info = rep.info["to-enterprise/event"]
    assert info["queries"] >= 60 and info["held_out_pairs"] >= 300 and info["median_candidates"] > 300
    canal = rep.get("to-enterprise", "event", "canal")
    rnd = rep.get("to-enterprise", "event", "random")
    pop = rep.get("to-enterprise", "event", "popularity")
    assert canal is not None and rnd is not None and pop is not None
    assert canal.mrr >= 1.5 * rnd.mrr and canal.mrr >= 1.5 * pop.mrr
    assert canal.hits[10] > rnd.hits[10] and canal.hits[10] > pop.hits[10]
    lo, hi = canal.ci["mrr"]
    assert lo <= canal.mrr <= hi
    assert rep.get("to-enterprise", "event", "canal", "newcomers") is not None
    assert all(r.mrr < 0.9 for r in rep.rows), "a method finds held-out partners too well: something leaks"
    assert not [w for w in rep.warnings if "REACHES" in w or "TRIVIAL" in w]
    # the slice's known quirk is reported: held-out partners are mostly companies seen nowhere else
    assert any("no link in the training graph" in w for w in rep.warnings)


def test_explanations_for_universities_never_lead_with_a_reason_most_candidates_share(cordis: nx.MultiDiGraph) -> None:
    index = GraphIndex(cordis)
    unis = sorted(n for n in index.sources("to-enterprise") if index.cls[n] == "University")
    assert len(unis) >= 10
    sig = build_signals(index, "to-enterprise", sources=unis[:10])
    vals = dense_values(sig, np.arange(len(unis[:10])))
    tpos = sig.tgt_pos
    for i, u in enumerate(unis[:10]):
        c = match(cordis, for_id=u, top=1)[0]
        assert c.reasons_en and len(c.reason_signals) == len(c.reasons_en)
        first, lead = c.reasons_en[0], c.reason_signals[0]
        assert not first.startswith("common investor") and "like most candidates" not in first, first
        v = vals[lead][i]
        share = float(np.count_nonzero(v >= v[tpos[c.target]] - 1e-6)) / len(v)
        assert share <= 0.5, (u, first, share)
    # the programme that funds everyone is never a reason
    assert not any("Horizon 2020" in r for u in unis[:10] for c in match(cordis, for_id=u, top=3) for r in c.reasons_en)


def test_paths_through_shared_projects_come_with_cypher_that_returns_them(cordis_db: Path) -> None:
    from canal.queries.lint import CypherItem, lint_cypher, linter_problem

    with open_store(str(cordis_db)) as store:
        G = store.to_networkx()
        cands = [c for c in match(G, direction="to-enterprise", weights={"events": 1.0}, top=2, learn=False) if "events" in c.reason_signals]
        assert len(cands) >= 5
        for c in cands[:8]:
            ev = next(e for e in c.evidence if e.signal == "events")
            # lab -> project <- partner -> project <- company
            assert len(ev.types) == 4 and ev.nodes[0] == c.source and ev.nodes[-1] == c.target
            assert "its partner" in c.reasons_en[c.reason_signals.index("events")]
            rows = store.query(ev.cypher).rows
            assert rows and tuple(rows[0][0]) == ev.nodes and tuple(rows[0][1]) == ev.types
    if linter_problem() is None:
        items = [CypherItem(f"e{i}", q, {}, "canal.match") for i, c in enumerate(cands[:8]) for q in c.evidence_cypher]
        assert [r.describe() for r in lint_cypher(items) if not r.ok] == []


def test_cli_evaluate_on_a_project_graph_reports_leakage_free_figures_and_warns(tmp_path: Path) -> None:
    db = tmp_path / "cordis.db"
    env = {**os.environ, "CANAL_CORDIS": str(FIXTURE)}
    r = canal_cmd("--db", str(db), "load", str(SPEC), env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    r = canal_cmd("--db", str(db), "match", "--evaluate", "--format", "json", env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "RuntimeWarning" not in r.stderr and "divide by zero" not in r.stderr
    out = json.loads(r.stdout)
    assert "to-enterprise/event" in out["splits"] and "to-technology/event" in out["splits"]
    by = {(row["direction"], row["split"], row["method"], row["group"]): row for row in out["rows"]}
    canal = by[("to-enterprise", "event", "canal", "all")]
    assert 0.0 < canal["mrr"] < 0.9 and "ci95" in canal and "hits@10" in canal
    assert all(row["mrr"] < 0.9 for (d, _s, _m, _g), row in by.items() if d != "to-funder")
    # one programme funds everyone: the funder direction is trivial and says so instead of a table
    assert any("TRIVIAL" in w and w.startswith("to-funder") for w in out["warnings"])
    assert "WARNING: to-funder" in r.stderr
    r = canal_cmd("--db", str(db), "match", "--evaluate", "--direction", "to-funder", env=env, timeout=600)
    assert r.returncode == 0 and "TRIVIAL" in r.stderr
    assert "Matching evaluation" not in r.stdout  # no table of meaningless figures


def test_dated_projects_also_give_a_time_split_that_holds_out_the_newest(cordis: nx.MultiDiGraph) -> None:
    from canal.match.evaluate import default_splits

    assert default_splits(GraphIndex(cordis), "to-enterprise") == ("event",)  # the table has no dates
    G = cordis.copy()
    projects = sorted((n for n, d in G.nodes(data=True) if d.get("cls") == "ResearchProject"), key=lambda p: int(p.rsplit(":", 1)[1]))
    for i, p in enumerate(projects):  # a stand-in date that grows with the grant number
        G.nodes[p]["startDate"] = f"{2015 + i * 6 // len(projects)}-{1 + i % 12:02d}-01"
    base = GraphIndex(G)
    assert default_splits(base, "to-enterprise") == ("event", "event-time")
    sp = make_split(base, "to-enterprise", "event-time", share=0.2)
    newest = sorted(projects, key=lambda p: (G.nodes[p]["startDate"], p))[-len(sp.held_events):]
    assert sorted(sp.held_events) == sorted(newest)
    rep = evaluate(G, directions=["to-enterprise"], splits=["event-time"], seed=0, bootstrap=0, single_signals=False)
    assert rep.get("to-enterprise", "event-time", "canal") is not None


def _bench_module(name: str) -> Any:
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def test_candidate_signals_of_the_second_pass_see_only_training_partners(cordis: nx.MultiDiGraph) -> None:
    """bench/match_real_signals.py on real rows: every candidate signal in 0..1, built from training links only."""
    bench = _bench_module("match_real_signals")
    base = GraphIndex(cordis)
    split = bench.split_values(cordis, base, seed=1)
    sp = make_split(base, "to-enterprise", "event", share=0.2, seed=1)
    held = set(sp.held_events)
    P = split["partners"]
    assert split["queries"] > 10 and split["with_partners"] > 0
    for i, s in enumerate(split["sources"]):
        partners = {split["companies"][j] for j in P.indices[P.indptr[i] : P.indptr[i + 1]]}
        hidden = {split["companies"][j] for j in split["hidden"][i]}
        assert hidden and not partners & hidden  # a held-out partner is never a "past partner"
        for t in partners:  # each past partner met the lab in a project that is not held out
            assert (s, t) in sp.train_links
            assert set(sp.train_links[(s, t)].events).isdisjoint(held)
    for name in bench.CANDIDATES:
        v = split["vals"][name]
        assert v.shape == (split["queries"], split["targets"])
        assert float(v.min()) >= 0.0 and float(v.max()) <= 1.0 + 1e-6, name
    # a lab with past partners: its nearest past partner scores 1 on partner distance
    i = next(i for i in range(split["queries"]) if P.indptr[i + 1] > P.indptr[i])
    j = int(P.indices[P.indptr[i]])
    assert split["vals"]["partner_distance"][i, j] > 0.99 or not split["vals"]["distance"][i].any()
    mrr, hits = bench.score(split, {"distance": 1.0})
    assert 0.0 < mrr <= 1.0 and 0.0 <= hits <= 1.0


def test_per_seed_summary_of_the_real_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench_module("match_real")
    assert bench.main(["--csv", str(FIXTURE / "h2020_organizations_odd_projects.csv"), "--seeds", "1,2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["seed"] for r in out["splits"]] == [1, 2]
    for r in out["splits"]:
        assert 0.0 < r["canal"]["mrr"] < 0.9 and r["best_baseline"]["method"]
    assert set(out["summary"]["canal mrr"]) == {"mean", "sd"}


def test_the_learner_checks_its_fit_on_folds_of_every_positive_source(cordis: nx.MultiDiGraph) -> None:
    from canal.match.learn import VALIDATION_FOLDS, VALIDATION_PER_FOLD, _validation_folds, learn_weights

    rng = np.random.default_rng(0)
    assert _validation_folds(np.arange(19), rng) == []  # too few sources to judge
    folds = _validation_folds(np.repeat(np.arange(60), 3), rng)
    assert len(folds) == VALIDATION_FOLDS and sorted(np.concatenate(folds).tolist()) == list(range(60))
    big = _validation_folds(np.arange(1000), rng)
    assert all(len(f) == VALIDATION_PER_FOLD for f in big) and len(set(np.concatenate(big).tolist())) == 3 * VALIDATION_PER_FOLD
    # on real rows the fit is compared with the defaults on sources it was not fitted on, and kept only if not worse
    lr = learn_weights(cordis, "to-enterprise", seed=1)
    assert set(lr.validation) == {"learned", "default"}
    assert lr.learned == (lr.validation["learned"] >= lr.validation["default"])
