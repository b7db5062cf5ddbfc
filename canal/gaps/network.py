"""Network gaps: broker risk and structural holes, computed with igraph behind the frame.

* **broker risk**: an articulation point of the undirected simple graph whose removal leaves
  at least ``min_cut`` innovation nodes in pieces with no capital node, while some other piece
  keeps capital (a *bridge* when a piece hangs on it by a single edge); and a graph-level
  **betweenness concentration** when one node carries at least ``concentration`` of all
  (sampled) betweenness.
* **structural hole**: a connected group of at least ``min_hole`` nodes of one chain (ties
  among nodes of that chain) with no tie at all to a node of another chain; the bridge-chain
  nodes that span the hole are reported with Burt's network constraint
  ``c_i = sum_j (p_ij + sum_q p_iq p_qj)^2`` with ``p_ij = 1/deg(i)`` (low = a broker).
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.frame import CanalFrame, unique_ints
from canal.gaps.model import Gap
from canal.gaps.schema import CHAIN_ZH, CHAINS, gap_schema

if TYPE_CHECKING:
    import igraph as ig

def simple_graph(frame: CanalFrame) -> ig.Graph:
    """The undirected simple graph of a frame (no loops, parallel edges merged).

    The edge list is kept as the graph attribute ``edges`` (a numpy array, edge ``k`` of the graph).
    """
    import igraph as ig

    keep = frame.src != frame.dst
    a = frame.src[keep].astype(np.int64)
    b = frame.dst[keep].astype(np.int64)
    n = max(frame.n, 1)
    codes = unique_ints(np.minimum(a, b) * n + np.maximum(a, b))
    edges = np.column_stack([codes // n, codes % n])
    g = ig.Graph(n=frame.n, directed=False)
    g.add_edges(edges)
    g["edges"] = edges
    return g


def _blocks(g: ig.Graph) -> tuple[list[int], np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Articulation points and the biconnected blocks as (block, vertex) pairs sorted by block."""
    import igraph as ig

    comps, aps = ig.GraphBase.biconnected_components(g, True)
    lengths = np.fromiter((len(c) for c in comps), dtype=np.int64, count=len(comps))
    if len(comps) == 0:
        return list(aps), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    eids = np.fromiter(itertools.chain.from_iterable(comps), dtype=np.int64, count=int(lengths.sum()))
    bid = np.repeat(np.arange(len(comps), dtype=np.int64), lengths)
    edges = g["edges"] if "edges" in g.attributes() else np.asarray(g.get_edgelist(), dtype=np.int64)
    ends = edges[eids]
    n = max(g.vcount(), 1)
    code = unique_ints(np.concatenate([bid * n + ends[:, 0], bid * n + ends[:, 1]]))
    return list(aps), code // n, code % n


def _chain_codes(frame: CanalFrame) -> np.ndarray[Any, np.dtype[np.int8]]:
    """Per node: 0 innovation, 1 industrial, 2 capital, -1 other.

    A bridge node that gives money (a capital relation out, e.g. a research-funding
    ``Programme`` that ``grantsTo`` its participants) is a source of capital.
    """
    out = np.full(frame.n, -1, dtype=np.int8)
    for k, ch in enumerate(CHAINS):
        out[frame.chain_mask(ch)] = k
    gives = frame.out_count(*gap_schema(frame.ontology).capital_relations) > 0
    out[gives & (out < 0)] = CHAINS.index("capital")
    return out


def _order(frame: CanalFrame, deg: list[int], idx: list[int]) -> list[int]:
    return sorted(idx, key=lambda i: (-deg[i], frame.ids[i]))


def context_hubs(frame: CanalFrame, g: ig.Graph, *, hub_share: float = 0.25, hub_min: int = 20) -> list[int]:
    """Funders and policy makers tied to a large share of the graph (a programme that funds every
    participant, a government that grants to everyone): context, not brokers.

    A hub is a node of a context class (capital chain, or a grantor such as a government body or a
    programme) with at least ``max(hub_min, hub_share * n)`` neighbours, ``n`` the non-isolated nodes.
    """
    from canal.gaps.schema import gap_schema

    s = gap_schema(frame.ontology)
    deg = np.asarray(g.degree(), dtype=np.int64)
    if len(deg) == 0:
        return []
    n = int((deg > 0).sum())
    floor = max(hub_min, hub_share * n)
    ctx = frame.class_mask(s.context_classes)
    return sorted(np.flatnonzero(ctx & (deg >= floor)).tolist(), key=lambda i: (-int(deg[i]), frame.ids[i]))


def context_gaps(frame: CanalFrame, g: ig.Graph, hubs: list[int]) -> list[Gap]:
    """One low-severity note naming the context hubs left out of the broker and path measures."""
    if not hubs:
        return []
    deg = g.degree()
    n = sum(1 for d in deg if d > 0)
    ids = tuple(frame.ids[h] for h in hubs)
    shares = ", ".join(f"'{frame.name(h)}' is tied to {deg[h] / max(n, 1):.0%}" for h in hubs[:5])
    shares_zh = "，".join(f"“{frame.name(h, zh=True)}”与{deg[h] / max(n, 1):.0%}" for h in hubs[:5])
    return [
        Gap(
            "broker_risk",
            "graph",
            0.05,
            ids,
            f"Context, not a gap: {shares} of the connected nodes. A funder or policy maker tied to so much of "
            "the graph is the setting, not a broker: it is left out of the broker and shortest-path measures.",
            f"背景说明而非缺口：{shares_zh}的已连接节点相连。与大部分节点相连的资助方或政策主体是背景而非中介，"
            "故在中介与最短路径分析中将其剔除。",
            Q.node_set(),
            {"ids": list(ids)},
            tuple(f"{frame.ids[h]}: {deg[h]} neighbours of {n} connected nodes" for h in hubs),
            kind="context",
            metrics={"neighbours": {frame.ids[h]: int(deg[h]) for h in hubs}, "connected": n},
            settle="nothing to settle: a note on how the measures were computed",
        )
    ]


def broker_risk(
    frame: CanalFrame,
    g: ig.Graph | None = None,
    *,
    min_cut: int = 3,
    concentration: float = 0.5,
    betweenness_samples: int | None = None,
    max_nodes: int = 500,
    seed: int = 0,
    hubs: list[int] | None = None,
) -> list[Gap]:
    """Articulation points and bridges that cut innovation off from capital; betweenness concentration.

    An organisation hanging alone on a single tie (a customer or guest known only through the broker) is
    what canal knows of that node, not a dependency: it does not count towards the cut. ``hubs``
    (see :func:`context_hubs`) are never reported as brokers and are left out of the betweenness.
    """
    g = g if g is not None else simple_graph(frame)
    hubs = context_hubs(frame, g) if hubs is None else hubs
    hub_set = set(hubs)
    chain = _chain_codes(frame)
    deg: list[int] = g.degree()
    bt = _BlockTree(frame, g, chain)
    gaps: list[Gap] = []
    for a, k in sorted(bt.ap_index.items(), key=lambda kv: frame.ids[kv[0]]):
        if a in hub_set:
            continue
        gap = _articulation_gap(frame, g, bt, chain, deg, a, k, min_cut=min_cut, max_nodes=max_nodes)
        if gap is not None:
            gaps.append(gap)
    gaps.extend(_betweenness(frame, g, deg, concentration, betweenness_samples, seed, hubs))
    gaps.extend(context_gaps(frame, g, hubs))
    return gaps


class _BlockTree:
    """The block-cut tree of the simple graph (articulation points first, then blocks), rooted per
    component, with the innovation, capital and node counts of every subtree."""

    def __init__(self, frame: CanalFrame, g: ig.Graph, chain: np.ndarray[Any, np.dtype[np.int8]]) -> None:
        innov = (chain == 0).astype(np.int64)
        cap = (chain == 2).astype(np.int64)
        aps, pb, pv = _blocks(g)
        ap_index = {a: k for k, a in enumerate(aps)}
        K = len(aps)
        nb = int(pb[-1]) + 1 if len(pb) else 0
        T = K + nb
        is_ap = np.zeros(frame.n, dtype=bool)
        is_ap[np.asarray(aps, dtype=np.int64)] = True
        plain = ~is_ap[pv]
        w_in = np.zeros(T, dtype=np.int64)
        w_cap = np.zeros(T, dtype=np.int64)
        w_n = np.zeros(T, dtype=np.int64)
        w_in[K:] = np.bincount(pb[plain], weights=innov[pv[plain]], minlength=nb).astype(np.int64)
        w_cap[K:] = np.bincount(pb[plain], weights=cap[pv[plain]], minlength=nb).astype(np.int64)
        w_n[K:] = np.bincount(pb[plain], minlength=nb).astype(np.int64)
        for a, k in ap_index.items():
            w_in[k] = innov[a]
            w_cap[k] = cap[a]
            w_n[k] = 1
        self.starts = np.searchsorted(pb, np.arange(nb + 1))
        adj: list[list[int]] = [[] for _ in range(T)]
        for b_, v in zip((pb[~plain] + K).tolist(), pv[~plain].tolist(), strict=True):
            k = ap_index[v]
            adj[b_].append(k)
            adj[k].append(b_)
        self.ap_index, self.K, self.pv, self.is_ap, self.adj = ap_index, K, pv, is_ap, adj
        self.sub_in, self.sub_cap, self.sub_n = w_in.tolist(), w_cap.tolist(), w_n.tolist()
        self.parent = [-2] * T
        self.root_of = [0] * T
        for r in range(T):
            if self.parent[r] == -2:
                self._accumulate(r)
        self.org = frame.class_mask(c for c in frame.classes if c in frame.ontology.classes and frame.ontology.is_a(c, "Organisation"))

    def _accumulate(self, r: int) -> None:
        parent, adj, sub_in, sub_cap, sub_n = self.parent, self.adj, self.sub_in, self.sub_cap, self.sub_n
        parent[r] = -1
        self.root_of[r] = r
        order = [r]
        stack = [r]
        while stack:
            x = stack.pop()
            for y in adj[x]:
                if parent[y] == -2:
                    parent[y] = x
                    self.root_of[y] = r
                    order.append(y)
                    stack.append(y)
        for x in reversed(order[1:]):
            p = parent[x]
            sub_in[p] += sub_in[x]
            sub_cap[p] += sub_cap[x]
            sub_n[p] += sub_n[x]

    def members(self, y: int) -> list[int]:
        """The vertices of block ``y`` (a block-cut tree node)."""
        return list(self.pv[self.starts[y - self.K] : self.starts[y - self.K + 1]].tolist())

    def lone_org(self, y: int) -> bool:
        members = self.members(y)
        return len(members) == 2 and all(self.org[v] or self.is_ap[v] for v in members)

    def sides(self, k: int) -> list[tuple[int, int, int, int]]:
        """The pieces around articulation point ``k``: (block tree node, innovation, capital, nodes)."""
        root = self.root_of[k]
        tot_in, tot_cap, tot_n = self.sub_in[root], self.sub_cap[root], self.sub_n[root]
        sides: list[tuple[int, int, int, int]] = []
        for y in self.adj[k]:
            if y == self.parent[k]:
                sides.append((int(y), int(tot_in - self.sub_in[k]), int(tot_cap - self.sub_cap[k]), int(tot_n - self.sub_n[k])))
            else:
                sides.append((int(y), int(self.sub_in[y]), int(self.sub_cap[y]), int(self.sub_n[y])))
        return sides


def _articulation_gap(frame: CanalFrame, g: ig.Graph, bt: _BlockTree, chain: np.ndarray[Any, np.dtype[np.int8]],
                      deg: list[int], a: int, k: int, *, min_cut: int, max_nodes: int) -> Gap | None:
    """The broker-risk gap of articulation point ``a`` (block-tree node ``k``), if it cuts innovation off from capital."""
    sides = bt.sides(k)
    # an organisation hanging alone on one tie (a customer or guest known only through this node)
    # is what canal knows of it, not a dependency; a technology cut off with its developer is one
    cut_sides = [sd for sd in sides if sd[2] == 0 and sd[1] > 0 and not (sd[3] == 1 and bt.lone_org(sd[0]))]
    cut = sum(sd[1] for sd in cut_sides)
    if cut < min_cut or not any(sd[2] > 0 for sd in sides):
        return None
    cut_nodes: list[int] = []
    bridges: list[int] = []
    for y, _, _, _ in cut_sides:
        members = bt.members(y)
        if len(members) == 2:
            bridges.append(members[0] if members[1] == a else members[1])
        mset = set(members)
        start = [v for v in g.neighbors(a) if v in mset]
        seen = {a, *start}
        dq = deque(start)
        while dq and len(cut_nodes) < 50 * max_nodes:
            v = dq.popleft()
            if chain[v] == 0:
                cut_nodes.append(v)
            for w in g.neighbors(v):
                if w not in seen:
                    seen.add(w)
                    dq.append(w)
    ranked = _order(frame, deg, cut_nodes)[:max_nodes]
    ids = (frame.ids[a], *(frame.ids[v] for v in ranked))
    kind = "bridge" if len(bridges) == len(cut_sides) else "articulation"
    name, zh = frame.name(a), frame.name(a, zh=True)
    return Gap(
        "broker_risk",
        _scope(frame, a),
        round(cut / (cut + min_cut), 3),
        ids,
        f"'{name}' is the only link between {cut} innovation nodes (e.g. {_few(frame, ranked)}) and any "
        f"capital node: remove it{' (or its bridge tie)' if bridges else ''} and they are cut off from capital.",
        f"“{zh}”是{cut}个创新节点（如{_few(frame, ranked, zh=True)}）与资本之间的唯一通道，一旦缺失，"
        "这些节点将与资本完全断开。",
        Q.node_set(),
        {"ids": list(ids)},
        tuple(
            [f"articulation point {frame.ids[a]} (degree {deg[a]})"]
            + [f"bridge {frame.ids[a]} -- {frame.ids[b]}" for b in bridges]
            + [f"{cut} innovation node(s) cut off, {len(cut_sides)} piece(s) without capital"]
        ),
        kind=kind,
        metrics={"cut_off_innovation": cut, "pieces": len(cut_sides), "bridges": [frame.ids[b] for b in bridges]},
    )


def betweenness_shares(g: ig.Graph, *, samples: int = 64, seed: int = 0) -> list[float]:
    """Each node's share of all betweenness (exact when ``samples >= n``, else from sampled sources)."""
    n = g.vcount()
    if n == 0:
        return []
    if samples >= n:
        b = g.betweenness(directed=False)
    else:
        rng = random.Random(seed)
        src = sorted(rng.sample(range(n), samples))
        b = g.betweenness(directed=False, sources=src)
    total = float(sum(b))
    return [x / total if total > 0 else 0.0 for x in b]


def default_samples(g: ig.Graph) -> int:
    """Sampled sources for betweenness: 64, fewer on big graphs (about 1e7 edge visits, at least 2)."""
    return int(max(2, min(64, 1e7 // max(1, g.ecount()))))


def _betweenness(
    frame: CanalFrame, g: ig.Graph, deg: list[int], concentration: float, samples: int | None, seed: int,
    hubs: list[int] | None = None,
) -> list[Gap]:
    if frame.n < 3 or concentration > 1:
        return []
    samples = samples if samples is not None else default_samples(g)
    if hubs:
        # measure paths without the context hubs (their share is set to 0)
        keep = sorted(set(range(frame.n)) - set(hubs))
        sub = g.induced_subgraph(keep)
        part = betweenness_shares(sub, samples=min(samples, max(sub.vcount(), 1)), seed=seed)
        share = [0.0] * frame.n
        for i, v in zip(keep, part, strict=True):
            share[i] = v
    else:
        share = betweenness_shares(g, samples=samples, seed=seed)
    top = max(range(frame.n), key=lambda i: (share[i], -i))
    if share[top] < concentration:
        return []
    heavy = sorted((i for i in range(frame.n) if share[i] >= 0.1), key=lambda i: (-share[i], frame.ids[i]))
    ids = tuple(frame.ids[i] for i in heavy)
    return [
        Gap(
            "broker_risk",
            "graph",
            round(share[top], 3),
            ids,
            f"Betweenness is concentrated: '{frame.name(top)}' lies on {share[top]:.0%} of all shortest paths "
            "between the other nodes, so most of the canal runs through it.",
            f"中介中心性高度集中：“{frame.name(top, zh=True)}”承担了全部最短路径中的{share[top]:.0%}，"
            "整个体系大多依赖这一节点。",
            Q.node_set(),
            {"ids": list(ids)},
            tuple(f"{frame.ids[i]}: betweenness share {share[i]:.3f}, degree {deg[i]}" for i in heavy),
            kind="betweenness",
            metrics={"shares": {frame.ids[i]: round(share[i], 4) for i in heavy}},
        )
    ]


def structural_holes(frame: CanalFrame, g: ig.Graph | None = None, *, min_hole: int = 4, max_nodes: int = 500) -> list[Gap]:
    """Connected one-chain groups of at least ``min_hole`` nodes with no tie to another chain."""
    import igraph as ig

    g = g if g is not None else simple_graph(frame)
    chain = _chain_codes(frame)
    s, d = frame.src, frame.dst
    cs, cd = chain[s], chain[d]
    same = (cs == cd) & (cs >= 0) & (s != d)
    h = ig.Graph(n=frame.n, edges=np.column_stack([s[same], d[same]]).astype(np.int64), directed=False)
    memb = np.asarray(h.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(memb, minlength=1)
    cross = (cs != cd) & (cs >= 0) & (cd >= 0)
    tied = np.zeros(len(sizes), dtype=bool)
    tied[memb[s[cross]]] = True
    tied[memb[d[cross]]] = True
    big = np.flatnonzero((sizes >= min_hole) & ~tied)
    gaps: list[Gap] = []
    if len(big) == 0:
        return gaps
    deg: list[int] = g.degree()
    groups: dict[int, list[int]] = {int(c): [] for c in big}
    sel = np.isin(memb, big) & (chain >= 0)
    for v in np.flatnonzero(sel).tolist():
        groups[int(memb[v])].append(v)
    spanning: dict[int, list[int]] = {}
    for comp, members in groups.items():
        if len(members) >= min_hole:
            mset = set(members)
            spanning[comp] = sorted({w for v in members for w in g.neighbors(v) if w not in mset}, key=lambda i: frame.ids[i])
    # one call for all spanners: igraph's constraint() costs O(n) per call besides the work
    every = sorted({w for ws in spanning.values() for w in ws})
    burt = dict(zip(every, g.constraint(every), strict=True)) if every else {}
    for comp, members in groups.items():
        if comp not in spanning:
            continue
        ch = CHAINS[int(chain[members[0]])]
        spanners = spanning[comp]
        constraint = {frame.ids[w]: round(float(burt[w]), 4) for w in spanners}
        ranked = _order(frame, deg, members)[:max_nodes]
        ids = tuple(frame.ids[v] for v in ranked)
        size = len(members)
        others = [c for c in CHAINS if c != ch]
        gaps.append(
            Gap(
                "structural_hole",
                _scope(frame, ranked[0]),
                round(size / (size + min_hole), 3),
                ids,
                f"{size} {ch}-chain nodes around '{frame.name(ranked[0])}' form a group with no tie to the "
                f"{' or '.join(others)} chain"
                + (f"; only {len(spanners)} bridge node(s) ({_few(frame, spanners)}) span the hole." if spanners else "."),
                f"以“{frame.name(ranked[0], zh=True)}”为中心的{size}个{CHAIN_ZH[ch]}节点自成一体，与"
                f"{'、'.join(CHAIN_ZH[c] for c in others)}没有任何直接联系"
                + (f"，仅靠{len(spanners)}个中介节点（{_few(frame, spanners, zh=True)}）跨越这一结构洞。" if spanners else "。"),
                Q.node_set(),
                {"ids": list(ids)},
                (*tuple(f"spanned by {k} (network constraint {v})" for k, v in constraint.items()), f"{size} {ch} nodes, 0 ties to {', '.join(others)}"),
                kind=ch,
                metrics={"size": size, "chain": ch, "constraint": constraint},
            )
        )
    return gaps


def _few(frame: CanalFrame, idx: list[int], zh: bool = False, k: int = 3) -> str:
    shown = [frame.name(i, zh=zh) for i in idx[:k]]
    sep = "、" if zh else ", "
    return sep.join(shown) + ("…" if len(idx) > k else "")


def _scope(frame: CanalFrame, i: int) -> str:
    r = frame.region[i] if frame.region else None
    if r:
        return f"region:{r}"
    fs = frame.fields.get(i)
    return f"field:{fs[0]}" if fs else "graph"
