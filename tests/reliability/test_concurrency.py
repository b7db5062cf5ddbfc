"""Several canal processes on one database: they take turns, nothing is lost or mixed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from canal.loadlog import load_log
from canal.store import open_store
from tests.reliability.killing import ROOT, canal_cmd, env, write_source


def test_concurrent_loads_and_reads_take_turns(tmp_path: Path) -> None:
    src = write_source(tmp_path / "src", 2000, seed=1)
    db = tmp_path / "c.db"
    e = {**env(), "CANAL_LOCK_TIMEOUT": "300"}
    cmds = [
        canal_cmd(db, "load", str(src)),
        canal_cmd(db, "load", str(ROOT / "loaders" / "demo.yaml")),
        canal_cmd(db, "stats", "--format", "json"),
        canal_cmd(db, "load-log"),
    ]
    procs = [subprocess.Popen(c, env=e, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    with open_store(str(db)) as store:
        log = load_log(store)
        assert sorted((x["name"], x["status"]) for x in log) == [("canal-demo", "done"), ("killtest", "done")]
        assert store.counts().total_nodes == 2000 + 199


def test_a_command_that_cannot_wait_says_who_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from canal.store import open_store\ns = open_store(sys.argv[1]); print('up', flush=True); time.sleep(60)", str(db)],
        env=env(),
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"up"
        t = time.monotonic()
        r = subprocess.run(canal_cmd(db, "stats"), env={**env(), "CANAL_LOCK_TIMEOUT": "0.5"}, capture_output=True, text=True, timeout=120)
        assert r.returncode != 0 and "in use by another canal process" in r.stderr and f"pid {holder.pid}" in r.stderr
        assert "Traceback" not in r.stderr and time.monotonic() - t < 100
    finally:
        holder.kill()
        holder.wait()
