"""Gap type ``segment_gap`` (segment gap (补链), 产业链缺环（补链）): a segment nobody in a region or alliance works in, next to one somebody there does (补链); empty segment trees.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.segment_gap`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector
from canal.gaps.frame import BoolArray
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, make_alliance


def plant_segment_gaps(b: SynthBuilder, k: int) -> None:
    """Middle segments missing in a region (reserved before the background) or an alliance; empty segments."""
    for r, s in sorted(b.info.get("excluded", set()), key=lambda x: (x[0], x[1])):
        b.plant("segment_gap", "middle", f"region:{r}", [s])
    chains = b.info["chains"]
    for j in range(k):
        ci = j % len(chains)
        a, skipped = make_alliance(b, chains=("innovation", "industrial", "capital"), linked=True,
                                   skip_segment=1 + j % (len(chains[ci]) - 2), chain_index=ci)
        assert skipped is not None
        b.plant("segment_gap", "middle", f"alliance:{b.ids[a]}", [skipped])
        s = b.node("IndustrySegment", name=f"Empty segment {j + 1}", prefix="segment")
        b.plant("segment_gap", "empty", "graph", [s])


def segment_gap(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    seg = det.mask(s.segment_classes)
    um = f.edges_of("upstreamOf") & seg[f.src] & seg[f.dst] & (f.src != f.dst)
    up: dict[int, set[int]] = defaultdict(set)
    down: dict[int, set[int]] = defaultdict(set)
    for u, d in zip(f.src[um].tolist(), f.dst[um].tolist(), strict=True):
        down[u].add(d)
        up[d].add(u)
    presence, anywhere, parents, works = det.segment_presence()
    return _scoped_segment_gaps(det, up, down, presence, works) + _empty_segment_trees(det, seg, down, parents, anywhere)

def _scoped_segment_gaps(det: Detector, up: dict[int, set[int]], down: dict[int, set[int]], presence: dict[str, set[int]],
                         works: dict[str, set[int]]) -> list[Gap]:
    """Segment gaps in a region or alliance: a segment next to one the scope works in, absent there."""
    f, s = det.f, det.s
    gaps = []
    for scope in sorted(presence):
        here = presence[scope]
        cands: set[int] = set()
        # a gap sits next to a segment an organisation of the scope works in; any presence
        # (a product or technology held there, a sub-segment) closes it
        for m in works.get(scope, ()):
            cands |= (up[m] | down[m]) - here
        kind_scope, _, value = scope.partition(":")
        q = Q.segment_gap(s, kind_scope)
        for m in sorted(cands, key=lambda i: f.ids[i]):
            ups = sorted(up[m] & here, key=lambda i: f.ids[i])
            downs = sorted(down[m] & here, key=lambda i: f.ids[i])
            middle = bool(ups and downs)
            where = f"region {value}" if kind_scope == "region" else f"alliance '{det.nm(f.index[value])}'"
            where_zh = f"地区“{value}”" if kind_scope == "region" else f"联盟“{det.zh(f.index[value])}”"
            params = {"id": f.ids[m], kind_scope: value}
            gaps.append(
                Gap(
                    "segment_gap",
                    scope,
                    1.0 if middle else 0.7,
                    det.ids([m, *ups, *downs]),
                    (
                        f"In {where}, organisations work upstream ({det.names(ups)}) and downstream "
                        f"({det.names(downs)}) of segment '{det.nm(m)}', but none works in it or holds a product "
                        "or technology of it: the middle of the chain is missing."
                        if middle
                        else f"In {where}, organisations work in the neighbouring segment {det.names(ups + downs)} but "
                        f"none works in segment '{det.nm(m)}' or holds a product or technology of it."
                    ),
                    (
                        f"{where_zh}在“{det.zh(m)}”的上游（{det.names(ups, zh=True)}）和下游（{det.names(downs, zh=True)}）"
                        "都有企业，唯独该环节没有企业：产业链中间缺环，需要补链。"
                        if middle
                        else f"{where_zh}在相邻环节{det.names(ups + downs, zh=True)}有企业，但“{det.zh(m)}”环节没有企业，需要补链。"
                    ),
                    q,
                    params,
                    tuple(
                        [f"{f.ids[u]} -UPSTREAM_OF-> {f.ids[m]} (present in {scope})" for u in ups]
                        + [f"{f.ids[m]} -UPSTREAM_OF-> {f.ids[d]} (present in {scope})" for d in downs]
                    ),
                    kind="middle" if middle else "edge",
                    metrics={"upstream_present": len(ups), "downstream_present": len(downs)},
                    settle=f"records of enterprises, products or technologies of segment '{det.nm(m)}' in "
                    f"{where} (partOfSegment), or a source saying there are none",
                )
            )
    return gaps

def _empty_segment_trees(det: Detector, seg: BoolArray, down: dict[int, set[int]], parents: dict[int, set[int]],
                         anywhere: set[int]) -> list[Gap]:
    """One summary per segment tree (segments joined by partOfSegment or upstreamOf) with empty segments."""
    f, s = det.f, det.s
    gaps = []
    segs = np.flatnonzero(seg).tolist()
    root = {m: m for m in segs}

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for c, ps in parents.items():
        for p in ps:
            root[find(c)] = find(p)
    for u, ds in down.items():
        for d in ds:
            root[find(u)] = find(d)
    trees: dict[int, list[int]] = defaultdict(list)
    for m in segs:
        trees[find(m)].append(m)

    def depth(m: int) -> int:
        d, xs = 0, set(parents.get(m, ()))
        while xs and d < 50:
            d += 1
            xs = {p for x in xs for p in parents.get(x, ())}
        return d

    q = Q.segment_empty(s)
    for members in trees.values():
        empty = sorted((m for m in members if m not in anywhere), key=lambda m: (depth(m), f.ids[m]))
        if not empty:
            continue
        held = sorted((m for m in members if m in anywhere), key=lambda m: f.ids[m])
        top = empty[0]
        head = min(members, key=lambda m: (depth(m), f.ids[m]))
        ids = det.ids(empty)
        gaps.append(
            Gap(
                "segment_gap",
                "graph",
                0.3,
                ids,
                (f"No organisation, product or technology is recorded in segment '{det.nm(top)}'."
                 if len(empty) == 1 and not held else
                 f"In the segment tree of '{det.nm(head)}' ({len(members)} segments), {len(empty)} "
                 f"{'has' if len(empty) == 1 else 'have'} no "
                 f"recorded organisation, product or technology: {det.names(empty)}."),
                (f"“{det.zh(top)}”环节没有任何记录在案的组织、产品或技术。"
                 if len(empty) == 1 and not held else
                 f"“{det.zh(head)}”所在的产业链（{len(members)}个环节）中有{len(empty)}个环节没有任何记录在案的"
                 f"组织、产品或技术：{det.names(empty, zh=True)}。"),
                q,
                {"ids": list(ids)},
                tuple(f"nothing -PART_OF_SEGMENT-> {f.ids[m]}" for m in empty[:20])
                + ((f"present in the tree: {', '.join(f.ids[m] for m in held[:10])}",) if held else ()),
                kind="empty",
                metrics={"segments": len(members), "empty": len(empty)},
                settle="records of enterprises, products or technologies in these segments (partOfSegment), "
                "or a source saying the graph covers the whole chain",
            )
        )
    return gaps


@gap_type("segment_gap", en="segment gap (补链)", zh="产业链缺环（补链）", cypher=Q.segment_gap, planter=plant_segment_gaps, order=60)
def detect(ctx: GapContext) -> list[Gap]:
    """A segment nobody in a region or alliance works in, next to one somebody there does (补链); empty segment trees."""
    return segment_gap(ctx.detector)
