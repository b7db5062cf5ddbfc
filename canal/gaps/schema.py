"""What the gap catalogue needs from the ontology, derived (never listed by hand).

>>> s = gap_schema()
>>> s.tech_classes, s.capital_relations, s.listing_relations
(('ScientificAchievement', 'Technology'), ('grantsTo', 'investsIn'), ('listedOn',))
>>> s.pilot_platform_classes, s.pilot_subject_classes, s.membership_relations
(('PilotPlatform',), ('PilotProject',), ('leads', 'memberOf', 'participatesIn'))
"""

from __future__ import annotations

from dataclasses import dataclass

from canal.ontology import Ontology, load_ontology

CHAINS: tuple[str, ...] = ("innovation", "industrial", "capital")
"""The three chains a canal joins (the ``bridge`` classes tie them together)."""

CHAIN_ZH: dict[str, str] = {"innovation": "创新链", "industrial": "产业链", "capital": "资本链"}
"""Chinese names of the chains."""

UPTAKE_OUT: tuple[str, ...] = ("transferredTo", "licensedTo")
"""Relations by which a technology leaves its developer."""
UPTAKE_IN: tuple[str, ...] = ("adopts", "basedOn")
"""Relations by which others take a technology up (adopt it, build on it)."""
PILOT_OUT: tuple[str, ...] = ("pilotedAt",)
"""A technology piloted at a platform is in (pilot-scale) production there: taken up too."""
HOLDER_OUT: tuple[str, ...] = ("develops", "adopts", "produces")
"""Relations from an organisation to the technologies and products it holds (segment presence)."""
HOLDER_IN: tuple[str, ...] = ("transferredTo", "licensedTo")
"""Relations from a technology to the organisations that received it (they hold it too)."""
TIE_RELATIONS: tuple[str, ...] = (
    "develops", "adopts", "licensedTo", "transferredTo", "investsIn", "grantsTo", "participatesIn", "leads",
    "basedOn", "produces", "collaboratesWith", "customerOf", "holdsPatent", "protects", "pilotedAt",
)
"""Relations that tie two alliance members: development, adoption, licensing, transfer, investment,
joint projects (directly or through a technology, product, patent or project between them)."""


def _closure(onto: Ontology, roots: set[str]) -> set[str]:
    return {c for c in onto.classes if any(onto.is_a(c, r) for r in roots)}


@dataclass(frozen=True)
class GapSchema:
    """Class and relation sets used by the detectors."""

    ontology: Ontology
    first_stage: str
    tech_classes: tuple[str, ...]
    research_org_classes: tuple[str, ...]
    later_developer_classes: tuple[str, ...]
    adopter_classes: tuple[str, ...]
    pilot_platform_classes: tuple[str, ...]
    pilot_subject_classes: tuple[str, ...]
    capital_relations: tuple[str, ...]
    listing_relations: tuple[str, ...]
    membership_relations: tuple[str, ...]
    alliance_classes: tuple[str, ...]
    segment_classes: tuple[str, ...]
    segment_member_classes: tuple[str, ...]
    chain_classes: dict[str, tuple[str, ...]]
    product_classes: tuple[str, ...] = ()
    patent_classes: tuple[str, ...] = ()
    project_classes: tuple[str, ...] = ()
    context_classes: tuple[str, ...] = ()
    """Funders and policy makers: a node of these classes tied to a large share of the graph is context, not a broker."""

    @property
    def tie_intermediates(self) -> tuple[str, ...]:
        """Classes through which two members are tied: technologies, products, patents, projects."""
        return tuple(sorted({*self.tech_classes, *self.product_classes, *self.patent_classes, *self.project_classes}))

    def chain(self, cls: str) -> str | None:
        """Chain of a class (None for unknown classes)."""
        return self.ontology.chain_of(cls) if cls in self.ontology.classes else None


def _stage_index(onto: Ontology, cls: str) -> int | None:
    st = onto.stage_of(cls)
    return onto.stage_order.index(st) if st else None


def _schema(onto: Ontology) -> GapSchema:
    order = onto.stage_order
    first = order[0]
    org = "Organisation"
    develops = onto.relation("develops")
    graph_classes = {c for c, i in onto.classes.items() if i.graph_node}
    tech = {c for c in _closure(onto, set(develops.range)) if onto.stage_of(c) == first} & graph_classes
    research_orgs = {c for c in _closure(onto, {org}) if onto.stage_of(c) == first} & graph_classes
    later_dev = {
        c for c in _closure(onto, set(develops.domain)) if (_stage_index(onto, c) or 0) > 0
    } & graph_classes
    adopters = {c for c in _closure(onto, {org}) if onto.stage_of(c) == "industrialisation"} & graph_classes
    pilot = [s for s in order if s == "pilot"]
    platforms = {c for c in _closure(onto, {org}) if pilot and onto.stage_of(c) == pilot[0]} & graph_classes
    pilot_subjects = {
        c for c in graph_classes if pilot and onto.stage_of(c) == pilot[0] and not onto.is_a(c, org)
    }
    capital = {c for c in graph_classes if onto.chain_of(c) == "capital"}
    cap_rel = sorted(
        r.name for r in onto.relations.values() if any(d in capital for d in r.domain)
    )
    listing = sorted(r.name for r in onto.relations.values() if r.range and _closure(onto, set(r.range)) <= capital)
    alliance = {c for c in graph_classes if c == "Alliance" or onto.is_a(c, "Alliance")}
    membership = sorted(r.name for r in onto.relations.values() if r.range & alliance)
    segments = set(_closure(onto, set(onto.relation("partOfSegment").range))) & graph_classes
    seg_members = {
        c for c in _closure(onto, set(onto.relation("partOfSegment").domain)) if onto.is_a(c, org)
    } & graph_classes
    chains = {ch: tuple(sorted(c for c in graph_classes if onto.chain_of(c) == ch)) for ch in CHAINS}
    products = set(_closure(onto, set(onto.relation("produces").range))) & graph_classes
    patents = set(_closure(onto, set(onto.relation("protects").domain))) & graph_classes
    programme = {c for c in graph_classes if onto.is_a(c, "Programme")} if "Programme" in onto.classes else set()
    projects = {
        c for c in _closure(onto, set(onto.relation("participatesIn").range))
        if c in graph_classes and c not in alliance and c not in programme and not onto.is_a(c, org)
    }
    # funders and policy makers (capital chain, or grantors such as government bodies and programmes)
    context = (capital | _closure(onto, set(onto.relation("grantsTo").domain))) & graph_classes
    return GapSchema(
        ontology=onto,
        first_stage=first,
        tech_classes=tuple(sorted(tech)),
        research_org_classes=tuple(sorted(research_orgs)),
        later_developer_classes=tuple(sorted(later_dev)),
        adopter_classes=tuple(sorted(adopters)),
        pilot_platform_classes=tuple(sorted(platforms)),
        pilot_subject_classes=tuple(sorted(pilot_subjects)),
        capital_relations=tuple(cap_rel),
        listing_relations=tuple(listing),
        membership_relations=tuple(membership),
        alliance_classes=tuple(sorted(alliance)),
        segment_classes=tuple(sorted(segments)),
        segment_member_classes=tuple(sorted(seg_members)),
        chain_classes=chains,
        product_classes=tuple(sorted(products)),
        patent_classes=tuple(sorted(patents)),
        project_classes=tuple(sorted(projects)),
        context_classes=tuple(sorted(context)),
    )


def gap_schema(ontology: Ontology | None = None) -> GapSchema:
    """The :class:`GapSchema` of ``ontology`` (the shipped one by default); cached per ontology."""
    onto = ontology or load_ontology()
    hit = _CACHE.get(id(onto))
    if hit is None or hit.ontology is not onto:
        hit = _CACHE[id(onto)] = _schema(onto)
    return hit


_CACHE: dict[int, GapSchema] = {}
