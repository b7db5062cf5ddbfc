"""The user's graph holds only the user's data; every load ends logged; retraction is never silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from canal.cli import main
from canal.errors import LoaderError
from canal.exchange import export_graph
from canal.ingest import list_merges, load_spec
from canal.loadlog import LOAD_LOG, load_log
from canal.store import GraphStore
from tests.test_load import NODES, RELS, write_input


def test_the_demo_graph_holds_only_the_demo(demo_store: GraphStore) -> None:
    total = demo_store.query("MATCH (n) RETURN count(n)").scalar()
    assert total == demo_store.counts().total_nodes == 199
    assert demo_store.query("MATCH ()-[r]->() RETURN count(r)").scalar() == demo_store.counts().total_relationships
    assert export_graph(demo_store.to_networkx(), "gexf").count("<node ") == 199
    log = load_log(demo_store)
    assert log and all(x["status"] == "done" for x in log)


def test_records_an_older_canal_wrote_into_the_graph_move_out(store: GraphStore) -> None:
    store.execute(f"CREATE (:{LOAD_LOG} {{id: 'load:old:1', name: 'old', status: 'done', startedNs: 1}})")
    store.execute("CREATE (:MergeRecord {id: 'merge:old:a', spec: 'old', absorbed: 'a', into: 'b', status: 'active'})")
    assert [x["id"] for x in load_log(store)] == ["load:old:1"]
    assert [m["id"] for m in list_merges(store)] == ["merge:old:a"]
    assert store.query("MATCH (n) RETURN count(n)").scalar() == 0


def test_a_load_that_fails_while_writing_is_logged_failed(store: GraphStore, tmp_path: Path) -> None:
    def boom(stage: str, done: int, total: int) -> None:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        load_spec(store, write_input(tmp_path), progress=boom)
    (entry,) = load_log(store)
    assert entry["status"] == "failed" and "disk on fire" in entry["error"]


def test_an_empty_entities_file_stops_with_the_number_it_would_retract(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    load_spec(store, spec)
    write_input(tmp_path, NODES[:1], RELS[:1])  # header-only files
    with pytest.raises(LoaderError, match=r"retract 4 of the 4 relationships.*4 of the 4 nodes.*8 facts in all"):
        load_spec(store, spec)
    assert store.query("MATCH (n) WHERE n.status = 'retracted' RETURN count(n)").scalar() == 0
    assert [x["status"] for x in load_log(store)] == ["done", "failed"]  # stopped before writing
    report = load_spec(store, spec, allow_retract=True)
    assert report.totals()["retracted"] == 8
    assert store.query("MATCH (n) WHERE n.status = 'retracted' RETURN count(n)").scalar() == 4


def test_losing_a_minority_of_facts_needs_no_flag(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    load_spec(store, spec)
    write_input(tmp_path, NODES, RELS[:-1])  # one of four relationships gone
    assert load_spec(store, spec).totals()["retracted"] == 1


def test_the_cli_stops_and_the_flag_lets_it_through(tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    db = str(tmp_path / "c.db")
    assert CliRunner().invoke(main, ["--db", db, "load", str(spec)]).exit_code == 0
    write_input(tmp_path, NODES[:1], RELS[:1])
    r = CliRunner().invoke(main, ["--db", db, "load", str(spec)])
    assert r.exit_code != 0 and "--allow-retract" in r.output and "8 facts" in r.output
    r = CliRunner().invoke(main, ["--db", db, "load", "--allow-retract", str(spec)])
    assert r.exit_code == 0 and "8 retracted" in r.output


def test_skip_bad_that_rejects_every_row_fails(store: GraphStore, tmp_path: Path) -> None:
    bad_nodes = [NODES[0]] + [[r[0], "NoSuchClass", *r[2:]] for r in NODES[1:]]
    spec = write_input(tmp_path, bad_nodes, RELS[:1])
    with pytest.raises(LoaderError, match="every row was rejected"):
        load_spec(store, spec, skip_bad=True)
    assert store.counts().total_nodes == 0


def test_a_nul_character_is_a_bad_row_nothing_is_written_and_the_log_says_failed(store: GraphStore, tmp_path: Path) -> None:
    rows = [NODES[0]] + [[f"e{i}", "Enterprise", f"E{i}", "", "", "s1"] for i in range(3000)]
    rows[2000][2] = "bad\x00name"
    spec = write_input(tmp_path, rows, RELS[:1])
    with pytest.raises(LoaderError) as info:
        load_spec(store, spec)
    assert "row 2001" in str(info.value) and "'name'" in str(info.value)  # the header is row 1
    assert store.counts().total_nodes == 0
    assert [x["status"] for x in load_log(store)] == ["failed"]
    ttl = tmp_path / "g.ttl"
    ttl.write_text(
        "@prefix canal: <https://w3id.org/canal/ontology#> .\n"
        + "".join(f'<https://w3id.org/canal/id/t{i}> a canal:Enterprise ; canal:name "{"x" if i != 2000 else "x" + chr(0)}" .\n' for i in range(3000)),
        encoding="utf-8",
    )
    from canal.exchange import import_graph

    with pytest.raises(LoaderError):
        import_graph(store, ttl)
    assert store.counts().total_nodes == 0
    assert [x["status"] for x in load_log(store)] == ["failed", "failed"]
