"""Loads that survive kills and interruptions (quick part; ``bench/kill_anywhere.py`` runs
ten kills of each kind).

A SIGKILL at a seeded random moment of a ``--bulk`` load or of ``canal import`` leaves a
database that opens (twice: a journal FalkorDB cannot replay fails from the second open),
and running the same command again gives exactly the clean graph.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from canal.bulk import bulk_load
from canal.loadlog import load_log
from canal.store import open_store
from tests.reliability.killing import canal_cmd, canonical, opens, run_and_kill, run_timed, write_source


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_source(tmp_path_factory.mktemp("src"), 4000, seed=3)


@pytest.fixture(scope="module")
def clean(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    timed = run_timed(canal_cmd(db, "load", "--bulk", str(source)), db)
    assert timed.returncode == 0, timed.stderr
    return db, canonical(db), timed.work_seconds


def test_sigkill_at_random_moments_of_a_bulk_load(source: Path, clean: tuple[Path, str, float], tmp_path: Path) -> None:
    _, expected, span = clean
    rng = random.Random(11)
    for i in range(2):
        db = tmp_path / f"k{i}.db"
        cmd = canal_cmd(db, "load", "--bulk", str(source))
        run_and_kill(cmd, db, rng.uniform(0, span))
        assert opens(db, 2) == []
        with open_store(str(db)) as store:
            assert all(x["status"] != "running" for x in load_log(store))
        rerun = run_timed(cmd, db)
        assert rerun.returncode == 0, rerun.stderr
        assert canonical(db) == expected
        assert opens(db, 2) == []
        assert list(tmp_path.glob("temp-*")) == []  # a killed server's snapshot or rewrite files


def test_sigkill_at_a_random_moment_of_an_import(clean: tuple[Path, str, float], tmp_path: Path) -> None:
    clean_db = clean[0]
    exported = tmp_path / "g.graphml"
    assert run_timed(canal_cmd(clean_db, "export", "--format", "graphml", "-o", str(exported)), clean_db).returncode == 0
    ref = tmp_path / "ref.db"
    timed = run_timed(canal_cmd(ref, "import", str(exported)), ref)
    assert timed.returncode == 0, timed.stderr
    expected = canonical(ref)
    db = tmp_path / "k.db"
    cmd = canal_cmd(db, "import", str(exported))
    run_and_kill(cmd, db, random.Random(5).uniform(0, timed.work_seconds))
    assert opens(db, 2) == []
    rerun = run_timed(cmd, db)
    assert rerun.returncode == 0, rerun.stderr
    assert canonical(db) == expected


def test_ctrl_c_inside_the_bulk_phase_keeps_no_half_graph(source: Path, clean: tuple[Path, str, float], tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with open_store(str(db)) as store:
        send = store._bulk_insert  # type: ignore[attr-defined]
        calls = []

        def ctrl_c_after_two(*args: Any, **kwargs: Any) -> tuple[int, int]:
            calls.append(1)
            if len(calls) == 3:  # two buffers are in the temporary graph: press Ctrl-C
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            return send(*args, **kwargs)  # type: ignore[no-any-return]

        store._bulk_insert = ctrl_c_after_two  # type: ignore[attr-defined]
        with pytest.raises(KeyboardInterrupt):
            bulk_load(store, source, token_bytes=4096, buffer_bytes=8192)
        assert len(calls) >= 3
        assert store.counts().total_nodes == 0
        assert store.query("MATCH (n) RETURN count(n)").scalar() == 0
        assert [g for g in store.db.list_graphs() if "__bulk_" in g] == []  # type: ignore[attr-defined]
        assert [x["status"] for x in load_log(store)] == ["interrupted"]
    assert opens(db, 2) == []
    with open_store(str(db)) as store:
        bulk_load(store, source)
        assert [x["status"] for x in load_log(store)] == ["interrupted", "done"]
    assert canonical(db) == clean[1]


def test_sigterm_during_a_bulk_load_is_logged_and_keeps_no_half_graph(source: Path, clean: tuple[Path, str, float], tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    hit = run_and_kill(canal_cmd(db, "load", "--bulk", str(source)), db, clean[2] / 3, sig=signal.SIGTERM)
    with open_store(str(db)) as store:
        statuses = [x["status"] for x in load_log(store)]
        total = store.counts().total_nodes
    assert statuses in ([], ["interrupted"], ["done"])  # never "running"
    if statuses == ["done"]:  # the signal came after the data was in (or after the load)
        assert canonical(db) == clean[1]
    else:  # before the load began writing, or during it: nothing is kept
        assert hit and total == 0
