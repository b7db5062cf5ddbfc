"""Soak: open and query the embedded store many times while other processes keep every core busy.

Opening starts a redis-server child; a client that connects between the moment its socket file
appears and the moment it listens gets "Connection refused". On a busy 2-core machine that
window was hit about once per 60-100 opens. This script opens the same database ``--n`` times
(each open: start the server, wait for it, run a count query, close), with ``--busy`` processes
spinning in bounded busy loops that it starts and stops itself, and prints JSON: the number of
failed opens (0 expected), the errors by message, and open/close times. ``--processes`` opens
each time from a fresh Python process, as a ``canal`` command does.

    nice -n 10 python bench/soak_open.py --n 500
    nice -n 10 python bench/soak_open.py --n 500 --processes
    python bench/soak_open.py --n 20 --busy 0       # a quick run on an idle machine
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _spin(stop_at: float, parent: int) -> None:
    """Burn one core until ``stop_at`` (monotonic clock) or until the parent is gone."""
    x = 0
    while time.monotonic() < stop_at and os.getppid() == parent:
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF


_CHILD = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
from canal.store import open_store
with open_store(sys.argv[1]) as store:
    n = store.query("MATCH (n) RETURN count(n)").scalar()
sys.exit(0 if n == int(sys.argv[2]) else 3)
"""


def _seed(db: Path) -> int:
    """A small real graph in the database, so that every open reads a data file and a journal."""
    from canal.ingest import load_spec
    from canal.resources import loaders_dir
    from canal.store import open_store

    with open_store(str(db)) as store:
        load_spec(store, loaders_dir() / "demo.yaml")
        return int(store.query("MATCH (n) RETURN count(n)").scalar())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="opens (default 500)")
    ap.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="busy-loop processes (default: one per core)")
    ap.add_argument("--max-minutes", type=float, default=60.0, help="hard bound on the busy loops and the run (default 60)")
    ap.add_argument("--db", type=Path, default=None, help="database file (default: a new temporary folder)")
    ap.add_argument("--processes", action="store_true", help="open from a fresh Python process each time (like a canal command)")
    args = ap.parse_args(argv)

    from canal.store import open_store

    tmp = tempfile.TemporaryDirectory(prefix="canal-soak-")
    db = args.db or Path(tmp.name) / "soak.db"
    expected = _seed(db)
    stop_at = time.monotonic() + args.max_minutes * 60
    ctx = mp.get_context("spawn")
    spinners = [ctx.Process(target=_spin, args=(stop_at, os.getpid()), daemon=True) for _ in range(args.busy)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill still stops the spinners (finally below)
    for p in spinners:
        p.start()
    errors: Counter[str] = Counter()
    wrong = 0
    open_s: list[float] = []
    close_s: list[float] = []
    done = 0
    t0 = time.monotonic()
    try:
        for _ in range(args.n):
            if time.monotonic() > stop_at:
                break
            done += 1
            if args.processes:
                a = time.monotonic()
                res = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(expected)], capture_output=True, text=True, timeout=600, check=False)
                if res.returncode == 0:
                    open_s.append(time.monotonic() - a)
                elif res.returncode == 3:
                    wrong += 1
                else:
                    lines = (res.stderr or res.stdout).strip().splitlines() or [f"exit {res.returncode}"]
                    errors[lines[-1][:200]] += 1
                continue
            try:
                a = time.monotonic()
                store = open_store(str(db))
                b = time.monotonic()
                try:
                    if store.query("MATCH (n) RETURN count(n)").scalar() != expected:
                        wrong += 1
                finally:
                    store.close()
                open_s.append(b - a)
                close_s.append(time.monotonic() - b)
            except Exception as exc:  # every failure counts; the message says which
                errors[f"{type(exc).__name__}: {str(exc)[:200]}"] += 1
    finally:
        for p in spinners:
            p.terminate()
        for p in spinners:
            p.join(timeout=10)
        tmp.cleanup()

    def q(xs: list[float], f: float) -> float:
        return round(sorted(xs)[min(len(xs) - 1, int(f * len(xs)))], 3) if xs else 0.0

    out = {
        "opens": done,
        "failures": sum(errors.values()) + wrong,
        "wrong_counts": wrong,
        "errors": dict(errors.most_common()),
        "busy_processes": args.busy,
        "cores": os.cpu_count(),
        "nodes_in_db": expected,
        "mode": "a fresh process per open" if args.processes else "in process",
        "open_seconds": {"median": round(statistics.median(open_s), 3) if open_s else 0.0, "p95": q(open_s, 0.95), "max": q(open_s, 1.0)},
        "close_seconds": {"median": round(statistics.median(close_s), 3) if close_s else 0.0, "p95": q(close_s, 0.95)},
        "total_seconds": round(time.monotonic() - t0, 1),
    }
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
