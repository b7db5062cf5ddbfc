"""Evaluation harness: hide known links by the event that created them, rank, compare with baselines.

A link must be hidden together with everything that implies it, or the evaluation measures
how well a method finds the leftovers. So:

- When a direction's links are implied by *events* (two organisations took part in the same
  project), the split is by event (``split="event"``): a share of the events is held out
  (seeded), and the training graph loses the events, every edge into or out of them, every
  edge keyed or tagged with them (the grant for the project) and every direct tie between two
  actors who met only there (see :meth:`GraphIndex.event_skip`). With dated events,
  ``"event-time"`` holds out the newest ones instead.
- Otherwise single links are hidden, at random (``"random"``) or the newest by date
  (``"time"``), with their edges.

The pairs that are known in the full graph but not in the training graph are the held-out
pairs; every source that gained one is a query and ranks every target, with the pairs known
in training filtered out. Ties are broken by one seeded random order shared by every method.
Per method: MRR (reciprocal rank of the first held-out target), Hits@k (a held-out target in
the first k), recall@k, with bootstrap 95 % intervals over queries; apart for *newcomers*
(queries with no known link in training).

Methods: ``random`` (several seeds), ``popularity``, ``same country``, ``same region, then
country`` (each also ``..., then popularity``), every single signal (``only:<signal>``),
``graph`` (graph-proximity signals summed), ``default weights``, ``learned`` and ``canal``
(what :func:`canal.match.match` does by default: learned weights when the graph has enough
known links, else the defaults). The report warns when a baseline reaches an MRR of 0.9 or
more, when the candidate set is trivial (then that block is left out of the table) and when
the held-out targets are mostly candidates with no link at all in training.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from canal.match.graph import DIRECTIONS, GraphIndex, KnownLink
from canal.match.learn import LEARN_MIN_LINKS, learn_weights, time_order
from canal.match.signals import DEFAULT_WEIGHTS, GRAPH_SIGNALS, SIGNALS, SignalSet, build_signals, dense_values
from canal.ontology import Ontology

BASELINES = (
    "random",
    "popularity",
    "same country",
    "same country, then popularity",
    "same region, then country",
    "same region, then country, then popularity",
)
"""Methods that are baselines: the report compares canal with the best of them."""
LEAK_MRR = 0.9
"""A baseline at or above this MRR means the evaluation leaks or is trivial."""


@dataclass
class EvalRow:
    """Metrics of one method on one direction, split and group, with bootstrap 95 % intervals."""

    direction: str
    split: str
    method: str
    group: str
    sources: int
    hidden: int
    mrr: float
    precision: dict[int, float]
    recall: dict[int, float]
    hits: dict[int, float] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "direction": self.direction,
            "split": self.split,
            "method": self.method,
            "group": self.group,
            "queries": self.sources,
            "hidden": self.hidden,
            "mrr": round(self.mrr, 4),
        }
        for k in sorted(self.hits):
            d[f"hits@{k}"] = round(self.hits[k], 4)
        for k in sorted(self.recall):
            d[f"recall@{k}"] = round(self.recall[k], 4)
        for k in sorted(self.precision):
            d[f"p@{k}"] = round(self.precision[k], 4)
        d["ci95"] = {m: [round(lo, 4), round(hi, 4)] for m, (lo, hi) in sorted(self.ci.items())}
        return d


@dataclass
class EvalReport:
    """All rows, the learned weights, warnings and facts about each split."""

    rows: list[EvalRow]
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    ks: tuple[int, ...] = (10, 50)
    warnings: list[str] = field(default_factory=list)
    info: dict[str, dict[str, Any]] = field(default_factory=dict)
    suppressed: set[tuple[str, str]] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [r.as_dict() for r in self.rows],
            "weights": self.weights,
            "ks": list(self.ks),
            "warnings": list(self.warnings),
            "splits": self.info,
            "not_tabled": sorted(f"{d}/{s}" for d, s in self.suppressed),
        }

    def get(self, direction: str, split: str, method: str, group: str = "all") -> EvalRow | None:
        for r in self.rows:
            if (r.direction, r.split, r.method, r.group) == (direction, split, method, group):
                return r
        return None

    def best_baseline(self, direction: str, split: str, group: str = "all") -> EvalRow | None:
        rows = [r for r in self.rows if (r.direction, r.split, r.group) == (direction, split, group) and r.method in BASELINES]
        return max(rows, key=lambda r: (r.mrr, r.method)) if rows else None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Rows for a table (blocks with a warning that makes them meaningless are left out)."""
        cols = ["direction", "split", "group", "method", "queries", "MRR", "MRR 95% CI"]
        for k in self.ks:
            cols += [f"Hits@{k}", f"Hits@{k} 95% CI"]
        rows = []
        for r in self.rows:
            if (r.direction, r.split) in self.suppressed:
                continue
            row: list[Any] = [r.direction, r.split, r.group, r.method, r.sources, round(r.mrr, 3), _ci(r.ci.get("mrr"))]
            for k in self.ks:
                row += [round(r.hits.get(k, 0.0), 3), _ci(r.ci.get(f"hits@{k}"))]
            rows.append(row)
        return cols, rows


def _ci(c: tuple[float, float] | None) -> str:
    return f"{c[0]:.3f}-{c[1]:.3f}" if c else ""


# -- splits ------------------------------------------------------------------------------
def hide_links(links: Sequence[KnownLink], *, share: float, split: str, seed: int) -> list[KnownLink]:
    """The links to hide: a random share, or the newest share by date."""
    n = max(1, round(share * len(links)))
    if split == "time":
        return time_order(links)[-n:]
    rng = np.random.default_rng(seed)
    idx = sorted(rng.choice(len(links), size=min(n, len(links)), replace=False).tolist())
    return [links[i] for i in idx]


def hold_out_events(index: GraphIndex, *, share: float = 0.2, seed: int = 0, by_time: bool = False) -> list[str]:
    """Events to hold out: a seeded random share (``random.default_rng(seed).permutation``
    of the sorted event ids), or the newest share by start date."""
    evs = index.events()
    if not evs:
        return []
    n = max(1, round(share * len(evs)))
    if by_time:
        return sorted(sorted(evs, key=lambda e: (index.event_date(e) or "", e))[-n:])
    perm = np.random.default_rng(seed).permutation(len(evs))
    return sorted(evs[i] for i in perm[:n])


def links_by_events(links: Iterable[KnownLink]) -> bool:
    """Whether some of a direction's links are implied by shared events."""
    return any(k.events for k in links)


@dataclass
class Split:
    """What one split hides: the edges to skip and the pairs that are known only through them."""

    name: str
    skip: frozenset[str]
    hidden: dict[str, list[str]]
    train_links: dict[tuple[str, str], KnownLink]
    held_events: list[str] = field(default_factory=list)


def make_split(base: GraphIndex, direction: str, split: str, *, share: float = 0.2, seed: int = 0) -> Split:
    """Hide by event (``event``, ``event-time``) or by link (``random``, ``time``) and list the held-out pairs."""
    full = base.known_links(direction)
    held_events: list[str] = []
    if split.startswith("event"):
        held_events = hold_out_events(base, share=share, seed=seed, by_time=split == "event-time")
        skip = base.event_skip(held_events)
    else:
        links = [k for k in full.values() if not k.derived and k.keys]
        if len(links) < 2:
            return Split(split, frozenset(), {}, full)
        hidden_links = hide_links(links, share=share, split=split, seed=seed)
        skip = frozenset(key for k in hidden_links for key in k.keys)
    train = GraphIndex(base.G, ontology=base.onto, skip=skip).known_links(direction)
    hidden: dict[str, list[str]] = {}
    for (s, t), k in full.items():
        if (s, t) not in train and not k.derived:
            hidden.setdefault(s, []).append(t)
    return Split(split, skip, {s: sorted(ts) for s, ts in sorted(hidden.items())}, train, held_events)


def default_splits(base: GraphIndex, direction: str) -> tuple[str, ...]:
    """``event`` (and ``event-time`` with dated events) where events imply links, else ``random`` and ``time``."""
    if links_by_events(base.known_links(direction).values()):
        evs = base.events()
        dated = bool(evs) and all(base.event_date(e) for e in evs)
        return ("event", "event-time") if dated else ("event",)
    return ("random", "time")


# -- metrics -----------------------------------------------------------------------------
def _ranks(scores: np.ndarray, excluded: np.ndarray, tiebreak: np.ndarray, hidden: Sequence[int]) -> list[int]:
    s = np.where(excluded, -np.inf, scores)
    out = []
    for h in hidden:
        sh = s[h]
        better = np.count_nonzero(s > sh) + np.count_nonzero((s == sh) & (tiebreak < tiebreak[h]) & ~excluded)
        out.append(1 + int(better))
    return out


def _per_query(ranks: list[int], ks: Sequence[int]) -> np.ndarray:
    """[rr, hits@k..., recall@k..., precision@k...] of one query."""
    best = min(ranks)
    vals = [1.0 / best]
    vals += [float(best <= k) for k in ks]
    vals += [sum(1 for r in ranks if r <= k) / len(ranks) for k in ks]
    vals += [sum(1 for r in ranks if r <= k) / k for k in ks]
    return np.asarray(vals)


def _row(direction: str, split: str, method: str, group: str, m: np.ndarray, hidden: int, ks: Sequence[int], boot: np.ndarray) -> EvalRow:
    nk = len(ks)
    mean = m.mean(axis=0)
    ci: dict[str, tuple[float, float]] = {}
    if len(m) > 1 and len(boot):
        bs = m[boot].mean(axis=1)  # (B, metrics)
        lo, hi = np.percentile(bs, [2.5, 97.5], axis=0)
        ci["mrr"] = (float(lo[0]), float(hi[0]))
        for j, k in enumerate(ks):
            ci[f"hits@{k}"] = (float(lo[1 + j]), float(hi[1 + j]))
    return EvalRow(
        direction,
        split,
        method,
        group,
        len(m),
        hidden,
        float(mean[0]),
        {k: float(mean[1 + 2 * nk + j]) for j, k in enumerate(ks)},
        {k: float(mean[1 + nk + j]) for j, k in enumerate(ks)},
        {k: float(mean[1 + j]) for j, k in enumerate(ks)},
        ci,
    )


def _place_flags(sig: SignalSet, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(same country, same region) as 0/1 matrices for ``rows`` x targets."""

    def split_keys(p: Any) -> tuple[set[str], set[str]]:
        c = {k for k in p.places if k.startswith("country:")}
        return c, set(p.places) - c

    tk = [split_keys(p) for p in sig.profiles_tgt]
    country = np.zeros((len(rows), len(sig.targets)), dtype=np.float32)
    region = np.zeros_like(country)
    by_c: dict[str, list[int]] = {}
    by_r: dict[str, list[int]] = {}
    for j, (c, r) in enumerate(tk):
        for x in c:
            by_c.setdefault(x, []).append(j)
        for x in r:
            by_r.setdefault(x, []).append(j)
    for bi, i in enumerate(rows):
        c, r = split_keys(sig.profiles_src[i])
        for x in c:
            country[bi, by_c.get(x, [])] = 1.0
        for x in r:
            region[bi, by_r.get(x, [])] = 1.0
    return country, region


def evaluate(
    G: nx.MultiDiGraph,
    *,
    directions: Iterable[str] | None = None,
    splits: Iterable[str] | None = None,
    share: float = 0.2,
    ks: Sequence[int] = (10, 50),
    seed: int = 0,
    learn: bool = True,
    weights: Mapping[str, float] | None = None,
    single_signals: bool = True,
    max_sources: int = 1000,
    ontology: Ontology | None = None,
    learn_options: Mapping[str, Any] | None = None,
    random_seeds: int = 5,
    bootstrap: int = 1000,
) -> EvalReport:
    """Hide links by the event that created them, rank, report MRR and Hits@k with intervals (see module docs)."""
    base = GraphIndex(G, ontology=ontology)
    report = EvalReport([], ks=tuple(ks))
    for direction in directions or DIRECTIONS:
        for split in splits or default_splits(base, direction):
            sp_ = make_split(base, direction, split, share=share, seed=seed)
            if not sp_.hidden:
                continue
            _evaluate_split(base, G, direction, sp_, report, ks=ks, seed=seed, learn=learn, weights=weights,
                            single_signals=single_signals, max_sources=max_sources, learn_options=learn_options,
                            random_seeds=random_seeds, bootstrap=bootstrap)
    report.rows.sort(key=lambda r: (r.direction, r.split, r.group, -r.mrr, r.method))
    return report


def _evaluate_split(
    base: GraphIndex,
    G: nx.MultiDiGraph,
    direction: str,
    sp_: Split,
    report: EvalReport,
    *,
    ks: Sequence[int],
    seed: int,
    learn: bool,
    weights: Mapping[str, float] | None,
    single_signals: bool,
    max_sources: int,
    learn_options: Mapping[str, Any] | None,
    random_seeds: int,
    bootstrap: int,
) -> None:
    split = sp_.name
    index = GraphIndex(G, ontology=base.onto, skip=sp_.skip)
    valid_src = set(index.sources(direction))
    tgts = set(index.targets(direction))
    by_src = {s: [t for t in ts if t in tgts] for s, ts in sp_.hidden.items() if s in valid_src}
    by_src = {s: ts for s, ts in by_src.items() if ts}
    srcs = sorted(by_src)
    if not srcs:
        return
    if len(srcs) > max_sources:
        srcs = sorted(np.random.default_rng(seed + 1).choice(srcs, size=max_sources, replace=False).tolist())
    sig = build_signals(index, direction, sources=srcs)
    has_visible = {s for s, _t in sp_.train_links}
    key = f"{direction}/{split}"
    methods, w_learned, learn_info = _split_methods(
        base, G, direction, sp_, report, key, seed=seed, learn=learn, weights=weights,
        single_signals=single_signals, learn_options=learn_options,
    )
    linked_targets = {t for (_s, t) in sp_.train_links}
    cold_pool = float(np.mean([t not in linked_targets for t in sig.targets])) if sig.targets else 0.0
    sc = _score_queries(sig, srcs, by_src, methods, has_visible, linked_targets, ks=ks, seed=seed, random_seeds=random_seeds)
    hid_n = {"all": sum(len(by_src[s]) for s in srcs), "newcomers": sum(len(by_src[s]) for s in srcs if s not in has_visible)}
    _add_rows(report, direction, split, sc.per, hid_n, ks, seed=seed, bootstrap=bootstrap)
    median_c = float(np.median(sc.n_cands)) if sc.n_cands else 0.0
    cold_share = sc.cold_hidden / max(1, sc.n_hidden_total)
    report.info[key] = {
        "queries": len(srcs),
        "held_out_pairs": hid_n["all"],
        "newcomer_queries": sum(1 for s in srcs if s not in has_visible),
        "held_out_events": len(sp_.held_events),
        "targets": len(sig.targets),
        "median_candidates": median_c,
        "held_out_targets_without_training_link": round(cold_share, 4),
        "candidates_without_training_link": round(cold_pool, 4),
        "canal_weights": "learned" if methods["canal"] is w_learned else "default",
        "learning": learn_info,
        "hidden_edges": len(sp_.skip),
    }
    _warn_split(report, direction, split, ks, median_c=median_c, cold_share=cold_share, cold_pool=cold_pool)


def _split_methods(
    base: GraphIndex,
    G: nx.MultiDiGraph,
    direction: str,
    sp_: Split,
    report: EvalReport,
    key: str,
    *,
    seed: int,
    learn: bool,
    weights: Mapping[str, float] | None,
    single_signals: bool,
    learn_options: Mapping[str, Any] | None,
) -> tuple[dict[str, Mapping[str, float] | str], dict[str, float] | None, dict[str, Any]]:
    """The methods to compare on one split (baselines, single signals, weights), the learned weights and how the fit went."""
    w_learned: dict[str, float] | None = None
    learned_ok = False
    learn_info: dict[str, Any] = {}
    if learn:
        lr = learn_weights(G, direction, skip=sp_.skip, seed=seed, ontology=base.onto, **dict(learn_options or {}))
        w_learned, learned_ok = lr.weights, lr.learned
        report.weights[key] = lr.weights
        learn_info = {"fit_kept": lr.learned, "validation_mrr": {k: round(v, 4) for k, v in lr.validation.items()}}
    methods: dict[str, Mapping[str, float] | str] = {b: b for b in BASELINES}
    if single_signals:
        for s_name in SIGNALS:
            if s_name != "popularity":
                methods[f"only:{s_name}"] = {s_name: 1.0}
    methods["graph"] = dict.fromkeys(GRAPH_SIGNALS, 1.0)
    methods["default weights"] = dict(weights or DEFAULT_WEIGHTS)
    if w_learned is not None:
        methods["learned"] = w_learned
    n_links = sum(1 for k in sp_.train_links.values() if not k.derived)
    methods["canal"] = w_learned if (w_learned is not None and learned_ok and n_links >= LEARN_MIN_LINKS and not weights) else dict(weights or DEFAULT_WEIGHTS)
    return methods, w_learned, learn_info


@dataclass
class _Scored:
    """Per-query metrics of every method (key ``method\\0group``) and candidate counts of one split."""

    per: dict[str, list[np.ndarray]]
    n_cands: list[int]
    cold_hidden: int
    n_hidden_total: int


def _score_queries(
    sig: SignalSet,
    srcs: Sequence[str],
    by_src: Mapping[str, list[str]],
    methods: Mapping[str, Mapping[str, float] | str],
    has_visible: set[str],
    linked_targets: set[str],
    *,
    ks: Sequence[int],
    seed: int,
    random_seeds: int,
) -> _Scored:
    """Rank every target for every query source with every method, in dense blocks of sources."""
    tpos = sig.tgt_pos
    out = _Scored({}, [], 0, 0)
    per = out.per
    tb_rng = np.random.default_rng(seed + 2)
    rows_all = np.arange(len(srcs))
    block = max(8, min(256, 2_000_000 // max(1, len(sig.targets))))  # dense blocks stay near 100 MB each
    for start in range(0, len(srcs), block):
        rows = rows_all[start : start + block]
        vals = dense_values(sig, rows)
        tiebreak = tb_rng.random((len(rows), len(sig.targets)))
        rands = [tb_rng.random((len(rows), len(sig.targets))) for _ in range(max(1, random_seeds))]
        country, region = _place_flags(sig, rows)
        pop = vals["popularity"]
        tiny = 1e-3
        fixed: dict[str, np.ndarray] = {
            "popularity": pop,
            "same country": country,
            "same country, then popularity": country + tiny * pop,
            "same region, then country": 2.0 * region + country,
            "same region, then country, then popularity": 2.0 * region + country + tiny * pop,
        }
        for bi, i in enumerate(rows):
            s = srcs[i]
            hid = [tpos[t] for t in by_src[s] if t in tpos]
            kn = sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]
            excl = ~sig.target_ok.copy()
            excl[kn] = True
            excl[hid] = False
            out.n_cands.append(int(np.count_nonzero(~excl)))
            out.n_hidden_total += len(hid)
            out.cold_hidden += sum(1 for t in by_src[s] if t not in linked_targets)
            newcomer = s not in has_visible
            for name, spec in methods.items():
                if spec == "random":
                    m = np.mean([_per_query(_ranks(r[bi], excl, tiebreak[bi], hid), ks) for r in rands], axis=0)
                elif isinstance(spec, str):
                    m = _per_query(_ranks(np.asarray(fixed[spec][bi], dtype=np.float64), excl, tiebreak[bi], hid), ks)
                else:
                    tot = sum(max(0.0, float(v)) for v in spec.values()) or 1.0
                    sc = np.zeros(len(sig.targets), dtype=np.float64)
                    for k_, v in spec.items():
                        if k_ in vals and v > 0:
                            sc += (float(v) / tot) * vals[k_][bi]
                    m = _per_query(_ranks(sc, excl, tiebreak[bi], hid), ks)
                per.setdefault(name + "\0all", []).append(m)
                if newcomer:
                    per.setdefault(name + "\0newcomers", []).append(m)
    return out


def _add_rows(
    report: EvalReport,
    direction: str,
    split: str,
    per: Mapping[str, list[np.ndarray]],
    hid_n: Mapping[str, int],
    ks: Sequence[int],
    *,
    seed: int,
    bootstrap: int,
) -> None:
    """One report row per method and group, with bootstrap intervals (one resampling per query count)."""
    b_rng = np.random.default_rng(seed + 3)
    boots: dict[int, np.ndarray] = {}
    for k_, items in per.items():
        name, group = k_.split("\0")
        m = np.vstack(items)
        if len(m) not in boots:
            boots[len(m)] = b_rng.integers(0, len(m), size=(bootstrap, len(m))) if bootstrap and len(m) > 1 else np.zeros((0, 0), dtype=np.int64)
        report.rows.append(_row(direction, split, name, group, m, hid_n[group], ks, boots[len(m)]))


def _warn_split(
    report: EvalReport, direction: str, split: str, ks: Sequence[int], *, median_c: float, cold_share: float, cold_pool: float
) -> None:
    """Warn (and suppress the table) when the candidate set is trivial or a baseline looks perfect; warn on cold targets."""
    key = f"{direction}/{split}"
    if median_c <= max(10, max(ks)):
        report.warnings.append(
            f"{key}: TRIVIAL CANDIDATE SET - a query has {median_c:g} candidates (median); "
            "ranking them says nothing, the table is left out."
        )
        report.suppressed.add((direction, split))
    for r in report.rows:
        if (r.direction, r.split, r.group) == (direction, split, "all") and r.method in BASELINES and r.mrr >= LEAK_MRR:
            report.warnings.append(
                f"{key}: BASELINE '{r.method}' REACHES MRR {r.mrr:.2f} - the held-out links are probably still "
                "implied by the training graph, or the task is trivial; the table is left out."
            )
            report.suppressed.add((direction, split))
    if cold_share >= 0.5 and cold_share >= 2 * cold_pool:
        report.warnings.append(
            f"{key}: {cold_share:.0%} of the held-out targets have no link in the training graph, against "
            f"{cold_pool:.0%} of all candidates: popularity and network signals cannot find them, and a method "
            "that preferred unlinked candidates would score well for the wrong reason."
        )
