"""Matching at scale: technologies x enterprises, top 10 each; prints JSON.

    python bench/match.py                          # 10k technologies x 100k enterprises
    python bench/match.py --technologies 1000 --enterprises 10000

Generates a planted synthetic graph (canal.match.synthetic), then times ``match`` for every
technology towards every enterprise (direction to-enterprise) with explanations and
evidence. Peak memory is the process's maximum resident set size (it includes the graph).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--technologies", type=int, default=10_000)
    ap.add_argument("--enterprises", type=int, default=100_000)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-explain", action="store_true", help="Skip explanations and evidence.")
    a = ap.parse_args(argv)

    from canal.match import match
    from canal.match.synthetic import planted_graph

    t0 = time.perf_counter()
    res = planted_graph(a.technologies, a.enterprises, seed=a.seed)
    G = res.graph
    t_gen = time.perf_counter() - t0
    mem_graph = current_mb()
    techs = [n for n, d in G.nodes(data=True) if d.get("cls") == "Technology"]
    t1 = time.perf_counter()
    c1 = time.process_time()
    cands = match(G, direction="to-enterprise", sources=techs, top=a.top, seed=a.seed, explain=not a.no_explain)
    t_match = time.perf_counter() - t1
    cpu_match = time.process_time() - c1
    n_src = len({c.source for c in cands})
    truth = set(res.truth)
    out = {
        "technologies": a.technologies,
        "enterprises": a.enterprises,
        "nodes": G.number_of_nodes(),
        "relationships": G.number_of_edges(),
        "top": a.top,
        "explain": not a.no_explain,
        "generate_seconds": round(t_gen, 1),
        "match_seconds": round(t_match, 1),
        "match_cpu_seconds": round(cpu_match, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "sources_with_candidates": n_src,
        "candidates": len(cands),
        "candidates_per_second": round(len(cands) / t_match, 1) if t_match else None,
        "graph_resident_mb": round(mem_graph),
        "peak_resident_mb": round(rss_mb()),
        "cores": os.cpu_count(),
        "planted_pairs_already_linked": len(truth),
        "python": sys.version.split()[0],
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
