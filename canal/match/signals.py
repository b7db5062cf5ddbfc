"""The signals as sparse matrices, and blocked top-k ranking over them.

Every pairwise signal is the product of a source matrix ``S`` (sources x features) and a
target matrix ``T`` (targets x features): ``raw = S @ T.T``. Products are computed for a
block of sources at a time and stay sparse (a pair that shares nothing gets 0), so a
10k x 100k problem never builds a dense all-pairs matrix. Two signals do not depend on
the pair's content: stage fit (a small table indexed by the two stages) and popularity
(a vector over targets); they form a dense *base* score per source stage that is merged
with the sparse candidates.

Signal values are in 0..1; the score of a pair is ``sum(w_k * f_k) / sum(w_k)`` with
non-negative weights, so it is in 0..1 too and the contributions add up to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from canal.match.graph import FUND_RELS, GraphIndex, Profile, idf
from canal.match.text import normalise_rows, tfidf

SIGNALS = ("text", "codes", "region", "distance", "alliance", "investors", "events", "network", "stage", "pilot", "popularity")
"""Signal names, in the order of contributions."""
SPARSE_SIGNALS = ("text", "codes", "region", "alliance", "investors", "events", "network", "pilot")
GRAPH_SIGNALS = ("region", "alliance", "investors", "events", "network")
"""The graph-proximity signals (the "graph only" baseline sums them)."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 1.0,
    "codes": 1.0,
    "region": 2.0,
    "distance": 3.0,
    "alliance": 1.0,
    "investors": 0.5,
    "events": 1.0,
    "network": 1.0,
    "stage": 0.25,
    "pilot": 0.5,
    "popularity": 0.1,
}
"""Weights used unless weights are given or learned; chosen among four candidates by project splits
(seeds 1-5, never the reported seed 0) of the real CORDIS development table (see docs/matching.md)."""

DIST_SCALE_KM = 50.0
"""Distance at which the distance signal is 0.5: ``1 / (1 + km / DIST_SCALE_KM)``."""
EARTH_KM = 6371.0

HUB_CAP = 1000
"""Neighbours with more ties than this are left out of the network signal (they link everyone)."""


def _identity(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.minimum(x, 1.0))


def _saturate(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 - np.exp(-x))


@dataclass
class SignalSet:
    """Feature matrices for one direction: sources x targets."""

    direction: str
    sources: list[str]
    targets: list[str]
    S: dict[str, sp.csr_matrix]
    T: dict[str, sp.csr_matrix]
    transform: dict[str, Callable[[np.ndarray], np.ndarray]]
    columns: dict[str, list[str]]
    src_stage: np.ndarray
    tgt_stage: np.ndarray
    popularity: np.ndarray
    known: sp.csr_matrix
    target_ok: np.ndarray
    source_ok: np.ndarray
    profiles_src: list[Profile] = field(default_factory=list)
    profiles_tgt: list[Profile] = field(default_factory=list)
    src_xyz: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    tgt_xyz: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    """Unit vectors of the nodes' coordinates (float64; a row of zeros when a node has none)."""

    @property
    def has_coords(self) -> bool:
        return bool(self.src_xyz.any() and self.tgt_xyz.any())

    @property
    def src_pos(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.sources)}

    @property
    def tgt_pos(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.targets)}


def stage_fit(direction: str, s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stage fit in 0..1.

    Technology -> enterprise: the enterprise should stand one stage further down the canal
    than the technology (a research result suits a company that pilots, a piloted one a
    company that produces). To a funder: the funder's usual stage should equal the source's.

    >>> stage_fit("to-enterprise", np.array([0.0, 1.0]), np.array([1.0, 1.0])).tolist()
    [1.0, 0.5]
    """
    if direction == "to-enterprise":
        d = np.abs(t - (s + 1.0))
    elif direction == "to-technology":
        d = np.abs(s - (t + 1.0))
    else:
        d = np.abs(s - t)
    return np.clip(1.0 - d / 2.0, 0.0, 1.0).astype(np.float32)


def unit_xyz(coords: Sequence[tuple[float, float] | None]) -> np.ndarray:
    """Unit vectors for (latitude, longitude) pairs; zeros where there are none."""
    out = np.zeros((len(coords), 3), dtype=np.float64)
    for i, c in enumerate(coords):
        if c is not None:
            la, lo = np.radians(c[0]), np.radians(c[1])
            out[i] = (np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la))
    return out


def distance_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between unit vectors, elementwise (broadcasting).

    >>> p = unit_xyz([(48.8566, 2.3522), (52.5200, 13.4050)])  # Paris, Berlin
    >>> round(float(distance_km(p[0], p[1])))
    877
    """
    chord = np.sqrt(np.sum((a - b) ** 2, axis=-1))
    return np.asarray(2.0 * EARTH_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0)))


def distance_value(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distance signal, ``1 / (1 + km / DIST_SCALE_KM)``; 0 where either side has no coordinates.

    ``a`` and ``b`` broadcast against each other: (n, 3) and (m, 3) rows give n values, or
    ``a[:, None]`` and ``b[None, :]`` give an n x m matrix.
    """
    ok = np.any(a != 0, axis=-1) & np.any(b != 0, axis=-1)
    v = 1.0 / (1.0 + distance_km(a, b) / DIST_SCALE_KM)
    return np.where(ok, v, 0.0).astype(np.float32)


def _vectorise(
    src: Sequence[Mapping[str, float]],
    tgt: Sequence[Mapping[str, float]],
    *,
    use_idf: bool = True,
    normalise: bool = True,
    selective: bool = False,
) -> tuple[sp.csr_matrix, sp.csr_matrix, list[str]]:
    """Sparse rows for two sides over one vocabulary, idf-weighted and unit length.

    ``selective``: each element weighs its selectivity ``log((1 + n) / (1 + df)) / log((1 + n) / 2)``
    (1 for an element two rows share, 0 for one every row has: a programme that funds everyone
    weighs nothing), and the value of a pair is the sum of the shared elements' selectivity over
    ``sqrt(|source| * |target|)``.
    """
    vocab: dict[str, int] = {}
    for d in (*src, *tgt):
        for k in d:
            vocab.setdefault(k, len(vocab))
    cols = sorted(vocab)
    vocab = {k: i for i, k in enumerate(cols)}

    def mat(rows: Sequence[Mapping[str, float]]) -> sp.csr_matrix:
        indptr = [0]
        ind: list[int] = []
        data: list[float] = []
        for d in rows:
            for k in sorted(d, key=vocab.__getitem__):
                ind.append(vocab[k])
                data.append(float(d[k]))
            indptr.append(len(ind))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(ind, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(rows), max(len(cols), 1)),
        )

    S, T = mat(src), mat(tgt)
    if selective and cols:
        # selectivity in 0..1 per element (idf without the +1, over the largest possible idf),
        # split between the two sides; rows scaled by their unweighted length, so the value of a
        # pair is sum(selectivity of the shared elements) / sqrt(|source| * |target|)
        n = len(src) + len(tgt)
        df = np.bincount(np.concatenate([S.indices, T.indices]), minlength=S.shape[1])
        sel = np.log((1.0 + n) / (1.0 + df)) / max(1e-9, math.log((1.0 + n) / 2.0))
        w = np.sqrt(np.clip(sel, 0.0, 1.0)).astype(np.float32)
        S, T = normalise_rows(S), normalise_rows(T)
        return sp.csr_matrix(S.multiply(w[None, :])), sp.csr_matrix(T.multiply(w[None, :])), cols
    if use_idf and cols:
        n = len(src) + len(tgt)
        df = np.bincount(np.concatenate([S.indices, T.indices]), minlength=S.shape[1])
        w = np.asarray([idf(int(x), n) for x in df], dtype=np.float32)
        S = sp.csr_matrix(S.multiply(w[None, :]))
        T = sp.csr_matrix(T.multiply(w[None, :]))
    if normalise:
        S, T = normalise_rows(S), normalise_rows(T)
    return S, T, cols


def build_signals(
    index: GraphIndex,
    direction: str,
    *,
    sources: Sequence[str] | None = None,
    max_df: float = 0.05,
    max_terms: int | None = None,
    targets: Sequence[str] | None = None,
) -> SignalSet:
    """All signal matrices of ``direction`` for ``sources`` against ``targets`` (default: all of each)."""
    srcs = list(sources) if sources is not None else index.sources(direction)
    tgts = list(targets) if targets is not None else index.targets(direction)
    ps = [index.profile(s, "source") for s in srcs]
    pt = [index.profile(t, "target") for t in tgts]
    S: dict[str, sp.csr_matrix] = {}
    T: dict[str, sp.csr_matrix] = {}
    cols: dict[str, list[str]] = {}
    tr: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    _shared_element_signals(index, direction, ps, pt, tgts, S, T, cols, tr, max_df=max_df, max_terms=max_terms)
    # network: Adamic-Adar over ties, plus a direct tie
    src_rows, tgt_rows = _network_rows(index, ps, pt, tgts)
    S["network"], T["network"], cols["network"] = _vectorise(src_rows, tgt_rows, use_idf=False, normalise=False)
    tr["network"] = _saturate
    # a pilot platform for the field, near the enterprise
    S["pilot"], T["pilot"], cols["pilot"] = _pilot_signal(index, direction, ps, pt)
    tr["pilot"] = _saturate
    known, pop = _known_and_popularity(index, direction, srcs, tgts)
    popn = np.log1p(pop) / max(1e-9, float(np.log1p(pop.max()))) if len(pop) and pop.max() > 0 else pop
    return SignalSet(
        direction=direction,
        sources=srcs,
        targets=tgts,
        S=S,
        T=T,
        transform=tr,
        columns=cols,
        src_stage=np.asarray([p.stage for p in ps], dtype=np.float32),
        tgt_stage=np.asarray([p.stage for p in pt], dtype=np.float32),
        popularity=popn.astype(np.float32),
        known=known,
        target_ok=np.asarray([index.active(t) for t in tgts], dtype=bool),
        source_ok=np.asarray([index.active(s) for s in srcs], dtype=bool),
        profiles_src=ps,
        profiles_tgt=pt,
        src_xyz=unit_xyz([p.coords for p in ps]),
        tgt_xyz=unit_xyz([p.coords for p in pt]),
    )


def _shared_element_signals(
    index: GraphIndex,
    direction: str,
    ps: Sequence[Profile],
    pt: Sequence[Profile],
    tgts: Sequence[str],
    S: dict[str, sp.csr_matrix],
    T: dict[str, sp.csr_matrix],
    cols: dict[str, list[str]],
    tr: dict[str, Callable[[np.ndarray], np.ndarray]],
    *,
    max_df: float,
    max_terms: int | None,
) -> None:
    """Fill in the text, codes, region, alliance, investors and events signals (in that order)."""
    # text
    m, terms = tfidf([p.text for p in ps] + [p.text for p in pt], max_df=max_df, max_terms=max_terms)
    S["text"], T["text"], cols["text"] = m[: len(ps)], m[len(ps) :], terms
    tr["text"] = _identity
    # classification codes and fields
    S["codes"], T["codes"], cols["codes"] = _vectorise(
        [{k: v[0] for k, v in p.codes.items()} for p in ps], [{k: v[0] for k, v in p.codes.items()} for p in pt]
    )
    tr["codes"] = _identity
    # same park or region (specific places weigh more through idf)
    S["region"], T["region"], cols["region"] = _vectorise(
        [dict.fromkeys(p.places, 1.0) for p in ps], [dict.fromkeys(p.places, 1.0) for p in pt]
    )
    tr["region"] = _identity
    S["alliance"], T["alliance"], cols["alliance"] = _vectorise(
        [dict.fromkeys(p.alliances, 1.0) for p in ps], [dict.fromkeys(p.alliances, 1.0) for p in pt]
    )
    tr["alliance"] = _identity
    # common investors; towards funders: co-investors of the source's investors
    if direction == "to-funder":
        co = _coinvestors(index, tgts)
        S["investors"], T["investors"], cols["investors"] = _vectorise(
            [dict.fromkeys(p.investors, 1.0) for p in ps], co, use_idf=False, normalise=False
        )
        tr["investors"] = _saturate
    else:
        S["investors"], T["investors"], cols["investors"] = _vectorise(
            [dict.fromkeys(p.investors, 1.0) for p in ps], [dict.fromkeys(p.investors, 1.0) for p in pt], selective=True
        )
        tr["investors"] = _identity
    # paths through shared events: source -> event <- partner -> event <- target
    S["events"], T["events"], cols["events"] = _vectorise(
        [{e: w for e, (w, _p) in index.source_reach(p).items()} for p in ps],
        [{e: 1.0 / math.log(1.0 + max(1, len(index.event_members(e)))) for e in p.events} for p in pt],
        use_idf=False,
        normalise=False,
    )
    tr["events"] = _saturate


def _network_rows(
    index: GraphIndex, ps: Sequence[Profile], pt: Sequence[Profile], tgts: Sequence[str]
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Rows for the network signal: a source's tied nodes; a target itself and its ties weighed by 1/log(1 + degree)."""
    tgt_set = set(tgts)
    src_rows: list[dict[str, float]] = []
    for p in ps:
        row: dict[str, float] = {}
        for z in p.ties:
            if z == p.node:
                continue
            if z in tgt_set or index.tie_degree(z) <= HUB_CAP:
                row[z] = 1.0
        src_rows.append(row)
    tgt_rows: list[dict[str, float]] = []
    for p in pt:
        row = {p.node: 1.0}
        for z in p.ties:
            if z == p.node:
                continue
            deg = index.tie_degree(z)
            if 1 < deg <= HUB_CAP:
                row[z] = 1.0 / math.log(1.0 + deg)
        tgt_rows.append(row)
    return src_rows, tgt_rows


def _pilot_signal(
    index: GraphIndex, direction: str, ps: Sequence[Profile], pt: Sequence[Profile]
) -> tuple[sp.csr_matrix, sp.csr_matrix, list[str]]:
    """The pilot-platform signal: platforms relevant to the technology that are near the enterprise (none towards funders)."""
    if direction == "to-funder":
        return _vectorise([{} for _ in ps], [{} for _ in pt], use_idf=False, normalise=False)
    rel, near = _platforms(index)
    tech_side, ent_side = (ps, pt) if direction == "to-enterprise" else (pt, ps)
    rel_rows = [rel(p) for p in tech_side]
    near_rows = [near(p) for p in ent_side]
    a, b = (rel_rows, near_rows) if direction == "to-enterprise" else (near_rows, rel_rows)
    return _vectorise(a, b, use_idf=False, normalise=False)


def _known_and_popularity(
    index: GraphIndex, direction: str, srcs: Sequence[str], tgts: Sequence[str]
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Pairs never to propose (known, inactive, proposed, owned, self) and each target's count of known links."""
    known_pairs = index.known_links(direction)
    spos = {s: i for i, s in enumerate(srcs)}
    tpos = {t: i for i, t in enumerate(tgts)}
    pop = np.zeros(len(tgts), dtype=np.float32)
    r: list[int] = []
    c: list[int] = []
    for (s, t) in known_pairs:
        if t in tpos:
            pop[tpos[t]] += 1.0
            if s in spos:
                r.append(spos[s])
                c.append(tpos[t])
    for (s, t) in index.inactive_pairs | index.proposed_pairs:
        if s in spos and t in tpos:
            r.append(spos[s])
            c.append(tpos[t])
    if direction != "to-funder":
        for (tech, ent) in index.owned_pairs():
            s, t = (tech, ent) if direction == "to-enterprise" else (ent, tech)
            if s in spos and t in tpos:
                r.append(spos[s])
                c.append(tpos[t])
    for s in srcs:
        if s in tpos:
            r.append(spos[s])
            c.append(tpos[s])
    known = sp.csr_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(len(srcs), len(tgts)))
    known.sum_duplicates()
    return known, pop


def _coinvestors(index: GraphIndex, funders: Sequence[str]) -> list[dict[str, float]]:
    portfolio: dict[str, set[str]] = {}
    holders: dict[str, set[str]] = {}
    for n in index.cls:
        for _rel, x, _k, _ in index.outs(n, *FUND_RELS):
            portfolio.setdefault(n, set()).add(x)
            holders.setdefault(x, set()).add(n)
    out: list[dict[str, float]] = []
    for f in funders:
        row: dict[str, float] = {}
        for x in portfolio.get(f, ()):
            others = holders.get(x, set())
            if len(others) > HUB_CAP:
                continue
            for j in others:
                if j != f:
                    row[j] = row.get(j, 0.0) + 1.0
        out.append(row)
    return out


def _platforms(index: GraphIndex) -> tuple[Callable[[Profile], dict[str, float]], Callable[[Profile], dict[str, float]]]:
    plats = index.platforms()
    pprof = {p: index.profile(p, "platform") for p in plats}
    by_code: dict[str, set[str]] = {}
    by_place: dict[str, set[str]] = {}
    for p, prof in pprof.items():
        for c in prof.codes:
            by_code.setdefault(c, set()).add(p)
        for _rel, t, _k, _ in index.ins(p, "pilotedAt"):
            for c in index.profile(t, "source").codes:
                by_code.setdefault(c, set()).add(p)
        for place, (depth, _path) in prof.places.items():
            if depth <= 1:
                by_place.setdefault(place, set()).add(p)

    def relevant(prof: Profile) -> dict[str, float]:
        row: dict[str, float] = {}
        for c in prof.codes:
            for p in by_code.get(c, ()):
                row[p] = 1.0
        for _rel, p, _k, _ in index.outs(prof.node, "pilotedAt"):
            row[p] = 1.0
        return row

    def near(prof: Profile) -> dict[str, float]:
        row: dict[str, float] = {}
        for place, (depth, _path) in prof.places.items():
            if depth <= 1:
                for p in by_place.get(place, ()):
                    row[p] = 1.0
        return row

    return relevant, near


# -- scoring ------------------------------------------------------------------------------
def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights clipped at 0 and scaled to sum to 1."""
    w = {k: max(0.0, float(weights.get(k, 0.0))) for k in SIGNALS}
    tot = sum(w.values())
    if tot <= 0:
        raise ValueError("at least one weight must be positive")
    return {k: v / tot for k, v in w.items()}


def pair_values(sig: SignalSet, src_idx: np.ndarray, tgt_idx: np.ndarray) -> dict[str, np.ndarray]:
    """Every signal's value for the given (source, target) index pairs."""
    out: dict[str, np.ndarray] = {}
    for name in SPARSE_SIGNALS:
        a = sig.S[name][src_idx]
        b = sig.T[name][tgt_idx]
        raw = np.asarray(a.multiply(b).sum(axis=1)).ravel().astype(np.float32)
        out[name] = sig.transform[name](raw).astype(np.float32)
    out["distance"] = distance_value(sig.src_xyz[src_idx], sig.tgt_xyz[tgt_idx]) if len(src_idx) else np.zeros(0, dtype=np.float32)
    out["stage"] = stage_fit(sig.direction, sig.src_stage[src_idx], sig.tgt_stage[tgt_idx])
    out["popularity"] = sig.popularity[tgt_idx]
    return out


def dense_values(sig: SignalSet, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Dense (len(rows) x targets) value matrices of every signal (for small evaluations)."""
    out: dict[str, np.ndarray] = {}
    for name in SPARSE_SIGNALS:
        m = (sig.S[name][rows] @ sig.T[name].T).toarray().astype(np.float32)
        out[name] = sig.transform[name](m).astype(np.float32)
    out["distance"] = distance_value(sig.src_xyz[rows][:, None, :], sig.tgt_xyz[None, :, :])
    out["stage"] = stage_fit(sig.direction, sig.src_stage[rows][:, None], sig.tgt_stage[None, :])
    out["popularity"] = np.broadcast_to(sig.popularity[None, :], (len(rows), len(sig.targets))).astype(np.float32)
    return out


@dataclass(frozen=True)
class Ranked:
    """One ranked pair: indices into the signal set, score and per-signal values."""

    src: int
    tgt: int
    score: float
    values: dict[str, float]


def rank(
    sig: SignalSet,
    weights: Mapping[str, float],
    *,
    top: int = 10,
    rows: Sequence[int] | None = None,
    block: int | None = None,
) -> list[list[Ranked]]:
    """Top ``top`` targets for each source row (blocked sparse products, ties by target id).

    The linear signals (cosines) are weighted and stacked side by side, so one sparse
    product per block gives their weighted sum; the saturating ones (counts) get a product
    each. Per-signal values are computed afterwards for the chosen pairs only.
    """
    w = normalised(weights)
    n_t = len(sig.targets)
    rows_arr = np.arange(len(sig.sources)) if rows is None else np.asarray(list(rows), dtype=np.int64)
    bs = block or max(16, min(2048, int(2_000_000 // max(1, n_t)) * 8))
    base_cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    bad_t = ~sig.target_ok

    def base_for(stage: float) -> tuple[np.ndarray, np.ndarray]:
        if stage not in base_cache:
            b = w["stage"] * stage_fit(sig.direction, np.full(n_t, stage, dtype=np.float32), sig.tgt_stage)
            b = (b + w["popularity"] * sig.popularity).astype(np.float32)
            b[bad_t] = -np.inf
            order = np.lexsort((np.arange(n_t), -b))
            base_cache[stage] = (b, order)
        return base_cache[stage]

    use_dist = w["distance"] > 0 and sig.has_coords
    linear = [k for k in SPARSE_SIGNALS if w[k] > 0 and sig.transform[k] is _identity]
    other = [k for k in SPARSE_SIGNALS if w[k] > 0 and sig.transform[k] is not _identity]
    S_lin = sp.hstack([sig.S[k] * np.float32(w[k]) for k in linear], format="csr") if linear else None
    T_lin = sp.hstack([sig.T[k] for k in linear], format="csr").T.tocsr() if linear else None
    T_other = {k: sig.T[k].T.tocsr() for k in other}
    mark = np.zeros(n_t, dtype=bool)
    picked_s: list[int] = []
    picked_t: list[int] = []
    picked_sc: list[float] = []
    row_sizes: list[int] = []
    for start in range(0, len(rows_arr), bs):
        blk = rows_arr[start : start + bs]
        acc = sp.csr_matrix((len(blk), n_t), dtype=np.float32)
        if S_lin is not None:
            acc = sp.csr_matrix(S_lin[blk] @ T_lin)
        for k in other:
            m = sp.csr_matrix(sig.S[k][blk] @ T_other[k])
            if m.nnz:
                m.data = (w[k] * sig.transform[k](m.data)).astype(np.float32)
                acc = acc + m
        acc = sp.csr_matrix(acc)
        for bi, i in enumerate(blk):
            if not sig.source_ok[i]:
                row_sizes.append(0)
                continue
            base, order = base_for(float(sig.src_stage[i]))
            a, b_ = acc.indptr[bi], acc.indptr[bi + 1]
            kn = sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]
            if use_dist and sig.src_xyz[i].any():
                pick_t, pick_sc = _top_dense(sig, w, int(i), base, acc.indices[a:b_], acc.data[a:b_], kn, top)
            else:
                pick_t, pick_sc = _top_sparse(base, order, acc.indices[a:b_], acc.data[a:b_], kn, mark, top)
            row_sizes.append(len(pick_t))
            picked_s.extend([int(i)] * len(pick_t))
            picked_t.extend(pick_t.tolist())
            picked_sc.extend(pick_sc.tolist())
    return _ranked_rows(sig, w, picked_s, picked_t, row_sizes)


def _top_dense(
    sig: SignalSet, w: Mapping[str, float], i: int, base: np.ndarray, cols: np.ndarray, data: np.ndarray, kn: np.ndarray, top: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top targets of source row ``i`` when distance counts: distance is dense, so every target is scored."""
    full = base + w["distance"] * distance_value(sig.src_xyz[i][None, :], sig.tgt_xyz)
    full[cols] += data
    full[kn] = -np.inf
    fin = np.flatnonzero(np.isfinite(full))
    if len(fin) > 4 * top:
        kth = np.partition(full[fin], len(fin) - top)[len(fin) - top]
        fin = fin[full[fin] >= kth]
    pick_c = fin[np.lexsort((fin, -full[fin]))[:top]]
    return pick_c, full[pick_c]


def _top_sparse(
    base: np.ndarray, order: np.ndarray, cols: np.ndarray, data: np.ndarray, kn: np.ndarray, mark: np.ndarray, top: int
) -> tuple[np.ndarray, np.ndarray]:
    """Top targets of one source from its sparse scores plus the best of the rest in base order (``mark`` is scratch, left clear)."""
    n_t = len(base)
    sc = data + base[cols]
    keep = (~np.isin(cols, kn) & np.isfinite(sc)) if len(kn) else np.isfinite(sc)
    cols, sc = cols[keep], sc[keep]
    # best targets that share nothing sparse: walk the base order in chunks
    mark[cols] = True
    mark[kn] = True
    extra: list[np.ndarray] = []
    found = 0
    step = 4 * top + 64
    for c0 in range(0, n_t, step):
        ch = order[c0 : c0 + step]
        ch = ch[~mark[ch] & np.isfinite(base[ch])]
        extra.append(ch)
        found += len(ch)
        if found >= top or not np.isfinite(base[order[min(n_t - 1, c0 + step - 1)]]):
            break
    mark[cols] = False
    mark[kn] = False
    ex = np.concatenate(extra)[:top].astype(np.int64) if extra else np.zeros(0, dtype=np.int64)
    allc = np.concatenate([cols.astype(np.int64), ex])
    alls = np.concatenate([sc, base[ex]])
    if len(allc) > 4 * top:
        kth = np.partition(alls, len(alls) - top)[len(alls) - top]
        sel = alls >= kth
        allc, alls = allc[sel], alls[sel]
    pick = np.lexsort((allc, -alls))[:top]
    return allc[pick], alls[pick]


def _ranked_rows(
    sig: SignalSet, w: Mapping[str, float], picked_s: Sequence[int], picked_t: Sequence[int], row_sizes: Sequence[int]
) -> list[list[Ranked]]:
    """Per-signal values and the weighted score of the picked pairs, grouped back into one list per source row."""
    si = np.asarray(picked_s, dtype=np.int64)
    ti = np.asarray(picked_t, dtype=np.int64)
    vals = pair_values(sig, si, ti) if len(si) else {k: np.zeros(0, dtype=np.float32) for k in SIGNALS}
    results: list[list[Ranked]] = []
    pos = 0
    for n in row_sizes:
        out_row = []
        for q in range(pos, pos + n):
            v = {k: float(vals[k][q]) for k in SIGNALS}
            out_row.append(Ranked(int(si[q]), int(ti[q]), float(sum(w[k] * v[k] for k in SIGNALS)), v))
        results.append(out_row)
        pos += n
    return results
