"""The gap detectors: pure functions over a :class:`CanalFrame` (see ``docs/gaps.md``).

Severity formulas (all in 0..1, higher is worse):

* stranded technology: ``0.4 + 0.4*m + 0.2*min(1, patents/3)``, ``m = trl/9`` (0.5 when unknown);
* missing pilot: ``0.5 + 0.5*min(1, users/3)`` (users = adopters and industrial recipients);
* capital gap: adopter ``0.5 + 0.5*min(1, adopted/3)``; pilot project ``0.6``;
* broken canal: ``0.5 + 0.5*min(1, technologies/5)``;
* alliance role gap: missing chains ``0.4 + 0.2*missing``; no links ``0.5 + 0.5*min(1, members/10)``;
* segment gap: middle missing (both neighbours present) ``1.0``, one neighbour present ``0.7``,
  no enterprise anywhere ``0.5``;
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
from canal.gaps.frame import BoolArray, CanalFrame
from canal.gaps.model import Gap
from canal.gaps.schema import CHAINS, UPTAKE_IN, UPTAKE_OUT, GapSchema, gap_schema

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
                    f"'{self.nm(t)}' was developed by {self.names(d)} but was never transferred, licensed, "
                    "adopted or built on by anyone.",
                    f"“{self.zh(t)}”由{self.names(d, zh=True)}研发，但从未被转让、许可、采用或用于产品。",
                    q,
                    {"id": f.ids[t]},
                    tuple([f"{f.ids[x]} -DEVELOPS-> {f.ids[t]}" for x in d] + self.note(t)),
                    kind="technology",
                    metrics={"trl": trl, "patents": np_},
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
        cand = tech & used & ~piloted
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
                )
            )
        return gaps

    # -- 3. capital gap -----------------------------------------------------------------------
    def capital_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        adopter = self.mask(s.adopter_classes) & (f.out_count("adopts") > 0)
        pilot = self.mask(s.pilot_subject_classes)
        cand = (adopter | pilot) & ~self.funded()
        adopted = self._grouped(("adopts",), cand, "src")
        q = Q.capital_gap(s)
        gaps = []
        for n in np.flatnonzero(cand).tolist():
            ts = adopted.get(n, [])
            if adopter[n]:
                kind, sev = "adopter", _r(0.5 + 0.5 * min(1.0, len(ts) / 3))
                en = f"'{self.nm(n)}' adopts {self.names(ts)} but has no investor, fund, grant or listing."
                zh = f"“{self.zh(n)}”采用了{self.names(ts, zh=True)}，但没有任何投资、基金、资助或上市。"
            else:
                kind, sev = "pilot_project", 0.6
                en = f"Pilot project '{self.nm(n)}' has no investor, fund or grant."
                zh = f"中试项目“{self.zh(n)}”没有任何投资、基金或资助。"
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
                )
            )
        return gaps

    # -- 4. broken canal ---------------------------------------------------------------------
    def broken_canal(self) -> list[Gap]:
        f, s = self.f, self.s
        tech = self.mask(s.tech_classes)
        funded = self.funded()
        reach = tech & funded
        adopters = self.mask(s.adopter_classes)
        del adopters
        m = f.edges_of("adopts") & funded[f.src] & tech[f.dst]
        reach[f.dst[m]] = True
        m = f.edges_of("transferredTo", "licensedTo") & funded[f.dst] & tech[f.src]
        reach[f.src[m]] = True
        m = f.edges_of("basedOn") & funded[f.src] & tech[f.dst] & self.mask(s.pilot_subject_classes)[f.src]
        reach[f.dst[m]] = True
        research = self.mask(s.research_org_classes)
        dm = f.edges_of("develops") & research[f.src] & tech[f.dst]
        n_tech = np.bincount(f.src[dm], minlength=f.n)
        n_reach = np.bincount(f.src[dm], weights=reach[f.dst[dm]].astype(np.float64), minlength=f.n)
        cand = research & (n_tech > 0) & (n_reach == 0)
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
                    "investor, fund or grant backs them, their adopters, recipients or pilot projects.",
                    f"“{self.zh(r)}”的{len(ts)}项技术（{self.names(ts, zh=True)}）均未触达资本：技术本身及其采用方、"
                    "受让方和中试项目都没有投资、基金或资助。",
                    q,
                    {"id": f.ids[r]},
                    tuple([f"{f.ids[r]} -DEVELOPS-> {f.ids[t]}" for t in ts] + self.note(r)),
                    kind="institute",
                    metrics={"technologies": len(ts)},
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

    def alliance_role_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        members = self.alliance_members()
        member_of: dict[int, set[int]] = defaultdict(set)
        for a, ms in members.items():
            for o in ms:
                member_of[o].add(a)
        linked: set[int] = set()
        is_member = np.zeros(f.n, dtype=bool)
        if member_of:
            is_member[np.fromiter(member_of, dtype=np.int64)] = True
        em = is_member[f.src] & is_member[f.dst] & (f.src != f.dst)
        for u, v in zip(f.src[em].tolist(), f.dst[em].tolist(), strict=True):
            linked |= member_of[u] & member_of[v]
        gaps = []
        for a in sorted(members, key=lambda i: f.ids[i]):
            ms = members[a]
            present = {s.chain(f.class_of(o)) for o in ms}
            missing = [ch for ch in CHAINS if ch not in present]
            nodes = self.ids([a, *ms])
            if missing:
                gaps.append(
                    Gap(
                        "alliance_role_gap",
                        f"alliance:{f.ids[a]}",
                        _r(0.4 + 0.2 * len(missing)),
                        nodes,
                        (
                            f"Alliance '{self.nm(a)}' has {len(ms)} members but none from the {' or '.join(missing)} chain."
                            if ms
                            else f"Alliance '{self.nm(a)}' has no recorded members: no chain is represented."
                        ),
                        (
                            f"联盟“{self.zh(a)}”有{len(ms)}个成员，但没有来自{'、'.join(_CHAIN_ZH[c] for c in missing)}的成员。"
                            if ms
                            else f"联盟“{self.zh(a)}”没有记录在案的成员，三条链均未覆盖。"
                        ),
                        Q.alliance_missing_chain(s, missing),
                        {"id": f.ids[a]},
                        tuple(f"{f.ids[o]} ({f.class_of(o)}, {s.chain(f.class_of(o))}) is a member" for o in ms) + tuple(self.note(a)),
                        kind="missing_chain",
                        metrics={"members": len(ms), "missing": missing},
                    )
                )
            if len(ms) >= 2 and a not in linked:
                gaps.append(
                    Gap(
                        "alliance_role_gap",
                        f"alliance:{f.ids[a]}",
                        _r(0.5 + 0.5 * min(1.0, len(ms) / 10)),
                        nodes,
                        f"The {len(ms)} members of alliance '{self.nm(a)}' ({self.names(ms)}) have no tie to one "
                        "another beyond membership.",
                        f"联盟“{self.zh(a)}”的{len(ms)}个成员（{self.names(ms, zh=True)}）除同属联盟外彼此没有任何联系。",
                        Q.alliance_no_links(s),
                        {"id": f.ids[a]},
                        (f"no relationship between any two of {len(ms)} members", *tuple(self.note(a))),
                        kind="no_links",
                        metrics={"members": len(ms)},
                    )
                )
        return gaps

    # -- 6. segment gap (补链) -----------------------------------------------------------------
    def segment_gap(self) -> list[Gap]:
        f, s = self.f, self.s
        seg = self.mask(s.segment_classes)
        ent = self.mask(s.segment_member_classes)
        pm = f.edges_of("partOfSegment") & ent[f.src] & seg[f.dst]
        part = list(zip(f.src[pm].tolist(), f.dst[pm].tolist(), strict=True))
        um = f.edges_of("upstreamOf") & seg[f.src] & seg[f.dst] & (f.src != f.dst)
        up: dict[int, set[int]] = defaultdict(set)
        down: dict[int, set[int]] = defaultdict(set)
        for u, d in zip(f.src[um].tolist(), f.dst[um].tolist(), strict=True):
            down[u].add(d)
            up[d].add(u)
        presence: dict[str, set[int]] = defaultdict(set)
        anywhere: set[int] = set()
        alliances_of: dict[int, list[int]] = defaultdict(list)
        for a, ms in self.alliance_members().items():
            for o in ms:
                alliances_of[o].append(a)
        for e, m in part:
            anywhere.add(m)
            r = f.region[e]
            if r:
                presence[f"region:{r}"].add(m)
            for a in alliances_of.get(e, ()):
                presence[f"alliance:{f.ids[a]}"].add(m)
        gaps = []
        for scope in sorted(presence):
            here = presence[scope]
            cands: set[int] = set()
            for m in here:
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
                            f"In {where}, enterprises work upstream ({self.names(ups)}) and downstream "
                            f"({self.names(downs)}) of segment '{self.nm(m)}', but none in it: the middle of the chain is missing."
                            if middle
                            else f"In {where}, enterprises work in the neighbouring segment {self.names(ups + downs)} but "
                            f"none in segment '{self.nm(m)}'."
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
                    )
                )
        q = Q.segment_empty(s)
        for m in np.flatnonzero(seg).tolist():
            if m in anywhere:
                continue
            gaps.append(
                Gap(
                    "segment_gap",
                    "graph",
                    0.5,
                    (f.ids[m],),
                    f"No enterprise anywhere works in segment '{self.nm(m)}'.",
                    f"全图没有任何企业属于“{self.zh(m)}”环节。",
                    q,
                    {"id": f.ids[m]},
                    (f"no enterprise -PART_OF_SEGMENT-> {f.ids[m]}", *self.note(m)),
                    kind="empty",
                )
            )
        return gaps
