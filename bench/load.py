"""Load benchmark: bulk path, incremental upserts, and falkordb-bulk-loader alone.

Writes a synthetic source (entities.csv + relationships.csv + a loader spec), then

1. **bulk path**: ``canal.bulk.bulk_load`` into a new embedded database (validation,
   typed CSV files, GRAPH.BULK through falkordb-bulk-loader, indexes);
2. **loader alone**: falkordb-bulk-loader on the very files step 1 produced, into
   another new database (the floor the bulk path is compared with);
3. **incremental upserts**: ``canal.ingest.load_spec`` of a delta source (half of its
   entities update existing ones, half are new, five relationships per entity) into
   the bulk-loaded graph: validate, diff, upsert, retract, log.

Prints JSON with records/s, seconds and peak memory (this process, and the largest
child: the loader and the embedded FalkorDB server).

    nice -n 10 python bench/load.py --entities 1000000 --relationships 5000000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SPEC = """\
name: {name}
title: synthetic benchmark source
licence: CC0-1.0
retrieved: 2026-11-21
method: synthetic
nodes:
  - file: {prefix}entities.csv
    id: id
    class: {{column: class}}
    properties:
      name: name
      foundedYear: founded
      aliases: {{column: aliases, split: "|"}}
relationships:
  - file: {prefix}relationships.csv
    type: {{column: type}}
    source: source
    target: target
    key: key
    properties:
      amount: amount
"""

# class shares and relationship templates that fit the ontology's domains and ranges
CLASSES = [("Enterprise", 0.3), ("Product", 0.3), ("Technology", 0.2), ("ResearchInstitute", 0.1), ("IndustrySegment", 0.1)]
TEMPLATES = [
    ("Enterprise", "produces", "Product"),
    ("ResearchInstitute", "develops", "Technology"),
    ("Enterprise", "adopts", "Technology"),
    ("Enterprise", "customerOf", "Enterprise"),
    ("Product", "upstreamOf", "Product"),
    ("Product", "partOfSegment", "IndustrySegment"),
]


def _ranges(n: int) -> dict[str, tuple[int, int]]:
    out, start = {}, 0
    for cls, share in CLASSES:
        k = max(1, int(n * share))
        out[cls] = (start, k)
        start += k
    return out


def write_source(folder: Path, n_entities: int, n_rels: int, *, seed: int = 0, name: str = "synthetic", offset: int = 0, prefix: str = "") -> tuple[Path, int, int]:
    """Write entities (ids offset..offset+n) and relationships; returns (spec, nodes, relationships)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rng_ranges = _ranges(n_entities)
    total = sum(k for _, k in rng_ranges.values())
    cls_of = []
    with open(folder / f"{prefix}entities.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "class", "name", "founded", "aliases"])
        for cls, (start, k) in rng_ranges.items():
            founded = cls in ("Enterprise", "ResearchInstitute")
            for i in range(start, start + k):
                j = i + offset
                w.writerow([f"n{j}", cls, f"{cls} {j}", str(1950 + j % 70) if founded else "", f"N{j}|实体{j}"])
            cls_of.append(cls)
    written = 0
    seen: set[tuple[int, int, int]] = set()
    with open(folder / f"{prefix}relationships.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "type", "target", "key", "amount"])
        i = 0
        while written < n_rels:
            t = i % len(TEMPLATES)
            src_cls, rel, tgt_cls = TEMPLATES[t]
            s0, sk = rng_ranges[src_cls]
            t0, tk = rng_ranges[tgt_cls]
            s = s0 + rng.randrange(sk)
            d = t0 + rng.randrange(tk)
            i += 1
            if (s, t, d) in seen or s == d:
                continue
            seen.add((s, t, d))
            w.writerow([f"n{s + offset}", rel, f"n{d + offset}", "", str(rng.randrange(1, 10_000)) if rel == "customerOf" else ""])
            written += 1
    spec = folder / f"{prefix or ''}{name}.yaml"
    spec.write_text(SPEC.format(name=name, prefix=prefix), encoding="utf-8")
    return spec, total, written


def _cpu(store: Any = None) -> float:
    """CPU seconds so far of this process, its reaped children and the store's server."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    server = getattr(store, "server", None)
    proc = getattr(server, "proc", None)
    if proc is not None:
        import psutil

        try:
            t = psutil.Process(proc.pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def _server_rss(store: Any) -> float | None:
    """Resident memory (MB) of the store's embedded server now."""
    proc = getattr(getattr(store, "server", None), "proc", None)
    if proc is None:
        return None
    import psutil

    return round(psutil.Process(proc.pid).memory_info().rss / 2**20, 1)


def _server_cpu(store: Any) -> float:
    """CPU seconds of the store's embedded server so far."""
    proc = getattr(getattr(store, "server", None), "proc", None)
    if proc is None:
        return 0.0
    import psutil

    t = psutil.Process(proc.pid).cpu_times()
    return float(t.user + t.system)


def _peak() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"python_mb": round(me, 1), "largest_child_mb": round(kids, 1)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--relationships", type=int, default=100_000)
    ap.add_argument("--delta", type=int, default=None, help="entities in the incremental delta (default entities/10, at most 100k)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--parts", default="bulk,loader,incremental", help="which measurements to run (comma-separated; incremental needs bulk)")
    ap.add_argument("--workers", type=int, default=None, help="processes for the relationships of the bulk path (default: canal's choice)")
    args = ap.parse_args(argv)

    from canal.bulk import bulk_load, falkordb_bulk_command, run_bulk_loader, server_url_of, write_bulk_files
    from canal.ingest import load_spec
    from canal.store import open_store

    work = Path(args.workdir or tempfile.mkdtemp(prefix="canal-bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"entities": args.entities, "relationships": args.relationships, "cpu_count": os.cpu_count(), "load_average": os.getloadavg()}
    try:
        t = time.perf_counter()
        spec, n_nodes, n_rels = write_source(work / "src", args.entities, args.relationships)
        out["generate_seconds"] = round(time.perf_counter() - t, 2)
        records = n_nodes + n_rels

        # 1. bulk path
        with open_store(str(work / "bulk.db"), fsync="no") as store:
            c0, s0 = _cpu(store), _server_cpu(store)
            res = bulk_load(store, spec, workers=args.workers)
            bulk_cpu, server_cpu = _cpu(store) - c0, _server_cpu(store) - s0
            assert store.counts().total_nodes == n_nodes
            server_rss = _server_rss(store)
        out["bulk_path"] = {
            "records": res["records"],
            "seconds": res["loaded_seconds"],
            "records_per_second": round(res["records"] / res["loaded_seconds"]),
            "nodes_seconds": res["nodes_seconds"],
            "graph_bulk_calls": res["calls"],
            "workers": res["workers"],
            "waited_for_server_seconds": res["waited_for_server_seconds"],
            "index_build_seconds": res["index_seconds"],
            "records_per_second_with_indexes_ready": round(res["records"] / res["seconds"]),
            "cpu_seconds": round(bulk_cpu, 1),
            "server_cpu_seconds": round(server_cpu, 1),
            "server_rss_mb_after_load": server_rss,
        }

        parts = set(args.parts.split(","))
        # 2. falkordb-bulk-loader alone on the same data: the typed CSV files it reads
        # (written from the same source, not timed), into another new database
        if "loader" in parts:
            files_dir = work / "bulkfiles"
            t = time.perf_counter()
            files = write_bulk_files(spec, files_dir)
            out["loader_files_seconds"] = round(time.perf_counter() - t, 2)
            with open_store(str(work / "alone.db"), fsync="no") as store, store.bulk_session():
                c0 = _cpu(store)
                secs = run_bulk_loader(falkordb_bulk_command(files, store.settings.graph, server_url_of(store), store.ontology))
                alone_cpu = _cpu(store) - c0
            shutil.rmtree(files_dir, ignore_errors=True)
            out["bulk_loader_alone"] = {"records": res["records"], "seconds": round(secs, 3), "records_per_second": round(res["records"] / secs), "cpu_seconds": round(alone_cpu, 1)}
            out["bulk_path_vs_loader_alone"] = round(res["loaded_seconds"] / secs, 3)
            # CPU time (this process + loader + server) does not depend on how busy the machine is
            out["bulk_path_vs_loader_alone_cpu"] = round(bulk_cpu / alone_cpu, 3) if alone_cpu else None
            out["bulk_path_records_per_cpu_second"] = round(res["records"] / bulk_cpu) if bulk_cpu else None
            out["bulk_loader_alone_records_per_cpu_second"] = round(res["records"] / alone_cpu) if alone_cpu else None

        # 3. incremental upserts: a delta source into the bulk-loaded graph
        if "incremental" in parts:
            delta = args.delta or min(100_000, max(1000, args.entities // 10))
            dspec, dn, dr = write_source(work / "delta", delta, delta * 5, seed=1, name="synthetic-delta", offset=args.entities - delta // 2 - 1)
            with open_store(str(work / "bulk.db"), fsync="no") as store:
                from canal.ingest import wait_for_indexes

                wait_for_indexes(store)
                c0 = _cpu(store)
                t = time.perf_counter()
                report = load_spec(store, dspec, resolve=False)
                secs = time.perf_counter() - t
                inc_cpu = _cpu(store) - c0
            inc = dn + dr
            out["incremental_upserts"] = {
                "records": inc,
                "seconds": round(secs, 3),
                "records_per_second": round(inc / secs),
                "cpu_seconds": round(inc_cpu, 1),
                "records_per_cpu_second": round(inc / inc_cpu) if inc_cpu else None,
                "totals": report.totals(),
                "timing": {k: round(v, 2) for k, v in report.timing.items()},
            }
        out["peak_memory"] = _peak()
        out["records"] = records
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
