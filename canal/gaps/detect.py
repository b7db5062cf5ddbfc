"""What the array detectors share: :class:`Detector` (masks, backing, reach to capital, names,
scopes, alliance members, segment presence, cached per frame). Each detector is a pure function
over a :class:`CanalFrame` in its gap type's module (:mod:`canal.gaps.types`; see ``docs/gaps.md``).

Severity formulas (all in 0..1, higher is worse):

* stranded technology: ``0.4 + 0.4*m + 0.2*min(1, patents/3)``, ``m = trl/9`` (0.5 when unknown);
* missing pilot: ``0.5 + 0.5*min(1, users/3)`` (users = adopters and industrial recipients);
* capital gap: adopter ``0.5 + 0.5*min(1, adopted/3)``; pilot project ``0.6``;
* broken canal: ``0.5 + 0.5*min(1, technologies/5)``;
* alliance role gap: missing chains ``0.4 + 0.2*missing``; no links ``0.5 + 0.5*min(1, members/10)``;
  no recorded members ``0.3``;
* segment gap: middle missing (both neighbours present) ``1.0``, one neighbour present ``0.7``;
  a segment tree with segments nobody works in (one summary per tree) ``0.3``;
* broker risk: articulation point ``cut/(cut + min_cut)`` (cut = innovation nodes cut off from
  capital); betweenness concentration: the top node's share of all betweenness;
* structural hole: ``size/(size + min_hole)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from canal.gaps.frame import BoolArray, CanalFrame, unique_ints
from canal.gaps.schema import (
    HOLDER_IN,
    HOLDER_OUT,
    PILOT_OUT,
    UPTAKE_OUT,
    GapSchema,
    gap_schema,
)


def clamp(x: float) -> float:
    """``x`` bounded to 0..1 and rounded to three decimals (a severity)."""
    return round(float(min(1.0, max(0.0, x))), 3)


class Detector:
    """The shared array toolkit of the detectors over one frame (masks, backing, reach, names, scopes).

    Each gap type's detector lives in its module (:mod:`canal.gaps.types`) and receives this object
    as ``ctx.detector``; results are cached per frame, so the types share the passes."""

    def __init__(self, frame: CanalFrame, schema: GapSchema | None = None) -> None:
        self.f = frame
        self.s = schema or gap_schema(frame.ontology)
        self._cache: dict[str, Any] = {}

    # -- helpers ---------------------------------------------------------------------
    def mask(self, classes: Iterable[str]) -> BoolArray:
        classes = list(classes)
        key = "m:" + ",".join(sorted(classes))
        if key not in self._cache:
            self._cache[key] = self.f.class_mask(classes)
        out: BoolArray = self._cache[key]
        return out

    def funded(self) -> BoolArray:
        """Nodes with an investor, fund or grant (a capital relation in) or a listing (out)."""
        if "funded" not in self._cache:
            f = self.f
            self._cache["funded"] = (f.in_count(*self.s.capital_relations) > 0) | (
                f.out_count(*self.s.listing_relations) > 0
            )
        out: BoolArray = self._cache["funded"]
        return out

    def funder(self) -> BoolArray:
        """Nodes that fund others: the source of a capital relation, or the manager of such a source."""
        if "funder" not in self._cache:
            f = self.f
            out = f.out_count(*self.s.capital_relations) > 0
            m = f.edges_of("manages") & out[f.dst]
            out = out.copy()
            out[f.src[m]] = True
            self._cache["funder"] = out
        res: BoolArray = self._cache["funder"]
        return res

    def host_backed(self) -> BoolArray:
        """Nodes with a host (``h hosts x`` or ``x locatedIn h``) that is funded or funds others."""
        if "host_backed" not in self._cache:
            f = self.f
            backer = self.funded() | self.funder()
            out = np.zeros(f.n, dtype=bool)
            m = f.edges_of("hosts") & backer[f.src]
            out[f.dst[m]] = True
            m = f.edges_of("locatedIn") & backer[f.dst]
            out[f.src[m]] = True
            self._cache["host_backed"] = out
        res: BoolArray = self._cache["host_backed"]
        return res

    def backed(self) -> BoolArray:
        """Funded nodes and nodes whose host is funded or funds others."""
        if "backed" not in self._cache:
            self._cache["backed"] = self.funded() | self.host_backed()
        res: BoolArray = self._cache["backed"]
        return res

    def reaches_capital(self) -> BoolArray:
        """Technologies whose canal has capital: the technology, a developer, an adopter or recipient, a
        producer of a product built on it, a pilot project built on it (or its host), or a pilot platform
        it was piloted at (or that platform's host) is funded."""
        if "reach" not in self._cache:
            f, s = self.f, self.s
            tech = self.mask(s.tech_classes)
            funded = self.funded()
            backed = self.backed()
            reach = tech & funded
            m = f.edges_of("develops", "adopts") & funded[f.src] & tech[f.dst]
            reach[f.dst[m]] = True
            m = f.edges_of(*UPTAKE_OUT) & funded[f.dst] & tech[f.src]
            reach[f.src[m]] = True
            pilot = self.mask(s.pilot_subject_classes)
            m = f.edges_of("basedOn") & backed[f.src] & pilot[f.src] & tech[f.dst]
            reach[f.dst[m]] = True
            m = f.edges_of(*PILOT_OUT) & backed[f.dst] & tech[f.src]
            reach[f.src[m]] = True
            produced = np.zeros(f.n, dtype=bool)
            m = f.edges_of("produces") & funded[f.src]
            produced[f.dst[m]] = True
            m = f.edges_of("basedOn") & produced[f.src] & tech[f.dst]
            reach[f.dst[m]] = True
            self._cache["reach"] = reach
        res: BoolArray = self._cache["reach"]
        return res

    def scope_of(self, i: int) -> str:
        """Scope of a node-anchored gap: its region, else its first field, else the graph."""
        r = self.f.region[i] if self.f.region else None
        if r:
            return f"region:{r}"
        fs = self.f.fields.get(i)
        if fs:
            return f"field:{fs[0]}"
        return "graph"

    def nm(self, i: int) -> str:
        return self.f.name(i)

    def zh(self, i: int) -> str:
        return self.f.name(i, zh=True)

    def names(self, idx: Iterable[int], zh: bool = False, limit: int = 5) -> str:
        xs = list(idx)
        shown = [self.f.name(i, zh=zh) for i in xs[:limit]]
        more = len(xs) - len(shown)
        sep = "、" if zh else ", "
        text = sep.join(shown)
        if more > 0:
            text += f" 等{len(xs)}个" if zh else f" and {more} more"
        return text

    def ids(self, idx: Iterable[int]) -> tuple[str, ...]:
        return tuple(self.f.ids[i] for i in idx)

    def note(self, i: int) -> list[str]:
        n = self.f.notes.get(i)
        return [f"{self.f.ids[i]}: {n}"] if n else []

    def grouped(self, rels: tuple[str, ...], subjects: BoolArray, side: str) -> dict[int, list[int]]:
        """For subject nodes: the other ends of ``rels`` edges (subject on ``side``)."""
        f = self.f
        m = f.edges_of(*rels)
        key = f.dst if side == "dst" else f.src
        other = f.src if side == "dst" else f.dst
        m &= subjects[key]
        out: dict[int, list[int]] = defaultdict(list)
        for k, o in zip(key[m].tolist(), other[m].tolist(), strict=True):
            if o not in out[k]:
                out[k].append(o)
        for v in out.values():
            v.sort(key=lambda i: self.f.ids[i])
        return out

    # -- 5. alliance role gap ---------------------------------------------------------------------
    def alliance_members(self) -> dict[int, list[int]]:
        if "members" not in self._cache:
            alliances = self.mask(self.s.alliance_classes)
            mem = self.grouped(self.s.membership_relations, alliances, "dst")
            for a in np.flatnonzero(alliances).tolist():
                mem.setdefault(a, [])
            self._cache["members"] = dict(mem)
        out: dict[int, list[int]] = self._cache["members"]
        return out

    # -- 6. segment gap (补链) -----------------------------------------------------------------
    def segment_presence(self) -> tuple[dict[str, set[int]], set[int], dict[int, set[int]], dict[str, set[int]]]:
        """Where each segment is present: per scope (``region:R``, ``alliance:A``) and anywhere.

        A segment is present in a scope when an organisation of the scope works in it, or develops,
        adopts, produces or received a technology or product that is part of it; presence in a
        sub-segment (``partOfSegment`` between segments) is presence in its parents. Returns
        (scope -> present segments, segments present anywhere, segment -> parent segments, scope ->
        segments an organisation of the scope works in itself, ``partOfSegment``).
        """
        f, s = self.f, self.s
        seg = self.mask(s.segment_classes)
        org = self.mask(c for c in f.classes if c in s.ontology.classes and s.ontology.is_a(c, "Organisation"))
        pm = f.edges_of("partOfSegment") & seg[f.dst]
        item_m = pm & ~seg[f.src]
        it, sg = f.src[item_m].astype(np.int64), f.dst[item_m].astype(np.int64)
        parents: dict[int, set[int]] = defaultdict(set)
        sm = pm & seg[f.src] & (f.src != f.dst)
        for c, p in zip(f.src[sm].tolist(), f.dst[sm].tolist(), strict=True):
            parents[c].add(p)
        has_seg = np.zeros(f.n, dtype=bool)
        has_seg[it] = True
        hm = f.edges_of(*HOLDER_OUT) & has_seg[f.dst] & org[f.src]
        rm = f.edges_of(*HOLDER_IN) & has_seg[f.src] & org[f.dst]
        self_items = np.flatnonzero(has_seg & org)
        H = np.concatenate([f.src[hm], f.dst[rm], self_items]).astype(np.int64)
        item = np.concatenate([f.dst[hm], f.src[rm], self_items]).astype(np.int64)
        order = np.argsort(it, kind="stable")
        it_s, sg_s = it[order], sg[order]
        lo = np.searchsorted(it_s, item, "left")
        cnt = np.searchsorted(it_s, item, "right") - lo
        total = int(cnt.sum())
        hh = np.repeat(H, cnt)
        pos = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt) + np.arange(total, dtype=np.int64)
        ss = sg_s[pos]
        n = max(f.n, 1)
        codes = unique_ints(hh * n + ss)
        alliances_of: dict[int, list[int]] = defaultdict(list)
        for a, ms in self.alliance_members().items():
            for o in ms:
                alliances_of[o].append(a)
        presence: dict[str, set[int]] = defaultdict(set)
        works: dict[str, set[int]] = defaultdict(set)
        for h, m in zip((codes // n).tolist(), (codes % n).tolist(), strict=True):
            r = f.region[h]
            if r:
                presence[f"region:{r}"].add(m)
            for a in alliances_of.get(h, ()):
                presence[f"alliance:{f.ids[a]}"].add(m)
        wm = pm & org[f.src]
        for h, m in zip(f.src[wm].tolist(), f.dst[wm].tolist(), strict=True):
            r = f.region[h]
            if r:
                works[f"region:{r}"].add(m)
            for a in alliances_of.get(h, ()):
                works[f"alliance:{f.ids[a]}"].add(m)
        anywhere = set(unique_ints(sg).tolist())

        def close(xs: set[int]) -> set[int]:
            todo = [x for x in xs if x in parents]
            while todo:
                for p in parents[todo.pop()]:
                    if p not in xs:
                        xs.add(p)
                        todo.append(p)
            return xs

        if parents:
            for k in presence:
                close(presence[k])
            close(anywhere)
        return presence, anywhere, parents, works
