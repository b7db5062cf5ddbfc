"""Load benchmark: bulk path, incremental upserts, and falkordb-bulk-loader alone.

Writes a synthetic source (entities.csv + relationships.csv + a loader spec; in a child
process), then

1. **bulk path**: ``canal.bulk.bulk_load`` into a new embedded database (every row
   checked against the ontology, GRAPH.BULK buffers encoded by canal, journal rewrite,
   indexes);
2. **loader alone**: falkordb-bulk-loader on typed CSV files holding the same data
   (written from the same source beforehand, not timed), into another new database;
3. **incremental upserts**: ``canal.ingest.load_spec`` of a delta source (half of its
   entities update existing ones, half are new, five relationships per entity) into
   the bulk-loaded graph: validate, diff, upsert, retract, log; then the engine's own
   ceiling for that write path (prepared ``UNWIND ... CREATE`` statements alone, with
   the same properties): ``incremental_vs_ceiling`` is the ratio of their records/s;
4. **no-change reload**: the delta source loaded into a new database, then again
   unchanged, and the same for a source whose hub node has ``--hub-degree`` (10,000)
   relationships: ``no_change_reload_vs_first_load`` is the larger of the two ratios.

Prints JSON with records/s, seconds, CPU seconds and, per measurement, peak memory (PSS
sampled every second: this process, the FalkorDB server, other processes such as the
relationship workers or the loader, and all of them together).

    python bench/load.py --entities 1000000 --relationships 5000000
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


def _write(folder: Path, n: int, m: int, kw: dict[str, Any]) -> tuple[Path, int, int]:
    return write_source(folder, n, m, **kw)


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


def _create_ceiling(store: Any, n_entities: int, *, n: int) -> dict[str, Any]:
    """Relationships/s for ``UNWIND $rows ... CREATE`` alone: what an incremental load's
    write phase can reach at best on this engine and machine."""
    rng = random.Random(7)
    s0, sk = _ranges(n_entities)["Enterprise"]
    shared = {"source": "ceiling", "retrieved": "2026-11-21", "method": "synthetic", "licence": "CC0-1.0", "confidence": 1.0, "sources": ["ceiling"]}
    rows = []
    for i in range(n):
        a, b = s0 + rng.randrange(sk), s0 + rng.randrange(sk)
        # the same properties as the delta's relationships: an amount per row, provenance shared
        rows.append({"id": f"n{a}-CUSTOMER_OF->n{b}#ceiling{i}", "source": f"n{a}", "target": f"n{b}", "props": {"amount": float(rng.randrange(10**6))}})
    q = (
        "UNWIND $rows AS row MATCH (a:Entity {id: row.source}) MATCH (b:Entity {id: row.target}) "
        "CREATE (a)-[r:CUSTOMER_OF {id: row.id}]->(b) SET r += $shared SET r += row.props RETURN count(r)"
    )
    size = store.settings.batch_size
    t = time.perf_counter()
    for i in range(0, n, size):
        store.execute(q, {"rows": rows[i : i + size], "shared": shared})
    secs = time.perf_counter() - t
    return {"relationships": n, "seconds": round(secs, 3), "records_per_second": round(n / secs), "batch_size": size}


def write_hub_source(folder: Path, n: int, hub_degree: int, *, seed: int = 3) -> tuple[Path, int, int]:
    """A source with ``n`` enterprises, one programme node granting to ``hub_degree`` of
    them (a hub, like the programme of the CORDIS table) and two customer links each."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "entities.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "class", "name", "founded", "aliases"])
        w.writerow(["hub", "Programme", "Hub programme", "", ""])
        for i in range(n):
            w.writerow([f"h{i}", "Enterprise", f"Hub enterprise {i}", 1990 + i % 30, ""])
    m = 0
    with open(folder / "relationships.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "type", "target", "key", "amount"])
        for i in range(hub_degree):
            w.writerow(["hub", "grantsTo", f"h{i % n}", f"g{i}", f"{rng.randrange(10**6)}.5"])
            m += 1
        for i in range(n):
            for k in range(2):
                w.writerow([f"h{i}", "customerOf", f"h{rng.randrange(n)}", f"c{k}", ""])
                m += 1
    spec = folder / "spec.yaml"
    spec.write_text(SPEC.format(name="hub-source", prefix=""), encoding="utf-8")
    return spec, n + 1, m


def _reload_ratio(spec: Path, db: Path) -> dict[str, Any]:
    """A first incremental load of ``spec`` into a new database, then the same again (no change)."""
    from canal.ingest import load_spec
    from canal.store import open_store

    with open_store(str(db), fsync="no") as store:
        t = time.perf_counter()
        load_spec(store, spec, resolve=False)
        first = time.perf_counter() - t
        t = time.perf_counter()
        again = load_spec(store, spec, resolve=False)
        reload = time.perf_counter() - t
    return {"first_load_seconds": round(first, 3), "no_change_reload_seconds": round(reload, 3), "reload_vs_first_load": round(reload / first, 3), "reload_totals": again.totals(), "reload_timing": {k: round(v, 2) for k, v in again.timing.items()}}


class _TreeMemory:
    """Samples the memory (PSS) of this process and all its descendants (workers, the
    embedded FalkorDB server) every 1 s; ``peak_mb`` is the largest total seen."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(1.0):
            self._sample()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        parts: dict[str, float] = {}
        for p in [me, *me.children(recursive=True)]:
            try:
                kind = "this_process" if p.pid == me.pid else "falkordb_server" if "redis" in p.name() else "other_processes"
                # PSS: a forked process (the server's journal rewrite) shares pages with
                # its parent; RSS would count them twice
                parts[kind] = parts.get(kind, 0.0) + p.memory_full_info().pss / 2**20
            except psutil.Error:
                pass
        self.peak_mb = max(self.peak_mb, sum(parts.values()))
        for k, v in parts.items():
            self.peaks[k] = max(self.peaks.get(k, 0.0), v)

    def stop(self) -> dict[str, float]:
        """Peak MB of each kind of process and of all of them together."""
        self._stop.set()
        self._thread.join()
        self._sample()
        return {**{f"{k}_mb": round(v, 1) for k, v in sorted(self.peaks.items())}, "all_processes_together_mb": round(self.peak_mb, 1)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--relationships", type=int, default=100_000)
    ap.add_argument("--delta", type=int, default=None, help="entities in the incremental delta (default entities/10, at most 100k)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--parts", default="bulk,loader,incremental,reload", help="which measurements to run (comma-separated; incremental needs bulk)")
    ap.add_argument("--hub-degree", type=int, default=10_000, help="relationships of the hub node in the reload measurement")
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
        # the synthetic sources are written by a child process, so that the memory figures
        # below are canal's, not the generator's
        delta = args.delta or min(100_000, max(1000, args.entities // 10))
        gen_args = [
            (work / "src", args.entities, args.relationships, {}),
            (work / "delta", delta, delta * 5, {"seed": 1, "name": "synthetic-delta", "offset": args.entities - delta // 2 - 1}),
        ]
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(1) as pool:
            made = pool.starmap(_write, gen_args)
        (spec, n_nodes, n_rels), (dspec, dn, dr) = made
        out["generate_seconds"] = round(time.perf_counter() - t, 2)
        records = n_nodes + n_rels

        # 1. bulk path
        tree = _TreeMemory()
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
            "peak_memory": tree.stop(),
        }

        parts = set(args.parts.split(","))
        # 2. falkordb-bulk-loader alone on the same data: the typed CSV files it reads
        # (written from the same source, not timed), into another new database
        if "loader" in parts:
            files_dir = work / "bulkfiles"
            t = time.perf_counter()
            files = write_bulk_files(spec, files_dir)
            out["loader_files_seconds"] = round(time.perf_counter() - t, 2)
            tree = _TreeMemory()
            with open_store(str(work / "alone.db"), fsync="no") as store, store.bulk_session():
                c0 = _cpu(store)
                secs = run_bulk_loader(falkordb_bulk_command(files, store.settings.graph, server_url_of(store), store.ontology))
                alone_cpu = _cpu(store) - c0
            shutil.rmtree(files_dir, ignore_errors=True)
            out["bulk_loader_alone"] = {"records": res["records"], "seconds": round(secs, 3), "records_per_second": round(res["records"] / secs), "cpu_seconds": round(alone_cpu, 1), "peak_memory": tree.stop()}
            out["bulk_path_vs_loader_alone"] = round(res["loaded_seconds"] / secs, 3)
            # CPU time (this process + loader + server) does not depend on how busy the machine is
            out["bulk_path_vs_loader_alone_cpu"] = round(bulk_cpu / alone_cpu, 3) if alone_cpu else None
            out["bulk_path_records_per_cpu_second"] = round(res["records"] / bulk_cpu) if bulk_cpu else None
            out["bulk_loader_alone_records_per_cpu_second"] = round(res["records"] / alone_cpu) if alone_cpu else None

        # 3. incremental upserts: a delta source into the bulk-loaded graph
        if "incremental" in parts:
            tree = _TreeMemory()
            with open_store(str(work / "bulk.db"), fsync="no") as store:
                from canal.ingest import wait_for_indexes

                wait_for_indexes(store)
                c0 = _cpu(store)
                t = time.perf_counter()
                report = load_spec(store, dspec, resolve=False)
                secs = time.perf_counter() - t
                inc_cpu = _cpu(store) - c0
                # the engine's own ceiling for this path: CREATE statements of new
                # relationships with the same provenance, prepared beforehand (no reading,
                # validation or diff)
                out["cypher_create_ceiling"] = _create_ceiling(store, args.entities, n=min(100_000, max(1000, delta)))
            inc = dn + dr
            out["incremental_upserts"] = {
                "records": inc,
                "seconds": round(secs, 3),
                "records_per_second": round(inc / secs),
                "cpu_seconds": round(inc_cpu, 1),
                "records_per_cpu_second": round(inc / inc_cpu) if inc_cpu else None,
                "totals": report.totals(),
                "timing": {k: round(v, 2) for k, v in report.timing.items()},
                "peak_memory": tree.stop(),
            }
            ceiling = out["cypher_create_ceiling"]["records_per_second"]
            out["incremental_vs_ceiling"] = round(out["incremental_upserts"]["records_per_second"] / ceiling, 3) if ceiling else None

        # 4. a reload that changes nothing, against the first load of the same source: the
        # delta source, and a source whose hub node has --hub-degree relationships
        if "reload" in parts:
            out["reload"] = _reload_ratio(dspec, work / "reload.db")
            hspec, hn, hr = write_hub_source(work / "hub", max(1000, delta // 10), args.hub_degree)
            out["reload_with_hub"] = {"nodes": hn, "relationships": hr, "hub_degree": args.hub_degree, **_reload_ratio(hspec, work / "hub.db")}
            out["no_change_reload_vs_first_load"] = max(out["reload"]["reload_vs_first_load"], out["reload_with_hub"]["reload_vs_first_load"])
        out["records"] = records
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
