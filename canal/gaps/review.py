"""Coordinators' decisions on gaps, applied to a catalogue (pure functions; storage: ``canal.reviews``).

A decision is a ``Review`` node of the graph (see the reviews block of the ontology) whose
``reviewOf`` is a gap id (:attr:`canal.gaps.Gap.id`) and whose ``decision`` is ``confirmed`` or
``dismissed``. A confirmed gap becomes a *canal* gap (a person who knows the field says the link is
missing in the world); a dismissed gap is hidden unless asked for.

>>> from canal.gaps import Gap
>>> g = Gap("capital_gap", "graph", 0.6, ("pp",), "en", "zh", "RETURN 1", {}, kind="pilot_project")
>>> reviews = {g.id: {"decision": "dismissed", "reason": "funded by the zone", "reviewer": "li"}}
>>> apply_reviews([g], reviews)
[]
>>> [x.review["decision"] for x in apply_reviews([g], reviews, show_dismissed=True)]
['dismissed']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import networkx as nx

from canal.gaps.model import Gap

REVIEW_CLASS = "Review"
"""Ontology class of a coordinator's decision."""
GAP_DECISIONS: tuple[str, ...] = ("confirmed", "dismissed")
"""Decisions on a gap."""
MATCH_DECISIONS: tuple[str, ...] = ("accepted", "rejected")
"""Decisions on a proposed match."""
REVIEW_KEYS: tuple[str, ...] = ("decision", "reviewer", "reviewedAt", "reason")
"""Properties of a review copied into ``Gap.review``."""

Reviews = Mapping[str, Mapping[str, Any]]
"""Decisions by reviewed id (``reviewOf``)."""

ASPECTS: dict[tuple[str, str], str] = {
    ("stranded_technology", "technology"): "adopter",
    ("missing_pilot", "technology"): "pilot",
    ("capital_gap", "adopter"): "capital",
    ("capital_gap", "pilot_project"): "capital",
    ("broken_canal", "institute"): "capital",
    ("alliance_role_gap", "missing_chain"): "member",
    ("alliance_role_gap", "no_links"): "tie",
    ("segment_gap", "middle"): "enterprise",
    ("segment_gap", "edge"): "enterprise",
    ("segment_gap", "empty"): "enterprise",
}
"""Which recorded absence (the ``lacks`` property of the gap's anchor) makes a gap a canal gap."""


def absences_from_networkx(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Node id -> the absences a source records for it (``lacks``)."""
    out: dict[str, set[str]] = {}
    for nid, data in G.nodes(data=True):
        v = data.get("lacks")
        if v:
            out[str(nid)] = {str(x).strip().lower() for x in (v if isinstance(v, (list, tuple, set)) else [v])}
    return out


def apply_absences(gaps: Iterable[Gap], absences: Mapping[str, Iterable[str]] | None) -> list[Gap]:
    """Gaps whose anchor carries the matching recorded absence become canal gaps, with that as evidence.

    >>> from canal.gaps import Gap
    >>> g = Gap("missing_pilot", "graph", 0.6, ("t", "e"), "en", "zh", "RETURN 1", {}, kind="technology")
    >>> [(x.basis, x.evidence[-1]) for x in apply_absences([g], {"t": ["pilot"]})]
    [('canal', 't: a source records no pilot')]
    """
    if not absences:
        return list(gaps)
    out: list[Gap] = []
    for g in gaps:
        aspect = ASPECTS.get((g.type, g.kind))
        if aspect and aspect in {str(x).lower() for x in absences.get(g.anchor, ())}:
            g = replace(g, basis="canal", evidence=(*g.evidence, f"{g.anchor}: a source records no {aspect}"))
        out.append(g)
    return out


def reviews_from_networkx(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """The decisions held by ``Review`` nodes of a canal MultiDiGraph, by reviewed id."""
    out: dict[str, dict[str, Any]] = {}
    for nid, data in G.nodes(data=True):
        if data.get("cls") == REVIEW_CLASS and data.get("reviewOf"):
            out[str(data["reviewOf"])] = {"id": str(nid), **{k: data[k] for k in REVIEW_KEYS if data.get(k) is not None}}
    return out


def apply_reviews(gaps: Iterable[Gap], reviews: Reviews | None, *, show_dismissed: bool = False) -> list[Gap]:
    """Attach each gap's decision; confirmed gaps become canal gaps; dismissed ones are dropped unless ``show_dismissed``."""
    out: list[Gap] = []
    for g in gaps:
        r = (reviews or {}).get(g.id)
        if r is None:
            out.append(g)
            continue
        decision = str(r.get("decision", ""))
        if decision == "dismissed" and not show_dismissed:
            continue
        review = {k: (str(v) if k == "reviewedAt" else v) for k, v in r.items()}
        out.append(replace(g, review=review, basis="canal" if decision == "confirmed" else g.basis))
    return out
