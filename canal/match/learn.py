"""Learning signal weights from known links (logistic regression, inner split).

Where a direction's links are implied by shared events (projects), a share of the events
(``event_share``: the newest by start date when every event is dated, else a seeded random
choice) is hidden with everything it implies, and the pairs known only through them become
positives. Otherwise the newest half of the known links (by ``date``/``year``; undated links
count as oldest) become positives. Either way the graph *without* them provides their
features, so nothing about a positive leaks into its own signals. Negatives are, per positive source,
50 random targets plus the 3 best-ranked wrong targets under the default weights (hard
negatives). A logistic regression with non-negative weights and an L2 penalty is fitted
with L-BFGS-B; the weights are rescaled to sum like :data:`DEFAULT_WEIGHTS`. With fewer
than ``min_positives`` positives the default weights are returned unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from canal.match.graph import GraphIndex, KnownLink
from canal.match.signals import DEFAULT_WEIGHTS, SIGNALS, SignalSet, build_signals, pair_values, rank
from canal.ontology import Ontology


@dataclass(frozen=True)
class LearnResult:
    """Learned weights and what they were learned from."""

    weights: dict[str, float]
    positives: int
    negatives: int
    cutoff: str | None
    learned: bool
    intercept: float = 0.0
    validation: dict[str, float] = field(default_factory=dict)
    """MRR of the fit and of the defaults on held-back sources (the fit is kept only if it is not worse)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "positives": self.positives,
            "negatives": self.negatives,
            "cutoff": self.cutoff,
            "learned": self.learned,
            "validation": {k: round(v, 4) for k, v in self.validation.items()},
        }


def time_order(links: Iterable[KnownLink]) -> list[KnownLink]:
    """Links oldest first (undated first), ties by pair."""
    return sorted(links, key=lambda k: (k.date or "", k.source, k.target))


def fit_logistic(X: np.ndarray, y: np.ndarray, *, l2: float = 0.01, sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Logistic regression with non-negative coefficients (L-BFGS-B); returns (coef, intercept).

    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.1, 0.9], [0.0, 1.0]])
    >>> coef, b = fit_logistic(X, np.array([1.0, 1.0, 0.0, 0.0]))
    >>> bool(coef[0] > 1.0 and coef[1] == 0.0)
    True
    """
    n, d = X.shape
    sw = np.ones(n) if sample_weight is None else sample_weight
    sw = sw / sw.sum()

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d], theta[d]
        z = X @ w + b
        p = expit(z)
        loss = float(np.sum(sw * (np.logaddexp(0.0, z) - y * z)) + l2 * np.dot(w, w))
        g = sw * (p - y)
        grad = np.concatenate([X.T @ g + 2 * l2 * w, [g.sum()]])
        return loss, grad

    bounds = [(0.0, None)] * d + [(None, None)]
    res = minimize(f, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(res.x[:d]), float(res.x[d])


LEARN_MIN_LINKS = 100
"""With at least this many known links in a direction, ``match`` learns its weights by default."""


def learn_weights(
    G: nx.MultiDiGraph,
    direction: str,
    *,
    share: float = 0.5,
    negatives: int = 50,
    hard: int | None = None,
    seed: int = 0,
    skip: Iterable[str] = (),
    min_positives: int = 5,
    ontology: Ontology | None = None,
    max_sources: int = 1000,
    max_targets: int = 10000,
    event_share: float = 0.3,
    index: GraphIndex | None = None,
) -> LearnResult:
    """Fit weights on ``G``'s known links of ``direction`` (edges in ``skip`` stay hidden).

    ``index``: an index of ``G`` built with the same ``skip``, to reuse instead of building one.
    """
    skip = frozenset(skip)
    base = index if index is not None and index.G is G and index.skip == skip else GraphIndex(G, ontology=ontology, skip=skip)
    known = base.known_links(direction)
    links = [k for k in known.values() if not k.derived]
    rng = np.random.default_rng(seed)
    pos, extra_skip, cutoff = _inner_positives(base, G, direction, known, links, skip, share=share, event_share=event_share, seed=seed)
    if hard is None:
        # hard negatives come from the default ranking: useful where the defaults already rank
        # well (planted graphs), misleading on event graphs where they were shown to invert
        # the sign of the one informative signal (distance) on the CORDIS development table
        hard = 0 if any(k.events for k in links) else 3
    if len(pos) < min_positives:
        return LearnResult(dict(DEFAULT_WEIGHTS), len(pos), 0, None, False)
    pos_sources = sorted({k.source for k in pos})
    if len(pos_sources) > max_sources:
        pos_sources = sorted(rng.choice(pos_sources, size=max_sources, replace=False).tolist())
        keep = set(pos_sources)
        pos = [k for k in pos if k.source in keep]
    index = GraphIndex(G, ontology=base.onto, skip=skip | extra_skip)
    tgt_list = _target_sample(index, direction, pos, max_targets, rng)
    sig = build_signals(index, direction, sources=pos_sources, targets=tgt_list)
    spos, tpos = sig.src_pos, sig.tgt_pos
    pos_pairs = {(spos[k.source], tpos[k.target]) for k in pos if k.source in spos and k.target in tpos}
    if len(pos_pairs) < min_positives:
        return LearnResult(dict(DEFAULT_WEIGHTS), len(pos_pairs), 0, None, False)
    neg_pairs = _negative_pairs(sig, pos_pairs, negatives, hard, rng)
    pairs = sorted(pos_pairs) + sorted(neg_pairs - pos_pairs)
    y = np.asarray([1.0] * len(pos_pairs) + [0.0] * (len(pairs) - len(pos_pairs)))
    si = np.asarray([p[0] for p in pairs], dtype=np.int64)
    ti = np.asarray([p[1] for p in pairs], dtype=np.int64)
    vals = pair_values(sig, si, ti)
    X = np.column_stack([vals[k].astype(np.float64) for k in SIGNALS])
    n1 = float(y.sum())
    n0 = float(len(y) - n1)
    if n1 == 0 or n0 == 0:
        return LearnResult(dict(DEFAULT_WEIGHTS), int(n1), int(n0), cutoff, False)
    sw = np.where(y == 1, 0.5 / n1, 0.5 / n0)
    validation, fit_ok = _validate_fit(sig, X, y, sw, si, pos_pairs, rng)
    if not fit_ok:
        return LearnResult(dict(DEFAULT_WEIGHTS), int(n1), int(n0), cutoff, False, validation=validation)
    coef, b = fit_logistic(X, y, sample_weight=sw)
    if coef.sum() <= 0:
        return LearnResult(dict(DEFAULT_WEIGHTS), int(n1), int(n0), cutoff, False, validation=validation)
    scale = sum(DEFAULT_WEIGHTS.values()) / float(coef.sum())
    weights = {k: round(float(c) * scale, 4) for k, c in zip(SIGNALS, coef, strict=True)}
    return LearnResult(weights, int(n1), int(n0), cutoff, True, b, validation)


def _inner_positives(
    base: GraphIndex,
    G: nx.MultiDiGraph,
    direction: str,
    known: Mapping[tuple[str, str], KnownLink],
    links: Sequence[KnownLink],
    skip: frozenset[str],
    *,
    share: float,
    event_share: float,
    seed: int,
) -> tuple[list[KnownLink], frozenset[str], str | None]:
    """The links to learn from (the latest events' links, or the latest ``share`` of the links), the edges to hide, the cutoff date."""
    if any(k.events for k in links):
        evs = base.events()
        n_ev = max(1, round(event_share * len(evs))) if evs else 0
        if evs and all(base.event_date(e) for e in evs):
            held = sorted(evs, key=lambda e: (base.event_date(e) or "", e))[-n_ev:]
        else:
            held = [evs[i] for i in np.random.default_rng(seed + 11).permutation(len(evs))[:n_ev]]
        ev_skip = base.event_skip(held)
        inner = GraphIndex(G, ontology=base.onto, skip=skip | ev_skip).known_links(direction)
        pos = [k for p, k in known.items() if p not in inner and not k.derived]
        cutoff = min((base.event_date(e) or "" for e in held), default="") or None
        return pos, ev_skip, cutoff
    ordered = time_order(links)
    n_pos = round(share * len(ordered))
    pos = ordered[-n_pos:] if n_pos else []
    return pos, frozenset(key for k in pos for key in k.keys), (pos[0].date if pos else None)


def _target_sample(
    index: GraphIndex, direction: str, pos: Sequence[KnownLink], max_targets: int, rng: np.random.Generator
) -> list[str] | None:
    """A seeded sample of the targets (all positive ones kept) that bounds the cost on large graphs; None: all."""
    all_t = index.targets(direction)
    if len(all_t) <= max_targets:
        return None
    must = {k.target for k in pos}
    rest = [t for t in all_t if t not in must]
    n_more = min(len(rest), max(0, max_targets - len(must)))
    pick = rng.choice(len(rest), size=n_more, replace=False).tolist() if rest else []
    return sorted(must | {rest[int(i)] for i in pick})


def _negative_pairs(
    sig: SignalSet, pos_pairs: set[tuple[int, int]], negatives: int, hard: int, rng: np.random.Generator
) -> set[tuple[int, int]]:
    """Random unlinked targets per source, plus its ``hard`` best-ranked non-positives under the default weights."""
    neg_pairs: set[tuple[int, int]] = set()
    ok_t = np.flatnonzero(sig.target_ok)
    ranked = rank(sig, DEFAULT_WEIGHTS, top=hard + 5) if hard > 0 else [[] for _ in sig.sources]
    for i in range(len(sig.sources)):
        kn = set(sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]].tolist())
        for j in rng.choice(ok_t, size=min(negatives, len(ok_t)), replace=False).tolist():
            if (i, j) not in pos_pairs and j not in kn:
                neg_pairs.add((i, int(j)))
        got = 0
        for r in ranked[i]:
            if (i, r.tgt) not in pos_pairs and got < hard:
                neg_pairs.add((i, r.tgt))
                got += 1
    return neg_pairs


def _validate_fit(
    sig: SignalSet,
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    si: np.ndarray,
    pos_pairs: set[tuple[int, int]],
    rng: np.random.Generator,
) -> tuple[dict[str, float], bool]:
    """Validation MRR of a fit and of the defaults, and whether a fit may be kept.

    A fit is kept only if it ranks at least as well as the defaults on sources it was not fitted
    on: K-fold over the positive sources, each fold ranked by a fit on the other folds, pooled.
    """
    folds = _validation_folds(si[y == 1], rng)
    if not folds:
        return {}, True
    d = np.asarray([DEFAULT_WEIGHTS.get(k, 0.0) for k in SIGNALS])
    tot_fit = tot_def = 0.0
    n_val = 0
    any_fit = False
    for val in folds:
        fit_rows = ~np.isin(si, val)
        coef_v, _b = fit_logistic(X[fit_rows], y[fit_rows], sample_weight=sw[fit_rows] / sw[fit_rows].sum())
        any_fit = any_fit or coef_v.sum() > 0
        m_fit, m_def = _ranking_mrr(sig, val, pos_pairs, [coef_v, d])
        tot_fit += m_fit * len(val)
        tot_def += m_def * len(val)
        n_val += len(val)
    validation = {"learned": tot_fit / n_val, "default": tot_def / n_val}
    rejected = not any_fit or validation["learned"] < validation["default"]
    return validation, not rejected


VALIDATION_FOLDS = 3
"""Folds of the positive sources for the check of a fit against the defaults."""
VALIDATION_PER_FOLD = 100
"""At most this many sources of each fold are ranked (bounds the check's cost on large graphs)."""


def _validation_folds(pos_src: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Seeded folds of the sources with positives (each at most ``VALIDATION_PER_FOLD``), or none when
    there are fewer than 20 such sources (too few to judge)."""
    srcs = np.unique(pos_src)
    if len(srcs) < 20:
        return []
    perm = rng.permutation(srcs)
    return [np.sort(f[:VALIDATION_PER_FOLD]) for f in np.array_split(perm, VALIDATION_FOLDS)]


def _ranking_mrr(sig: SignalSet, val: np.ndarray, pos_pairs: set[tuple[int, int]], weight_vectors: list[np.ndarray]) -> list[float]:
    """MRR of each weight vector when the held-back sources rank every target (known pairs filtered)."""
    from canal.match.signals import dense_values

    by_src: dict[int, list[int]] = {}
    for i, j in pos_pairs:
        by_src.setdefault(i, []).append(j)
    rr: list[list[float]] = [[] for _ in weight_vectors]
    block = max(8, min(256, 2_000_000 // max(1, len(sig.targets))))
    for start in range(0, len(val), block):
        rows = val[start : start + block]
        vals = dense_values(sig, rows)
        stack = np.stack([vals[k] for k in SIGNALS], axis=-1).astype(np.float64)  # rows x targets x signals
        for wi, w in enumerate(weight_vectors):
            sc = stack @ (w / max(1e-12, float(w.sum())))
            for bi, i in enumerate(rows.tolist()):
                s = sc[bi].copy()
                s[sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]] = -np.inf
                s[~sig.target_ok] = -np.inf
                hid = by_src.get(i, [])
                if hid:
                    best = min(1 + np.count_nonzero(s > s[j]) + 0.5 * np.count_nonzero(s == s[j]) - 0.5 for j in hid)
                    rr[wi].append(1.0 / best)
    return [float(np.mean(x)) if x else 0.0 for x in rr]


def merge_weights(base: Mapping[str, float], override: Mapping[str, float] | None) -> dict[str, float]:
    """``base`` with ``override`` applied."""
    out = dict(base)
    if override:
        out.update(override)
    return out
