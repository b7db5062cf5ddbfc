"""Candidate signals for real partnerships, measured before any is added to canal; prints JSON.

    python bench/match_real_signals.py                  # CORDIS development table, project splits seeds 1-5
    python bench/match_real_signals.py --seeds 1,2,3 --csv FILE

The leakage-free protocol of :func:`canal.match.evaluate.evaluate` (projects held out with
everything they imply; universities and research organisations rank every company), with
candidate signals computed from the *training* graph only:

- ``partner_places``: the places (city, NUTS levels, country; idf-weighted) of the companies the
  lab already worked with, against the candidate's places (cosine);
- ``partner_distance``: ``1 / (1 + km / 50)`` to the nearest company the lab already worked with;
- ``partner_countries``: the share of the lab's past partners in the candidate's country;
- ``partner_names``: name words (tf-idf) of the lab's past partners against the candidate's name;
- ``url_words``: the words of the organisation web domains (lab against candidate), tf-idf;
- ``country_pair_rate``: how often labs of the lab's country linked with companies of the
  candidate's country in training (smoothed rate, log ratio to the overall rate);
- ``sme``: the SME flag of the candidate;
- ``lab_density``: how many research organisations with a training project are near the candidate
  (``log(1 + sum exp(-km / 25))``, scaled to 0..1): companies in research clusters.

Each is ranked alone and added to canal's default weights at several weights; for each the mean
MRR and Hits@10 over the seeds, their spread and the per-seed MRR are printed, beside the
default weights and the best baseline ("same region, then country"). Never run it on the
reported split (seed 0) to choose anything.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from match_real import DEFAULT_CSV, load_graph

from canal.match.evaluate import _per_query, _place_flags, _ranks, make_split
from canal.match.graph import GraphIndex
from canal.match.signals import DEFAULT_WEIGHTS, build_signals, dense_values, distance_km, distance_value, unit_xyz
from canal.match.text import normalise_rows, tfidf

CANDIDATES = ("partner_places", "partner_distance", "partner_countries", "partner_names", "url_words", "country_pair_rate", "sme", "lab_density")
DIRECTION = "to-enterprise"


def _url_words(url: Any) -> str:
    host = re.sub(r"^(https?://)?(www\.)?", "", str(url or "").lower()).split("/")[0]
    return " ".join(p for p in re.split(r"[.\-_]", host)[:-1] if len(p) > 2)


def _country(places: Any) -> str:
    return next((k for k in sorted(places) if k.startswith("country:")), "")


def split_values(G: Any, base: GraphIndex, seed: int, share: float = 0.2) -> dict[str, Any]:
    """Queries, held-out targets, exclusions and every signal's dense values (queries x companies) for one split."""
    spl = make_split(base, DIRECTION, "event", share=share, seed=seed)
    index = GraphIndex(G, ontology=base.onto, skip=spl.skip)
    tg = set(index.targets(DIRECTION))
    valid = set(index.sources(DIRECTION))
    by_src = {s: [t for t in ts if t in tg] for s, ts in spl.hidden.items() if s in valid}
    srcs = sorted(s for s, ts in by_src.items() if ts)
    sig = build_signals(index, DIRECTION, sources=srcs)
    rows = np.arange(len(srcs))
    vals: dict[str, np.ndarray] = dict(dense_values(sig, rows))
    n_t = len(sig.targets)
    spos, tpos = sig.src_pos, sig.tgt_pos
    # the lab's past partners: training links only (the held-out projects are gone from the index)
    r: list[int] = []
    c: list[int] = []
    for (s, t), _k in spl.train_links.items():
        if s in spos and t in tpos:
            r.append(spos[s])
            c.append(tpos[t])
    P = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(len(srcs), n_t))
    P.data[:] = 1.0
    TR = sig.T["region"]
    vals["partner_places"] = (normalise_rows(sp.csr_matrix(P @ TR)) @ TR.T).toarray().astype(np.float32)
    TX = sig.T["text"]
    vals["partner_names"] = np.minimum(1.0, (normalise_rows(sp.csr_matrix(P @ TX)) @ TX.T).toarray()).astype(np.float32)
    pd_ = np.zeros((len(srcs), n_t), dtype=np.float32)
    for i in range(len(srcs)):
        ps = P.indices[P.indptr[i] : P.indptr[i + 1]]
        if len(ps):
            pd_[i] = distance_value(sig.tgt_xyz[ps][:, None, :], sig.tgt_xyz[None, :, :]).max(axis=0)
    vals["partner_distance"] = pd_
    tc = [_country(p.places) for p in sig.profiles_tgt]
    cl = {k: i for i, k in enumerate(sorted(set(tc)))}
    TC = sp.csr_matrix((np.ones(n_t, dtype=np.float32), (list(range(n_t)), [cl[k] for k in tc])), shape=(n_t, len(cl)))
    pc = sp.csr_matrix(P @ TC)
    share_c = sp.diags(1.0 / np.maximum(np.asarray(pc.sum(axis=1)).ravel(), 1.0)) @ pc
    vals["partner_countries"] = (share_c @ TC.T).toarray().astype(np.float32)
    um, _terms = tfidf([_url_words(G.nodes[s].get("url")) for s in srcs] + [_url_words(G.nodes[t].get("url")) for t in sig.targets], max_df=0.05)
    vals["url_words"] = (um[: len(srcs)] @ um[len(srcs) :].T).toarray().astype(np.float32)
    # country-pair link rate over every lab of the training graph, smoothed towards the company country's rate
    labs = index.sources(DIRECTION)
    lab_c = {s: _country(index.profile(s, "source").places) for s in labs}
    keys = sorted(set(lab_c.values()) | set(tc))
    ki = {k: i for i, k in enumerate(keys)}
    links = np.zeros((len(keys), len(keys)))
    for (s, t), _k in spl.train_links.items():
        if s in lab_c and t in tpos:
            links[ki[lab_c[s]], ki[tc[tpos[t]]]] += 1
    n_s = np.bincount([ki[v] for v in lab_c.values()], minlength=len(keys)).astype(float)
    n_c = np.bincount([ki[k] for k in tc], minlength=len(keys)).astype(float)
    overall = links.sum() / max(1.0, n_s.sum() * n_c.sum())
    alpha = 5.0
    col_rate = (links.sum(axis=0) + alpha * overall * n_s.sum()) / (n_s.sum() * n_c + alpha * n_s.sum())
    rate = np.log((links + alpha * col_rate[None, :]) / (n_s[:, None] * n_c[None, :] + alpha) / max(overall, 1e-12))
    cpr = rate[[ki.get(lab_c.get(s, ""), 0) for s in srcs]][:, [ki[k] for k in tc]]
    lo, hi = cpr.min(axis=1, keepdims=True), cpr.max(axis=1, keepdims=True)
    vals["country_pair_rate"] = ((cpr - lo) / np.maximum(hi - lo, 1e-9)).astype(np.float32)
    sme = np.asarray([1.0 if G.nodes[t].get("sme") else 0.0 for t in sig.targets], dtype=np.float32)
    vals["sme"] = np.broadcast_to(sme[None, :], (len(srcs), n_t))
    lab_xyz = np.asarray([x for x in unit_xyz([index.profile(s, "source").coords for s in labs if index.events_of(s)]) if x.any()])
    dens = np.zeros(n_t)
    for start in range(0, len(lab_xyz), 256):
        dens += np.exp(-distance_km(lab_xyz[start : start + 256, None, :], sig.tgt_xyz[None, :, :]) / 25.0).sum(axis=0)
    dens = np.log1p(dens) / max(1e-9, float(np.log1p(dens).max()))
    dens[~sig.tgt_xyz.any(axis=1)] = 0.0
    vals["lab_density"] = np.broadcast_to(dens[None, :].astype(np.float32), (len(srcs), n_t))
    country, region = _place_flags(sig, rows)
    vals["baseline:same region, then country"] = 2.0 * region + country
    vals["random"] = np.random.default_rng(seed + 7).random((len(srcs), n_t)).astype(np.float32)
    excl = []
    hidden = []
    for i, s in enumerate(srcs):
        e = ~sig.target_ok.copy()
        e[sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]] = True
        h = [tpos[t] for t in by_src[s]]
        e[h] = False
        excl.append(e)
        hidden.append(h)
    return {
        "seed": seed,
        "queries": len(srcs),
        "sources": srcs,
        "companies": sig.targets,
        "partners": P,
        "with_partners": int(np.count_nonzero(np.diff(P.indptr))),
        "vals": vals,
        "excl": excl,
        "hidden": hidden,
        "targets": n_t,
    }


def score(split: dict[str, Any], spec: dict[str, float]) -> tuple[float, float]:
    """(MRR, Hits@10) of the weighted sum ``spec`` over the split's queries (ties by one seeded order)."""
    tot = sum(spec.values()) or 1.0
    tb = np.random.default_rng(split["seed"] + 2).random((split["queries"], split["targets"]))
    ms = []
    for i in range(split["queries"]):
        sc = np.zeros(split["targets"])
        for k, w in spec.items():
            if w > 0 and k in split["vals"]:
                sc += (w / tot) * split["vals"][k][i]
        ms.append(_per_query(_ranks(sc, split["excl"][i], tb[i], split["hidden"][i]), (10,)))
    m = np.mean(ms, axis=0)
    return float(m[0]), float(m[1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--weights", default="0.5,1,2,4", help="Weights at which each candidate is added to the defaults.")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    G, via = load_graph(a.csv)
    base = GraphIndex(G)
    splits = [split_values(G, base, int(s)) for s in a.seeds.split(",")]
    specs: dict[str, dict[str, float]] = {
        "baseline: random": {"random": 1.0},
        "baseline: same region, then country": {"baseline:same region, then country": 1.0},
        "default weights": dict(DEFAULT_WEIGHTS),
        "distance, region, text (3, 2, 1)": {"distance": 3.0, "region": 2.0, "text": 1.0},
    }
    for c in CANDIDATES:
        specs[f"only {c}"] = {c: 1.0}
        for w in (float(x) for x in a.weights.split(",")):
            specs[f"defaults + {c} {w:g}"] = {**DEFAULT_WEIGHTS, c: w}
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        res = np.asarray([score(s, spec) for s in splits])
        out[name] = {
            "mrr_mean": round(float(res[:, 0].mean()), 4),
            "mrr_sd": round(float(res[:, 0].std()), 4),
            "hits@10_mean": round(float(res[:, 1].mean()), 4),
            "mrr_per_seed": [round(float(x), 4) for x in res[:, 0]],
        }
    print(json.dumps({
        "data": str(a.csv),
        "loaded_via": via,
        "seeds": [s["seed"] for s in splits],
        "queries": [s["queries"] for s in splits],
        "queries_with_training_partners": [s["with_partners"] for s in splits],
        "methods": out,
        "seconds": round(time.perf_counter() - t0, 1),
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
