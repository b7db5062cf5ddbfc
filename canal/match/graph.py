"""What the matcher reads from a canal graph: roles, profiles, known links, paths.

A :class:`GraphIndex` wraps a networkx graph in the shape of ``GraphStore.to_networkx()``
(node attribute ``cls``; edge attributes ``type`` and ``rel``) and derives, for every node
that can be a match source or target, a :class:`Profile`: its text, classification codes,
places, alliances, investors and ties, each element with the path that leads to it (so an
explanation can be turned into Cypher that returns the path). Relationship types come from
the ontology; nothing of the schema is written here by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from canal.ontology import Ontology, load_ontology

Step = tuple[str, str, bool, str]
"""One hop of a path: (from node, relationship name, True if the edge points from->to, to node)."""
Path = tuple[Step, ...]

DIRECTIONS = ("to-enterprise", "to-technology", "to-funder")
"""Matching directions: technology/lab -> enterprise, enterprise -> technology/lab,
technology/enterprise/pilot project -> fund, investor, grant or programme."""

INACTIVE = frozenset({"retracted", "withdrawn", "closed", "dissolved", "inactive", "revoked", "cancelled"})
"""``status`` values that take a node or a link out of matching."""

TRANSFER_RELS = ("licensedTo", "transferredTo")
ADOPT_RELS = ("adopts",)
FUND_RELS = ("investsIn", "grantsTo")
TIE_RELS = (
    "collaboratesWith", "customerOf", "foundedBy", "spinOffOf", "subOrganisationOf", "worksFor",
    "leads", "participatesIn", "usesPlatform", "develops", "adopts", "licensedTo", "transferredTo",
    "pilotedAt", "basedOn", "produces", "holdsPatent", "protects",
)
"""Relationships that make two actors neighbours for the network signal (collaborators of collaborators)."""

PROPOSAL_REL = "proposedMatch"
EVENT_CLASSES = ("PilotProject", "ResearchProject")
"""Classes whose nodes are *events*: a project whose members become partners by taking part."""
EVENT_RELS = ("participatesIn", "leads")
"""How an actor takes part in an event."""
EVENT_CAP = 200
"""Events with more members than this, and partners in more events than this, are left out of the
event-path signal (they link everyone)."""
_NON_TIE_CLASSES = ("Region", "IndustrialPark", "Alliance", "IndustrySegment", "Investor", "Grant", "Programme", "GovernmentBody")


def norm_key(text: str) -> str:
    """Lower-cased, space-folded key for fields and free-text regions.

    >>> norm_key("  Methanol  to Olefins ")
    'methanol to olefins'
    """
    return re.sub(r"\s+", " ", str(text).strip().lower())


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, (list, tuple, set)):
        return [str(x) for x in v if x is not None and str(x).strip()]
    s = str(v).strip()
    return [s] if s else []


@dataclass
class Profile:
    """What one node brings to matching; every element maps to the path that reaches it."""

    node: str
    text: str
    codes: dict[str, tuple[float, Path | None]]
    places: dict[str, tuple[int, Path | None]]
    alliances: dict[str, Path]
    investors: dict[str, Path]
    ties: dict[str, Path]
    platforms_near: dict[str, Path] = field(default_factory=dict)
    stage: float = 0.0
    coords: tuple[float, float] | None = None
    """(latitude, longitude) in degrees of the node or its first anchor that has them."""
    events: dict[str, Path] = field(default_factory=dict)
    """Events the node (or an anchor) takes part in, with the path to each."""
    event_reach: dict[str, tuple[float, Path]] = field(default_factory=dict)
    """Events two steps away (through a partner), with the Adamic-Adar weight and the heaviest path."""


@dataclass(frozen=True)
class KnownLink:
    """A known source->target pair of a direction (oriented as the direction reads)."""

    source: str
    target: str
    date: str | None
    keys: tuple[str, ...]
    derived: bool = False
    events: tuple[str, ...] = ()
    """Events (projects) both ends took part in: the link is implied by them, hide them to hide it."""


class GraphIndex:
    """Adjacency by relationship name plus cached profiles; ``skip`` hides edges by key."""

    def __init__(self, G: nx.MultiDiGraph, *, ontology: Ontology | None = None, skip: Iterable[str] = ()) -> None:
        self.G = G
        self.onto = ontology or load_ontology()
        self.skip = frozenset(skip)
        self.cls: dict[str, str] = {n: str(d.get("cls", "Entity")) for n, d in G.nodes(data=True)}
        self.out: dict[str, dict[str, list[tuple[str, str, str, Mapping[str, Any]]]]] = {}
        self.inn: dict[str, dict[str, list[tuple[str, str, str, Mapping[str, Any]]]]] = {}
        self.inactive_pairs: set[tuple[str, str]] = set()
        self.proposed_pairs: set[tuple[str, str]] = set()
        self._types: dict[str, str] = {}
        self._isa: dict[tuple[str, str], bool] = {}
        self._nontie: dict[str, bool] = {}
        self._place_cache: dict[str, dict[str, tuple[int, Path]]] = {}
        skip_any = bool(self.skip)
        out, inn = self.out, self.inn
        for u, v, k, d in G.edges(keys=True, data=True):
            rel = d.get("rel") or self._rel_name(str(d.get("type", "")))
            if skip_any and str(k) in self.skip:
                continue
            st = d.get("status")
            if st and norm_key(st) in INACTIVE:
                self.inactive_pairs.add((u, v))
                self.inactive_pairs.add((v, u))
                continue
            if rel == PROPOSAL_REL:
                self.proposed_pairs.add((u, v))
                self.proposed_pairs.add((v, u))
                continue
            ou = out.get(u)
            if ou is None:
                ou = out[u] = {}
            lst = ou.get(rel)
            if lst is None:
                lst = ou[rel] = []
            lst.append((rel, v, k, d))
            iv = inn.get(v)
            if iv is None:
                iv = inn[v] = {}
            lst = iv.get(rel)
            if lst is None:
                lst = iv[rel] = []
            lst.append((rel, u, k, d))
        self._profiles: dict[str, Profile] = {}
        self.region_names: dict[str, str] = {}
        self._tie_degree: dict[str, int] | None = None
        self._members: dict[str, dict[str, str]] = {}
        self._events: list[str] | None = None
        self._known: dict[str, dict[tuple[str, str], KnownLink]] = {}
        self._reach: dict[str, dict[str, tuple[float, Path]]] = {}

    # -- schema helpers --------------------------------------------------------------
    def _rel_name(self, t: str) -> str:
        try:
            return self.onto.relation(t).name
        except Exception:
            return t

    def rtype(self, rel: str) -> str:
        """Cypher relationship type of an ontology relation name."""
        if rel not in self._types:
            self._types[rel] = self.onto.relation(rel).type
        return self._types[rel]

    def is_a(self, n: str, parent: str) -> bool:
        c = self.cls.get(n, "Entity")
        key = (c, parent)
        hit = self._isa.get(key)
        if hit is None:
            hit = self._isa[key] = c in self.onto.classes and self.onto.is_a(c, parent)
        return hit

    def name(self, n: str, lang: str = "en") -> str:
        d = self.G.nodes[n]
        if lang == "zh":
            return str(d.get("nameZh") or d.get("name") or n)
        return str(d.get("nameEn") or d.get("name") or n)

    def active(self, n: str) -> bool:
        st = self.G.nodes[n].get("status")
        return not st or norm_key(st) not in INACTIVE

    def outs(self, n: str, *rels: str) -> list[tuple[str, str, str, Mapping[str, Any]]]:
        """Outgoing edges of ``n`` as (relation, other end, key, attributes), optionally of some relations."""
        return _pick(self.out.get(n), rels)

    def ins(self, n: str, *rels: str) -> list[tuple[str, str, str, Mapping[str, Any]]]:
        """Incoming edges of ``n`` as (relation, other end, key, attributes)."""
        return _pick(self.inn.get(n), rels)

    def platforms(self) -> list[str]:
        """Active pilot platforms, sorted (cached)."""
        if not hasattr(self, "_platforms"):
            self._platforms = sorted(n for n in self.cls if self.is_a(n, "PilotPlatform") and self.active(n))
        return self._platforms

    # -- roles -----------------------------------------------------------------------
    def is_technology(self, n: str) -> bool:
        return self.is_a(n, "Technology")

    def is_lab(self, n: str) -> bool:
        return self.is_a(n, "ResearchOrganisation")

    def is_enterprise(self, n: str) -> bool:
        return self.is_a(n, "Enterprise")

    def is_project(self, n: str) -> bool:
        return self.is_a(n, "PilotProject")

    def is_event(self, n: str) -> bool:
        """A project (pilot or research) whose members become partners by taking part."""
        c = self.cls.get(n, "Entity")
        return c in EVENT_CLASSES or any(self.is_a(n, e) for e in EVENT_CLASSES)

    def events_of(self, n: str) -> list[tuple[str, str]]:
        """(relation, event) for the events ``n`` takes part in, sorted, one per event."""
        seen: dict[str, str] = {}
        for rel, e, _k, _ in self.outs(n, *EVENT_RELS):
            if e not in seen and self.is_event(e):
                seen[e] = rel
        return sorted(((r, e) for e, r in seen.items()), key=lambda x: x[1])

    def event_members(self, e: str) -> dict[str, str]:
        """Actors taking part in event ``e`` with the relation (leads wins over participatesIn)."""
        hit = self._members.get(e)
        if hit is None:
            hit = {}
            for rel, x, _k, _ in self.ins(e, *EVENT_RELS):
                if self.is_a(x, "Region") or self.is_a(x, "Person"):
                    continue
                if x not in hit or rel == "participatesIn":
                    hit[x] = rel
            self._members[e] = hit
        return hit

    def events(self) -> list[str]:
        """Every event node with at least one member, sorted (cached)."""
        if self._events is None:
            self._events = sorted(n for n in self.cls if self.is_event(n) and self.event_members(n))
        return self._events

    def event_date(self, e: str) -> str | None:
        """The event's start date (``startDate``, ``date`` or ``year``) as YYYY-MM-DD, if any."""
        d = self.G.nodes[e]
        v = d.get("startDate") or d.get("date")
        if v:
            return str(v)[:10]
        return _edge_date(d)

    def source_reach(self, prof: Profile) -> dict[str, tuple[float, Path]]:
        """Fill and return ``prof.event_reach``: events two steps from the node or its anchors.

        Only sources need it, so it is computed on demand rather than with every profile.
        """
        if prof.event_reach or not prof.events:
            return prof.event_reach
        reach: dict[str, tuple[float, Path]] = {}
        for a, pa in self.anchors(prof.node).items():
            for ev, (w, path) in self.event_reach(a).items():
                old = reach.get(ev)
                if old is None or old[0] < w:
                    reach[ev] = (w, (*pa, *path))
        prof.event_reach = reach
        return reach

    def event_reach(self, n: str) -> dict[str, tuple[float, Path]]:
        """Events two steps away: ``n`` -> event <- partner -> other event, with path weights.

        The weight of a path is ``1/log(1 + size of the shared event) * 1/log(1 + events of the
        partner)`` (Adamic-Adar over events: a partner met in a small project, who takes part in few
        others, says more); weights of several paths to one event add up; the path kept for
        explanation is the heaviest.
        """
        hit = self._reach.get(n)
        if hit is not None:
            return hit
        out: dict[str, tuple[float, Path]] = {}
        for rel, p in self.events_of(n):
            members = self.event_members(p)
            if len(members) > EVENT_CAP:
                continue
            w_p = 1.0 / math.log(1.0 + len(members))
            for x, rel_x in sorted(members.items()):
                if x == n:
                    continue
                evs = self.events_of(x)
                if len(evs) > EVENT_CAP:  # a partner in hundreds of projects links everyone
                    continue
                w = w_p / math.log(1.0 + len(evs))
                for rel2, p2 in evs:
                    if p2 == p:
                        continue
                    path: Path = ((n, rel, True, p), (p, rel_x, False, x), (x, rel2, True, p2))
                    old = out.get(p2)
                    if old is None:
                        out[p2] = (w, path)
                    else:
                        out[p2] = (old[0] + w, old[1] if old[0] >= w else path)
        self._reach[n] = out
        return out

    def event_skip(self, held: Iterable[str]) -> frozenset[str]:
        """Keys of every edge that the events ``held`` imply, to hide them with ``skip=``.

        That is: every edge into or out of a held event; every edge whose key ends in
        ``#<event id>`` (or the last ``:`` part of it, or the event's ``code``/``identifier``),
        or whose ``project``/``event`` property names the event (a grant for that project);
        and every direct edge between two actors who took part together only in held events
        (a ``collaboratesWith`` derived from the project). Nothing of a held event stays
        visible; the actors themselves stay.
        """
        held = set(held)
        if not held:
            return frozenset()
        tokens: dict[str, str] = {}
        for e in held:
            d = self.G.nodes[e] if e in self.G else {}
            for t in (e, e.rsplit(":", 1)[-1], d.get("code"), d.get("identifier")):
                if t is not None and str(t).strip():
                    tokens[str(t).strip()] = e
        together_held: set[tuple[str, str]] = set()
        together_kept: set[tuple[str, str]] = set()
        for e in self.events():
            ms = sorted(self.event_members(e))
            if len(ms) > EVENT_CAP:
                continue
            bucket = together_held if e in held else together_kept
            for i, a in enumerate(ms):
                for b in ms[i + 1 :]:
                    bucket.add((a, b))
        only_held = together_held - together_kept
        out: set[str] = set()
        for u, v, k, d in self.G.edges(keys=True, data=True):
            ks = str(k)
            if u in held or v in held:
                out.add(ks)
                continue
            if "#" in ks and ks.rsplit("#", 1)[-1] in tokens:
                out.add(ks)
                continue
            if any(str(d.get(p)) in tokens for p in ("project", "event") if d.get(p) is not None):
                out.add(ks)
                continue
            if (min(u, v), max(u, v)) in only_held:
                out.add(ks)
        return frozenset(out)

    def is_funder(self, n: str) -> bool:
        if self.is_a(n, "Investor") or self.is_a(n, "Grant"):
            return True
        if self.is_a(n, "Programme") or self.is_a(n, "GovernmentBody"):
            return bool(self.outs(n, *FUND_RELS))
        return False

    def sources(self, direction: str) -> list[str]:
        """Nodes that can be matched from, sorted by id."""
        if direction == "to-enterprise":
            return sorted(n for n in self.cls if self.is_technology(n) or self.is_lab(n))
        if direction == "to-technology":
            return sorted(n for n in self.cls if self.is_enterprise(n))
        return sorted(n for n in self.cls if self.is_technology(n) or self.is_enterprise(n) or self.is_project(n))

    def targets(self, direction: str) -> list[str]:
        """Nodes that can be proposed, sorted by id."""
        if direction == "to-enterprise":
            return sorted(n for n in self.cls if self.is_enterprise(n))
        if direction == "to-technology":
            return sorted(n for n in self.cls if self.is_technology(n) or self.is_lab(n))
        return sorted(n for n in self.cls if self.is_funder(n))

    # -- known links -------------------------------------------------------------------
    def known_links(self, direction: str) -> dict[tuple[str, str], KnownLink]:
        """Known pairs of a direction with their earliest date and the edges behind them (cached)."""
        hit = self._known.get(direction)
        if hit is None:
            hit = self._known[direction] = self._known_links(direction)
        return hit

    def _known_links(self, direction: str) -> dict[tuple[str, str], KnownLink]:
        acc: dict[tuple[str, str], tuple[str | None, set[str], bool]] = {}

        evs: dict[tuple[str, str], set[str]] = {}

        def add(s: str, t: str, d: Mapping[str, Any], key: str, derived: bool = False, date: str | None = None, event: str | None = None) -> None:
            date = date if event is not None else _edge_date(d)
            keys = set() if event is not None else {key}
            if event is not None:
                evs.setdefault((s, t), set()).add(event)
            old = acc.get((s, t))
            if old is None:
                acc[(s, t)] = (date, keys, derived)
            else:
                dates = [x for x in (old[0], date) if x]
                acc[(s, t)] = (min(dates) if dates else None, old[1] | keys, old[2] and derived)

        def link(p: tuple[str, str], v: tuple[str | None, set[str], bool], flip: bool = False) -> KnownLink:
            e = tuple(sorted(evs.get(p, ())))
            s, t = (p[1], p[0]) if flip else p
            return KnownLink(s, t, v[0], tuple(sorted(v[1])), v[2], e)

        if direction in ("to-enterprise", "to-technology"):
            tech_pairs: list[tuple[str, str, Mapping[str, Any], str]] = []
            for n in self.cls:
                if self.is_technology(n):
                    for _rel, e, k, d in self.outs(n, *TRANSFER_RELS):
                        if self.is_enterprise(e):
                            tech_pairs.append((n, e, d, k))
                elif self.is_enterprise(n):
                    for _rel, t, k, d in self.outs(n, *ADOPT_RELS):
                        if self.is_technology(t):
                            tech_pairs.append((t, n, d, k))
            for t, e, d, k in tech_pairs:
                add(t, e, d, k)
                for _rel, lab, _k2, _d2 in self.ins(t, "develops"):
                    if self.is_lab(lab):
                        add(lab, e, d, k, derived=True)
            for n in self.cls:
                if self.is_lab(n):
                    for _rel, e, k, d in self.outs(n, "collaboratesWith"):
                        if self.is_enterprise(e):
                            add(n, e, d, k)
                    for _rel, e, k, d in self.ins(n, "collaboratesWith"):
                        if self.is_enterprise(e):
                            add(n, e, d, k)
            # taking part in the same event (project) is a link, implied by the event
            for ev in self.events():
                members = self.event_members(ev)
                labs = [x for x in members if self.is_lab(x)]
                ents = [x for x in members if self.is_enterprise(x)]
                if labs and ents:
                    date = self.event_date(ev)
                    for lab in labs:
                        for e in ents:
                            add(lab, e, {}, "", date=date, event=ev)
            flip = direction == "to-technology"
            out = {((p[1], p[0]) if flip else p): link(p, v, flip) for p, v in acc.items()}
            return dict(sorted(out.items()))
        srcs = set(self.sources(direction))
        for n in self.cls:
            if self.is_funder(n):
                for _rel, x, k, d in self.outs(n, *FUND_RELS):
                    if x in srcs:
                        add(x, n, d, k)
        return {p: link(p, v) for p, v in sorted(acc.items())}

    def owned_pairs(self) -> set[tuple[str, str]]:
        """(technology, enterprise) pairs where the enterprise already has the technology.

        It develops it, holds a patent on it, or produces a product based on it: proposing
        the technology to that enterprise would tell it nothing.
        """
        if not hasattr(self, "_owned"):
            out: set[tuple[str, str]] = set()
            for n in self.cls:
                if not self.is_technology(n):
                    continue
                for _rel, d, _k, _ in self.ins(n, "develops", "holdsPatent"):
                    if self.is_enterprise(d):
                        out.add((n, d))
                for _rel, x, _k, _ in self.ins(n, "basedOn"):
                    for _rel2, e, _k2, _ in self.ins(x, "produces"):
                        if self.is_enterprise(e):
                            out.add((n, e))
            self._owned = out
        return self._owned

    # -- profiles ----------------------------------------------------------------------
    def anchors(self, n: str) -> dict[str, Path]:
        """The node and the actors that stand for it in the graph, with the path to each."""
        out: dict[str, Path] = {n: ()}

        def put(a: str, path: Path) -> None:
            if a not in out:
                out[a] = path

        if self.is_technology(n):
            for rel, d, _k, _ in self.ins(n, "develops", "holdsPatent"):
                put(d, ((n, rel, False, d),))
            for rel, p, _k, _ in self.outs(n, "pilotedAt"):
                put(p, ((n, rel, True, p),))
        elif self.is_project(n):
            for rel, h, _k, _ in self.ins(n, "hosts", "leads", "participatesIn"):
                if not self.is_a(h, "Region") and not self.is_a(h, "Person"):
                    put(h, ((n, rel, False, h),))
            for rel, p, _k, _ in self.outs(n, "pilotedAt"):
                put(p, ((n, rel, True, p),))
            for rel, t, _k, _ in self.outs(n, "basedOn"):
                for rel2, d, _k2, _ in self.ins(t, "develops"):
                    put(d, ((n, rel, True, t), (t, rel2, False, d)))
        elif self.is_funder(n):
            for rel, m, _k, _ in self.ins(n, "manages"):
                put(m, ((n, rel, False, m),))
        elif self.is_lab(n):
            for rel, p, _k, _ in self.outs(n, "subOrganisationOf"):
                put(p, ((n, rel, True, p),))
        return out

    def profile(self, n: str, role: str = "") -> Profile:
        """Profile of ``n`` (cached; ``role`` is informative only: the profile is the same)."""
        hit = self._profiles.get(n)
        if hit is None:
            hit = self._profiles[n] = self._build_profile(n)
        return hit

    def tie_degree(self, n: str) -> int:
        if self._tie_degree is None:
            deg: dict[str, int] = {}
            for u, by_rel in self.out.items():
                for rel, es in by_rel.items():
                    if rel in TIE_RELS:
                        deg[u] = deg.get(u, 0) + len(es)
                        for _r, v, _k, _ in es:
                            deg[v] = deg.get(v, 0) + 1
            self._tie_degree = deg
        return self._tie_degree.get(n, 0)

    def _text(self, n: str, weight_self: bool = True) -> list[str]:
        d = self.G.nodes[n]
        parts: list[str] = []
        for k in ("name", "nameEn", "nameZh", "description"):
            parts.extend(_as_list(d.get(k)))
        parts.extend(_as_list(d.get("aliases")))
        parts.extend(_as_list(d.get("field")))
        return parts

    def _build_profile(self, n: str) -> Profile:
        anchors = self.anchors(n)
        texts, codes = self._profile_codes(n, anchors)
        places, alliances, investors, ties, coords, events = self._profile_context(n, anchors)
        return Profile(n, "\n".join(texts), codes, places, alliances, investors, ties, stage=self.stage(n), coords=coords, events=events)

    def _profile_codes(self, n: str, anchors: Mapping[str, Path]) -> tuple[list[str], dict[str, tuple[float, Path | None]]]:
        """Texts and classification codes (fields, segments and their neighbours) of ``n`` and what it makes, develops or funds."""
        texts = self._text(n)
        codes: dict[str, tuple[float, Path | None]] = {}

        def code(c: str, w: float, path: Path | None) -> None:
            old = codes.get(c)
            if old is None or old[0] < w:
                codes[c] = (w, path)

        def segment_codes(x: str, base: Path, w: float) -> None:
            for rel, seg, _k, _ in self.outs(x, "partOfSegment"):
                p1 = (*base, (x, rel, True, seg))
                code("seg:" + seg, w, p1)
                texts.extend([self.name(seg), self.name(seg, "zh")])
                for rel2, up, _k2, _ in self.outs(seg, "partOfSegment"):
                    code("seg:" + up, 0.5 * w, (*p1, (seg, rel2, True, up)))
                for rel2, nb, _k2, _ in self.outs(seg, "upstreamOf"):
                    code("seg:" + nb, 0.5 * w, (*p1, (seg, rel2, True, nb)))
                for rel2, nb, _k2, _ in self.ins(seg, "upstreamOf"):
                    code("seg:" + nb, 0.5 * w, (*p1, (seg, rel2, False, nb)))

        for f in _as_list(self.G.nodes[n].get("field")):
            code("field:" + norm_key(f), 1.0, None)
        segment_codes(n, (), 1.0)
        if self.is_enterprise(n):
            for rel, prod, _k, _ in self.outs(n, "produces", "develops"):
                texts.extend(self._text(prod))
                for f in _as_list(self.G.nodes[prod].get("field")):
                    code("field:" + norm_key(f), 0.8, None)
                segment_codes(prod, ((n, rel, True, prod),), 0.8)
        if self.is_lab(n):
            for rel, t, _k, _ in self.outs(n, "develops"):
                texts.extend(self._text(t))
                for f in _as_list(self.G.nodes[t].get("field")):
                    code("field:" + norm_key(f), 0.8, None)
                segment_codes(t, ((n, rel, True, t),), 0.8)
        if self.is_technology(n) or self.is_project(n):
            for rel, t, _k, _ in self.outs(n, "basedOn"):
                texts.extend(self._text(t))
                segment_codes(t, ((n, rel, True, t),), 0.8)
        if self.is_funder(n):
            for rel, x, _k, _ in self.outs(n, *FUND_RELS):
                texts.extend(self._text(x))
                for f in _as_list(self.G.nodes[x].get("field")):
                    code("field:" + norm_key(f), 0.5, None)
                segment_codes(x, ((n, rel, True, x),), 0.5)
        if self.is_technology(n) and not any(c.startswith("field:") for c in codes):
            for a in anchors:
                if a != n:
                    for f in _as_list(self.G.nodes[a].get("field")):
                        code("field:" + norm_key(f), 0.5, None)
        return texts, codes

    def _profile_context(self, n: str, anchors: Mapping[str, Path]) -> tuple[
        dict[str, tuple[int, Path | None]], dict[str, Path], dict[str, Path], dict[str, Path], tuple[float, float] | None, dict[str, Path]
    ]:
        """Places, alliances, investors, ties, coordinates and events of ``n`` through its anchors (with paths)."""
        places: dict[str, tuple[int, Path | None]] = {}
        alliances: dict[str, Path] = {}
        investors: dict[str, Path] = {}
        ties: dict[str, Path] = {n: ()}
        coords: tuple[float, float] | None = None
        events: dict[str, Path] = {}
        for a, pa in anchors.items():
            da = self.G.nodes[a]
            if coords is None:
                coords = _coords(da)
            self._property_places(da, len(pa) + 1, places)
            # places: along locatedIn and hosted-by, memoised per node
            for place, (depth, path) in self.places_from(a).items():
                if place != n and (place not in places or places[place][0] > depth):
                    places[place] = (depth, (*pa, *path))
            for rel, al, _k, _ in self.outs(a, "memberOf", "participatesIn", "leads"):
                if self.is_a(al, "Alliance") and al not in alliances:
                    alliances[al] = (*pa, (a, rel, True, al))
            for rel, inv, _k, _ in self.ins(a, *FUND_RELS):
                if inv not in investors:
                    investors[inv] = (*pa, (a, rel, False, inv))
            for rel, ev in self.events_of(a):
                if ev not in events:
                    events[ev] = (*pa, (a, rel, True, ev))
            for rel, z, _k, _ in self.outs(a, *TIE_RELS):
                if z != n and z not in ties and not self._non_tie(z):
                    ties[z] = (*pa, (a, rel, True, z))
            for rel, z, _k, _ in self.ins(a, *TIE_RELS):
                if z != n and z not in ties and not self._non_tie(z):
                    ties[z] = (*pa, (a, rel, False, z))
            if a != n and a not in ties and not self._non_tie(a):
                ties[a] = pa
        return places, alliances, investors, ties, coords, events

    def _property_places(self, da: Mapping[str, Any], depth: int, places: dict[str, tuple[int, Path | None]]) -> None:
        """Places written as properties of an anchor: its region, NUTS code prefixes, then its country."""
        for r in _as_list(da.get("region")):
            self.region_names.setdefault("region:" + norm_key(r), r)
            places.setdefault("region:" + norm_key(r), (depth, None))
        # the region hierarchy written as properties: NUTS code prefixes, then the country
        for raw in _as_list(da.get("nutsCode")):
            nuts = re.sub(r"\s+", "", raw).upper()
            for i in range(3, len(nuts) + 1):
                self.region_names.setdefault("nuts:" + nuts[:i], nuts[:i])
                places.setdefault("nuts:" + nuts[:i], (depth, None))
        for c in _as_list(da.get("country")):
            key = "country:" + norm_key(c)
            self.region_names.setdefault(key, c)
            places.setdefault(key, (depth, None))

    def places_from(self, x: str, _busy: set[str] | None = None) -> dict[str, tuple[int, Path]]:
        """Places reachable from ``x`` along ``locatedIn`` (and parks/regions hosting it), up to 4 hops."""
        hit = self._place_cache.get(x)
        if hit is not None:
            return hit
        busy = _busy if _busy is not None else set()
        if x in busy:
            return {}
        busy.add(x)
        res: dict[str, tuple[int, Path]] = {}
        nxt = [(rel, y, True) for rel, y, _k, _ in self.outs(x, "locatedIn")]
        nxt += [(rel, y, False) for rel, y, _k, _ in self.ins(x, "hosts") if self.is_a(y, "Region") or self.is_a(y, "IndustrialPark")]
        for rel, y, fwd in nxt:
            if y == x:
                continue
            step: Step = (x, rel, fwd, y)
            if y not in res:
                res[y] = (1, (step,))
            for p, (d, path) in self.places_from(y, busy).items():
                if p != x and d < 4 and (p not in res or res[p][0] > d + 1):
                    res[p] = (d + 1, (step, *path))
        busy.discard(x)
        self._place_cache[x] = res
        return res

    def _non_tie(self, z: str) -> bool:
        c = self.cls.get(z, "Entity")
        hit = self._nontie.get(c)
        if hit is None:
            hit = self._nontie[c] = any(self.is_a(z, x) for x in _NON_TIE_CLASSES)
        return hit

    # -- stages ------------------------------------------------------------------------
    def stage_index(self, key: str | None) -> float:
        order = self.onto.stage_order
        return float(order.index(key)) if key in order else 0.0

    def stage(self, n: str) -> float:
        """Position on the canal (0 research, 1 pilot, 2 industrialisation, 3 capital).

        Technologies and projects: ``maturity``, else ``trl`` (1-3 research, 4-6 pilot,
        7-9 industrialisation), else evidence in the graph (piloted, adopted), else the
        class's stage in the ontology. Enterprises: listed -> capital, founded in the
        last three years of the graph's horizon or not yet producing -> pilot, else the
        class's stage. Funders: the mean stage of what they funded, else a default per class.
        """
        d = self.G.nodes[n]
        c = self.cls.get(n, "Entity")
        mat = norm_key(d.get("maturity", "")) if d.get("maturity") else ""
        if mat in self.onto.stage_order:
            return self.stage_index(mat)
        if self.is_technology(n) or self.is_project(n):
            trl = d.get("trl")
            if isinstance(trl, (int, float)) and not isinstance(trl, bool):
                return 0.0 if trl <= 3 else 1.0 if trl <= 6 else 2.0
            if self.ins(n, *ADOPT_RELS) or self.outs(n, *TRANSFER_RELS):
                return 2.0
            if self.outs(n, "pilotedAt"):
                return 1.0
            return self.stage_index(self.onto.stage_of(c))
        if self.is_enterprise(n):
            if self.outs(n, "listedOn") or d.get("stockCode"):
                return 3.0
            fy = d.get("foundedYear")
            if isinstance(fy, int) and fy >= self.horizon_year() - 3:
                return 1.0
            if not self.outs(n, "produces"):
                return 1.5
            return self.stage_index(self.onto.stage_of(c))
        if self.is_funder(n):
            st = [self.stage(x) for _r, x, _k, _ in self.outs(n, *FUND_RELS) if not self.is_funder(x) and x != n]
            if st:
                return float(sum(st) / len(st))
            return _FUNDER_STAGE.get(c, 1.5)
        return self.stage_index(self.onto.stage_of(c))

    def horizon_year(self) -> int:
        if not hasattr(self, "_horizon"):
            years = [int(d["foundedYear"]) for _n, d in self.G.nodes(data=True) if isinstance(d.get("foundedYear"), int)]
            self._horizon = max(years) if years else 0
        return self._horizon


_FUNDER_STAGE = {
    "Grant": 0.5,
    "Programme": 0.5,
    "GovernmentBody": 1.0,
    "VentureCapital": 1.5,
    "GovernmentGuidanceFund": 1.5,
    "Fund": 2.0,
    "Investor": 2.0,
}


def _pick(by_rel: dict[str, list[tuple[str, str, str, Mapping[str, Any]]]] | None, rels: Iterable[str]) -> list[tuple[str, str, str, Mapping[str, Any]]]:
    if not by_rel:
        return []
    if not rels:
        return [e for es in by_rel.values() for e in es]
    out: list[tuple[str, str, str, Mapping[str, Any]]] = []
    for r in rels:
        es = by_rel.get(r)
        if es:
            out.extend(es)
    return out


def _edge_date(d: Mapping[str, Any]) -> str | None:
    v = d.get("date")
    if v:
        return str(v)[:10]
    y = d.get("year")
    if isinstance(y, int) or (isinstance(y, str) and y.isdigit()):
        return f"{int(y):04d}-01-01"
    return None


def _coords(d: Mapping[str, Any]) -> tuple[float, float] | None:
    """(latitude, longitude) from ``latitude``/``longitude`` properties, if both are valid numbers."""
    la, lo = d.get("latitude"), d.get("longitude")
    if la is None or lo is None or isinstance(la, bool) or isinstance(lo, bool):
        return None
    try:
        lat, lon = float(la), float(lo)
    except (TypeError, ValueError):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0.0 and lon == 0.0):
        return None
    return lat, lon


def idf(df: int, n: int) -> float:
    """Smoothed inverse document frequency."""
    return math.log((1.0 + n) / (1.0 + df)) + 1.0
