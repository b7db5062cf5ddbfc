"""The gap-type registry: a gap type defined in one module (here: this test module) runs through
``find_gaps``, its Cypher shows it on the real store, ``canal gaps --type`` offers it and
``synth_graph`` plants it; unregistered, it is gone everywhere and the built-in types are untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from canal.cli import main
from canal.errors import ConfigError
from canal.gaps import Gap, find_gaps
from canal.gaps.registry import GapContext, gap_type, gap_types, get_gap_type, registered, unregister_gap_type
from canal.gaps.score import score
from canal.ontology import ROOT_CLASS, load_ontology
from canal.store.base import GraphStore
from canal.synth import SynthBuilder, load_synth, synth_graph

TOY = "orphan_patent"
BUILT_IN = (
    "stranded_technology",
    "missing_pilot",
    "capital_gap",
    "broken_canal",
    "alliance_role_gap",
    "segment_gap",
    "broker_risk",
    "structural_hole",
)


def toy_cypher() -> str:
    """A patent that protects nothing and that nobody holds (labels and types from the ontology)."""
    onto = load_ontology()
    protects, holds = onto.relation("protects").type, onto.relation("holdsPatent").type
    return (
        f"MATCH (p:{ROOT_CLASS}:Patent {{id: $id}})\n"
        f"WHERE NOT (p)-[:{protects}]->() AND NOT ()-[:{holds}]->(p)\n"
        "RETURN p.id AS id, p.name AS name, labels(p) AS labels"
    )


def plant_orphan_patent(b: SynthBuilder, k: int) -> None:
    """Patents with no holder and nothing protected."""
    for _ in range(k):
        p = b.node("Patent")
        b.plant(TOY, "patent", "graph", [p])


def detect_orphan_patent(ctx: GapContext) -> list[Gap]:
    """Patents that protect nothing and that nobody holds."""
    f = ctx.frame
    cand = f.class_mask(["Patent"]) & (f.out_count("protects") == 0) & (f.in_count("holdsPatent") == 0)
    return [
        Gap(TOY, "graph", 0.2, (f.ids[i],), f"'{f.name(i)}' protects nothing and has no holder.",
            f"“{f.name(i, zh=True)}”未保护任何技术，也无权利人。", toy_cypher(), {"id": f.ids[i]}, kind="patent")
        for i in np.flatnonzero(cand).tolist()
    ]


@pytest.fixture
def toy() -> Iterator[str]:
    gap_type(TOY, en="orphan patent", zh="孤儿专利", cypher=toy_cypher, planter=plant_orphan_patent)(detect_orphan_patent)
    try:
        yield TOY
    finally:
        unregister_gap_type(TOY)


def test_the_built_in_types_are_registered_in_canal_order_with_everything_bundled() -> None:
    assert gap_types() == BUILT_IN
    for gt in registered():
        assert gt.module == f"canal.gaps.types.{gt.name}"
        assert gt.label_en and gt.label_zh and gt.cypher is not None and gt.planter is not None


def test_a_toy_gap_type_runs_through_find_gaps_synth_and_the_cli(toy: str, store: GraphStore) -> None:
    assert gap_types() == (*BUILT_IN, toy)
    from canal.gaps.model import GAP_LABELS, GAP_TYPES

    assert GAP_TYPES[-1] == toy and GAP_LABELS[toy] == ("orphan patent", "孤儿专利")
    # synth plants it (after the built-in planters, so their structures are unchanged)
    r = synth_graph(1000, seed=1)
    planted = r.truth_of(toy)
    assert len(planted) == 2
    # find_gaps finds exactly what was planted, and only what was asked for
    gaps = find_gaps(r.frame(), types=[toy])
    assert {g.type for g in gaps} == {toy}
    assert score(gaps, r.truth)[toy]["recall"] == 1.0 and score(gaps, r.truth)[toy]["precision"] == 1.0
    # its Cypher shows the gap on the real store
    store.ensure_indexes()
    load_synth(store, r)
    for g in gaps:
        assert {row["id"] for row in store.query(g.cypher, g.params).records()} == set(g.nodes)
    # canal gaps --type offers it and runs it
    path = store.settings.db
    store.close()
    res = CliRunner().invoke(main, ["--db", path, "gaps", "--type", toy, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert {g["nodes"][0] for g in json.loads(res.output)} == {p.anchor for p in planted}
    res = CliRunner().invoke(main, ["gaps", "--help"])
    assert toy in res.output


def test_the_toy_leaves_the_built_in_types_unchanged_and_goes_away_when_unregistered(tmp_path: Path) -> None:
    before = synth_graph(1000, seed=2)
    gap_type(TOY, en="orphan patent", zh="孤儿专利", cypher=toy_cypher, planter=plant_orphan_patent)(detect_orphan_patent)
    try:
        with pytest.raises(ConfigError, match="already registered"):
            gap_type(TOY, en="x", zh="x")(detect_orphan_patent)
        with_toy = synth_graph(1000, seed=2)
    finally:
        unregister_gap_type(TOY)
    assert [t for t in with_toy.truth if t.type != TOY] == before.truth
    assert with_toy.ids[: before.n_nodes] == before.ids
    assert gap_types() == BUILT_IN
    with pytest.raises(ConfigError, match="unknown gap type"):
        find_gaps(before.frame(), types=[TOY])
    with pytest.raises(ConfigError, match="unknown gap type"):
        get_gap_type(TOY)
    res = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "gaps", "--type", TOY])
    assert res.exit_code != 0 and "Invalid value for '--type'" in res.output


def test_every_registered_type_has_a_row_in_the_gaps_catalogue() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "gaps.md").read_text(encoding="utf-8")
    assert all(f"| `{t}`" in text for t in gap_types())


def test_the_worked_example_in_the_architecture_doc_runs() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    code = doc.split("# canal/gaps/types/orphan_patent.py\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {"__name__": "orphan_patent_example"}
    try:
        exec(compile(code, "ARCHITECTURE.md", "exec"), namespace)
        assert gap_types()[-1] == TOY and get_gap_type(TOY).module == "orphan_patent_example"
        r = synth_graph(1000, seed=3)
        result = score(find_gaps(r.frame()), r.truth)
        assert result[TOY]["planted"] == 2 and result[TOY]["precision"] == result[TOY]["recall"] == 1.0
    finally:
        unregister_gap_type(TOY)
