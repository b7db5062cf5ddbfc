"""Hub-aware neighbourhoods: the part of a graph around a node, without the whole graph.

On real tables a few nodes are linked to almost everything (a funding programme to every
project, a country to every organisation), so two hops around anything reach nearly the
whole graph. A neighbourhood here does not expand *through* a node whose degree is far
above the graph's norm (a **hub**): the hub itself is shown, its other neighbours are not,
and the result says which hubs it stopped at. The node asked about is always expanded.

The algorithm is pure: it asks two callables for what it needs, ring by ring (the degree
of some nodes, the neighbours of some nodes), so it runs the same over a networkx graph
(:func:`graph_reader`) and over a store (:func:`store_reader`, a few queries per ring,
never the whole graph).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for i in range(40):
...     _ = G.add_edge(f"p{i}", "programme")      # the hub
>>> _ = G.add_edge("lab", "p1"); _ = G.add_edge("firm", "p1")
>>> hood = neighbourhood(graph_reader(G), "lab", depth=3)
>>> sorted(hood.nodes), hood.hubs
(['firm', 'lab', 'p1', 'programme'], [('programme', 40)])
>>> len(neighbourhood(graph_reader(G), "lab", depth=3, through_hubs=True).nodes)
43
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

HUB_MIN_DEGREE = 20
"""A node is never a hub below this degree, however sparse the graph."""
HUB_FACTOR = 8.0
"""Default hub threshold: this many times the graph's mean degree (at least :data:`HUB_MIN_DEGREE`)."""
READ_LIMIT_FACTOR = 20
"""A neighbourhood stops growing (at the end of a ring) beyond this many times the map's ``max_nodes``."""


@dataclass(frozen=True)
class Reader:
    """What the algorithm may ask: degrees of some nodes, neighbours of some nodes, the mean degree."""

    degrees: Callable[[Sequence[str]], dict[str, int]]
    neighbours: Callable[[Sequence[str]], dict[str, set[str]]]
    mean_degree: float


@dataclass
class Neighbourhood:
    """A neighbourhood and how it was cut."""

    start: str
    depth: int
    nodes: set[str]
    hubs: list[tuple[str, int]] = field(default_factory=list)
    """Hubs reached but not expanded, with their degree, largest first."""
    threshold: float = 0.0
    mean_degree: float = 0.0
    rings: list[int] = field(default_factory=list)
    """New nodes found at each hop."""
    stopped_at_limit: bool = False

    def describe(self, names: dict[str, str] | None = None) -> str:
        """One paragraph for a person: the size, the hubs it stopped at and how to go through them."""
        names = names or {}
        hops = f"{self.depth} hop{'s' if self.depth != 1 else ''}"
        text = f"around {names.get(self.start, self.start)}: {len(self.nodes):,} nodes within {hops}"
        if self.hubs:
            shown = ", ".join(f"{names.get(h, h)} ({d:,} relationships)" for h, d in self.hubs[:8])
            more = f" and {len(self.hubs) - 8} more" if len(self.hubs) > 8 else ""
            text += (
                f"; stopped at {len(self.hubs)} hub{'s' if len(self.hubs) != 1 else ''} (degree above {self.threshold:,.0f},"
                f" the graph's mean is {self.mean_degree:.1f}): {shown}{more}; --through-hubs expands them"
            )
        if self.stopped_at_limit:
            text += f"; stopped growing after {len(self.rings)} hop(s) at {len(self.nodes):,} nodes"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (goes into the map page)."""
        return {
            "start": self.start,
            "depth": self.depth,
            "nodes": len(self.nodes),
            "hubs": [[h, d] for h, d in self.hubs],
            "threshold": self.threshold,
            "mean_degree": round(self.mean_degree, 2),
            "stopped_at_limit": self.stopped_at_limit,
        }


def hub_threshold(mean_degree: float, *, factor: float = HUB_FACTOR, minimum: int = HUB_MIN_DEGREE) -> float:
    """The degree above which a node counts as a hub.

    >>> hub_threshold(4.0), hub_threshold(1.2)
    (32.0, 20.0)
    """
    return float(max(minimum, math.ceil(factor * mean_degree)))


def neighbourhood(
    reader: Reader,
    start: str,
    *,
    depth: int = 2,
    through_hubs: bool = False,
    hub_degree: float | None = None,
    limit: int | None = None,
) -> Neighbourhood:
    """Nodes within ``depth`` hops of ``start`` (either direction), not expanding through hubs.

    A hub is a node with more than ``hub_degree`` relationships (default
    :func:`hub_threshold` of the reader's mean degree). Hubs are kept in the result but
    their neighbours are not added (unless ``through_hubs``); ``start`` is always expanded.
    With ``limit``, no further ring is read once the result holds more than ``limit`` nodes.
    """
    threshold = float(hub_degree) if hub_degree is not None else hub_threshold(reader.mean_degree)
    seen = {start}
    frontier = [start]
    hubs: dict[str, int] = {}
    rings: list[int] = []
    stopped = False
    for _ in range(max(depth, 0)):
        if not frontier:
            break
        if limit is not None and len(seen) > limit:
            stopped = True
            break
        expand = frontier
        if not through_hubs:
            deg = reader.degrees(frontier)
            expand = [n for n in frontier if n == start or deg.get(n, 0) <= threshold]
            hubs.update({n: deg.get(n, 0) for n in frontier if n not in expand})
        found = reader.neighbours(expand)
        new = sorted({m for n in expand for m in found.get(n, ())} - seen)
        rings.append(len(new))
        seen.update(new)
        frontier = new
    if not through_hubs and frontier and depth > 0:
        # hubs on the last ring are shown but would not have been expanded anyway: name
        # them too, so the reader knows where the neighbourhood is thin because of a hub
        deg = reader.degrees(frontier)
        hubs.update({n: d for n, d in deg.items() if d > threshold and n != start})
    return Neighbourhood(
        start=start,
        depth=depth,
        nodes=seen,
        hubs=sorted(hubs.items(), key=lambda kv: (-kv[1], kv[0])),
        threshold=threshold,
        mean_degree=reader.mean_degree,
        rings=rings,
        stopped_at_limit=stopped,
    )


NEXT_RING_MAX = 400
"""A neighbourhood map also carries at most this many nodes one hop further out, hidden
until the reader expands a node (see :func:`next_ring`)."""
NEXT_RING_PER_HUB = 40
"""...of which at most this many neighbours of each hub (a sample to expand into, not the hub's all)."""


def next_ring(reader: Reader, hood: Neighbourhood, *, limit: int = NEXT_RING_MAX, per_hub: int = NEXT_RING_PER_HUB) -> set[str]:
    """Nodes one hop beyond ``hood``, for expanding in the page: the neighbours of its outer
    ring first, then up to ``per_hub`` of each hub it stopped at (smallest hub first, ids in
    order), at most ``limit`` in all.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> r = graph_reader(G)
    >>> sorted(next_ring(r, neighbourhood(r, "a", depth=1)))
    ['c']
    """
    if limit <= 0:
        return set()
    outer = [n for n in hood.nodes if n != hood.start and n not in dict(hood.hubs)]
    found = reader.neighbours(sorted(outer))
    out: set[str] = set()
    for n in sorted(found):
        for m in sorted(found[n] - hood.nodes - out):
            if len(out) >= limit:
                return out
            out.add(m)
    for h, _ in sorted(hood.hubs, key=lambda kv: (kv[1], kv[0])):
        for m in sorted(reader.neighbours([h]).get(h, set()) - hood.nodes - out)[:per_hub]:
            if len(out) >= limit:
                return out
            out.add(m)
    return out


def graph_reader(G: nx.MultiDiGraph) -> Reader:
    """A :class:`Reader` over a networkx graph (degree counts parallel relationships)."""
    n = G.number_of_nodes()
    mean = 2.0 * G.number_of_edges() / n if n else 0.0

    def degrees(ids: Sequence[str]) -> dict[str, int]:
        return {i: int(G.degree(i)) for i in ids if i in G}

    def neighbours(ids: Sequence[str]) -> dict[str, set[str]]:
        return {i: set(G.successors(i)) | set(G.predecessors(i)) for i in ids if i in G}

    return Reader(degrees, neighbours, mean)


def _chunks(items: Sequence[str], size: int = 2000) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def _queries() -> tuple[str, str]:
    """The two reads of :func:`store_reader`: degrees of ``$ids``, and their neighbours."""
    from canal.ontology import ROOT_CLASS
    from canal.store.cypher import ident

    root = ident(ROOT_CLASS)
    return (
        f"UNWIND $ids AS id MATCH (n:{root} {{id: id}}) OPTIONAL MATCH (n)-[r]-() RETURN n.id, count(r)",
        f"UNWIND $ids AS id MATCH (n:{root} {{id: id}})-[r]-(m:{root}) RETURN DISTINCT n.id, m.id",
    )


def cypher_catalogue() -> list[tuple[str, str, dict[str, Any]]]:
    """The Cypher this module sends (checked by Neo4j's parser in the tests)."""
    q_degree, q_next = _queries()
    return [("hood-degrees", q_degree, {"ids": ["a"]}), ("hood-neighbours", q_next, {"ids": ["a"]})]


def store_reader(store: Any) -> Reader:
    """A :class:`Reader` over a :class:`canal.store.GraphStore`: a few read queries per ring."""
    q_degree, q_next = _queries()
    counts = store.counts()
    nodes = sum(counts.nodes.values())
    mean = 2.0 * sum(counts.relationships.values()) / nodes if nodes else 0.0

    def degrees(ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in _chunks(ids):
            out.update({str(a): int(b) for a, b in store.query(q_degree, {"ids": chunk}).rows})
        return out

    def neighbours(ids: Sequence[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for chunk in _chunks(ids):
            for a, b in store.query(q_next, {"ids": chunk}).rows:
                out.setdefault(str(a), set()).add(str(b))
        return out

    return Reader(degrees, neighbours, mean)
