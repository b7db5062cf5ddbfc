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
