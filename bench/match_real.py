"""Matching on real partnerships: the leakage-free protocol on the CORDIS Horizon 2020 table; prints JSON.

    python bench/match_real.py                       # the development table, project split seed 0, 80/20
    python bench/match_real.py --csv FILE --seed 3   # another table or split
    python bench/match_real.py --seeds 0,1,2,3,4,5   # canal and the best baseline per split, mean and spread

The table is loaded through ``loaders/cordis.yaml`` into an embedded store and read back with
``store.to_networkx()`` (``--direct`` builds the same graph straight from the CSV instead).
Then :func:`canal.match.evaluate.evaluate` holds out 20 % of the projects with everything they
imply, and every university or research organisation that gained a company partner in a
held-out project ranks every company. Printed per method: MRR, Hits@10, Hits@50 with bootstrap
95 % intervals, for all queries and for newcomers, plus the warnings and the ratio of canal's
MRR to the best baseline's.
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

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CSV = Path(os.environ.get("CANAL_CORDIS", ROOT.parent / "shared" / "data" / "cordis_h2020_dev" / "h2020_organizations_dev.csv"))
if not DEFAULT_CSV.exists():
    DEFAULT_CSV = Path("/work/shared/data/cordis_h2020_dev/h2020_organizations_dev.csv")

CLASS_OF = {"HES": "University", "REC": "ResearchInstitute", "PRC": "Enterprise", "PUB": "GovernmentBody", "OTH": "Organisation"}


def _num(s: str) -> float | None:
    s = (s or "").strip().replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def cordis_graph(path: Path) -> nx.MultiDiGraph:
    """The CORDIS participation table as canal's networkx shape, without a store (``--direct``).

    Same ids, classes, properties and relationships as ``loaders/cordis.yaml``: organisations
    (class by activity type), projects (``ResearchProject``), the programme; ``participatesIn``,
    ``leads`` (coordinators) and ``grantsTo`` keyed by project.
    """
    from canal.ontology import load_ontology

    onto = load_ontology()

    def labels(cls: str) -> list[str]:
        return sorted(onto.labels_for(cls)) if cls in onto.classes else [cls, "Entity"]

    def rtype(rel: str) -> str:
        return onto.relation(rel).type

    G = nx.MultiDiGraph()
    prog = "cordis:programme:H2020"
    G.add_node(prog, cls="Programme", labels=labels("Programme"), name="Horizon 2020")
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            o = f"cordis:org:{row['organisationID']}"
            p = f"cordis:project:{row['projectID']}"
            if o not in G:
                cls = CLASS_OF.get(row["activityType"], "Organisation")
                props: dict[str, Any] = {"name": row["name"], "country": row["country"], "region": row["city"]}
                if row["shortName"]:
                    props["aliases"] = [row["shortName"]]
                if row["vatNumber"]:
                    props["vat"] = row["vatNumber"]
                if row["SME"] in ("True", "False"):
                    props["sme"] = row["SME"] == "True"
                if row["nutsCode"]:
                    props["nutsCode"] = row["nutsCode"]
                if row["organizationURL"]:
                    props["url"] = row["organizationURL"]
                geo = row["geolocation"].split(",")
                if len(geo) == 2 and _num(geo[0]) is not None and _num(geo[1]) is not None:
                    props["latitude"], props["longitude"] = float(geo[0]), float(geo[1])
                G.add_node(o, cls=cls, labels=labels(cls), **props)
            if p not in G:
                G.add_node(p, cls="ResearchProject", labels=labels("ResearchProject"), name=row["projectAcronym"])
            amount = {k: v for k, v in (("amount", _num(row["ecContribution"])), ("netAmount", _num(row["netEcContribution"])), ("totalCost", _num(row["totalCost"]))) if v is not None}
            t = rtype("participatesIn")
            G.add_edge(o, p, key=f"{o}-{t}->{p}", type=t, rel="participatesIn", role=row["role"], currency="EUR", **amount)
            if row["role"] == "coordinator":
                t = rtype("leads")
                G.add_edge(o, p, key=f"{o}-{t}->{p}", type=t, rel="leads")
            t = rtype("grantsTo")
            G.add_edge(prog, o, key=f"{prog}-{t}->{o}#{row['projectID']}", type=t, rel="grantsTo", currency="EUR", **({"amount": amount["amount"]} if "amount" in amount else {}))
    return G


def load_graph(path: Path, *, direct: bool = False) -> tuple[nx.MultiDiGraph, str]:
    """The graph through the spec (``loaders/cordis.yaml``, embedded store), or straight from the CSV."""
    spec = ROOT / "loaders" / "cordis.yaml"
    if direct or not spec.exists():
        return cordis_graph(path), "direct"
    from canal import open_store
    from canal.ingest import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        (data / path.name).symlink_to(path.resolve())
        old = os.environ.get("CANAL_CORDIS")
        os.environ["CANAL_CORDIS"] = str(data)
        try:
            with open_store(str(Path(tmp) / "cordis.db")) as store:
                load_spec(store, spec)
                return store.to_networkx(), "spec"
        finally:
            if old is None:
                os.environ.pop("CANAL_CORDIS", None)
            else:
                os.environ["CANAL_CORDIS"] = old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--share", type=float, default=0.2)
    ap.add_argument("--direct", action="store_true", help="Build the graph from the CSV without the spec and store.")
    ap.add_argument("--methods", default="", help="Comma-separated methods to print (default all).")
    ap.add_argument("--seeds", default="", help="Comma-separated seeds: one summary line per split (no intervals) instead of the full table.")
    a = ap.parse_args(argv)
    if a.seeds:
        return _per_seed(a, [int(x) for x in a.seeds.split(",")])

    from canal.match.evaluate import evaluate

    t0 = time.perf_counter()
    G, via = load_graph(a.csv, direct=a.direct)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    rep = evaluate(G, directions=["to-enterprise"], splits=["event"], share=a.share, seed=a.seed, ks=(10, 50))
    t_eval = time.perf_counter() - t1
    key = "to-enterprise/event"
    keep = {m.strip() for m in a.methods.split(",") if m.strip()}
    methods: dict[str, Any] = {}
    for r in rep.rows:
        if keep and r.method not in keep:
            continue
        d = r.as_dict()
        methods.setdefault(r.method, {})[r.group] = {k: d[k] for k in ("queries", "hidden", "mrr", "hits@10", "hits@50", "ci95")}
    best = rep.best_baseline("to-enterprise", "event")
    canal = rep.get("to-enterprise", "event", "canal")
    out = {
        "data": str(a.csv),
        "loaded_via": via,
        "nodes": G.number_of_nodes(),
        "relationships": G.number_of_edges(),
        "split": {"kind": "event (projects)", "seed": a.seed, "held_out_share": a.share, **rep.info.get(key, {})},
        "best_baseline": {"method": best.method, "mrr": round(best.mrr, 4)} if best else None,
        "canal_vs_best_baseline_mrr": round(canal.mrr / best.mrr, 2) if canal and best and best.mrr else None,
        "canal_hits@10": round(canal.hits[10], 4) if canal else None,
        "weights": rep.weights.get(key),
        "warnings": rep.warnings,
        "methods": methods,
        "load_seconds": round(t_load, 1),
        "evaluate_seconds": round(t_eval, 1),
        "python": sys.version.split()[0],
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


def _per_seed(a: argparse.Namespace, seeds: list[int]) -> int:
    """canal (default settings), its default weights and the best baseline on each split; mean and spread."""
    from canal.match.evaluate import evaluate

    G, via = load_graph(a.csv, direct=a.direct)
    rows = []
    for seed in seeds:
        rep = evaluate(G, directions=["to-enterprise"], splits=["event"], share=a.share, seed=seed, ks=(10, 50), single_signals=False, bootstrap=0)
        best = rep.best_baseline("to-enterprise", "event")
        row: dict[str, Any] = {"seed": seed, "queries": rep.info.get("to-enterprise/event", {}).get("queries")}
        row["canal_weights"] = rep.info.get("to-enterprise/event", {}).get("canal_weights")
        for m in ("canal", "default weights"):
            r = rep.get("to-enterprise", "event", m)
            if r:
                row[m] = {"mrr": round(r.mrr, 4), "hits@10": round(r.hits[10], 4), "hits@50": round(r.hits[50], 4)}
        if best:
            row["best_baseline"] = {"method": best.method, "mrr": round(best.mrr, 4), "hits@10": round(best.hits[10], 4), "hits@50": round(best.hits[50], 4)}
            row["canal_vs_best_baseline_mrr"] = round(row["canal"]["mrr"] / best.mrr, 2) if best.mrr else None
        rows.append(row)

    def stat(path: tuple[str, str]) -> dict[str, float]:
        v = np.asarray([r[path[0]][path[1]] for r in rows if path[0] in r], dtype=float)
        return {"mean": round(float(v.mean()), 4), "sd": round(float(v.std()), 4)} if len(v) else {}

    summary = {f"{m} {k}": stat((m, k)) for m in ("canal", "default weights", "best_baseline") for k in ("mrr", "hits@10", "hits@50")}
    ratios = np.asarray([r["canal_vs_best_baseline_mrr"] for r in rows if r.get("canal_vs_best_baseline_mrr")], dtype=float)
    summary["canal_vs_best_baseline_mrr"] = {"mean": round(float(ratios.mean()), 2), "min": round(float(ratios.min()), 2), "max": round(float(ratios.max()), 2)} if len(ratios) else {}
    print(json.dumps({"data": str(a.csv), "loaded_via": via, "held_out_share": a.share, "splits": rows, "summary": summary}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
