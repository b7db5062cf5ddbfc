"""Choosing what a map shows: a neighbourhood, an alliance or region scope, some chains.

All functions are pure over a canal networkx graph (the shape of
``GraphStore.to_networkx()``).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("dicp", cls="ResearchInstitute", name="DICP", nameZh="大连化学物理研究所", aliases=["大连化物所"])
>>> G.add_node("dmto", cls="Technology", name="DMTO")
>>> _ = G.add_edge("dicp", "dmto", key="dicp-DEVELOPS->dmto", type="DEVELOPS", rel="develops")
>>> resolve_node(G, "大连化物所"), resolve_node(G, "dalian huawusuo")
('dicp', 'dicp')
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import networkx as nx

from canal.errors import ConfigError
from canal.ontology import Ontology, load_ontology
from canal.resolve.names import fold_name, normalise_name

NAME_KEYS = ("name", "nameEn", "nameZh")
"""Node properties that hold a name (``aliases`` is a list of further names)."""


def node_names(data: dict[str, Any]) -> list[str]:
    """Every name of a node: name, nameEn, nameZh and aliases, without repeats."""
    out: list[str] = []
    for key in NAME_KEYS:
        v = data.get(key)
        if isinstance(v, str) and v and v not in out:
            out.append(v)
    aliases = data.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    for a in aliases:
        if isinstance(a, str) and a and a not in out:
            out.append(a)
    return out


def pinyin_keys(text: str) -> list[str]:
    """Pinyin of the Chinese characters in ``text``: joined, spaced and initials.

    >>> pinyin_keys("大连化物所")
    ['dalianhuawusuo', 'da lian hua wu suo', 'dlhws']
    >>> pinyin_keys("DMTO")
    []
    """
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return []
    from pypinyin import Style, lazy_pinyin

    syllables = [s.lower() for s in lazy_pinyin(text, errors="ignore") if s.strip()]
    initials = [s.lower() for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if s.strip()]
    if not syllables:
        return []
    return ["".join(syllables), " ".join(syllables), "".join(initials)]


def resolve_node(G: nx.MultiDiGraph, name: str) -> str:
    """The id of the node called ``name``: by id, name, nameEn, nameZh, alias or pinyin.

    Exact id first, then names compared after case/width/space folding
    (:func:`canal.resolve.names.fold_name`), then after :func:`canal.resolve.names.normalise_name`, then pinyin.
    Raises :class:`ConfigError` when nothing or more than one node matches.
    """
    if name in G:
        return name
    want = fold_name(name)
    hits = sorted({n for n, d in G.nodes(data=True) if want in {fold_name(x) for x in node_names(d)}})
    if not hits:
        w = normalise_name(name)
        hits = sorted({n for n, d in G.nodes(data=True) if w and w in {normalise_name(x) for x in node_names(d)}})
    if not hits:
        compact = want.replace(" ", "")
        hits = sorted(
            {n for n, d in G.nodes(data=True) if any(compact == k.replace(" ", "") for x in node_names(d) for k in pinyin_keys(x))}
        )
    if len(hits) == 1:
        return str(hits[0])
    if len(hits) > 1:
        shown = ", ".join(f"{h} ({G.nodes[h].get('name', h)})" for h in hits[:8])
        raise ConfigError(f"{name!r} names {len(hits)} nodes: {shown}; give the id instead")
    names = {x: n for n, d in G.nodes(data=True) for x in [n, *node_names(d)]}
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    raise ConfigError(f"no node called {name!r}{hint}")


def around(G: nx.MultiDiGraph, ids: Iterable[str], depth: int = 1) -> set[str]:
    """Ids within ``depth`` hops of ``ids`` (either direction), including them."""
    seen = {i for i in ids if i in G}
    frontier = set(seen)
    for _ in range(max(depth, 0)):
        nxt: set[str] = set()
        for n in frontier:
            nxt.update(G.successors(n))
            nxt.update(G.predecessors(n))
        nxt -= seen
        if not nxt:
            break
        seen |= nxt
        frontier = nxt
    return seen


def region_index(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Region names of every node that has one, broadest last.

    A node is in a region when it is ``locatedIn`` it (directly, or through a chain of
    regions), or when its ``region`` property names a Region node (by any of its names,
    or the first comma-separated part); a text that names no Region node is a region of
    its own, and a later part that names one (``"Chengdu, Sichuan"``) adds that region.
    """
    regions = {n: d for n, d in G.nodes(data=True) if d.get("cls") == "Region"}
    by_name: dict[str, str] = {}
    for rid, d in regions.items():
        for x in [rid, *node_names(d)]:
            by_name.setdefault(fold_name(x), rid)

    def label(rid: str) -> str:
        return str(regions[rid].get("name", rid))

    def up(rid: str) -> list[str]:
        out = [rid]
        frontier = [rid]
        while frontier:
            nxt = []
            for r in frontier:
                for _, t, d in G.out_edges(r, data=True):
                    if d.get("rel") == "locatedIn" and t in regions and t not in out:
                        out.append(t)
                        nxt.append(t)
            frontier = nxt
        return out

    index: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        found: list[str] = []
        for _, t, ed in G.out_edges(n, data=True):
            if ed.get("rel") == "locatedIn" and t in regions:
                found.extend(x for x in up(t) if x not in found)
        if n in regions:
            found = [x for x in up(n) if x not in found] + found
        names = [label(r) for r in found]
        text = d.get("region")
        if isinstance(text, str) and text.strip():
            rid = by_name.get(fold_name(text)) or by_name.get(fold_name(text.split(",")[0]))
            if rid is not None:
                names.extend(label(r) for r in up(rid) if label(r) not in names)
            else:
                if text.strip() not in names:
                    names.append(text.strip())
                # "Chengdu, Sichuan": the broader part may name a Region node
                for part in text.split(",")[1:]:
                    pid = by_name.get(fold_name(part))
                    if pid is not None:
                        names.extend(label(r) for r in up(pid) if label(r) not in names)
        if names:
            index[n] = names
    return index


def alliance_index(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Alliance ids of every node that is a member of (or is) an alliance."""
    index: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("cls") == "Alliance":
            index.setdefault(n, []).append(n)
    for u, v, d in G.edges(data=True):
        if d.get("rel") == "memberOf" and G.nodes[v].get("cls") == "Alliance" and v not in index.setdefault(u, []):
            index[u].append(v)
    return {k: sorted(v) for k, v in index.items()}


def scope_members(G: nx.MultiDiGraph, scope: str) -> set[str]:
    """Nodes inside ``alliance:NAME`` or ``region:NAME`` (without their neighbours).

    An alliance holds itself and its members; a region holds the nodes located in it
    (see :func:`region_index`).
    """
    kind, _, name = scope.partition(":")
    kind = kind.strip().lower()
    if not name.strip() or kind not in ("alliance", "region"):
        raise ConfigError(f"--scope takes alliance:NAME or region:NAME, got {scope!r}")
    name = name.strip()
    if kind == "alliance":
        aid = resolve_node(G, name)
        if G.nodes[aid].get("cls") != "Alliance":
            raise ConfigError(f"{name!r} is a {G.nodes[aid].get('cls')}, not an Alliance")
        return {n for n, alls in alliance_index(G).items() if aid in alls}
    index = region_index(G)
    want = fold_name(name)
    try:
        rid = resolve_node(G, name)
    except ConfigError:
        rid = None
    if rid is not None and G.nodes[rid].get("cls") == "Region":
        want = fold_name(str(G.nodes[rid].get("name", rid)))
    members = {n for n, regs in index.items() if any(fold_name(r) == want for r in regs)}
    if not members:
        known = sorted({r for regs in index.values() for r in regs})
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise ConfigError(f"no node is in region {name!r}{hint}")
    return members


def select_subgraph(
    G: nx.MultiDiGraph,
    *,
    around_name: str | None = None,
    depth: int = 2,
    scope: str | None = None,
    chains: Iterable[str] | None = None,
    neighbours: bool = True,
    ontology: Ontology | None = None,
    through_hubs: bool = False,
    hub_degree: float | None = None,
    ring: int = 0,
    max_nodes: int | None = None,
) -> nx.MultiDiGraph:
    """The part of ``G`` a map should show, as a new graph (attributes kept).

    - ``around_name``: the node that name resolves to and everything within ``depth`` hops,
      not expanding through hubs (nodes with a degree far above the graph's mean, see
      :mod:`canal.maps.hood`) unless ``through_hubs``; the result's ``graph["around"]``
      is the :class:`~canal.maps.hood.Neighbourhood` (with the hubs it stopped at); with
      ``ring``, up to that many nodes one hop further out are added too (no more than
      ``max_nodes`` in all) and listed in ``graph["ring"]`` (a map hides them until expanded);
    - ``scope``: ``alliance:NAME`` or ``region:NAME``: its members, plus their direct
      neighbours when ``neighbours`` is true (so an institute's technologies show);
    - ``chains``: keep only nodes of these chains (``innovation``, ``industrial``,
      ``capital``, ``bridge``).

    The conditions combine (intersection).
    """
    from canal.maps.hood import Neighbourhood, graph_reader, neighbourhood, next_ring

    keep: set[str] = set(G.nodes)
    hood = None
    outer: set[str] = set()
    if around_name is not None:
        start = resolve_node(G, around_name)
        pre = G.graph.get("around")  # read from a store with the same question: its degrees are the real ones
        if isinstance(pre, Neighbourhood) and pre.start == start and pre.depth == depth:
            hood = pre
        else:
            hood = neighbourhood(graph_reader(G), start, depth=depth, through_hubs=through_hubs, hub_degree=hub_degree)
        if ring > 0:
            room = min(ring, (max_nodes if max_nodes is not None else len(G)) - len(hood.nodes))
            known = G.graph.get("ring") if hood is pre else None
            outer = set(sorted(known)[: max(room, 0)]) if known is not None else next_ring(graph_reader(G), hood, limit=room)
        keep &= hood.nodes | outer
    if scope:
        members = scope_members(G, scope)
        keep &= around(G, members, 1) if neighbours else members
    if chains:
        onto = ontology or load_ontology()
        wanted = {c.strip().lower() for c in chains if c.strip()}
        known = set(onto.chains) | {"bridge"}
        bad = sorted(wanted - known)
        if bad:
            raise ConfigError(f"unknown chain(s) {', '.join(bad)}; choose from {', '.join(sorted(known))}")
        keep = {n for n in keep if _chain(onto, G.nodes[n].get("cls", "")) in wanted}
    sub: nx.MultiDiGraph = G.subgraph(keep).copy()
    if hood is not None:
        sub.graph["around"] = hood
        sub.graph["ring"] = outer & set(sub.nodes)
    return sub


def _chain(onto: Ontology, cls: str) -> str:
    if cls in onto.classes:
        return onto.chain_of(cls) or "bridge"
    return "bridge"
