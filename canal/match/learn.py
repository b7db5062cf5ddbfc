"""Learning signal weights from known links (logistic regression, time split).

The newest half of a direction's known links (by ``date``/``year``; undated links count
as oldest) become positives; the graph *without* those links provides their features, so
nothing about a positive leaks into its own signals. Negatives are, per positive source,
50 random targets plus the 3 best-ranked wrong targets under the default weights (hard
negatives). A logistic regression with non-negative weights and an L2 penalty is fitted
with L-BFGS-B; the weights are rescaled to sum like :data:`DEFAULT_WEIGHTS`. With fewer
than ``min_positives`` positives the default weights are returned unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.optimize import minimize

from canal.match.graph import GraphIndex, KnownLink
from canal.match.signals import DEFAULT_WEIGHTS, SIGNALS, build_signals, pair_values, rank
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

    def as_dict(self) -> dict[str, object]:
        return {
            "weights": {k: round(v, 4) for k, v in self.weights.items()},
            "positives": self.positives,
            "negatives": self.negatives,
            "cutoff": self.cutoff,
            "learned": self.learned,
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
        p = 1.0 / (1.0 + np.exp(-z))
        loss = float(np.sum(sw * (np.logaddexp(0.0, z) - y * z)) + l2 * np.dot(w, w))
        g = sw * (p - y)
        grad = np.concatenate([X.T @ g + 2 * l2 * w, [g.sum()]])
        return loss, grad

    bounds = [(0.0, None)] * d + [(None, None)]
    res = minimize(f, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(res.x[:d]), float(res.x[d])


def learn_weights(
    G: nx.MultiDiGraph,
    direction: str,
    *,
    share: float = 0.5,
    negatives: int = 50,
    hard: int = 3,
    seed: int = 0,
    skip: Iterable[str] = (),
    min_positives: int = 5,
    ontology: Ontology | None = None,
    max_sources: int = 2000,
) -> LearnResult:
    """Fit weights on ``G``'s known links of ``direction`` (edges in ``skip`` stay hidden)."""
    skip = frozenset(skip)
    base = GraphIndex(G, ontology=ontology, skip=skip)
    links = [k for k in base.known_links(direction).values() if not k.derived]
    ordered = time_order(links)
    n_pos = round(share * len(ordered))
    if n_pos < min_positives:
        return LearnResult(dict(DEFAULT_WEIGHTS), n_pos, 0, None, False)
    pos = ordered[-n_pos:]
    rng = np.random.default_rng(seed)
    pos_sources = sorted({k.source for k in pos})
    if len(pos_sources) > max_sources:
        pos_sources = sorted(rng.choice(pos_sources, size=max_sources, replace=False).tolist())
        keep = set(pos_sources)
        pos = [k for k in pos if k.source in keep]
    hidden = skip | {key for k in pos for key in k.keys}
    index = GraphIndex(G, ontology=base.onto, skip=hidden)
    sig = build_signals(index, direction, sources=pos_sources)
    spos, tpos = sig.src_pos, sig.tgt_pos
    pos_pairs = {(spos[k.source], tpos[k.target]) for k in pos if k.source in spos and k.target in tpos}
    if len(pos_pairs) < min_positives:
        return LearnResult(dict(DEFAULT_WEIGHTS), len(pos_pairs), 0, None, False)
    neg_pairs: set[tuple[int, int]] = set()
    ok_t = np.flatnonzero(sig.target_ok)
    ranked = rank(sig, DEFAULT_WEIGHTS, top=hard + 5)
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
    pairs = sorted(pos_pairs) + sorted(neg_pairs - pos_pairs)
    y = np.asarray([1.0] * len(pos_pairs) + [0.0] * (len(pairs) - len(pos_pairs)))
    si = np.asarray([p[0] for p in pairs], dtype=np.int64)
    ti = np.asarray([p[1] for p in pairs], dtype=np.int64)
    vals = pair_values(sig, si, ti)
    X = np.column_stack([vals[k].astype(np.float64) for k in SIGNALS])
    n1 = y.sum()
    n0 = len(y) - n1
    sw = np.where(y == 1, 0.5 / n1, 0.5 / n0)
    coef, b = fit_logistic(X, y, sample_weight=sw)
    if coef.sum() <= 0:
        return LearnResult(dict(DEFAULT_WEIGHTS), int(n1), int(n0), pos[0].date, False)
    scale = sum(DEFAULT_WEIGHTS.values()) / float(coef.sum())
    weights = {k: round(float(c) * scale, 4) for k, c in zip(SIGNALS, coef, strict=True)}
    return LearnResult(weights, int(n1), int(n0), pos[0].date, True, b)


def merge_weights(base: Mapping[str, float], override: Mapping[str, float] | None) -> dict[str, float]:
    """``base`` with ``override`` applied."""
    out = dict(base)
    if override:
        out.update(override)
    return out
