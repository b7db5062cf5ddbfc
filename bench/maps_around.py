"""``canal map --around`` on the real CORDIS Horizon 2020 table: hub-aware vs through every hub.

Builds the graph the way the CORDIS table reads (organisations, projects, the programme that
funds every participation, the countries the organisations are in), loads it into a fresh
embedded store, then times the whole ``canal map --around NAME`` path (read the
neighbourhood from the store, build the map, write the page) for a few organisations, once
stopping at hubs (the default) and once ``--through-hubs`` (what ``--around`` did before).
Prints JSON. Run from the repository root:

    nice -n 10 python bench/maps_around.py [--data ../shared/data/cordis_h2020_dev] [--depth 2]   # or CANAL_CORDIS=DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from canal.maps import graph_for_map, prepare_map, write_map
from canal.model import Node, Relationship
from canal.store import open_store

CLASSES = {"HES": "University", "REC": "ResearchInstitute", "PRC": "Enterprise", "PUB": "GovernmentBody", "OTH": "Organisation"}


def cordis_records(folder: Path) -> tuple[list[Node], list[Relationship]]:
    """The CORDIS participation table as canal records (projects as pilot projects: the
    ontology on this branch has no research-project class yet)."""
    nodes: dict[str, Node] = {"h2020": Node("h2020", "Programme", {"name": "Horizon 2020"})}
    rels: list[Relationship] = []
    with (folder / "h2020_organizations_dev.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            org, proj, country = f"org:{row['organisationID']}", f"project:{row['projectID']}", f"country:{row['country']}"
            nodes.setdefault(org, Node(org, CLASSES.get(row["activityType"], "Organisation"), {"name": row["name"]}))
            nodes.setdefault(proj, Node(proj, "PilotProject", {"name": row["projectAcronym"]}))
            nodes.setdefault(country, Node(country, "Region", {"name": row["country"]}))
            rels.append(Relationship("participatesIn", org, proj, row["order"], {"role": row["role"]}))
            rels.append(Relationship("grantsTo", "h2020", org, row["projectID"], {}))
            if row["role"] == "coordinator":
                rels.append(Relationship("leads", org, proj, "", {}))
    with (folder / "h2020_organizations_dev.csv").open(encoding="utf-8", newline="") as fh:
        pairs = sorted({(f"org:{r['organisationID']}", f"country:{r['country']}") for r in csv.DictReader(fh)})
    rels += [Relationship("locatedIn", a, b, "", {}) for a, b in pairs]
    return list(nodes.values()), rels


def one(db: Path, name: str, depth: int, through: bool, out: Path) -> dict[str, Any]:
    t = time.perf_counter()
    with open_store(str(db)) as store:
        G = graph_for_map(store, around=name, depth=depth, through_hubs=through)
    t_read = time.perf_counter() - t
    sub, kw = prepare_map(G, around=name, depth=depth, through_hubs=through)
    page = write_map(sub, out, **kw)
    hood = sub.graph["around"]
    ring = len(sub.graph.get("ring") or ())
    return {
        "nodes": sub.number_of_nodes() - ring,
        "next_ring_hidden": ring,
        "relationships": sub.number_of_edges(),
        "hubs": [[sub.nodes[h].get("name", h), d] for h, d in hood.hubs],
        "threshold": hood.threshold,
        "read_s": round(t_read, 2),
        "total_s": round(time.perf_counter() - t, 2),
        "file_mb": round(page.stat().st_size / 1e6, 2),
        "aggregated": sub.number_of_nodes() > 5000,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("CANAL_CORDIS", "../shared/data/cordis_h2020_dev"), help="folder of the CORDIS table (env CANAL_CORDIS)")
    ap.add_argument("--depth", type=int, default=2)
    args = ap.parse_args()
    folder = Path(args.data)
    if not (folder / "h2020_organizations_dev.csv").exists():
        print(json.dumps({"skipped": f"no CORDIS table in {folder}"}))
        return
    nodes, rels = cordis_records(folder)
    work = Path(tempfile.mkdtemp(prefix="canal-bench-around-"))
    db = work / "cordis.db"
    t = time.perf_counter()
    with open_store(str(db)) as store:
        store.ensure_indexes()
        store.upsert_nodes(nodes)
        store.upsert_relationships(rels)
    result: dict[str, Any] = {"graph": {"nodes": len(nodes), "relationships": len(rels), "load_s": round(time.perf_counter() - t, 1)}, "depth": args.depth}
    # a small company (1 project), a research organisation in several, a university in many
    degree: dict[str, int] = {}
    for r in rels:
        if r.type == "participatesIn":
            degree[r.source] = degree.get(r.source, 0) + 1
    ranked = sorted(degree, key=lambda k: (degree[k], k))
    picks = [ranked[0], ranked[len(ranked) // 2], ranked[-1]]
    for pick in picks:
        entry = {"projects": degree[pick]}
        for through in (False, True):
            entry["through_hubs" if through else "default"] = one(db, pick, args.depth, through, work / f"{pick.replace(':', '_')}-{through}.html")
        result[pick] = entry
        print(json.dumps({pick: entry}), file=sys.stderr)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
