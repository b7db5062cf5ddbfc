"""Benchmark: chain-gap analysis of a large synthetic canal graph read from the embedded store.

Setup (timed separately, not part of the budget): generate a seeded synthetic graph with
planted gaps (``canal.synth``), write it as CSV per class and relationship type, and load
it into a new embedded FalkorDB database with FalkorDB's bulk loader (GRAPH.BULK; MERGE
upserts would take many minutes at this size), then build the indexes.

Measured, in a fresh process: open the store, read the graph as arrays
(``canal.store.bulk_read``), run every gap detector (``canal.gaps.find_gaps``), score the
gaps against the planted truth. Prints JSON: seconds per stage, peak memory of the Python
process and of the database server, precision and recall per gap type.

    nice -n 10 python bench/gaps.py --nodes 1000000 --edges-per-node 5
    python bench/gaps.py --nodes 20000          # a quick run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakSampler:
    """Samples the resident memory of some processes every 0.1 s and keeps the peak of their sum."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = {p: 0.0 for p in pids}
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            vals = {p: _rss_mb(p) for p in self.pids}
            for p, v in vals.items():
                self.peak[p] = max(self.peak[p], v)
            self.peak_total = max(self.peak_total, sum(vals.values()))
            time.sleep(0.1)

    def __enter__(self) -> PeakSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def setup(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Generate, write bulk CSVs, bulk-load into a new embedded database; returns timings."""
    from click.testing import CliRunner
    from falkordb_bulk_loader.bulk_insert import bulk_insert

    from canal.ontology import load_ontology
    from canal.store import open_store
    from canal.synth import synth_graph

    onto = load_ontology()
    out: dict[str, Any] = {}
    t = time.perf_counter()
    r = synth_graph(args.nodes, seed=args.seed, edges_per_node=args.edges_per_node)
    out["generate_s"] = round(time.perf_counter() - t, 1)
    out["nodes"], out["relationships"], out["planted"] = r.n_nodes, r.n_edges, len(r.truth)
    t = time.perf_counter()
    csvs = work / "csv"
    csvs.mkdir(parents=True, exist_ok=True)
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(r.cls):
        by_class[c].append(i)
    node_files = []
    for c, idx in sorted(by_class.items()):
        path = csvs / f"n_{c}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "region", "field", "trl", "method"])
            for i in idx:
                f = r.fields.get(i)
                w.writerow([r.ids[i], r.names.get(i, ""), r.region[i] or "", "[" + ", ".join(repr(x) for x in f) + "]" if f else "",
                            r.trl.get(i, ""), "synthetic"])
        node_files.append((":".join(onto.labels_for(c)), str(path)))
    by_type: dict[str, list[int]] = defaultdict(list)
    for k, rel in enumerate(r.rel):
        by_type[onto.relation(rel).type].append(k)
    rel_files = []
    src, dst = r.src.tolist(), r.dst.tolist()
    for typ, ks in sorted(by_type.items()):
        path = csvs / f"r_{typ}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["src", "dst"])
            for k in ks:
                w.writerow([r.ids[src[k]], r.ids[dst[k]]])
        rel_files.append((typ, str(path)))
    with open(work / "truth.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["type", "kind", "scope", "nodes"])
        for g in r.truth:
            w.writerow([g.type, g.kind, g.scope, "|".join(g.nodes)])
    out["write_csv_s"] = round(time.perf_counter() - t, 1)
    del r, src, dst, by_type, by_class
    t = time.perf_counter()
    db = work / "bench.db"
    with open_store(str(db)) as s:
        s.graph.delete()  # GRAPH.BULK needs a new graph
        argv = [s.settings.graph, "-u", f"unix://{s.server.socket}"]  # type: ignore[attr-defined]
        for label, path in node_files:
            argv += ["-N", label, path]
        for typ, path in rel_files:
            argv += ["-R", typ, path]
        res = CliRunner().invoke(bulk_insert, argv, catch_exceptions=False)
        if res.exit_code != 0:
            raise SystemExit(f"bulk insert failed: {res.output[-2000:]}")
        out["bulk_load_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        s.ensure_indexes()
        c = s.counts()
        out["indexes_s"] = round(time.perf_counter() - t, 1)
        assert c.total_nodes == out["nodes"] and c.total_relationships == out["relationships"], (c.total_nodes, c.total_relationships)
        t = time.perf_counter()
        # the journal holds GRAPH.BULK commands, which a restart cannot replay: rewrite it into a
        # snapshot now, so opening the database later neither fails nor rewrites it again
        conn = s.db.connection  # type: ignore[attr-defined]
        conn.execute_command("BGREWRITEAOF")
        while True:
            info = conn.info("persistence")
            if not int(info.get("aof_rewrite_in_progress", 0)) and not int(info.get("aof_rewrite_scheduled", 0)):
                break
            time.sleep(0.2)
    out["save_close_s"] = round(time.perf_counter() - t, 1)
    shutil.rmtree(csvs, ignore_errors=True)
    return out


def measure(db: str, truth_file: str) -> dict[str, Any]:
    """Open, read, analyse, score: the measured part (run in a fresh process)."""
    from canal.gaps import find_gaps
    from canal.gaps.frame import frame_of
    from canal.gaps.score import score
    from canal.reviews import read_absences, read_reviews
    from canal.store import open_store
    from canal.store.bulk_read import read_arrays
    from canal.synth import PlantedGap

    stages: dict[str, float] = {}
    t_all = time.perf_counter()
    t = time.perf_counter()
    store = open_store(db)
    stages["open_store"] = round(time.perf_counter() - t, 2)
    server_pid = store.server.proc.pid if getattr(store, "server", None) and store.server.proc else os.getpid()  # type: ignore[attr-defined]
    with PeakSampler([os.getpid(), server_pid]) as peak:
        t = time.perf_counter()
        a = read_arrays(store)
        stages["read_total"] = round(time.perf_counter() - t, 2)
        for k, v in a.seconds.items():
            stages[f"read_{k}"] = round(v, 2)
        frame = frame_of(a, store.ontology)
        del a
        timings: dict[str, float] = {}
        t = time.perf_counter()
        reviews = read_reviews(store)  # coordinators' decisions and recorded absences, as `canal gaps` reads them
        gaps = find_gaps(frame, timings=timings, reviews=reviews, absences=read_absences(store))
        stages["analysis_total"] = round(time.perf_counter() - t, 2)
        for k, v in timings.items():
            stages[f"analysis_{k}"] = v
        measured = round(time.perf_counter() - t_all, 2)
    t = time.perf_counter()
    store.close()
    close_s = round(time.perf_counter() - t, 2)
    truth = []
    with open(truth_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            truth.append(PlantedGap(row["type"], row["kind"], row["scope"], tuple(row["nodes"].split("|"))))
    return {
        "measured_seconds": measured,
        "stages_seconds": stages,
        "close_seconds_not_measured": close_s,
        "peak_memory_mb": {
            "python": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "database_server": round(peak.peak[server_pid], 1),
            "sum_sampled": round(peak.peak_total, 1),
        },
        "graph": {"nodes": frame.n, "relationships": len(frame.src)},
        "gaps_found": len(gaps),
        "score": score(gaps, truth),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, default=1_000_000)
    p.add_argument("--edges-per-node", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir", default=None, help="Folder for the database (default: a temporary folder, removed).")
    p.add_argument("--reuse", action="store_true", help="Reuse the database and truth already in --workdir (skip setup).")
    p.add_argument("--measure", nargs=2, metavar=("DB", "TRUTH"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="canal-bench-gaps-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        if args.reuse and (work / "bench.db").exists() and (work / "truth.csv").exists():
            info: dict[str, Any] = {"reused": str(work)}
        else:
            info = setup(args, work)
            info["setup_total_s"] = round(time.perf_counter() - t, 1)
        res = subprocess.run(
            [sys.executable, __file__, "--measure", str(work / "bench.db"), str(work / "truth.csv")],
            capture_output=True, text=True, check=False,
        )
        if res.returncode != 0:
            raise SystemExit(res.stderr[-3000:])
        result = json.loads(res.stdout.strip().splitlines()[-1])
        load = os.getloadavg()
        out = {
            "benchmark": "gaps",
            "setup_not_measured": info,
            **result,
            "budget": {"seconds": 120, "memory_mb": 8192,
                       "within": result["measured_seconds"] < 120 and result["peak_memory_mb"]["sum_sampled"] < 8192},
            "machine": {"cpus": os.cpu_count(), "loadavg_1_5_15": [round(x, 2) for x in load]},
        }
        print(json.dumps(out, indent=2))
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
