"""Loading: all-or-nothing on bad rows, --skip-bad rejects, idempotent re-runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from canal.errors import LoaderError
from canal.ingest import load_spec
from canal.store import GraphStore

SPEC = """\
name: tiny
retrieved: 2026-11-21
method: curated
nodes:
  - file: nodes.csv
    id: id
    class: {column: class}
    properties:
      name: name
      foundedYear: founded
      aliases: {column: aliases, split: "|"}
    provenance:
      source: {column: source}
relationships:
  - file: rels.csv
    type: {column: type}
    source: from
    target: to
    key: key
    properties:
      amount: amount
      currency: currency
    provenance:
      source: {column: source}
"""

NODES = [
    ["id", "class", "name", "founded", "aliases", "source"],
    ["inst", "ResearchInstitute", "Institute A", "1949", "IA|研究所A", "s1"],
    ["tech", "Technology", "Tech T", "", "", "s1"],
    ["ent", "Enterprise", "Enterprise E", "2010", "", "s1"],
    ["fund", "Fund", "Fund F", "", "", "s1"],
]
RELS = [
    ["from", "type", "to", "key", "amount", "currency", "source"],
    ["inst", "develops", "tech", "", "", "", "s1"],
    ["ent", "adopts", "tech", "", "", "", "s1"],
    ["fund", "investsIn", "ent", "2014", "1000000", "CNY", "s1"],
    ["fund", "investsIn", "ent", "2016", "2000000", "CNY", "s1"],
]


def write_input(folder: Path, nodes: list[list[str]] = NODES, rels: list[list[str]] = RELS) -> Path:
    """Write the tiny spec and its two CSV files; returns the spec path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("nodes.csv", nodes), ("rels.csv", rels)):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    spec = folder / "tiny.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def test_load_writes_nodes_relationships_and_parallel_edges(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, write_input(tmp_path))
    c = store.counts()
    assert c.nodes == {"Enterprise": 1, "Fund": 1, "ResearchInstitute": 1, "Technology": 1}
    assert c.relationships == {"ADOPTS": 1, "DEVELOPS": 1, "INVESTS_IN": 2}
    res = store.query("MATCH (f:Fund)-[r:INVESTS_IN]->(e:Enterprise) RETURN r.amount ORDER BY r.amount")
    assert [r[0] for r in res.rows] == [1000000.0, 2000000.0]


def test_load_twice_changes_nothing(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    load_spec(store, spec)
    first = store.counts()
    report = load_spec(store, spec)
    assert store.counts() == first
    assert report.new_nodes == 0 and report.existing_nodes == 4


def test_nodes_get_class_and_ancestor_labels_and_provenance(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, write_input(tmp_path))
    labels, props = store.query("MATCH (n:Entity {id: 'fund'}) RETURN labels(n), properties(n)").rows[0]
    assert sorted(labels) == ["Entity", "Fund", "Investor", "Organisation"]
    assert props["source"] == "s1" and props["method"] == "curated" and props["retrieved"] == "2026-11-21"
    assert props["confidence"] == 1.0
    aliases = store.query("MATCH (n:Entity {id: 'inst'}) RETURN n.aliases, n.foundedYear").rows[0]
    assert aliases == (["IA", "研究所A"], 1949)


@pytest.mark.parametrize(
    ("edit", "row", "field", "words"),
    [
        (lambda n, r: n[2].__setitem__(1, "Teknology"), 3, "class", "unknown class"),
        (lambda n, r: n[1].__setitem__(3, "nineteen"), 2, "founded", "not an integer"),
        (lambda n, r: n[4].__setitem__(0, ""), 5, "id", "missing id"),
        (lambda n, r: r[2].__setitem__(0, "nobody"), 3, "from", "dangling endpoint"),
        (lambda n, r: r[3].__setitem__(4, "lots"), 4, "amount", "not a number"),
        (lambda n, r: r[1].__setitem__(1, "memberOf"), 2, "type", "cannot go from"),
    ],
    ids=["unknown-class", "wrong-type", "missing-id", "dangling-endpoint", "bad-amount", "domain-range"],
)
def test_bad_row_names_file_row_field_and_leaves_store_unchanged(
    store: GraphStore, tmp_path: Path, edit, row: int, field: str, words: str  # type: ignore[no-untyped-def]
) -> None:
    good = write_input(tmp_path / "good")
    load_spec(store, good)
    before = store.counts()
    nodes = [list(r) for r in NODES]
    rels = [list(r) for r in RELS]
    # a new node too, so a half-written load would show
    nodes.append(["extra", "Enterprise", "Extra", "", "", "s1"])
    edit(nodes, rels)
    bad = write_input(tmp_path / "bad", nodes, rels)
    with pytest.raises(LoaderError) as info:
        load_spec(store, bad)
    exc = info.value
    assert exc.file is not None and exc.file.endswith(".csv")
    assert (exc.row, exc.field) == (row, field)
    assert words in exc.message
    assert store.counts() == before
    assert store.existing(["extra"]) == {}


def test_skip_bad_loads_good_rows_and_writes_rejects(store: GraphStore, tmp_path: Path) -> None:
    nodes = [list(r) for r in NODES]
    nodes[2][1] = "Teknology"  # tech is bad -> its two relationships dangle
    spec = write_input(tmp_path, nodes)
    rejects = tmp_path / "rejects.csv"
    report = load_spec(store, spec, skip_bad=True, reject_file=rejects)
    assert store.counts().nodes == {"Enterprise": 1, "Fund": 1, "ResearchInstitute": 1}
    assert store.counts().relationships == {"INVESTS_IN": 2}
    with open(rejects, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["row"], r["field"]) for r in rows] == [("3", "class"), ("2", "to"), ("3", "to")]
    assert "unknown class 'Teknology'" in rows[0]["reason"]
    assert "rejected" in rows[1]["reason"]
    assert len(report.rejects) == 3


def test_dry_run_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    report = load_spec(store, write_input(tmp_path), dry_run=True)
    assert report.new_nodes == 4
    assert store.counts().total_nodes == 0


def test_relationship_to_node_already_in_store_is_not_dangling(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, write_input(tmp_path / "a"))
    only_rel = write_input(tmp_path / "b", [NODES[0]], [RELS[0], ["ent", "adopts", "tech", "", "", "", "s2"]])
    load_spec(store, only_rel, allow_retract=True)  # the source shrank on purpose
    assert store.counts().relationships["ADOPTS"] == 1


def test_spec_error_points_at_spec_line(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    spec.write_text(SPEC.replace("foundedYear: founded", "foundedYears: founded"), encoding="utf-8")
    with pytest.raises(LoaderError) as info:
        load_spec(store, spec)
    assert info.value.line == 10
    assert "unknown property 'foundedYears'" in str(info.value)


def test_gbk_encoded_csv_loads_with_correct_chinese(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path, [NODES[0], ["zg", "ResearchInstitute", "自贡先进碳材料产业技术研究院", "", "碳材院", "s1"]], [RELS[0][:]])
    (tmp_path / "nodes.csv").write_bytes((tmp_path / "nodes.csv").read_text(encoding="utf-8").encode("gbk"))
    load_spec(store, spec)
    assert store.query("MATCH (n:Entity {id: 'zg'}) RETURN n.name, n.aliases").rows == [("自贡先进碳材料产业技术研究院", ["碳材院"])]
