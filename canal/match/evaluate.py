"""Evaluation harness: hide known links, rank, and see how many come back.

For each direction and split, a share of the known (non-derived) links is hidden: at
random, or the newest by date. The hidden links' edges are removed from the graph the
signals are computed on, weights are learned on what remains (its own inner time split),
and every source with a hidden link is ranked against all targets. Links still visible
are filtered out of the ranking (they are known, not predictions); ties are broken by a
seeded random order shared by every method. Reported per direction, split, method and
group (``all`` sources, and ``newcomers``: sources with no visible link left):
precision@k, recall@k and MRR (reciprocal rank of the first hidden target).

Methods: ``random``, ``popularity`` (number of known links of the target), each single
signal, ``text`` (text only), ``graph`` (the graph-proximity signals summed),
``combined`` (default weights) and ``learned`` (weights fitted by logistic regression).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from canal.match.graph import DIRECTIONS, GraphIndex, KnownLink
from canal.match.learn import learn_weights, time_order
from canal.match.signals import DEFAULT_WEIGHTS, GRAPH_SIGNALS, SIGNALS, build_signals, dense_values
from canal.ontology import Ontology

METHODS_BASELINE = ("random", "popularity", "text", "graph")


@dataclass
class EvalRow:
    """Metrics of one method on one direction, split and group."""

    direction: str
    split: str
    method: str
    group: str
    sources: int
    hidden: int
    mrr: float
    precision: dict[int, float]
    recall: dict[int, float]

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "direction": self.direction,
            "split": self.split,
            "method": self.method,
            "group": self.group,
            "sources": self.sources,
            "hidden": self.hidden,
            "mrr": round(self.mrr, 4),
        }
        for k in sorted(self.precision):
            d[f"p@{k}"] = round(self.precision[k], 4)
            d[f"r@{k}"] = round(self.recall[k], 4)
        return d


@dataclass
class EvalReport:
    """All rows plus the learned weights per direction and split."""

    rows: list[EvalRow]
    weights: dict[str, dict[str, float]] = field(default_factory=dict)
    ks: tuple[int, ...] = (5, 10)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": [r.as_dict() for r in self.rows], "weights": self.weights, "ks": list(self.ks)}

    def get(self, direction: str, split: str, method: str, group: str = "all") -> EvalRow | None:
        for r in self.rows:
            if (r.direction, r.split, r.method, r.group) == (direction, split, method, group):
                return r
        return None

    def table(self) -> tuple[list[str], list[list[Any]]]:
        cols = ["direction", "split", "group", "method", "sources", "mrr"]
        for k in self.ks:
            cols += [f"p@{k}", f"r@{k}"]
        rows = []
        for r in self.rows:
            row: list[Any] = [r.direction, r.split, r.group, r.method, r.sources, round(r.mrr, 3)]
            for k in self.ks:
                row += [round(r.precision[k], 3), round(r.recall[k], 3)]
            rows.append(row)
        return cols, rows


def hide_links(links: Sequence[KnownLink], *, share: float, split: str, seed: int) -> list[KnownLink]:
    """The links to hide: a random share, or the newest share by date."""
    n = max(1, round(share * len(links)))
    if split == "time":
        return time_order(links)[-n:]
    rng = np.random.default_rng(seed)
    idx = sorted(rng.choice(len(links), size=min(n, len(links)), replace=False).tolist())
    return [links[i] for i in idx]


def _metrics(scores: np.ndarray, excluded: np.ndarray, tiebreak: np.ndarray, hidden: Sequence[int], ks: Sequence[int]) -> tuple[float, dict[int, float], dict[int, float]]:
    s = np.where(excluded, -np.inf, scores)
    ranks = []
    for h in hidden:
        sh = s[h]
        better = np.count_nonzero(s > sh) + np.count_nonzero((s == sh) & (tiebreak < tiebreak[h]) & ~excluded)
        ranks.append(1 + int(better))
    mrr = 1.0 / min(ranks)
    prec = {k: sum(1 for r in ranks if r <= k) / k for k in ks}
    rec = {k: sum(1 for r in ranks if r <= k) / len(ranks) for k in ks}
    return mrr, prec, rec


def evaluate(
    G: nx.MultiDiGraph,
    *,
    directions: Iterable[str] | None = None,
    splits: Iterable[str] = ("random", "time"),
    share: float = 0.2,
    ks: Sequence[int] = (5, 10),
    seed: int = 0,
    learn: bool = True,
    weights: Mapping[str, float] | None = None,
    single_signals: bool = True,
    max_sources: int = 1000,
    ontology: Ontology | None = None,
    learn_options: Mapping[str, Any] | None = None,
) -> EvalReport:
    """Hide known links, rank, report precision@k, recall@k and MRR (see module docs)."""
    base = GraphIndex(G, ontology=ontology)
    report = EvalReport([], ks=tuple(ks))
    for direction in directions or DIRECTIONS:
        links = [k for k in base.known_links(direction).values() if not k.derived]
        if len(links) < 2:
            continue
        for split in splits:
            hidden = hide_links(links, share=share, split=split, seed=seed)
            hidden_keys = {key for k in hidden for key in k.keys}
            index = GraphIndex(G, ontology=base.onto, skip=hidden_keys)
            by_src: dict[str, list[str]] = {}
            for k in hidden:
                by_src.setdefault(k.source, []).append(k.target)
            srcs = sorted(by_src)
            rng = np.random.default_rng(seed + 1)
            if len(srcs) > max_sources:
                srcs = sorted(rng.choice(srcs, size=max_sources, replace=False).tolist())
            sig = build_signals(index, direction, sources=srcs)
            tpos = sig.tgt_pos
            visible = {(k.source, k.target) for k in links} - {(k.source, k.target) for k in hidden}
            has_visible = {s for s, _t in visible}
            w_learned: dict[str, float] | None = None
            if learn:
                lr = learn_weights(G, direction, skip=hidden_keys, seed=seed, ontology=base.onto, **dict(learn_options or {}))
                w_learned = lr.weights
                report.weights[f"{direction}/{split}"] = lr.weights
            methods: dict[str, Mapping[str, float] | str] = {"random": "random", "popularity": "popularity"}
            if single_signals:
                for s_name in SIGNALS:
                    if s_name != "popularity":
                        methods[f"only:{s_name}"] = {s_name: 1.0}
            methods["text"] = {"text": 1.0}
            methods["graph"] = dict.fromkeys(GRAPH_SIGNALS, 1.0)
            methods["combined"] = dict(weights or DEFAULT_WEIGHTS)
            if w_learned is not None:
                methods["learned"] = w_learned
            acc: dict[tuple[str, str], list[tuple[float, dict[int, float], dict[int, float]]]] = {}
            block = 256
            rows_all = np.arange(len(srcs))
            tb_rng = np.random.default_rng(seed + 2)
            for start in range(0, len(srcs), block):
                rows = rows_all[start : start + block]
                vals = dense_values(sig, rows)
                tiebreak = tb_rng.random((len(rows), len(sig.targets)))
                rand = tb_rng.random((len(rows), len(sig.targets)))
                for name, spec in methods.items():
                    if spec == "random":
                        sc = rand
                    elif spec == "popularity":
                        sc = vals["popularity"]
                    else:
                        assert isinstance(spec, Mapping)
                        tot = sum(max(0.0, v) for v in spec.values()) or 1.0
                        sc = sum((max(0.0, float(v)) / tot) * vals[k] for k, v in spec.items() if k in vals)  # type: ignore[assignment]
                    for bi, i in enumerate(rows):
                        s = srcs[i]
                        hid = [tpos[t] for t in by_src[s] if t in tpos]
                        if not hid:
                            continue
                        kn = sig.known.indices[sig.known.indptr[i] : sig.known.indptr[i + 1]]
                        excl = ~sig.target_ok.copy()
                        excl[kn] = True
                        excl[hid] = False
                        res = _metrics(np.asarray(sc[bi], dtype=np.float64), excl, tiebreak[bi], hid, ks)
                        acc.setdefault((name, "all"), []).append(res)
                        if s not in has_visible:
                            acc.setdefault((name, "newcomers"), []).append(res)
            n_hidden = {g: 0 for g in ("all", "newcomers")}
            for s in srcs:
                n_hidden["all"] += len(by_src[s])
                if s not in has_visible:
                    n_hidden["newcomers"] += len(by_src[s])
            for (name, group), items in acc.items():
                report.rows.append(
                    EvalRow(
                        direction,
                        split,
                        name,
                        group,
                        len(items),
                        n_hidden[group],
                        float(np.mean([x[0] for x in items])),
                        {k: float(np.mean([x[1][k] for x in items])) for k in ks},
                        {k: float(np.mean([x[2][k] for x in items])) for k in ks},
                    )
                )
    report.rows.sort(key=lambda r: (r.direction, r.split, r.group, -r.mrr, r.method))
    return report
