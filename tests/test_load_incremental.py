"""Incremental loads: diffs, retraction with a date, several sources, the load log, crash recovery."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from canal.ingest import load_log, load_spec
from canal.store import GraphStore, open_store
from tests.test_load import NODES, RELS, write_input


def _snapshot(store: GraphStore) -> tuple[dict[str, Any], list[tuple[str, str, str, dict[str, Any]]]]:
    g: nx.MultiDiGraph = store.to_networkx()
    return dict(g.nodes(data=True)), sorted((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True))


def _edited() -> tuple[list[list[str]], list[list[str]]]:
    """The tiny source with four edits: a renamed node, a new node, a removed node, a changed amount."""
    nodes = [list(r) for r in NODES]
    rels = [list(r) for r in RELS]
    nodes[1][2] = "Institute A (renamed)"
    nodes.append(["lab", "Laboratory", "Lab L", "", "", "s1"])
    nodes = [n for n in nodes if n[0] != "tech"]
    rels = [r for r in rels if "tech" not in (r[0], r[2])]
    rels[2][4] = "2500000"  # the 2016 investment
    return nodes, rels


def test_an_edited_copy_reports_exactly_the_edits(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, write_input(tmp_path / "v1"))
    edited = write_input(tmp_path / "v2", *_edited())
    dry = load_spec(store, edited, dry_run=True, today="2026-11-22")
    report = load_spec(store, edited, today="2026-11-22")
    expected = {
        "nodes": {"Laboratory": {"added": 1}, "ResearchInstitute": {"changed": 1}, "Technology": {"retracted": 1}},
        "relationships": {"ADOPTS": {"retracted": 1}, "DEVELOPS": {"retracted": 1}, "INVESTS_IN": {"changed": 1}},
    }
    assert report.diff == expected
    assert dry.diff == expected
    # the retracted technology is kept, with its date
    assert store.query("MATCH (t:Technology {id: 'tech'}) RETURN t.status, t.retractedOn, t.name").rows == [("retracted", "2026-11-22", "Tech T")]
    rel = store.query("MATCH ()-[r:DEVELOPS]->() RETURN r.status, r.retractedOn").rows
    assert rel == [("retracted", "2026-11-22")]
    # loading the edited copy again changes nothing
    assert load_spec(store, edited).totals() == {"added": 0, "changed": 0, "retracted": 0}


def test_a_retracted_fact_comes_back_when_the_source_has_it_again(store: GraphStore, tmp_path: Path) -> None:
    v1 = write_input(tmp_path / "v1")
    load_spec(store, v1)
    load_spec(store, write_input(tmp_path / "v2", *_edited()))
    back = load_spec(store, v1)
    assert back.diff["nodes"]["Technology"] == {"changed": 1}
    assert store.query("MATCH (t:Technology {id: 'tech'}) RETURN t.status, t.retractedOn").rows == [(None, None)]


def test_a_node_two_sources_assert_stays_when_one_drops_it(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, write_input(tmp_path / "a"))
    other = write_input(tmp_path / "b", [NODES[0], NODES[2]], [RELS[0][:]][:1])
    spec_b = other.read_text(encoding="utf-8").replace("name: tiny", "name: other")
    (tmp_path / "b" / "other.yaml").write_text(spec_b, encoding="utf-8")
    (tmp_path / "b" / "rels.csv").write_text("from,type,to,key,amount,currency,source\n", encoding="utf-8")
    load_spec(store, tmp_path / "b" / "other.yaml")
    assert store.query("MATCH (t {id: 'tech'}) RETURN t.sources").rows == [(["tiny", "other"],)]
    load_spec(store, write_input(tmp_path / "a2", *_edited()))  # tiny drops tech
    assert store.query("MATCH (t {id: 'tech'}) RETURN t.sources, t.status").rows == [(["other"], None)]


def test_every_load_is_logged_in_the_graph(store: GraphStore, tmp_path: Path) -> None:
    spec = write_input(tmp_path)
    load_spec(store, spec)
    load_spec(store, spec)
    log = load_log(store)
    assert [(x["name"], x["status"], x["totals"]) for x in log] == [
        ("tiny", "done", '{"added": 8, "changed": 0, "retracted": 0}'),
        ("tiny", "done", '{"added": 0, "changed": 0, "retracted": 0}'),
    ]
    # the log is not part of the canal graph
    assert store.counts().total_nodes == 4


def test_a_load_that_stops_midway_then_runs_again_equals_one_clean_run(store: GraphStore, tmp_path: Path, db_path: Path) -> None:
    spec = _big_input(tmp_path / "big", 1200)
    store.settings = store.settings.with_(batch_size=100)

    def crash(stage: str, done: int, total: int) -> None:
        if done >= 700:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_spec(store, spec, progress=crash)
    partial = store.counts().total_nodes + store.counts().total_relationships
    assert 0 < partial < 2400
    load_spec(store, spec)
    assert [x["status"] for x in load_log(store)] == ["interrupted", "done"]
    with open_store(str(tmp_path / "clean.db")) as clean:
        load_spec(clean, spec)
        assert _snapshot(store) == _snapshot(clean)


@pytest.mark.slow
def test_a_killed_load_process_then_run_again_equals_one_clean_run(tmp_path: Path) -> None:
    spec = _big_input(tmp_path / "big", 3000)
    db = tmp_path / "killed.db"
    env = {**os.environ, "CANAL_BATCH_SIZE": "50", "CANAL_FSYNC": "no"}
    proc = subprocess.Popen([sys.executable, "-m", "canal.cli", "--db", str(db), "load", str(spec)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    aof = tmp_path / "killed.db.aof.d"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        size = sum(f.stat().st_size for f in aof.glob("*")) if aof.is_dir() else 0
        if size > 200_000:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open_store(str(db)) as s:
        statuses = [x["status"] for x in load_log(s)]
        # a killed load cannot write; the log is read while this process holds the database
        assert statuses == ["interrupted"], "the load finished before it could be killed"
        load_spec(s, spec)
        with open_store(str(tmp_path / "clean.db")) as clean:
            load_spec(clean, spec)
            assert _snapshot(s) == _snapshot(clean)


def _big_input(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "class", "name", "founded", "aliases", "source"])
        for i in range(n):
            w.writerow([f"e{i}", "Enterprise", f"Enterprise {i}", str(1990 + i % 30), f"E{i}|企业{i}", "s1"])
    with open(folder / "rels.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["from", "type", "to", "key", "amount", "currency", "source"])
        for i in range(n):
            w.writerow([f"e{i}", "customerOf", f"e{(i * 7 + 1) % n}", "", "", "", "s1"])
    spec = folder / "big.yaml"
    from tests.test_load import SPEC

    spec.write_text(SPEC.replace("name: tiny", "name: big"), encoding="utf-8")
    return spec
