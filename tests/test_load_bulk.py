"""The bulk path (canal's own GRAPH.BULK encoder) and neo4j-admin import files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from canal.bulk import bulk_load, write_neo4j_import
from canal.errors import CanalError
from canal.ingest import load_log, load_spec
from canal.store import GraphStore, open_store
from tests.test_load import write_input
from tests.test_load_incremental import _snapshot

LOADERS = Path(__file__).resolve().parent.parent / "loaders"
SOURCES = Path(__file__).parent / "fixtures" / "sources"


def test_bulk_load_gives_the_same_graph_as_an_incremental_load(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path / "in")
    res = bulk_load(store, spec)
    assert res["records"] == 8 and res["nodes"] == {"ResearchInstitute": 1, "Technology": 1, "Enterprise": 1, "Fund": 1}
    with open_store(str(tmp_path / "inc.db")) as inc:
        load_spec(inc, spec)
        assert _snapshot(store) == _snapshot(inc)
    # a later incremental load of the same source changes nothing
    assert load_spec(store, spec).totals() == {"added": 0, "changed": 0, "retracted": 0}
    assert [x.get("mode") for x in load_log(store)] == ["bulk", None]


def test_bulk_loaded_database_reopens(tmp_path: Path) -> None:
    spec = write_input(tmp_path / "in")
    db = str(tmp_path / "b.db")
    with open_store(db) as s:
        bulk_load(s, spec)
    for _ in range(2):
        with open_store(db) as s:
            assert s.counts().total_nodes == 4 and s.counts().total_relationships == 4


def test_bulk_path_refuses_a_graph_that_has_data(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path / "in")
    load_spec(store, spec)
    with pytest.raises(CanalError, match="empty graph"):
        bulk_load(store, spec)


def test_bulk_path_handles_specs_with_hierarchies_and_created_endpoints(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_KAG", str(SOURCES / "kag"))
    res = bulk_load(store, LOADERS / "kag_supplychain.yaml")
    assert res["nodes"] == {"Enterprise": 2, "IndustrySegment": 8, "Product": 7}
    assert store.counts().relationships == {"INVESTS_IN": 2, "PART_OF_SEGMENT": 10, "PRODUCES": 3, "UPSTREAM_OF": 6}


def test_neo4j_import_files_and_command(tmp_path: Path) -> None:
    spec = write_input(tmp_path / "in")
    res = write_neo4j_import(spec, tmp_path / "neo")
    assert res["command"].startswith("neo4j-admin database import full")
    assert "--nodes=" in res["command"] and "--relationships=" in res["command"]
    with open(tmp_path / "neo" / "nodes_Fund.0.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:2] == ["id:ID", ":LABEL"] and "sources:string[]" in rows[0]
    assert rows[1][:2] == ["fund", "Fund;Investor;Organisation;Entity"]
    with open(tmp_path / "neo" / "rels_INVESTS_IN.0.csv", encoding="utf-8") as fh:
        rels = list(csv.reader(fh))
    assert rels[0][:4] == [":START_ID", ":END_ID", ":TYPE", "id"]
    assert sorted(r[3] for r in rels[1:]) == ["fund-INVESTS_IN->ent#2014", "fund-INVESTS_IN->ent#2016"]


def test_bulk_path_checks_every_row(store: GraphStore, tmp_path: Path) -> None:
    from canal.errors import LoaderError
    from tests.test_load import NODES, RELS

    nodes = [list(r) for r in NODES]
    nodes[1][3] = "nineteen"
    with pytest.raises(LoaderError) as info:
        bulk_load(store, write_input(tmp_path / "bad1", nodes))
    assert (info.value.row, info.value.field) == (2, "founded")  # the source column, as an incremental load names it
    rels = [list(r) for r in RELS]
    rels[1][1] = "memberOf"
    with pytest.raises(LoaderError, match="cannot go from"):
        bulk_load(store, write_input(tmp_path / "bad2", NODES, rels))
    assert store.counts().total_nodes == 0


def test_relationships_split_over_two_worker_processes_give_the_same_graph(store: GraphStore, tmp_path: Path) -> None:
    # more relationships than nodes, several types, parallel edges (keys) and a duplicate row
    nodes = [["id", "class", "name", "founded", "aliases", "source"]]
    nodes += [[f"e{i}", "Enterprise", f"Enterprise {i}", "", "", "s1"] for i in range(30)]
    nodes += [[f"t{i}", "Technology", f"Tech {i}", "", "", "s1"] for i in range(10)]
    rels = [["from", "type", "to", "key", "amount", "currency", "source"]]
    rels += [[f"e{i}", "adopts", f"t{i % 10}", "", "", "", "s1"] for i in range(30)]
    rels += [[f"e{i}", "customerOf", f"e{(i * 7) % 30}", str(k), str(100 * k), "CNY", "s1"] for i in range(30) for k in (1, 2) if i != (i * 7) % 30]
    rels.append(["e3", "adopts", "t3", "", "", "", "s1"])
    spec = write_input(tmp_path / "in", nodes, rels)
    res = bulk_load(store, spec, workers=2)
    assert res["workers"] == 2
    with open_store(str(tmp_path / "one.db")) as one:
        assert bulk_load(one, spec, workers=1)["records"] == res["records"] == 40 + 30 + 48  # i = 7i (mod 30) for i = 0, 5, .., 25: no loops
        assert _snapshot(store) == _snapshot(one)


def test_a_bad_relationship_found_by_a_worker_leaves_the_graph_empty(store: GraphStore, tmp_path: Path) -> None:
    from canal.errors import LoaderError
    from tests.test_load import NODES, RELS

    rels = [list(r) for r in RELS]
    rels[3][0] = "nobody"  # row 4 of rels.csv
    with pytest.raises(LoaderError) as info:
        bulk_load(store, write_input(tmp_path / "bad", NODES, rels), workers=2)
    assert (info.value.row, info.value.field, "dangling" in info.value.message) == (4, "from", True)
    assert store.counts().total_nodes == 0 and store.counts().total_relationships == 0


@pytest.mark.slow
def test_a_killed_bulk_load_leaves_no_worker_and_runs_again_to_the_clean_graph(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from tests.test_load_incremental import _big_input

    spec = _big_input(tmp_path / "big", 20000)
    db = tmp_path / "killed.db"
    script = (
        "import sys; from canal.bulk import bulk_load; from canal.store import open_store\n"
        "with open_store(sys.argv[1], fsync='no') as s:\n"
        "    bulk_load(s, sys.argv[2], workers=2, token_bytes=4096, buffer_bytes=8192)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(db), str(spec)], env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    me = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = [c for c in me.children() if "redis" not in c.name()]
        if len(workers) >= 2:  # both relationship workers are running: the nodes are in
            break
        time.sleep(0.01)
    assert len(workers) >= 2, "the bulk load finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "a relationship worker outlived the killed load"
    with open_store(str(db)) as s:
        assert s.counts().total_nodes == 0  # the journal was paused: the half-done load is not kept
        bulk_load(s, spec, workers=2)
        with open_store(str(tmp_path / "clean.db")) as clean:
            bulk_load(clean, spec, workers=1)
            assert _snapshot(s) == _snapshot(clean)
