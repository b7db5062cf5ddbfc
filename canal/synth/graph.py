"""Synthetic canal graphs with planted gaps and their ground truth (seeded).

:func:`synth_graph` builds a *healthy* canal first (every technology developed, piloted and
adopted by a funded enterprise, every region holding whole industry chains, every alliance
spanning the three chains and linked inside), with heavy-tailed degrees (preferential
choice of organisations by Pareto weights), then plants gaps of every registered type (each gap type's planter, see
:mod:`canal.gaps.registry`) and records what it planted in :attr:`SynthResult.truth`. Planters
are plain functions of a :class:`SynthBuilder`; pass your own in ``extra`` to plant other structures (they may add
nodes, edges and truth records of any type).

>>> r = synth_graph(1000, seed=1)
>>> 900 < r.n_nodes < 1300, r.n_edges > 4 * r.n_nodes
(True, True)
>>> from canal.gaps.registry import gap_types
>>> sorted({t.type for t in r.truth}) == sorted(gap_types())
True
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from canal.gaps.frame import CanalFrame, frame_from_arrays
from canal.gaps.registry import Planter, gap_types, planters
from canal.ontology import Ontology, load_ontology

# Background composition: share of the nodes per class (the rest are regions and segments).
COMPOSITION: dict[str, float] = {
    "Technology": 0.16,
    "Patent": 0.12,
    "ScientificAchievement": 0.02,
    "ResearchInstitute": 0.012,
    "University": 0.008,
    "Laboratory": 0.02,
    "Enterprise": 0.20,
    "Product": 0.08,
    "PilotPlatform": 0.01,
    "PilotProject": 0.03,
    "IndustrialPark": 0.004,
    "VentureCapital": 0.02,
    "Fund": 0.01,
    "GovernmentGuidanceFund": 0.004,
    "Grant": 0.02,
    "Person": 0.17,
    "GovernmentBody": 0.006,
    "Programme": 0.004,
    "ResearchProject": 0.004,
    "Incubator": 0.003,
    "TechnologyTransferCentre": 0.003,
    "SharingPlatform": 0.002,
    "Alliance": 0.002,
}


@dataclass(frozen=True)
class PlantedGap:
    """One planted gap: type, kind, scope and nodes (anchor first), as :class:`canal.gaps.Gap`."""

    type: str
    kind: str
    scope: str
    nodes: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The anchor node."""
        return self.nodes[0]


class SynthBuilder:
    """Accumulates nodes, edges and truth; planters call its methods."""

    def __init__(self, seed: int, ontology: Ontology) -> None:
        self.rng = np.random.default_rng(seed)
        self.ontology = ontology
        self.ids: list[str] = []
        self.cls: list[str] = []
        self.region: list[str | None] = []
        self.fields: dict[int, tuple[str, ...]] = {}
        self.names: dict[int, str] = {}
        self.trl: dict[int, int] = {}
        self.src: list[int] = []
        self.dst: list[int] = []
        self.rel: list[str] = []
        self._seen: set[tuple[int, str, int]] = set()
        self.truth: list[PlantedGap] = []
        self.by_class: dict[str, list[int]] = defaultdict(list)
        self.frozen: set[int] = set()
        self._counter: dict[str, int] = defaultdict(int)
        self.info: dict[str, Any] = {}
        self._adj: dict[int, set[int]] = defaultdict(set)
        self._adj_done = 0
        # segment presence bookkeeping (see guard_presence): item -> segments, item -> holders,
        # organisation -> segments it is present in, organisation -> segments it must never hold
        self.item_segs: dict[int, set[int]] = defaultdict(set)
        self.holders: dict[int, set[int]] = defaultdict(set)
        self.held: dict[int, set[int]] = defaultdict(set)
        self.blocked: dict[int, set[int]] = defaultdict(set)
        self.excluded: set[tuple[str, int]] = set()

    # -- nodes and edges ---------------------------------------------------------------------
    def node(self, cls: str, *, region: str | None = None, field: Sequence[str] = (), name: str | None = None,
             trl: int | None = None, prefix: str | None = None) -> int:
        """Add a node of class ``cls``; returns its index."""
        i = len(self.ids)
        p = prefix or cls.lower()
        self._counter[p] += 1
        nid = f"{p}-{self._counter[p]:06d}"
        self.ids.append(nid)
        self.cls.append(cls)
        self.region.append(region)
        if field:
            self.fields[i] = tuple(field)
        self.names[i] = name or f"{cls} {self._counter[p]}"
        if trl is not None:
            self.trl[i] = trl
        self.by_class[cls].append(i)
        return i

    def nodes(self, cls: str, count: int, **kw: Any) -> list[int]:
        """Add ``count`` nodes of one class."""
        return [self.node(cls, **kw) for _ in range(count)]

    def _may_hold(self, h: int, segs: Iterable[int]) -> bool:
        r = self.region[h]
        bl = self.blocked.get(h)
        return not any((r, m) in self.excluded or (bl is not None and m in bl) for m in segs)

    def edge(self, u: int, rel: str, v: int) -> bool:
        """Add ``u -rel-> v`` (ontology relation name) unless it exists, is a loop, or would make a
        reserved segment present where a segment gap is planted (see ``excluded`` and ``blocked``)."""
        if u == v:
            return False
        k = (u, rel, v)
        if k in self._seen:
            return False
        if rel in _HOLD_OUT or rel in _HOLD_IN:
            h, item = (u, v) if rel in _HOLD_OUT else (v, u)
            segs = self.item_segs.get(item)
            if segs and not self._may_hold(h, segs):
                return False
            self.holders[item].add(h)
            if segs:
                self.held[h] |= segs
        elif rel == "partOfSegment" and self.cls[u] != "IndustrySegment":
            hs = self.holders.get(u, set()) | ({u} if self.cls[u] != "Technology" and self.cls[u] != "Product" else set())
            if not all(self._may_hold(h, (v,)) for h in hs):
                return False
            self.item_segs[u].add(v)
            for h in hs:
                self.held[h].add(v)
        self._seen.add(k)
        self.src.append(u)
        self.dst.append(v)
        self.rel.append(rel)
        return True

    def edges(self, us: Iterable[int], rel: str, vs: Iterable[int]) -> None:
        """Add edges pairwise."""
        for u, v in zip(us, vs, strict=True):
            self.edge(int(u), rel, int(v))

    def plant(self, type_: str, kind: str, scope: str, nodes: Sequence[int]) -> None:
        """Record a planted gap (node indices; the anchor first) and freeze its nodes."""
        self.truth.append(PlantedGap(type_, kind, scope, tuple(self.ids[i] for i in nodes)))

    # -- helpers -------------------------------------------------------------------------------
    def weights(self, idx: Sequence[int], alpha: float = 1.3) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Heavy-tailed (Pareto) choice weights for ``idx``."""
        w = self.rng.pareto(alpha, len(idx)) + 1.0
        return np.asarray(w / w.sum(), dtype=np.float64)

    def pick(self, idx: Sequence[int], k: int, p: np.ndarray[Any, np.dtype[np.float64]] | None = None) -> list[int]:
        """``k`` random choices (with replacement) from ``idx``."""
        if not idx or k <= 0:
            return []
        arr = np.asarray(idx, dtype=np.int64)
        return [int(x) for x in arr[self.rng.choice(len(arr), size=k, p=p)]]

    def one(self, idx: Sequence[int]) -> int:
        """One uniform choice."""
        return int(idx[int(self.rng.integers(len(idx)))])

    def adjacency(self) -> dict[int, set[int]]:
        """Undirected neighbour sets of the current graph (kept up to date incrementally)."""
        done = self._adj_done
        for u, v in zip(self.src[done:], self.dst[done:], strict=True):
            self._adj[u].add(v)
            self._adj[v].add(u)
        self._adj_done = len(self.src)
        return self._adj


_HOLD_OUT = frozenset({"develops", "adopts", "produces"})
_HOLD_IN = frozenset({"transferredTo", "licensedTo"})


@dataclass
class SynthResult:
    """A synthetic canal graph and the gaps planted in it."""

    ids: list[str]
    cls: list[str]
    region: list[str | None]
    fields: dict[int, tuple[str, ...]]
    names: dict[int, str]
    trl: dict[int, int]
    src: np.ndarray[Any, np.dtype[np.int32]]
    dst: np.ndarray[Any, np.dtype[np.int32]]
    rel: list[str]
    truth: list[PlantedGap]
    seed: int
    ontology: Ontology
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        """Number of relationships."""
        return len(self.rel)

    def frame(self) -> CanalFrame:
        """The graph as a :class:`~canal.gaps.frame.CanalFrame` (fast, no networkx)."""
        types = [self.ontology.relation(r).type for r in self.rel]
        return frame_from_arrays(
            self.ids, self.cls, self.src, self.dst, types, ontology=self.ontology, region=self.region,
            fields=self.fields, names=self.names, trl=self.trl,
        )

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The graph in the shape of ``GraphStore.to_networkx()`` (built on first use)."""
        onto = self.ontology
        G: nx.MultiDiGraph = nx.MultiDiGraph()
        for i, nid in enumerate(self.ids):
            c = self.cls[i]
            attrs: dict[str, Any] = {"cls": c, "labels": sorted(onto.labels_for(c)), "name": self.names.get(i, nid)}
            if self.region[i]:
                attrs["region"] = self.region[i]
            if i in self.fields:
                attrs["field"] = list(self.fields[i])
            if i in self.trl:
                attrs["trl"] = self.trl[i]
            attrs["method"] = "synthetic"
            G.add_node(nid, **attrs)
        for u, v, r in zip(self.src.tolist(), self.dst.tolist(), self.rel, strict=True):
            t = onto.relation(r).type
            a, b = self.ids[u], self.ids[v]
            G.add_edge(a, b, key=f"{a}-{t}->{b}", type=t, rel=r, method="synthetic")
        return G

    def truth_of(self, type_: str) -> list[PlantedGap]:
        """Planted gaps of one type."""
        return [t for t in self.truth if t.type == type_]


# ---------------------------------------------------------------------------------------------
# background


@dataclass
class _Background:
    """What the sections of :func:`_background` hand on to later ones."""

    regions: list[str]
    region_nodes: dict[str, int]
    chains: list[list[int]]
    count: dict[str, int]
    research: list[int] = field(default_factory=list)
    ents: list[int] = field(default_factory=list)
    w_ent: Any = None
    investors: list[int] = field(default_factory=list)
    w_inv: Any = None
    funds: list[int] = field(default_factory=list)
    gov: list[int] = field(default_factory=list)
    progs: list[int] = field(default_factory=list)
    services: list[int] = field(default_factory=list)
    platforms: list[int] = field(default_factory=list)
    techs: list[int] = field(default_factory=list)
    adopters: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)

    def region_of_org(self, b: SynthBuilder) -> str:
        return self.regions[int(b.rng.integers(len(self.regions)))]


def _background(b: SynthBuilder, n_nodes: int, edges_per_node: float, reserve: dict[str, Any]) -> None:
    g = _regions_and_chains(b, n_nodes)
    _research_organisations(b, g)
    _enterprises(b, g, reserve.get("excluded", set()))
    _investors(b, g)
    _government_and_programmes(b, g)
    _research_projects(b, g)
    _parks_and_services(b, g)
    _pilot_platforms(b, g)
    _technologies(b, g)
    _outputs_and_people(b, g)
    _remaining_relations(b, g)
    # healthy alliances (all three chains, one whole chain of enterprises, linked inside)
    for _ in range(g.count["Alliance"]):
        make_alliance(b, chains=("innovation", "industrial", "capital"), linked=True)
    # filler ties between background organisations, heavy-tailed, up to edges_per_node
    target = int(edges_per_node * n_nodes)
    w_r = b.weights(g.research)
    for _ in range(6):
        need = target - len(b.src)
        if need <= 0:
            break
        _filler(b, need, g.ents, g.w_ent, g.research, w_r, g.investors, g.w_inv, g.techs)


def _regions_and_chains(b: SynthBuilder, n_nodes: int) -> _Background:
    """Regions, industry chains of segments, which region holds which chains; the node counts per class."""
    n_regions = max(6, n_nodes // 10000)
    n_chains = max(4, n_nodes // 40000)
    regions = [f"Region {k + 1:03d}" for k in range(n_regions)]
    region_nodes = {r: b.node("Region", name=r, prefix="region") for r in regions}
    # industry chains of segments (UPSTREAM_OF inside a chain)
    chains: list[list[int]] = []
    for c in range(n_chains):
        length = 4 + c % 3
        segs = [b.node("IndustrySegment", name=f"Chain {c + 1} segment {k + 1}", field=[f"field-{c + 1}"], prefix="segment")
                for k in range(length)]
        for u, v in itertools.pairwise(segs):
            b.edge(u, "upstreamOf", v)
        chains.append(segs)
    # each region holds two or more whole chains; every chain is held somewhere
    per_region = max(2, n_chains // 3)
    region_chains: dict[str, list[int]] = {}
    for k, r in enumerate(regions):
        region_chains[r] = sorted({(k + j) % n_chains for j in range(per_region)})
    platform_regions = regions[: (n_regions + 1) // 2]
    plain_regions = regions[(n_regions + 1) // 2 :]
    b.info.update(regions=regions, chains=chains, region_chains=region_chains, platform_regions=platform_regions,
                  plain_regions=plain_regions, region_nodes=region_nodes)
    share = 1.0 / sum(COMPOSITION.values())
    count = {c: max(3, round(f * share * n_nodes)) for c, f in COMPOSITION.items()}
    count["Alliance"] = max(3, count["Alliance"])
    return _Background(regions, region_nodes, chains, count)


def _research_organisations(b: SynthBuilder, g: _Background) -> None:
    """Research organisations: institutes, universities and their labs, each located in its region."""
    count, regions, region_nodes = g.count, g.regions, g.region_nodes
    inst = [b.node("ResearchInstitute", region=g.region_of_org(b)) for _ in range(count["ResearchInstitute"])]
    unis = [b.node("University", region=g.region_of_org(b)) for _ in range(count["University"])]
    parents = inst + unis
    labs = []
    for _ in range(count["Laboratory"]):
        p = b.one(parents)
        lab = b.node("Laboratory", region=b.region[p])
        b.edge(lab, "subOrganisationOf", p)
        labs.append(lab)
    research = parents + labs
    b.info["research"] = research
    for org in research:  # every organisation is somewhere (and so never hangs on one technology)
        b.edge(org, "locatedIn", region_nodes[b.region[org] or regions[0]])
    g.research = research


def _enterprises(b: SynthBuilder, g: _Background, excluded: set[tuple[str, int]]) -> None:
    """Enterprises: whole chains per region, minus reserved (region, segment) exclusions."""
    rng, chains = b.rng, g.chains
    ents: list[int] = []
    ent_segment: dict[int, int] = {}
    slots = [(r, s) for r in g.regions for c in b.info["region_chains"][r] for s in chains[c] if (r, s) not in excluded]
    n_ent = max(g.count["Enterprise"], len(slots))
    for k in range(n_ent):
        r, s = slots[k] if k < len(slots) else slots[int(rng.integers(len(slots)))]
        c = next(ci for ci, segs in enumerate(chains) if s in segs)
        e = b.node("Enterprise", region=r, field=[f"field-{c + 1}"])
        b.edge(e, "partOfSegment", s)
        b.edge(e, "locatedIn", g.region_nodes[r])
        ents.append(e)
        ent_segment[e] = s
    b.info["enterprises"] = ents
    b.info["ent_segment"] = ent_segment
    g.ents = ents
    g.w_ent = b.weights(ents)


def _investors(b: SynthBuilder, g: _Background) -> None:
    """Investors: every enterprise is funded, every investor invests; a tenth of the enterprises listed."""
    count, ents = g.count, g.ents
    vcs = b.nodes("VentureCapital", count["VentureCapital"])
    funds = b.nodes("Fund", count["Fund"])
    ggfs = b.nodes("GovernmentGuidanceFund", count["GovernmentGuidanceFund"])
    for x in vcs + funds + ggfs:
        b.region[x] = g.region_of_org(b)
    investors = vcs + funds + ggfs
    b.info["investors"] = investors
    w_inv = b.weights(investors)
    inv_pick = b.pick(investors, len(ents), w_inv)
    for k, e in enumerate(ents):
        b.edge(investors[k] if k < len(investors) else inv_pick[k], "investsIn", e)
    for k, x in enumerate(investors[len(ents):]):
        b.edge(x, "investsIn", ents[k % len(ents)])
    for gg in ggfs:
        b.edge(gg, "investsIn", b.one(funds))
    exchanges = [b.node("StockExchange", name=n, prefix="exchange") for n in ("SSE", "SZSE", "BSE")]
    listed = b.pick(ents, max(3, len(ents) // 10), g.w_ent)
    for k, e in enumerate(listed):
        b.edge(e, "listedOn", exchanges[k % 3])
    g.investors, g.w_inv, g.funds = investors, w_inv, funds


def _government_and_programmes(b: SynthBuilder, g: _Background) -> None:
    """Government bodies (managing the funds) and their programmes (granting to organisations)."""
    count, research, ents = g.count, g.research, g.ents
    gov = [b.node("GovernmentBody", region=g.region_of_org(b)) for _ in range(count["GovernmentBody"])]
    b.info["government"] = gov
    for x in gov:
        b.edge(x, "locatedIn", g.region_nodes[b.region[x] or g.regions[0]])
    for f_ in g.funds:
        b.edge(b.one(gov), "manages", f_)
    progs = b.nodes("Programme", count["Programme"])
    for p in progs:
        b.edge(b.one(gov), "manages", p)
        for o in (b.one(research), b.one(ents), b.one(ents)):
            b.edge(p, "grantsTo", o)
    g.gov, g.progs = gov, progs


def _research_projects(b: SynthBuilder, g: _Background) -> None:
    """Research projects: a programme pays for each, a research organisation leads it with partners."""
    research = g.research
    for rp in b.nodes("ResearchProject", g.count["ResearchProject"]):
        b.edge(b.one(g.progs), "grantsTo", rp)
        b.edge(b.one(research), "leads", rp)
        for o in (b.one(research), b.one(g.ents)):
            b.edge(o, "participatesIn", rp)


def _parks_and_services(b: SynthBuilder, g: _Background) -> None:
    """Industrial parks hosting enterprises; incubators, sharing platforms and transfer centres."""
    count, ents, research = g.count, g.ents, g.research
    for _ in range(count["IndustrialPark"]):
        r = g.region_of_org(b)
        park = b.node("IndustrialPark", region=r)
        b.edge(park, "locatedIn", g.region_nodes[r])
        for e in (b.one(ents), b.one(ents), b.one(ents)):
            b.edge(park, "hosts", e)
    services = []
    for cls in ("Incubator", "SharingPlatform", "TechnologyTransferCentre"):
        for _ in range(count[cls]):
            r = g.region_of_org(b)
            x = b.node(cls, region=r)
            b.edge(x, "locatedIn", g.region_nodes[r])
            services.append(x)
            if cls == "TechnologyTransferCentre":
                for o in (b.one(research), b.one(research)):
                    b.edge(x, "collaboratesWith", o)
            else:
                for e in (b.one(ents), b.one(ents)):
                    b.edge(e, "usesPlatform", x)
    g.services = services


def _pilot_platforms(b: SynthBuilder, g: _Background) -> None:
    """Pilot platforms (only in platform regions)."""
    rng = b.rng
    platform_regions = b.info["platform_regions"]
    platforms = []
    for _ in range(g.count["PilotPlatform"]):
        r = platform_regions[int(rng.integers(len(platform_regions)))]
        c = int(rng.integers(len(g.chains)))
        p = b.node("PilotPlatform", region=r, field=[f"field-{c + 1}"])
        b.edge(p, "locatedIn", g.region_nodes[r])
        b.edge(b.one(g.ents + g.research), "manages", p)
        platforms.append(p)
    b.info["platforms"] = platforms
    g.platforms = platforms


def _technologies(b: SynthBuilder, g: _Background) -> None:
    """Technologies: developed (every research organisation develops), piloted, adopted."""
    rng, research, chains, platforms = b.rng, g.research, g.chains, g.platforms
    techs = []
    w_res = b.weights(research)
    devs = research + b.pick(research, max(0, g.count["Technology"] - len(research)), w_res)
    adopters = b.pick(g.ents, len(devs), g.w_ent)
    co_devs = b.pick(research, len(devs), w_res)
    for k, d in enumerate(devs):
        c = int(rng.integers(len(chains)))
        t = b.node("Technology", region=b.region[d], field=[f"field-{c + 1}"], trl=int(rng.integers(3, 10)))
        b.edge(d, "develops", t)
        b.edge(adopters[k], "adopts", t)
        b.edge(t, "pilotedAt", b.one(platforms))
        if rng.random() < 0.2:
            b.edge(co_devs[k], "develops", t)
        if rng.random() < 0.2:
            b.edge(t, "transferredTo", adopters[k])
        if rng.random() < 0.5:
            b.edge(t, "partOfSegment", b.one(chains[c]))
        techs.append(t)
    b.info["techs"] = techs
    b.info["tech_developer"] = dict(zip(techs, devs, strict=True))
    g.techs, g.adopters = techs, adopters
    n_sa = g.count["ScientificAchievement"]
    for d, e in zip(b.pick(research, n_sa, w_res), b.pick(g.ents, n_sa, g.w_ent), strict=True):
        a = b.node("ScientificAchievement", region=b.region[d])
        b.edge(d, "develops", a)
        b.edge(a, "transferredTo", e)
        b.edge(a, "pilotedAt", b.one(platforms))


def _outputs_and_people(b: SynthBuilder, g: _Background) -> None:
    """Patents, products, grants with pilot projects, and people working for organisations."""
    count, techs, platforms = g.count, g.techs, g.platforms
    for _ in range(count["Patent"]):
        t = b.one(techs)
        p = b.node("Patent", region=b.region[t])
        b.edge(b.info["tech_developer"][t], "holdsPatent", p)
        b.edge(p, "protects", t)
    for e in b.pick(g.ents, count["Product"], g.w_ent):
        pr = b.node("Product", region=b.region[e])
        b.edge(e, "produces", pr)
        b.edge(pr, "basedOn", b.one(techs))
    grants = b.nodes("Grant", count["Grant"])
    for k in range(count["PilotProject"]):
        pp = b.node("PilotProject", region=None)
        b.edge(pp, "pilotedAt", b.one(platforms))
        b.edge(pp, "basedOn", b.one(techs))
        b.edge(grants[k % len(grants)], "grantsTo", pp)
    for gr in grants[count["PilotProject"]:]:
        b.edge(gr, "grantsTo", b.one(b.by_class["PilotProject"]))
    orgs = g.research + g.ents + g.investors + g.gov + g.services + platforms
    w_org = b.weights(orgs)
    people = b.nodes("Person", count["Person"])
    for p, o in zip(people, b.pick(orgs, len(people), w_org), strict=True):
        b.edge(p, "worksFor", o)
    g.people = people


def _remaining_relations(b: SynthBuilder, g: _Background) -> None:
    """The remaining relationship types, on healthy nodes only."""
    ents, research, people, techs = g.ents, g.research, g.people, g.techs
    few = max(3, len(ents) // 50)
    for ent, org in zip(b.pick(ents, few), b.pick(research, few), strict=True):
        b.edge(ent, "spinOffOf", org)
    for ent, person in zip(b.pick(ents, few), b.pick(people, few), strict=True):
        b.edge(ent, "foundedBy", person)
    for person, org in zip(b.pick(people, few), b.pick(research, few), strict=True):
        b.edge(person, "leads", org)
    for o, pr in zip(b.pick(research + ents, few), b.pick(g.progs, few), strict=True):
        b.edge(o, "participatesIn", pr)
    adopted_by = {t: a for t, a in zip(techs, g.adopters, strict=True)}
    for t in b.pick(techs, few):
        b.edge(t, "licensedTo", adopted_by[t])


def _filler(b: SynthBuilder, need: int, ents: list[int], w_ent: Any, research: list[int], w_r: Any,
            investors: list[int], w_inv: Any, techs: list[int]) -> None:
    kinds = b.rng.choice(5, size=need, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    e1 = b.pick(ents, need, w_ent)
    e2 = b.pick(ents, need)
    r1 = b.pick(research, need, w_r)
    i1 = b.pick(investors, need, w_inv)
    t1 = b.pick(techs, need)
    for k in range(need):
        kk = int(kinds[k])
        if kk == 0:
            b.edge(e2[k], "customerOf", e1[k])
        elif kk == 1:
            b.edge(r1[k], "collaboratesWith", e2[k])
        elif kk == 2:
            b.edge(e2[k], "adopts", t1[k])
        elif kk == 3:
            b.edge(i1[k], "investsIn", e2[k])
        else:
            b.edge(e1[k], "collaboratesWith", e2[k])


_TIE_THROUGH = frozenset({"Technology", "ScientificAchievement", "Product", "Patent", "PilotProject", "ResearchProject"})


def _tie_reach(b: SynthBuilder, x: int, adj: dict[int, set[int]], depth: int = 4) -> set[int]:
    """Nodes reachable from ``x`` directly or through technologies, products, patents and pilot projects."""
    out = set(adj.get(x, ()))
    frontier = [v for v in out if b.cls[v] in _TIE_THROUGH]
    seen = {x, *frontier}
    for _ in range(depth):
        nxt = []
        for v in frontier:
            for w in adj.get(v, ()):
                if w in seen:
                    continue
                seen.add(w)
                out.add(w)
                if b.cls[w] in _TIE_THROUGH:
                    nxt.append(w)
        frontier = nxt
    return out


def make_alliance(
    b: SynthBuilder,
    *,
    chains: Sequence[str],
    linked: bool,
    skip_segment: int | None = None,
    chain_index: int | None = None,
    avoid_adjacent: bool = False,
) -> tuple[int, int | None]:
    """Add an alliance with members from ``chains``; returns (alliance, skipped segment).

    Enterprise members cover one whole industry chain (one per segment), except
    ``skip_segment`` (a position in the chain). ``linked`` adds a tie between two members;
    ``avoid_adjacent`` picks members with no tie to one another.
    """
    rng = b.rng
    segs_all: list[list[int]] = b.info["chains"]
    ci = chain_index if chain_index is not None else int(rng.integers(len(segs_all)))
    segs = segs_all[ci]
    chosen: list[int] = []
    skip = segs[skip_segment] if skip_segment is not None else None

    def ok(x: int) -> bool:
        if skip is not None and skip in b.held.get(x, ()):
            return False
        if not avoid_adjacent:
            return True
        adj = b.adjacency()  # incremental: includes ties added for this alliance so far
        return x not in chosen and not (_tie_reach(b, x, adj) & set(chosen))

    def choose(pool: Sequence[int], k: int) -> list[int]:
        out: list[int] = []
        for _ in range(200 * k if pool else 0):
            if len(out) == k:
                break
            x = b.one(pool)
            if x not in chosen and x not in b.frozen and ok(x):
                out.append(x)
                chosen.append(x)
        return out

    a = b.node("Alliance", name=f"Alliance {len(b.by_class['Alliance']) + 1}")
    members: list[int] = []
    skipped = None
    if "innovation" in chains:
        members += choose(b.info["research"], 2)
    if "industrial" in chains:
        by_seg: dict[int, list[int]] = b.info.get("by_seg") or {}
        if not by_seg:
            by_seg = b.info["by_seg"] = defaultdict(list)
            for e, s_ in b.info["ent_segment"].items():
                by_seg[s_].append(e)
        for pos, s in enumerate(segs):
            if skip_segment is not None and pos == skip_segment:
                skipped = s
                continue
            got = choose(by_seg[s], 1)
            if not got:  # no free enterprise in this segment: found one
                got = [enterprise_in(b, s, avoid=set(chosen))]
                chosen.extend(got)
            members += got
    if "capital" in chains:
        members += choose(b.info["investors"], 2)
    for m in members:
        b.edge(m, "memberOf", a)
        if skip is not None:
            b.blocked[m].add(skip)
    if linked and len(members) >= 2:
        b.edge(members[0], "collaboratesWith", members[-1])
    b.frozen.update(members)
    b.frozen.add(a)
    return a, skipped


# ---------------------------------------------------------------------------------------------
# helpers for planters (the planters themselves live with their gap types, canal.gaps.types)


def free_enterprise(b: SynthBuilder) -> int:
    """A random background enterprise that no planted structure uses."""
    ents = b.info["enterprises"]
    for _ in range(10000):
        e = b.one(ents)
        if e not in b.frozen:
            return int(e)
    raise RuntimeError("no free enterprise left")


def enterprise_in(b: SynthBuilder, s: int, *, avoid: set[int]) -> int:
    """A new funded enterprise in segment ``s``, in a region holding the segment's chain."""
    ci = next(k for k, segs in enumerate(b.info["chains"]) if s in segs)
    excluded: set[tuple[str, int]] = b.info.get("excluded", set())
    regions = [r for r in b.info["regions"] if ci in b.info["region_chains"][r] and (r, s) not in excluded]
    r = regions[int(b.rng.integers(len(regions)))]
    e = b.node("Enterprise", region=r, field=[f"field-{ci + 1}"])
    b.edge(e, "partOfSegment", s)
    b.edge(e, "locatedIn", b.info["region_nodes"][r])
    b.edge(b.one([x for x in b.info["investors"] if x not in avoid]), "investsIn", e)
    b.info["ent_segment"][e] = s
    if "by_seg" in b.info:
        b.info["by_seg"][s].append(e)
    return e


def new_enterprise(b: SynthBuilder) -> int:
    """A new enterprise in a random held (region, segment), a customer of a background one, with no funding."""
    excluded: set[tuple[str, int]] = b.info.get("excluded", set())
    regions = b.info["regions"]
    for _ in range(1000):
        r = regions[int(b.rng.integers(len(regions)))]
        c = b.one(b.info["region_chains"][r])
        s = b.one(b.info["chains"][c])
        if (r, s) not in excluded:
            break
    e = b.node("Enterprise", region=r, field=[f"field-{c + 1}"])
    b.edge(e, "partOfSegment", s)
    b.edge(e, "locatedIn", b.info["region_nodes"][r])
    b.edge(e, "customerOf", b.one(b.info["enterprises"]))
    b.frozen.add(e)
    return e


def reserve_segment_gaps(b: SynthBuilder, k: int, regions: list[str], region_chains: dict[str, list[int]],
                         chains: list[list[int]]) -> set[tuple[str, int]]:
    """Pick (region, middle segment) pairs to leave without enterprises."""
    pairs = [(r, c) for r in regions for c in region_chains[r]]
    order = b.rng.permutation(len(pairs))
    holders = {c: sum(c in region_chains[r] for r in regions) for c in range(len(chains))}
    out: set[tuple[str, int]] = set()
    taken: dict[int, int] = defaultdict(int)  # chain -> regions where it lost a segment
    for idx in order:
        if len(out) >= k:
            break
        r, c = pairs[int(idx)]
        if taken[c] + 1 >= holders[c]:  # keep every segment held by some region
            continue
        taken[c] += 1
        segs = chains[c]
        out.add((r, segs[1 + int(b.rng.integers(len(segs) - 2))]))
    return out


def synth_graph(
    n_nodes: int,
    *,
    seed: int = 0,
    edges_per_node: float = 5.0,
    planted: int | dict[str, int] | None = None,
    extra: Sequence[tuple[Planter, int]] = (),
    ontology: Ontology | None = None,
) -> SynthResult:
    """A seeded synthetic canal graph of about ``n_nodes`` nodes with planted gaps.

    ``planted`` is the number of structures planted per gap type (default
    ``max(2, n_nodes // 5000)``), or a dict per type (0 switches a type off). ``extra``
    lists further ``(planter, count)`` pairs run after the default ones.
    """
    onto = ontology or load_ontology()
    b = SynthBuilder(seed, onto)
    default = max(2, n_nodes // 5000)
    per = {t: default for t in gap_types()}
    if isinstance(planted, int):
        per = dict.fromkeys(gap_types(), planted)
    elif isinstance(planted, dict):
        per.update(planted)
    # the region-scoped segment gaps must be known before enterprises are placed
    n_regions = max(6, n_nodes // 10000)
    n_chains = max(4, n_nodes // 40000)
    regions = [f"Region {k + 1:03d}" for k in range(n_regions)]
    per_region = max(2, n_chains // 3)
    region_chains = {r: sorted({(k + j) % n_chains for j in range(per_region)}) for k, r in enumerate(regions)}
    lengths = [4 + c % 3 for c in range(n_chains)]
    # segment node indices are known in advance: regions first, then the chains in order
    first_seg = n_regions
    chains_idx: list[list[int]] = []
    pos = first_seg
    for length in lengths:
        chains_idx.append(list(range(pos, pos + length)))
        pos += length
    excluded = reserve_segment_gaps(b, per.get("segment_gap", 0), regions, region_chains, chains_idx)
    b.info["excluded"] = excluded
    b.excluded = set(excluded)
    _background(b, n_nodes, edges_per_node, {"excluded": excluded})
    assert b.info["chains"] == chains_idx
    for t, planter in planters().items():
        if per.get(t, 0) > 0:
            planter(b, per[t])
    for fn, k in extra:
        fn(b, k)
    # fill in scopes of node-anchored gaps (region of the anchor, else its field, else graph)
    truth = []
    index = {x: i for i, x in enumerate(b.ids)}
    for pg in b.truth:
        scope = pg.scope
        if not scope:
            i = index[pg.anchor]
            scope = f"region:{b.region[i]}" if b.region[i] else (f"field:{b.fields[i][0]}" if i in b.fields else "graph")
        truth.append(PlantedGap(pg.type, pg.kind, scope, pg.nodes))
    return SynthResult(
        ids=b.ids, cls=b.cls, region=b.region, fields=b.fields, names=b.names, trl=b.trl,
        src=np.asarray(b.src, dtype=np.int32), dst=np.asarray(b.dst, dtype=np.int32), rel=b.rel,
        truth=truth, seed=seed, ontology=onto,
        info={"regions": len(regions), "chains": len(chains_idx), "planted_per_type": per},
    )


# ---------------------------------------------------------------------------------------------
# loader input


def write_loader_input(result: SynthResult, folder: str | Path, *, name: str = "synth") -> Path:
    """Write ``<name>.yaml`` plus ``<name>/nodes.csv`` and ``relationships.csv`` (input of ``canal load``).

    Also writes ``<name>/truth.csv`` (the planted gaps). Returns the spec path.
    """
    out = Path(folder)
    data = out / name
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "class", "name", "region", "field", "trl"])
        for i, nid in enumerate(result.ids):
            w.writerow([nid, result.cls[i], result.names.get(i, nid), result.region[i] or "",
                        "|".join(result.fields.get(i, ())), result.trl.get(i, "")])
    with open(data / "relationships.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source_id", "type", "target_id"])
        for u, v, r in zip(result.src.tolist(), result.dst.tolist(), result.rel, strict=True):
            w.writerow([result.ids[u], r, result.ids[v]])
    with open(data / "truth.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["type", "kind", "scope", "nodes"])
        for t in result.truth:
            w.writerow([t.type, t.kind, t.scope, "|".join(t.nodes)])
    spec = out / f"{name}.yaml"
    spec.write_text(
        "\n".join(
            [
                f"# Synthetic canal graph: {result.n_nodes} nodes, {result.n_edges} relationships, seed {result.seed}.",
                "# Written by canal synth; the planted gaps are in truth.csv.",
                f"name: {name}",
                f"title: synthetic canal graph (seed {result.seed})",
                "licence: CC0-1.0",
                "retrieved: 2026-01-01",
                "method: synthetic",
                "confidence: 1.0",
                "nodes:",
                f"  - file: {name}/nodes.csv",
                "    id: id",
                "    class: {column: class}",
                "    properties:",
                "      name: name",
                "      region: region",
                '      field: {column: field, split: "|"}',
                "      trl: trl",
                "relationships:",
                f"  - file: {name}/relationships.csv",
                "    type: {column: type}",
                "    source: source_id",
                "    target: target_id",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return spec


def real_node_count(store: Any) -> tuple[int, list[str]]:
    """Nodes of the store's graph that are not synthetic (``method`` other than ``synthetic``),
    with up to five of their ids."""
    from canal.ontology import ROOT_CLASS

    q = f"MATCH (n:{ROOT_CLASS}) WHERE n.method IS NULL OR n.method <> 'synthetic' RETURN count(n), collect(n.id)[..5]"
    count, ids = store.query(q).rows[0]
    return int(count or 0), sorted(str(i) for i in ids or [])


def load_synth(store: Any, result: SynthResult, *, batch_size: int = 5000, into_existing: bool = False) -> tuple[int, int]:
    """Write a synthetic graph straight into a store (idempotent upserts); returns (nodes, relationships).

    A graph that already holds data that is not synthetic is refused (:class:`ConfigError`)
    unless ``into_existing``: mixing thousands of made-up nodes into real data is never silent.
    """
    from canal.errors import ConfigError
    from canal.model import Node, Relationship

    if not into_existing:
        real, some = real_node_count(store)
        if real:
            raise ConfigError(
                f"the graph already holds {real} node(s) that are not synthetic (e.g. {', '.join(some)}); "
                "load the synthetic graph into an empty database or graph (--db / --graph), or pass --into-existing to mix them"
            )

    nodes = []
    for i, nid in enumerate(result.ids):
        props: dict[str, Any] = {"name": result.names.get(i, nid), "method": "synthetic"}
        if result.region[i]:
            props["region"] = result.region[i]
        if i in result.fields:
            props["field"] = list(result.fields[i])
        if i in result.trl:
            props["trl"] = result.trl[i]
        nodes.append(Node(nid, result.cls[i], props))
    rels = [
        Relationship(result.ontology.relation(r).type, result.ids[u], result.ids[v], "", {"method": "synthetic"})
        for u, v, r in zip(result.src.tolist(), result.dst.tolist(), result.rel, strict=True)
    ]
    n = store.upsert_nodes(nodes, batch_size=batch_size)
    m = store.upsert_relationships(rels, batch_size=batch_size)
    return n, m
