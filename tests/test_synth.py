"""Synthetic canal graphs: seeded, realistic in shape, extensible, consistent with the store's graph shape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from canal.gaps.model import GAP_TYPES
from canal.ontology import load_ontology
from canal.synth import PlantedGap, SynthBuilder, synth_graph


def test_same_seed_gives_the_same_graph_and_another_seed_a_different_one() -> None:
    a, b, c = synth_graph(1000, seed=3), synth_graph(1000, seed=3), synth_graph(1000, seed=4)
    assert a.ids == b.ids and a.rel == b.rel and a.truth == b.truth
    assert np.array_equal(a.src, b.src) and np.array_equal(a.dst, b.dst)
    assert not (len(a.rel) == len(c.rel) and np.array_equal(a.src, c.src) and np.array_equal(a.dst, c.dst))


def test_graph_has_every_class_and_relationship_type_and_heavy_tailed_degrees() -> None:
    onto = load_ontology()
    r = synth_graph(5000, seed=0)
    abstract_ones = {"Investor", "Organisation", "ResearchOrganisation"}  # generated only as subclasses
    assert set(onto.node_classes) - set(r.cls) <= abstract_ones | {"Review"}  # coordinators' own decisions
    assert set(onto.relations) - set(r.rel) <= {"proposedMatch", "reviews"}  # the matcher's proposals, reviews
    assert 4.5 * r.n_nodes <= r.n_edges <= 5.5 * r.n_nodes
    deg = np.bincount(np.concatenate([r.src, r.dst]), minlength=r.n_nodes)
    assert deg.max() > 20 * np.median(deg)  # a few hubs, many small nodes
    # every relationship fits the ontology's domain and range
    for u, v, rel in zip(r.src.tolist()[:5000], r.dst.tolist()[:5000], r.rel[:5000], strict=True):
        assert onto.allows(rel, r.cls[u], r.cls[v]), (rel, r.cls[u], r.cls[v])


def test_networkx_view_has_the_store_shape() -> None:
    r = synth_graph(1000, seed=0)
    G = r.graph
    assert G.number_of_nodes() == r.n_nodes and G.number_of_edges() == r.n_edges
    nid = r.ids[0]
    assert {"cls", "labels", "name"} <= set(G.nodes[nid])
    u, v, k, d = next(iter(G.edges(keys=True, data=True)))
    assert k == f"{u}-{d['type']}->{v}" and d["rel"] and d["type"] == load_ontology().relation(d["rel"]).type


def test_planted_counts_follow_the_option_and_extra_planters_add_their_own_truth() -> None:
    def plant_orphan_patent(b: SynthBuilder, k: int) -> None:
        for _ in range(k):
            p = b.node("Patent")
            b.plant("orphan_patent", "patent", "graph", [p])

    r = synth_graph(1000, seed=1, planted={"missing_pilot": 0, "broker_risk": 3}, extra=[(plant_orphan_patent, 2)])
    kinds = Counter(t.type for t in r.truth)
    assert kinds["missing_pilot"] == 0 and kinds["broker_risk"] == 3 and kinds["orphan_patent"] == 2
    assert {t for t in GAP_TYPES if t != "missing_pilot"} <= set(kinds)
    assert all(isinstance(t, PlantedGap) and t.nodes[0] in set(r.ids) for t in r.truth)


def test_synth_load_refuses_a_graph_with_real_data_unless_told(tmp_path: Path) -> None:
    import json

    from canal.store import open_store
    from tests.conftest import canal_cmd

    db = str(tmp_path / "real.db")
    assert canal_cmd("--db", db, "--no-progress", "demo").returncode == 0
    with open_store(db) as store:
        before = store.counts()
    res = canal_cmd("--db", db, "synth", "--nodes", "500", "--load")
    assert res.returncode != 0 and "not synthetic" in res.stderr and "--into-existing" in res.stderr
    with open_store(db) as store:
        assert store.counts() == before  # nothing written
    # an empty database takes it, and so does a second synthetic load into the same one
    empty = str(tmp_path / "synth.db")
    for _ in range(2):
        res = canal_cmd("--db", empty, "synth", "--nodes", "500", "--load")
        assert res.returncode == 0, res.stderr
    # told explicitly, the real database takes it too
    res = canal_cmd("--db", db, "synth", "--nodes", "500", "--load", "--into-existing")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["nodes"] > 0
