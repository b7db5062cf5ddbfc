"""The gap detectors: pure functions over a :class:`CanalFrame` (see ``docs/gaps.md``).

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

from canal.gaps import cypher as Q
from canal.gaps.frame import BoolArray, CanalFrame, unique_ints
from canal.gaps.model import Gap
from canal.gaps.schema import (
    CHAINS,
    HOLDER_IN,
    HOLDER_OUT,
    PILOT_OUT,
    TIE_RELATIONS,
    UPTAKE_IN,
    UPTAKE_OUT,
    GapSchema,
    gap_schema,
)

_CHAIN_ZH = {"innovation": "创新链", "industrial": "产业链", "capital": "资本链"}


def _r(x: float) -> float:
    return round(float(min(1.0, max(0.0, x))), 3)


class Detector:
    """Runs the detectors over one frame; each ``find_*`` returns a list of gaps."""

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

    def _grouped(self, rels: tuple[str, ...], subjects: BoolArray, side: str) -> dict[int, list[int]]:
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

    # -- 1. stranded technology -----------------------------------------------------------
    def stranded_technology(self) -> list[Gap]:
        f, s = self.f, self.s
        tech = self.mask(s.tech_classes)
        later = self.mask(s.later_developer_classes)
        dev = f.in_count("develops")
        cand = (
            tech
            & (dev > 0)
            & (f.in_count("develops", src_mask=later) == 0)
            & (f.in_count(*UPTAKE_IN) == 0)
            & (f.out_count(*UPTAKE_OUT) == 0)
            & (f.out_count(*PILOT_OUT) == 0)
        )
        devs = self._grouped(("develops",), cand, "dst")
        pats = self._grouped(("protects",), cand, "dst")
        q = Q.stranded(s)
        gaps = []
        for t in np.flatnonzero(cand).tolist():
            d = devs.get(t, [])
            trl = f.trl.get(t)
            m = trl / 9 if trl is not None else 0.5
            np_ = len(pats.get(t, []))
            sev = _r(0.4 + 0.4 * m + 0.2 * min(1.0, np_ / 3))
            gaps.append(
                Gap(
                    "stranded_technology",
                    self.scope_of(t),
                    sev,
                    self.ids([t, *d]),
                    f"'{self.nm(t)}' was developed by {self.names(d)} but was never piloted, transferred, licensed, "
                    "adopted or built on by anyone.",
                    f"“{self.zh(t)}”由{self.names(d, zh=True)}研发，但从未经中试，也未被转让、许可、采用或用于产品。",
                    q,
                    {"id": f.ids[t]},
                    tuple([f"{f.ids[x]} -DEVELOPS-> {f.ids[t]}" for x in d] + self.note(t)),
                    kind="technology",
                    metrics={"trl": trl, "patents": np_},
                    settle=f"a record of who uses, licenses, pilots or builds on '{self.nm(t)}' (adopts, licensedTo, "
                    "transferredTo, pilotedAt, a product basedOn it), or a source saying nobody does",
                )
            )
        return gaps

    # -- 2. missing pilot stage -------------------------------------------------------------
    def missing_pilot(self) -> list[Gap]:
        f, s = self.f, self.s
        tech = self.mask(s.tech_classes)
        adopters = self.mask(s.adopter_classes)
        used = (f.in_count("adopts") > 0) | (f.out_count("transferredTo", "licensedTo", dst_mask=adopters) > 0)
        piloted = (f.out_count("pilotedAt") > 0) | (f.in_count("basedOn", src_mask=self.mask(s.pilot_subject_classes)) > 0)
        # the canal question (research result to industry) needs a research-stage developer
        from_research = f.in_count("develops", src_mask=self.mask(s.research_org_classes)) > 0
        cand = tech & used & ~piloted & from_research
        if not cand.any():
            return []
        users_in = self._grouped(("adopts",), cand, "dst")
        m = f.edges_of("transferredTo", "licensedTo") & cand[f.src] & adopters[f.dst]
        users: dict[int, list[int]] = {k: list(v) for k, v in users_in.items()}
        for t, o in zip(f.src[m].tolist(), f.dst[m].tolist(), strict=True):
            users.setdefault(t, [])
            if o not in users[t]:
                users[t].append(o)
        platforms = np.flatnonzero(self.mask(s.pilot_platform_classes)).tolist()
        p_regions = {f.region[p] for p in platforms if f.region[p]}
        p_fields = {x for p in platforms for x in f.fields.get(p, ())}
        q = Q.missing_pilot(s)
        gaps = []
        for t in np.flatnonzero(cand).tolist():
            us = sorted(users.get(t, []), key=lambda i: f.ids[i])
            regions: set[str] = {r for u in [t, *us] if (r := f.region[u])}
            if regions & p_regions or set(f.fields.get(t, ())) & p_fields:
                continue
            gaps.append(
                Gap(
                    "missing_pilot",
                    self.scope_of(t),
                    _r(0.5 + 0.5 * min(1.0, len(us) / 3)),
                    self.ids([t, *us]),
                    f"'{self.nm(t)}' went into use at {self.names(us)} without any pilot-scale test or pilot project, and no pilot "
                    f"platform works in its regions ({', '.join(sorted(regions)) or 'none known'}) or fields.",
                    f"“{self.zh(t)}”未经中试即被{self.names(us, zh=True)}采用，其所在地区"
                    f"（{'、'.join(sorted(regions)) or '未知'}）和领域均无中试平台。",
                    q,
                    {"id": f.ids[t]},
                    tuple([f"{f.ids[u]} uses {f.ids[t]}" for u in us] + [f"no PILOTED_AT from {f.ids[t]}, no pilot project BASED_ON it"] + self.note(t)),
                    kind="technology",
                    metrics={"users": len(us), "regions": sorted(regions)},
                    settle=f"a record of the pilot-scale test of '{self.nm(t)}' (pilotedAt a platform, or a pilot "
                    "project basedOn it), or a source saying it went to production without one",
                )
            )
        return gaps

    # -- 3. capital gap -----------------------------------------------------------------------
    def capital_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        funded, backed = self.funded(), self.backed()
        tech = self.mask(s.tech_classes)
        # a technology carries capital when it, or one of its developers, is funded
        tech_cap = tech & funded
        m = f.edges_of("develops") & funded[f.src] & tech[f.dst]
        tech_cap[f.dst[m]] = True
        adopter = self.mask(s.adopter_classes) & (f.out_count("adopts") > 0)
        adopter &= f.out_count("adopts", dst_mask=tech_cap) == 0
        pilot = self.mask(s.pilot_subject_classes)
        pilot &= f.out_count(*PILOT_OUT, dst_mask=backed) == 0
        cand = (adopter | pilot) & ~backed
        adopted = self._grouped(("adopts",), cand, "src")
        q = Q.capital_gap(s)
        gaps = []
        for n in np.flatnonzero(cand).tolist():
            ts = adopted.get(n, [])
            if adopter[n]:
                kind, sev = "adopter", _r(0.5 + 0.5 * min(1.0, len(ts) / 3))
                en = (f"'{self.nm(n)}' adopts {self.names(ts)} but has no investor, fund, grant or listing, no "
                      "funded host, and neither the technology nor its developer is funded.")
                zh = f"“{self.zh(n)}”采用了{self.names(ts, zh=True)}，但自身、所在园区、该技术及其研发方均无投资、基金、资助或上市。"
                settle = f"a record of who finances '{self.nm(n)}' (investsIn, grantsTo, listedOn), or a source saying nobody does"
            else:
                kind, sev = "pilot_project", 0.6
                en = f"Pilot project '{self.nm(n)}' has no investor, fund or grant, and neither its host nor its pilot platform is funded."
                zh = f"中试项目“{self.zh(n)}”没有任何投资、基金或资助，其承载方和中试平台也没有资金来源。"
                settle = f"a record of the money behind pilot project '{self.nm(n)}' or its host (grantsTo, investsIn)"
            gaps.append(
                Gap(
                    "capital_gap",
                    self.scope_of(n),
                    sev,
                    self.ids([n, *ts]),
                    en,
                    zh,
                    q,
                    {"id": f.ids[n]},
                    tuple([f"{f.ids[n]} -ADOPTS-> {f.ids[t]}" for t in ts] + [f"no {'/'.join(s.capital_relations)} into {f.ids[n]}"] + self.note(n)),
                    kind=kind,
                    metrics={"adopted": len(ts)},
                    settle=settle,
                )
            )
        return gaps

    # -- 4. broken canal ---------------------------------------------------------------------
    def broken_canal(self) -> list[Gap]:
        f, s = self.f, self.s
        tech = self.mask(s.tech_classes)
        reach = self.reaches_capital()
        research = self.mask(s.research_org_classes)
        dm = f.edges_of("develops") & research[f.src] & tech[f.dst]
        n_tech = np.bincount(f.src[dm], minlength=f.n)
        n_reach = np.bincount(f.src[dm], weights=reach[f.dst[dm]].astype(np.float64), minlength=f.n)
        cand = research & (n_tech > 0) & (n_reach == 0) & ~self.backed()
        techs = self._grouped(("develops",), cand, "src")
        q = Q.broken_canal(s)
        gaps = []
        for r in np.flatnonzero(cand).tolist():
            ts = [t for t in techs.get(r, []) if tech[t]]
            gaps.append(
                Gap(
                    "broken_canal",
                    self.scope_of(r),
                    _r(0.5 + 0.5 * min(1.0, len(ts) / 5)),
                    self.ids([r, *ts]),
                    f"None of the {len(ts)} technologies of '{self.nm(r)}' ({self.names(ts)}) reaches capital: no "
                    "investor, fund or grant backs the institute or its host, the technologies, their adopters, "
                    "recipients, producers, pilot projects or pilot platforms.",
                    f"“{self.zh(r)}”的{len(ts)}项技术（{self.names(ts, zh=True)}）均未触达资本：机构本身及其所在园区、"
                    "技术、采用方、受让方、生产方、中试项目和中试平台都没有投资、基金或资助。",
                    q,
                    {"id": f.ids[r]},
                    tuple([f"{f.ids[r]} -DEVELOPS-> {f.ids[t]}" for t in ts] + self.note(r)),
                    kind="institute",
                    metrics={"technologies": len(ts)},
                    settle=f"a record of the money behind '{self.nm(r)}' or its technologies' users (investsIn, "
                    "grantsTo to it, its host, an adopter, a pilot project), or a source saying there is none",
                )
            )
        return gaps

    # -- 5. alliance role gap ---------------------------------------------------------------------
    def alliance_members(self) -> dict[int, list[int]]:
        if "members" not in self._cache:
            alliances = self.mask(self.s.alliance_classes)
            mem = self._grouped(self.s.membership_relations, alliances, "dst")
            for a in np.flatnonzero(alliances).tolist():
                mem.setdefault(a, [])
            self._cache["members"] = dict(mem)
        out: dict[int, list[int]] = self._cache["members"]
        return out

    def linked_alliances(self, members: dict[int, list[int]]) -> set[int]:
        """Alliances with two members tied by a tie relation, directly or through a path of technologies,
        products, patents or projects (never through another organisation, such as a funder of everyone)."""
        import igraph as ig  # type: ignore[import-untyped]

        f, s = self.f, self.s
        member_of: dict[int, set[int]] = defaultdict(set)
        for a, ms in members.items():
            for o in ms:
                member_of[o].add(a)
        if not member_of:
            return set()
        is_member = np.zeros(f.n, dtype=bool)
        is_member[np.fromiter(member_of, dtype=np.int64)] = True
        inter = self.mask(s.tie_intermediates)
        tie = f.edges_of(*TIE_RELATIONS) & (f.src != f.dst)
        linked: set[int] = set()
        em = tie & is_member[f.src] & is_member[f.dst]
        for u, v in zip(f.src[em].tolist(), f.dst[em].tolist(), strict=True):
            linked |= member_of[u] & member_of[v]
        im = tie & inter[f.src] & inter[f.dst]
        g = ig.Graph(n=f.n, edges=np.column_stack([f.src[im], f.dst[im]]).astype(np.int64), directed=False)
        comp = np.asarray(g.connected_components().membership, dtype=np.int64)
        touch: dict[int, set[int]] = defaultdict(set)  # member -> components of intermediates it touches
        for side_m, side_i in ((f.src, f.dst), (f.dst, f.src)):
            mm = tie & is_member[side_m] & inter[side_i]
            for o, i in zip(side_m[mm].tolist(), comp[side_i[mm]].tolist(), strict=True):
                touch[o].add(i)
        for a, ms in members.items():
            if a in linked:
                continue
            seen: set[int] = set()
            for o in dict.fromkeys(ms):
                cs = touch.get(o, set())
                if cs & seen:
                    linked.add(a)
                    break
                seen |= cs
        return linked

    def alliance_role_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        members = self.alliance_members()
        linked = self.linked_alliances(members)
        gaps = []
        for a in sorted(members, key=lambda i: f.ids[i]):
            ms = members[a]
            present = {s.chain(f.class_of(o)) for o in ms}
            missing = [ch for ch in CHAINS if ch not in present]
            nodes = self.ids([a, *ms])
            if not ms:
                gaps.append(
                    Gap(
                        "alliance_role_gap",
                        f"alliance:{f.ids[a]}",
                        0.3,
                        nodes,
                        f"Alliance '{self.nm(a)}' has no recorded members, so canal cannot tell which chains it joins.",
                        f"联盟“{self.zh(a)}”没有记录在案的成员，无法判断其覆盖哪几条链。",
                        Q.alliance_missing_chain(s, CHAINS),
                        {"id": f.ids[a]},
                        ("no memberOf/participatesIn/leads into the alliance", *self.note(a)),
                        kind="no_members",
                        metrics={"members": 0, "missing": list(CHAINS)},
                        settle=f"the member list of '{self.nm(a)}' (memberOf)",
                    )
                )
            elif missing:
                gaps.append(
                    Gap(
                        "alliance_role_gap",
                        f"alliance:{f.ids[a]}",
                        _r(0.4 + 0.2 * len(missing)),
                        nodes,
                        f"Alliance '{self.nm(a)}' has {len(ms)} members but none from the {' or '.join(missing)} chain.",
                        f"联盟“{self.zh(a)}”有{len(ms)}个成员，但没有来自{'、'.join(_CHAIN_ZH[c] for c in missing)}的成员。",
                        Q.alliance_missing_chain(s, missing),
                        {"id": f.ids[a]},
                        tuple(f"{f.ids[o]} ({f.class_of(o)}, {s.chain(f.class_of(o))}) is a member" for o in ms) + tuple(self.note(a)),
                        kind="missing_chain",
                        metrics={"members": len(ms), "missing": missing},
                        settle=f"the full member list of '{self.nm(a)}', or a source saying it has no "
                        f"{' or '.join(missing)}-chain member",
                    )
                )
            if len(ms) >= 2 and a not in linked:
                gaps.append(
                    Gap(
                        "alliance_role_gap",
                        f"alliance:{f.ids[a]}",
                        _r(0.5 + 0.5 * min(1.0, len(ms) / 10)),
                        nodes,
                        f"The {len(ms)} members of alliance '{self.nm(a)}' ({self.names(ms)}) are not tied to one "
                        "another: no development, adoption, licensing, transfer, investment or joint project links any two.",
                        f"联盟“{self.zh(a)}”的{len(ms)}个成员（{self.names(ms, zh=True)}）之间没有研发、采用、许可、转让、"
                        "投资或共同项目等任何联系。",
                        Q.alliance_no_links(s),
                        {"id": f.ids[a]},
                        (f"no tie path between any two of {len(ms)} members", *tuple(self.note(a))),
                        kind="no_links",
                        metrics={"members": len(ms)},
                        settle=f"records of what the members of '{self.nm(a)}' do together (joint projects, "
                        "licences, investments, collaborations)",
                    )
                )
        return gaps

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

    def segment_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        seg = self.mask(s.segment_classes)
        um = f.edges_of("upstreamOf") & seg[f.src] & seg[f.dst] & (f.src != f.dst)
        up: dict[int, set[int]] = defaultdict(set)
        down: dict[int, set[int]] = defaultdict(set)
        for u, d in zip(f.src[um].tolist(), f.dst[um].tolist(), strict=True):
            down[u].add(d)
            up[d].add(u)
        presence, anywhere, parents, works = self.segment_presence()
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
                where = f"region {value}" if kind_scope == "region" else f"alliance '{self.nm(f.index[value])}'"
                where_zh = f"地区“{value}”" if kind_scope == "region" else f"联盟“{self.zh(f.index[value])}”"
                params = {"id": f.ids[m], kind_scope: value}
                gaps.append(
                    Gap(
                        "segment_gap",
                        scope,
                        1.0 if middle else 0.7,
                        self.ids([m, *ups, *downs]),
                        (
                            f"In {where}, organisations work upstream ({self.names(ups)}) and downstream "
                            f"({self.names(downs)}) of segment '{self.nm(m)}', but none works in it or holds a product "
                            "or technology of it: the middle of the chain is missing."
                            if middle
                            else f"In {where}, organisations work in the neighbouring segment {self.names(ups + downs)} but "
                            f"none works in segment '{self.nm(m)}' or holds a product or technology of it."
                        ),
                        (
                            f"{where_zh}在“{self.zh(m)}”的上游（{self.names(ups, zh=True)}）和下游（{self.names(downs, zh=True)}）"
                            "都有企业，唯独该环节没有企业：产业链中间缺环，需要补链。"
                            if middle
                            else f"{where_zh}在相邻环节{self.names(ups + downs, zh=True)}有企业，但“{self.zh(m)}”环节没有企业，需要补链。"
                        ),
                        q,
                        params,
                        tuple(
                            [f"{f.ids[u]} -UPSTREAM_OF-> {f.ids[m]} (present in {scope})" for u in ups]
                            + [f"{f.ids[m]} -UPSTREAM_OF-> {f.ids[d]} (present in {scope})" for d in downs]
                        ),
                        kind="middle" if middle else "edge",
                        metrics={"upstream_present": len(ups), "downstream_present": len(downs)},
                        settle=f"records of enterprises, products or technologies of segment '{self.nm(m)}' in "
                        f"{where} (partOfSegment), or a source saying there are none",
                    )
                )
        # one summary per segment tree (segments joined by partOfSegment or upstreamOf)
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
            ids = self.ids(empty)
            gaps.append(
                Gap(
                    "segment_gap",
                    "graph",
                    0.3,
                    ids,
                    (f"No organisation, product or technology is recorded in segment '{self.nm(top)}'."
                     if len(empty) == 1 and not held else
                     f"In the segment tree of '{self.nm(head)}' ({len(members)} segments), {len(empty)} "
                     f"{'has' if len(empty) == 1 else 'have'} no "
                     f"recorded organisation, product or technology: {self.names(empty)}."),
                    (f"“{self.zh(top)}”环节没有任何记录在案的组织、产品或技术。"
                     if len(empty) == 1 and not held else
                     f"“{self.zh(head)}”所在的产业链（{len(members)}个环节）中有{len(empty)}个环节没有任何记录在案的"
                     f"组织、产品或技术：{self.names(empty, zh=True)}。"),
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
