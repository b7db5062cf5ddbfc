"""Chain-gap analysis: where the canal is broken, ranked and explained.

:func:`find_gaps` is a pure function over the MultiDiGraph of ``GraphStore.to_networkx()``
(or a :class:`~canal.gaps.frame.CanalFrame`); it returns :class:`Gap` records, worst first.
The catalogue is derived from the ontology's chains and stage order; see ``docs/gaps.md``.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("inst", cls="ResearchInstitute", name="Institute"); G.add_node("t", cls="Technology", name="T")
>>> _ = G.add_edge("inst", "t", key="k", type="DEVELOPS", rel="develops")
>>> [(g.type, g.nodes) for g in find_gaps(G, types=["stranded_technology", "broken_canal"])]
[('stranded_technology', ('t', 'inst')), ('broken_canal', ('inst', 't'))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx

from canal.errors import ConfigError
from canal.gaps.detect import Detector
from canal.gaps.frame import CanalFrame, frame_from_arrays, frame_from_networkx, frame_without
from canal.gaps.model import BASES, Gap, gap_id
from canal.gaps.registry import (
    GapContext,
    GapType,
    gap_type,
    gap_types,
    register_gap_type,
    registered,
    unregister_gap_type,
)
from canal.gaps.review import REVIEW_CLASS, absences_from_networkx, apply_absences, apply_reviews, reviews_from_networkx
from canal.ontology import Ontology

__all__ = [
    "BASES",
    "GAP_LABELS",
    "GAP_TYPES",
    "CanalFrame",
    "Gap",
    "GapContext",
    "GapType",
    "find_gaps",
    "frame_from_arrays",
    "frame_from_networkx",
    "gap_id",
    "gap_type",
    "gap_types",
    "in_scope",
    "register_gap_type",
    "resolve_scope",
    "unregister_gap_type",
]


def __getattr__(name: str) -> Any:
    if name in ("GAP_TYPES", "GAP_LABELS"):
        from canal.gaps import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def find_gaps(
    G: nx.MultiDiGraph | CanalFrame,
    *,
    scope: str | None = None,
    types: Iterable[str] | None = None,
    min_cut: int = 3,
    min_hole: int = 4,
    concentration: float = 0.5,
    betweenness_samples: int | None = None,
    max_nodes: int = 500,
    seed: int = 0,
    ontology: Ontology | None = None,
    timings: dict[str, float] | None = None,
    reviews: Mapping[str, Mapping[str, Any]] | None = None,
    show_dismissed: bool = False,
    bases: Iterable[str] | None = None,
    absences: Mapping[str, Iterable[str]] | None = None,
) -> list[Gap]:
    """Find the gaps of a canal graph, worst first.

    ``scope`` is ``alliance:ID_OR_NAME`` or ``region:NAME`` (None: the whole graph);
    ``types`` limits the gap types (the registered ones, see :mod:`canal.gaps.registry`). ``min_cut`` is the number of
    innovation nodes a broker must cut off from capital, ``min_hole`` the smallest
    one-chain group counted as a structural hole, ``concentration`` the betweenness share
    that makes one node a broker of the whole graph (sampled from ``betweenness_samples``
    sources with ``seed``; default: exact up to 64 nodes, then 64 sources, fewer on big graphs
    so the pass stays near ``1e7`` edge visits, at least 2). ``timings``, when given, receives seconds per gap type.

    Coordinators' decisions (``Review`` nodes, see :mod:`canal.gaps.review`) are read from a
    MultiDiGraph, or passed as ``reviews`` (reviewed id -> properties) with a frame; review nodes
    are left out of every measure. Dismissed gaps are dropped unless ``show_dismissed``;
    ``bases`` keeps only ``data`` or ``canal`` gaps (see :data:`BASES`). A gap is a canal gap
    when a coordinator confirmed it or when its anchor carries the matching recorded absence
    (the ``lacks`` property, read from a MultiDiGraph or passed as ``absences``: node id -> values).
    """
    import time

    known = gap_types()
    wanted = list(known) if types is None else list(dict.fromkeys(types))
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise ConfigError(f"unknown gap type(s) {', '.join(unknown)} (choose from {', '.join(known)})")
    want_bases = None if bases is None else set(bases)
    if want_bases is not None and want_bases - set(BASES):
        raise ConfigError(f"unknown gap basis {', '.join(sorted(want_bases - set(BASES)))} (choose from {', '.join(BASES)})")
    t0 = time.perf_counter()
    frame = G if isinstance(G, CanalFrame) else frame_from_networkx(G, ontology)
    if absences is None and not isinstance(G, CanalFrame):
        absences = absences_from_networkx(G)
    if REVIEW_CLASS in frame.classes:
        if reviews is None and not isinstance(G, CanalFrame):
            reviews = reviews_from_networkx(G)
        frame = frame_without(frame, frame.class_mask([REVIEW_CLASS]))
    if timings is not None:
        timings["frame"] = round(time.perf_counter() - t0, 3)
    scope_fn = resolve_scope(frame, scope) if scope else None
    options = {"min_cut": min_cut, "min_hole": min_hole, "concentration": concentration,
               "betweenness_samples": betweenness_samples, "max_nodes": max_nodes, "seed": seed}
    ctx = GapContext(frame, Detector(frame), options, timings)
    out: list[Gap] = []
    for gt in registered():
        if gt.name not in wanted:
            continue
        start = time.perf_counter()
        found = gt.detect(ctx)
        if timings is not None:
            timings[gt.name] = round(time.perf_counter() - start - timings.get("igraph", 0) * (gt.name == "broker_risk"), 3)
        out.extend(g for g in found if scope_fn is None or scope_fn(g))
    out = apply_reviews(apply_absences(out, absences), reviews, show_dismissed=show_dismissed)
    if want_bases is not None:
        out = [g for g in out if g.basis in want_bases]
    order = {t: k for k, t in enumerate(known)}
    # worst first; at equal severity a canal gap (the link is missing in the world) before a data gap
    return sorted(out, key=lambda g: (-g.severity, g.basis != "canal", order[g.type], g.scope, g.kind, g.nodes))


def resolve_scope(frame: CanalFrame, scope: str) -> Callable[[Gap], bool]:
    """A predicate telling whether a gap lies in ``scope`` (``alliance:X`` or ``region:X``).

    An alliance is named by id or name (case-insensitive); a gap is in it when its scope is
    the alliance or one of its nodes is the alliance or a member. A gap is in a region when
    its scope is the region or one of its nodes has that ``region``. Names compare after case,
    width and space folding (:func:`canal.resolve.names.fold_name`). Unknown names raise
    :class:`ConfigError`.
    """
    from canal.resolve.names import fold_name

    kind, _, value = scope.partition(":")
    value = value.strip()
    if kind not in ("alliance", "region") or not value:
        raise ConfigError(f"--scope takes alliance:NAME or region:NAME, got {scope!r}")
    low = fold_name(value)
    if kind == "alliance":
        det = Detector(frame)
        members = det.alliance_members()
        hits = [a for a in members if low in (fold_name(frame.ids[a]), fold_name(frame.name(a)), fold_name(frame.names_zh.get(a, "")))]
        if not hits:
            raise ConfigError(f"no alliance {value!r} in the graph")
        a = hits[0]
        scope_key = f"alliance:{frame.ids[a]}"
        inside = {frame.ids[a], *(frame.ids[o] for o in members[a])}
        return lambda g: g.scope == scope_key or any(x in inside for x in g.nodes)
    regions = {fold_name(r): r for r in frame.region if r}
    region_nodes = [i for i in range(frame.n) if frame.class_of(i) == "Region"
                    and low in (fold_name(frame.ids[i]), fold_name(frame.name(i)), fold_name(frame.names_zh.get(i, "")))]
    if low in regions:
        name = regions[low]
    elif region_nodes:
        name = frame.name(region_nodes[0])
    else:
        raise ConfigError(f"no region {value!r} in the graph")
    key = fold_name(name)
    inside_r = {frame.ids[i] for i, r in enumerate(frame.region) if r and fold_name(r) == key}
    return lambda g: g.scope.casefold() == f"region:{name}".casefold() or any(x in inside_r for x in g.nodes)


def in_scope(gaps: Iterable[Gap], frame: CanalFrame, scope: str) -> list[Gap]:
    """The gaps of ``gaps`` that lie in ``scope``."""
    fn = resolve_scope(frame, scope)
    return [g for g in gaps if fn(g)]
