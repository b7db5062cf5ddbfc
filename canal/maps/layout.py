"""Node coordinates computed in Python, so the page draws at once with physics off.

- ``force``: each connected component laid out by igraph (Kamada-Kawai up to
  :data:`KK_MAX` nodes, Fruchterman-Reingold above, on a grid above :data:`FR_MAX`), scaled to its size and packed in rows,
  largest first.
- ``stages``: one column per stage of the ontology (research -> pilot ->
  industrialisation -> capital) from left to right; nodes of classes without a stage
  (government bodies, alliances, people, regions...) sit in a lane below, under the
  stages of their neighbours. Inside a column, nodes are ordered by the mean height of
  their neighbours (two sweeps), which removes most crossings.

Coordinates are deterministic for a given ``seed``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import networkx as nx

SPACING = 90.0
"""Typical distance between neighbouring nodes, in screen pixels at zoom 1."""
KK_MAX = 400
"""Largest component laid out with Kamada-Kawai (even spacing, good for small maps)."""
FR_MAX = 1000
"""Largest component laid out with exact Fruchterman-Reingold; larger ones use its grid
variant (DrL took 18 s on 3,000 nodes, the grid variant 0.3 s)."""

Pos = dict[str, tuple[float, float]]


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random``: seed it, then restore the caller's state."""
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def _simple_edges(G: nx.Graph, index: dict[str, int]) -> list[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    for u, v in G.edges():
        a, b = index[u], index[v]
        if a == b:
            continue
        seen.add((a, b) if a < b else (b, a))
    return sorted(seen)


def force_layout(G: nx.Graph, *, seed: int = 0, weights: dict[tuple[str, str], float] | None = None) -> Pos:
    """Component-wise force-directed coordinates (pixels)."""
    import igraph as ig

    nodes = sorted(G.nodes, key=str)
    if not nodes:
        return {}
    index = {n: i for i, n in enumerate(nodes)}
    edges = _simple_edges(G, index)
    g = ig.Graph(n=len(nodes), edges=edges)
    w = None
    if weights:
        w = [weights.get((nodes[a], nodes[b]), weights.get((nodes[b], nodes[a]), 1.0)) for a, b in edges]
    pieces: list[tuple[list[int], list[tuple[float, float]]]] = []
    with _seeded(seed):
        for comp in g.connected_components():
            members = sorted(comp)
            if len(members) == 1:
                pieces.append((members, [(0.0, 0.0)]))
                continue
            sub = g.induced_subgraph(members)
            sw = None
            if w is not None:
                sw = [w[g.get_eid(members[e.source], members[e.target])] for e in sub.es]
            if len(members) <= KK_MAX:
                lay = sub.layout_kamada_kawai(maxiter=50 * len(members))
            elif len(members) <= FR_MAX:
                lay = sub.layout_fruchterman_reingold(niter=300, weights=sw, grid=False)
            else:
                lay = sub.layout_fruchterman_reingold(niter=300, weights=sw, grid=True)
            pieces.append((members, _scaled([tuple(c) for c in lay.coords], len(members))))
    return {nodes[i]: xy for i, xy in _pack(pieces).items()}


def _scaled(coords: Sequence[tuple[float, ...]], n: int) -> list[tuple[float, float]]:
    """Centre a component and scale it so the median distance to the nearest node is SPACING."""
    import numpy as np
    from scipy.spatial import cKDTree

    xy = np.asarray([(c[0], c[1]) for c in coords], dtype=float)
    xy -= (xy.min(axis=0) + xy.max(axis=0)) / 2
    if n < 2:
        return [(0.0, 0.0)] * n
    dist, _ = cKDTree(xy).query(xy, k=2)
    near = float(np.median(dist[:, 1]))
    if near <= 1e-9:
        near = float(np.ptp(xy, axis=0).max()) / max(math.sqrt(n), 1.0) or 1.0
    # big components are drawn denser, so nodes stay visible when the whole map is in view
    xy *= SPACING * min(1.0, max(0.5, math.sqrt(300.0 / n))) / near
    return [(float(x), float(y)) for x, y in xy]


def _pack(pieces: list[tuple[list[int], list[tuple[float, float]]]]) -> dict[int, tuple[float, float]]:
    """Shelf-pack laid-out components in rows, largest first; singletons in a grid."""
    pieces = sorted(pieces, key=lambda p: (-len(p[0]), p[0][0]))
    big = [p for p in pieces if len(p[0]) > 1]
    single = [p[0][0] for p in pieces if len(p[0]) == 1]
    boxes = []
    for members, coords in big:
        xs = [c[0] for c in coords]
        ys = [c[1] for c in coords]
        boxes.append((members, coords, max(xs) - min(xs) + SPACING, max(ys) - min(ys) + SPACING, min(xs), min(ys)))
    total = sum(b[2] * b[3] for b in boxes) + len(single) * SPACING**2
    row_width = max([math.sqrt(total) * 1.3] + [b[2] for b in boxes[:1]])
    out: dict[int, tuple[float, float]] = {}
    x = y = row_h = 0.0
    for members, coords, w, h, x0, y0 in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for m, (cx, cy) in zip(members, coords, strict=True):
            out[m] = (x + cx - x0, y + cy - y0)
        x += w
        row_h = max(row_h, h)
    if single:
        y += row_h
        cols = max(1, int(row_width // SPACING))
        for k, m in enumerate(sorted(single)):
            out[m] = ((k % cols) * SPACING, y + (k // cols) * SPACING)
    return out


def stages_layout(
    G: nx.Graph, stage_of: Callable[[str], str | None], stage_order: Sequence[str], *, column_width: float = 520.0
) -> tuple[Pos, dict[str, float], float, float]:
    """Columns by stage, left to right; nodes without a stage in a lane below.

    Returns the positions, the x of each stage column's centre, the y where the
    lane of stage-less nodes starts and the width of a column.
    """
    nodes = sorted(G.nodes, key=str)
    col = {s: i for i, s in enumerate(stage_order)}
    columns: dict[int, list[str]] = {i: [] for i in range(len(stage_order))}
    lane: list[str] = []
    for n in nodes:
        s = stage_of(n)
        if s in col:
            columns[col[s]].append(n)
        else:
            lane.append(n)
    neigh: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in G.edges():
        if u != v:
            neigh[u].append(v)
            neigh[v].append(u)
    tallest = max([len(c) for c in columns.values()] + [1])
    rows = max(12, math.ceil(math.sqrt(tallest) * 2.2))
    step = SPACING * 0.8
    column_width = max(column_width, math.ceil(tallest / rows) * SPACING * 1.1 + SPACING * 2)
    pos: Pos = {}
    # initial order: class then name, so like nodes sit together
    for i, members in columns.items():
        members.sort(key=lambda n: (str(G.nodes[n].get("cls", "")), str(G.nodes[n].get("name", n)), str(n)))
        _place_column(members, i, column_width, rows, step, pos)
    for _ in range(2):
        for i, members in columns.items():
            inside = set(members)
            bary = {n: _mean([pos[m][1] for m in neigh[n] if m in pos and m not in inside], pos[n][1]) for n in members}
            members.sort(key=lambda n: (bary[n], str(n)))
            _place_column(members, i, column_width, rows, step, pos)
    centres = {s: col[s] * column_width for s in stage_order}
    lane_y = (min(rows, tallest) + 1.5) * step
    if lane:
        xs = []
        for n in lane:
            cx = [pos[m][0] for m in neigh[n] if m in pos]
            xs.append((sum(cx) / len(cx) if cx else (len(stage_order) - 1) * column_width / 2, str(n)))
        order = [n for _, n in sorted(zip(xs, lane, strict=True))]
        width = max((len(stage_order) - 1) * column_width, SPACING)
        per_row = max(1, int(width // SPACING) + 1)
        for k, n in enumerate(order):
            r, c = divmod(k, per_row)
            in_row = min(per_row, len(order) - r * per_row)
            gap = width / max(in_row - 1, 1)
            x = c * gap if in_row > 1 else width / 2
            pos[n] = (x, lane_y + r * step + (c % 2) * step * 0.35)
    return pos, centres, lane_y, column_width


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _place_column(members: list[str], i: int, column_width: float, rows: int, step: float, pos: Pos) -> None:
    """Nodes of one stage in sub-columns of at most ``rows`` nodes, centred on the column."""
    nsub = max(1, math.ceil(len(members) / rows))
    sub_w = SPACING * 1.1 if nsub > 1 else 0.0
    x0 = i * column_width - sub_w * (nsub - 1) / 2
    per = math.ceil(len(members) / nsub) if members else 1
    for k, n in enumerate(members):
        s, r = divmod(k, per)
        pos[n] = (x0 + s * sub_w + (r % 2) * sub_w * 0.25, r * step)


def label_box(label: str, size: float, font: float) -> tuple[float, float]:
    """Rough width and height of a node with its label below it, in pixels."""
    text = sum(font if ord(ch) > 0x2E80 else font * 0.56 for ch in label)
    return max(2 * size, text), 2 * size + font + 4


def remove_overlaps(pos: Pos, boxes: dict[str, tuple[float, float]], *, gap: float = 8.0, rounds: int = 80, vertical_only: bool = False) -> Pos:
    """Push apart nodes whose boxes (node plus label, see :func:`label_box`) overlap.

    Each round separates every overlapping pair along the axis that needs the smaller
    move (only vertically with ``vertical_only``, which keeps stage columns in place),
    half each way; it stops early when nothing overlaps. Deterministic.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    ids = sorted(pos, key=str)
    if len(ids) < 2:
        return dict(pos)
    xy = np.asarray([pos[i] for i in ids], dtype=float)
    wh = np.asarray([boxes.get(i, (20.0, 20.0)) for i in ids], dtype=float)
    reach = float(wh.max()) + gap
    for _ in range(rounds):
        pairs = cKDTree(xy).query_pairs(reach, output_type="ndarray")
        if len(pairs) == 0:
            break
        a, b = pairs[:, 0], pairs[:, 1]
        d = xy[b] - xy[a]
        ox = (wh[a, 0] + wh[b, 0]) / 2 + gap - np.abs(d[:, 0])
        oy = (wh[a, 1] + wh[b, 1]) / 2 + gap - np.abs(d[:, 1])
        over = (ox > 0) & (oy > 0)
        if not over.any():
            break
        a, b, d, ox, oy = a[over], b[over], d[over], ox[over], oy[over]
        push = np.zeros_like(d)
        along_y = np.ones_like(oy, dtype=bool) if vertical_only else oy <= ox
        sy = np.where(d[:, 1] >= 0, 1.0, -1.0)
        sx = np.where(d[:, 0] >= 0, 1.0, -1.0)
        push[along_y, 1] = sy[along_y] * oy[along_y] / 2
        push[~along_y, 0] = sx[~along_y] * ox[~along_y] / 2
        move = np.zeros_like(xy)
        np.add.at(move, a, -push)
        np.add.at(move, b, push)
        xy += move * 0.8
    return {i: (float(x), float(y)) for i, (x, y) in zip(ids, xy, strict=True)}
