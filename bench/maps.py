"""Map benchmark: a 3,000-node map in headless Chromium, a 50,000-node aggregated map.

Prints JSON: build time, file size, time until the page is drawn and usable (vis
network ready, from navigation start), time for a click-to-highlight, and for the
large graph whether the page stays under 5 MB. Needs Chromium (Debian ``chromium``)
and Python playwright. Run from the repository root:

    nice -n 10 /work/venv/bin/python bench/maps.py [--small 3000] [--large 50000] [--png]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from canal.maps import MAX_NODES, write_map, write_png
from canal.synth import synth_graph
from tests.maps_helpers import browser, chromium_missing


def measure(b: Any, path: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    v = b.open(path, timeout_ms=120_000)
    wall = time.perf_counter() - t0
    page = v.page
    counts = page.evaluate("() => window.canalMap.drawnCounts()")
    t1 = time.perf_counter()
    page.evaluate("() => { const id = window.canalMap.data.nodes[0].id; window.canalMap.select(id); }")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(1)))")
    click_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    hits = page.evaluate("() => window.canalMap.search('a').length")
    search_s = time.perf_counter() - t2
    frame = "() => new Promise(r => requestAnimationFrame(() => r(1)))"
    t3 = time.perf_counter()
    page.evaluate("() => window.canalMap.setLang('zh')")
    page.evaluate(frame)
    lang_s = time.perf_counter() - t3
    extra: dict[str, Any] = {"language_switch_s": round(lang_s, 3)}
    if page.evaluate("() => window.canalMap.data.meta.aggregated"):
        gid = page.evaluate("() => window.canalMap.data.nodes[0].id")
        before = page.evaluate("() => window.canalMap.drawnCounts().nodes")
        t4 = time.perf_counter()
        page.evaluate("(g) => window.canalMap.openGroup(g)", gid)
        page.evaluate(frame)
        extra["open_group_s"] = round(time.perf_counter() - t4, 3)
        extra["open_group_members_drawn"] = page.evaluate("() => window.canalMap.drawnCounts().nodes") - before
        page.evaluate("(g) => window.canalMap.closeGroup(g)", gid)
        extra["closed_again"] = page.evaluate("() => window.canalMap.drawnCounts().nodes") == before
    else:
        ids = page.evaluate("() => window.canalMap.data.nodes.slice(0, 2).map(n => n.id).concat([window.canalMap.data.nodes[window.canalMap.data.nodes.length - 1].id])")
        t4 = time.perf_counter()
        path = page.evaluate("([a, b]) => window.canalMap.showPath(a, b)", [ids[0], ids[2]])
        page.evaluate(frame)
        extra["path_s"] = round(time.perf_counter() - t4, 3)
        extra["path_hops"] = (len(path) - 1) if path else None
    out = {
        "ready_s": round(v.load_ms / 1000, 3),
        "open_wall_s": round(wall, 3),
        "select_and_redraw_s": round(click_s, 3),
        "search_s": round(search_s, 3),
        "search_hits": hits,
        "drawn_nodes": counts["nodes"],
        "drawn_edges": counts["edges"],
        "console_errors": len(v.console_errors) + len(v.page_errors),
        "outside_requests": len(v.outside_requests),
        **extra,
    }
    page.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=3000)
    ap.add_argument("--large", type=int, default=50000)
    ap.add_argument("--png", action="store_true", help="also time a PNG export of each map")
    ap.add_argument("--out", default=None, help="keep the maps in this folder")
    args = ap.parse_args()
    why = chromium_missing()
    if why:
        print(json.dumps({"skipped": why}))
        return
    folder = Path(args.out or tempfile.mkdtemp(prefix="canal-bench-maps-"))
    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"threshold_max_nodes": MAX_NODES}
    with browser() as b:
        for name, n, layout in (("small", args.small, "force"), ("small_stages", args.small, "stages"), ("large", args.large, "force")):
            t = time.perf_counter()
            G = synth_graph(n, seed=1).graph
            synth_s = time.perf_counter() - t
            t = time.perf_counter()
            path = write_map(G, folder / f"{name}.html", title=f"synthetic {n:,}", layout=layout)
            build_s = time.perf_counter() - t
            entry: dict[str, Any] = {
                "nodes": G.number_of_nodes(),
                "edges": G.number_of_edges(),
                "layout": layout,
                "aggregated": G.number_of_nodes() > MAX_NODES,
                "synth_s": round(synth_s, 2),
                "build_s": round(build_s, 2),
                "file_mb": round(path.stat().st_size / 1e6, 2),
                **measure(b, path),
            }
            entry["interactive_within_5s"] = entry["ready_s"] + entry["select_and_redraw_s"] <= 5.0
            if name == "large":
                entry["under_5mb"] = entry["file_mb"] < 5.0
            if args.png:
                t = time.perf_counter()
                write_png(path, folder / f"{name}.png")
                entry["png_s"] = round(time.perf_counter() - t, 2)
            result[name] = entry
            print(json.dumps({name: entry}), file=sys.stderr)
    result["folder"] = str(folder)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
