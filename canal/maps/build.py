"""The data a map page shows: vis-network items, tooltips, legend, filters, overlays.

Everything here is plain Python data (JSON-ready); :mod:`canal.maps.page` puts it in
the page. Text from the graph is never turned into HTML: the page builds every
tooltip, list and panel with ``textContent``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from canal.errors import ConfigError
from canal.maps.layout import force_layout, label_box, remove_overlaps, stages_layout
from canal.maps.select import alliance_index, node_names, pinyin_keys, region_index
from canal.maps.style import GAP_COLOUR, MATCH_COLOUR, UNKNOWN_COLOUR, MapStyle
from canal.ontology import Ontology

MAX_NODES = 5000
"""Above this many nodes a map shows an aggregated view (communities or classes as
super-nodes) instead of every node; see :func:`aggregate`."""
MAX_SUPER_NODES = 400
"""At most this many super-nodes; smaller communities are pooled into one."""
OVERLAP_MAX = 2000
"""Force layouts up to this many nodes get an overlap-removal pass (room for labels)."""
EDGE_LABELS_MAX = 400
MAX_GAPS_LISTED = 300
"""An aggregated page lists (and rings super-nodes for) at most this many gaps, worst first."""
"""Edges carry their type as a label only on maps with at most this many edges."""
SIZE_MEASURES = ("degree", "betweenness", "amount")
LAYOUTS = ("force", "stages")
AGGREGATES = ("communities", "classes")
PROVENANCE_KEYS = ("source", "sourceTitle", "publisher", "published", "retrieved", "method", "confidence", "evidence")
_HIDDEN_KEYS = {"cls", "labels", "name", "nameEn", "nameZh", "aliases", *PROVENANCE_KEYS}
_KEY_PROPERTY_ORDER = ("region", "country", "field", "foundedYear", "trl", "maturity", "status", "stockCode", "amount", "currency", "date", "year", "role", "description")


# -- measures -------------------------------------------------------------------------

def node_measure(G: nx.MultiDiGraph, measure: str) -> dict[str, float]:
    """Value of ``measure`` for every node.

    - ``degree``: relationships touching the node (parallel ones counted);
    - ``betweenness``: normalised betweenness centrality on the undirected simple graph
      (igraph, exact);
    - ``amount``: sum of ``amount`` on the node's relationships (money invested or
      granted, given or received) plus the node's own ``amount`` (a grant).

    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("fund", "firm", amount=5.0); G.add_edge("fund", "lab", amount=1.0)
    0
    0
    >>> node_measure(G, "amount")["fund"], node_measure(G, "degree")["firm"]
    (6.0, 1.0)
    """
    if measure == "degree":
        return {n: float(d) for n, d in G.degree()}
    if measure == "amount":
        out: dict[str, float] = {n: _num(d.get("amount")) for n, d in G.nodes(data=True)}
        for u, v, d in G.edges(data=True):
            a = _num(d.get("amount"))
            if a:
                out[u] += a
                if v != u:
                    out[v] += a
        return out
    if measure == "betweenness":
        import igraph as ig

        nodes = sorted(G.nodes, key=str)
        index = {n: i for i, n in enumerate(nodes)}
        edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
        g = ig.Graph(n=len(nodes), edges=sorted(edges))
        n = len(nodes)
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        return {nodes[i]: float(b) * scale for i, b in enumerate(g.betweenness(directed=False))}
    raise ValueError(f"unknown size measure {measure!r}; choose from {', '.join(SIZE_MEASURES)}")


def _num(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        return 0.0
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def sizes(values: dict[str, float], *, smallest: float = 10.0, largest: float = 42.0) -> dict[str, float]:
    """Node sizes: ``smallest + (largest - smallest) * sqrt(v / max v)``."""
    top = max(values.values(), default=0.0)
    if top <= 0:
        return {n: smallest for n in values}
    return {n: round(smallest + (largest - smallest) * math.sqrt(max(v, 0.0) / top), 1) for n, v in values.items()}


# -- text -----------------------------------------------------------------------------

def _text(v: Any, limit: int = 400) -> str:
    if isinstance(v, (list, tuple)):
        t = ", ".join(str(x) for x in v)
    elif isinstance(v, float) and v.is_integer() and abs(v) >= 1000:
        t = f"{v:,.0f}"
    else:
        t = str(v)
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _label(data: dict[str, Any], nid: str) -> str:
    name = data.get("name") or data.get("nameZh") or data.get("nameEn") or nid
    return _text(name, 60)


def _props(onto: Ontology, data: dict[str, Any]) -> list[list[str]]:
    """Key properties as [English label, Chinese label, value], in a fixed order."""
    keys = [k for k in _KEY_PROPERTY_ORDER if k in data] + sorted(k for k in data if k not in _KEY_PROPERTY_ORDER and k not in _HIDDEN_KEYS)
    out = []
    for k in keys:
        v = data.get(k)
        if v is None or v == "" or v == []:
            continue
        info = onto.properties.get(k)
        out.append([info.label_en if info and info.label_en else k, info.label_zh if info else "", _text(v)])
    return out


def _region_label(onto: Ontology) -> str:
    info = onto.properties.get("region")
    return info.label_en if info and info.label_en else "region"


def _provenance(data: dict[str, Any]) -> dict[str, str]:
    return {k: _text(data[k]) for k in PROVENANCE_KEYS if data.get(k) not in (None, "")}


def _search_text(names: Sequence[str], nid: str) -> str:
    keys: list[str] = [nid]
    for x in names:
        keys.append(x)
        keys.extend(pinyin_keys(x))
    return "\n".join(k.casefold() for k in keys)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TIME_KEYS_FROM = ("foundedYear",)
"""Node properties giving the year a node came into being (it exists from then on)."""
TIME_KEYS_EVENT = ("date", "year")
"""Node and relationship properties giving the year of an event (an agreement, an investment, a grant)."""


def language_labels(data: dict[str, Any], nid: str) -> tuple[str, str]:
    """(Chinese label, English label) of a node: ``nameZh`` / ``nameEn``, else the name
    that is (or is not) written in Chinese, else the name.

    >>> language_labels({"name": "DMTO", "nameZh": "甲醇制烯烃"}, "t")
    ('甲醇制烯烃', 'DMTO')
    >>> language_labels({"name": "大连化物所"}, "d")
    ('大连化物所', '大连化物所')
    """
    names = node_names(data)
    zh = data.get("nameZh") or next((x for x in names if _CJK.search(x)), None)
    en = data.get("nameEn") or next((x for x in names if not _CJK.search(x)), None)
    fallback = _label(data, nid)
    return _text(zh or fallback, 60), _text(en or fallback, 60)


def year_of(value: Any) -> int | None:
    """The year in a date-like value (``2019``, ``"2019-08-08"``, ``2019.0``), or None.

    >>> year_of("2019-08-08"), year_of(1984), year_of("n/a")
    (2019, 1984, None)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        y = int(value)
    else:
        m = re.match(r"\s*(\d{4})", str(value))
        if not m:
            return None
        y = int(m.group(1))
    return y if 1000 <= y <= 2999 else None


def node_time(data: dict[str, Any]) -> list[Any] | None:
    """``[year, "f"]`` (founded: exists from then on) or ``[year, "e"]`` (an event), or None."""
    for k in TIME_KEYS_FROM:
        y = year_of(data.get(k))
        if y is not None:
            return [y, "f"]
    for k in TIME_KEYS_EVENT:
        y = year_of(data.get(k))
        if y is not None:
            return [y, "e"]
    return None


def edge_time(data: dict[str, Any]) -> int | None:
    """The year of a relationship (its ``date`` or ``year``), or None."""
    for k in TIME_KEYS_EVENT:
        y = year_of(data.get(k))
        if y is not None:
            return y
    return None


def changes_meta(changes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the page says about the last load (name, dates, totals; whether ids are known)."""
    if not changes:
        return None
    return {k: changes.get(k) for k in ("name", "started", "finished", "totals", "complete")} | {"known": changes.get("nodes") is not None}


def around_meta(G: nx.MultiDiGraph) -> dict[str, Any] | None:
    """The hub-aware neighbourhood the graph was cut with (``graph["around"]``), for the page."""
    hood = G.graph.get("around")
    if hood is None or not hasattr(hood, "as_dict"):
        return None
    out: dict[str, Any] = hood.as_dict()
    out["hubs"] = [[h, d, _label(G.nodes[h], h) if h in G else h] for h, d in out["hubs"]]
    return out


# -- overlays -------------------------------------------------------------------------

def gap_records(gaps: Iterable[Any] | None, present: set[str]) -> list[dict[str, Any]]:
    """Gap objects (duck-typed, see the gaps contract) as records for the page."""
    out: list[dict[str, Any]] = []
    for g in gaps or ():
        nodes = [str(n) for n in getattr(g, "nodes", ())]
        review = getattr(g, "review", None) or {}
        dismissed = review.get("decision") == "dismissed"
        note_en = f" [dismissed by {review.get('reviewer', '?')}: {review.get('reason', '')}]" if dismissed else ""
        note_zh = f"［已由{review.get('reviewer', '?')}驳回：{review.get('reason', '')}］" if dismissed else ""
        out.append(
            {
                "type": str(getattr(g, "type", "gap")),
                "scope": str(getattr(g, "scope", "") or ""),
                "severity": round(_num(getattr(g, "severity", 0.0)), 3),
                "nodes": nodes,
                "shown": [n for n in nodes if n in present],
                "en": str(getattr(g, "explanation_en", "") or "") + note_en,
                "zh": str(getattr(g, "explanation_zh", "") or "") + note_zh,
                "dismissed": dismissed,
            }
        )
    out.sort(key=lambda r: (-float(r["severity"]), str(r["type"]), [str(n) for n in r["nodes"]]))
    return out


def match_records(matches: Iterable[Any] | None, present: set[str]) -> list[dict[str, Any]]:
    """Candidate objects (duck-typed, see the matching contract) as records for the page."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for m in matches or ():
        s, t = str(getattr(m, "source", "")), str(getattr(m, "target", ""))
        if (s, t) in seen:
            continue
        seen.add((s, t))
        contrib = getattr(m, "contributions", {}) or {}
        out.append(
            {
                "source": s,
                "target": t,
                "score": round(_num(getattr(m, "score", 0.0)), 3),
                "direction": str(getattr(m, "direction", "") or ""),
                "en": str(getattr(m, "explanation_en", "") or ""),
                "zh": str(getattr(m, "explanation_zh", "") or ""),
                "contributions": [[str(k), round(_num(v), 3)] for k, v in sorted(contrib.items(), key=lambda kv: -_num(kv[1]))],
                "shown": s in present and t in present,
            }
        )
    out.sort(key=lambda r: (-float(r["score"]), str(r["source"]), str(r["target"])))
    return out


# -- the full map ---------------------------------------------------------------------

@dataclass(frozen=True)
class MapOptions:
    """What a map shows and how: the keywords of :func:`canal.maps.map_html`, checked once.

    ``layout`` is one of :data:`LAYOUTS`, ``size_by`` one of :data:`SIZE_MEASURES` and
    ``aggregate_by`` one of :data:`AGGREGATES` (a :class:`ConfigError` otherwise).
    ``changes`` (see :func:`canal.maps.last_load_changes`) marks what the last load added
    or changed; ``view`` is the state the page opens in when its link has no ``#...``.
    """

    title: str = "canal map"
    gaps: Iterable[Any] | None = None
    matches: Iterable[Any] | None = None
    layout: str = "force"
    size_by: str = "degree"
    focus: str | None = None
    max_nodes: int = MAX_NODES
    aggregate_by: str = "communities"
    seed: int = 0
    changes: Mapping[str, Any] | None = None
    view: str | None = None

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {self.layout!r}; choose from {', '.join(LAYOUTS)}")
        if self.size_by not in SIZE_MEASURES:
            raise ConfigError(f"unknown size measure {self.size_by!r}; choose from {', '.join(SIZE_MEASURES)}")
        if self.aggregate_by not in AGGREGATES:
            raise ConfigError(f"unknown aggregation {self.aggregate_by!r}; choose from {', '.join(AGGREGATES)}")


def build_map_data(G: nx.MultiDiGraph, style: MapStyle, opts: MapOptions) -> dict[str, Any]:
    """Everything the page needs, as JSON-ready data (see :class:`MapOptions`)."""
    if G.number_of_nodes() > opts.max_nodes:
        data = aggregate(G, style, title=opts.title, by=opts.aggregate_by, max_nodes=opts.max_nodes, gaps=opts.gaps, seed=opts.seed)
        data["meta"].update({"view": (opts.view or "").lstrip("#"), "around": around_meta(G), "changes": changes_meta(opts.changes), "years": None})
        return data
    present = set(G.nodes)
    gap_recs = gap_records(opts.gaps, present)
    match_recs = match_records(opts.matches, present)
    values = node_measure(G, opts.size_by)
    size = sizes(values)
    regions = region_index(G)
    alliances = alliance_index(G)
    alliance_names = {a: _label(G.nodes[a], a) for a in sorted({a for v in alliances.values() for a in v})}
    pos, meta = _both_layouts(G, style, opts, size, match_recs)
    nodes, info, class_counts, node_years = _node_items(G, style, opts, pos, size, values, regions, alliances, gap_recs)
    edges, einfo, edge_years = _edge_items(G, style.onto, opts)
    edges.extend(_match_edges(match_recs))
    shown_classes = sorted(class_counts, key=lambda c: (_chain_rank(style.chain_of(c)), style.class_entry(c)["en"]))
    legend_classes = [{**style.class_entry(c), "count": class_counts[c]} for c in shown_classes]
    meta.update(_full_meta(G, opts, len(nodes), [*node_years, *edge_years]))
    return {
        "meta": meta,
        "legend": {"chains": [c for c in style.chain_entries() if any(lc["chain"] == c["key"] for lc in legend_classes)], "classes": legend_classes, "stages": style.stage_entries()},
        "groups": {c["cls"]: _class_group(c) for c in legend_classes},
        "nodes": nodes,
        "edges": edges,
        "info": info,
        "einfo": einfo,
        "gaps": gap_recs,
        "matches": match_recs,
        "filters": {
            "regions": sorted({r for v in regions.values() for r in v}),
            "alliances": [[a, n] for a, n in sorted(alliance_names.items(), key=lambda kv: kv[1])],
        },
    }


def _both_layouts(
    G: nx.MultiDiGraph, style: MapStyle, opts: MapOptions, size: dict[str, float], match_recs: list[dict[str, Any]]
) -> tuple[dict[str, tuple[float, float]], dict[str, Any]]:
    """Positions in the chosen layout, and (up to :data:`ALT_LAYOUT_MAX` nodes) the other one in ``meta["alt"]``.

    Proposed matches pull their ends together in the layout (a match's far end often
    has no other tie to the drawn part).
    """
    L = nx.Graph()
    L.add_nodes_from(G.nodes(data=True))
    L.add_edges_from((u, v) for u, v in G.edges())
    L.add_edges_from((m["source"], m["target"]) for m in match_recs if m["shown"])
    pos, meta = _positions(G, L, style, opts.layout, size, opts.seed)
    if G.number_of_nodes() <= ALT_LAYOUT_MAX:
        # the other layout travels in the page too, so the reader can switch (and share it)
        other = "stages" if opts.layout == "force" else "force"
        alt_pos, alt_meta = _positions(G, L, style, other, size, opts.seed)
        meta["alt"] = {**alt_meta, "pos": {n: [round(x, 1), round(y, 1)] for n, (x, y) in sorted(alt_pos.items())}}
    return pos, meta


def _node_items(
    G: nx.MultiDiGraph,
    style: MapStyle,
    opts: MapOptions,
    pos: Mapping[str, tuple[float, float]],
    size: dict[str, float],
    values: dict[str, float],
    regions: dict[str, list[str]],
    alliances: dict[str, list[str]],
    gap_recs: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], Counter[str], list[int]]:
    """The vis-network nodes, their tooltip and panel data (``info``), the count per class and the years seen."""
    onto = style.onto
    changed_nodes = set((opts.changes or {}).get("nodes") or ())
    node_gaps: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gap_recs):
        for n in g["shown"]:
            node_gaps[n].append(i)
    nodes: list[dict[str, Any]] = []
    info: dict[str, dict[str, Any]] = {}
    class_counts: Counter[str] = Counter()
    years: list[int] = []
    for nid in sorted(G.nodes, key=str):
        data = G.nodes[nid]
        cls = str(data.get("cls", ""))
        class_counts[cls] += 1
        x, y = pos[nid]
        nodes.append({"id": nid, "label": _label(data, nid), "group": cls, "x": round(x, 1), "y": round(y, 1), "size": size[nid], "font": {"size": _font(size[nid])}})
        names = node_names(data)
        info[nid] = {
            "names": names,
            "cls": cls,
            "chain": style.chain_of(cls),
            "regions": regions.get(nid, []),
            "alliances": alliances.get(nid, []),
            "props": [p for p in _props(onto, data) if not (p[0] == _region_label(onto) and regions.get(nid))],
            "prov": _provenance(data),
            "value": round(values[nid], 4),
            "search": _search_text(names, nid),
            "gaps": node_gaps.get(nid, []),
        }
        zh, en = language_labels(data, nid)
        if zh != nodes[-1]["label"]:
            info[nid]["lz"] = zh
        if en != nodes[-1]["label"]:
            info[nid]["le"] = en
        t = node_time(data)
        if t is not None:
            info[nid]["t"] = t
            years.append(t[0])
        if nid in changed_nodes:
            info[nid]["ch"] = 1
    return nodes, info, class_counts, years


def _edge_items(G: nx.MultiDiGraph, onto: Ontology, opts: MapOptions) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], list[int]]:
    """The vis-network edges (parallel ones curved apart), their panel data (``einfo``) and the years seen."""
    changed_rels = set((opts.changes or {}).get("relationships") or ())
    edges: list[dict[str, Any]] = []
    einfo: dict[str, dict[str, Any]] = {}
    years: list[int] = []
    pair_count: Counter[tuple[str, str]] = Counter()
    show_labels = G.number_of_edges() <= EDGE_LABELS_MAX
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        # store graphs key edges by their unique rid; other graphs may key 0, 1, ... per pair
        eid = str(key) if isinstance(key, str) else f"{u}->{v}#{key}"
        while eid in einfo:
            eid += "'"
        k = pair_count[(min(u, v), max(u, v))]
        pair_count[(min(u, v), max(u, v))] += 1
        rel_name = str(data.get("rel") or data.get("type") or "")
        rel = onto.relations.get(rel_name)
        item: dict[str, Any] = {"id": eid, "from": u, "to": v}
        if k:
            item["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": round(0.15 * k, 2)}
        if show_labels:
            item["label"] = rel.label_en if rel and rel.label_en else rel_name
        edges.append(item)
        extra = {k2: _text(v2) for k2, v2 in data.items() if k2 not in ("type", "rel", "id", *PROVENANCE_KEYS) and v2 not in (None, "")}
        einfo[eid] = {
            "type": str(data.get("type", "")),
            "en": rel.label_en if rel else rel_name,
            "zh": rel.label_zh if rel else "",
            "props": sorted(extra.items()),
            "prov": _provenance(data),
        }
        ty = edge_time(data)
        if ty is not None:
            einfo[eid]["t"] = ty
            years.append(ty)
        if eid in changed_rels:
            einfo[eid]["ch"] = 1
    return edges, einfo, years


def _match_edges(match_recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dashed edges, labelled with their score, for the proposed matches whose two ends are drawn."""
    edges: list[dict[str, Any]] = []
    for i, m in enumerate(match_recs):
        if not m["shown"]:
            continue
        edges.append(
            {
                "id": f"match:{i}",
                "from": m["source"],
                "to": m["target"],
                "dashes": [8, 6],
                "width": 2.5,
                "label": f"{m['score']:.2f}",
                "color": {"color": MATCH_COLOUR, "highlight": MATCH_COLOUR, "hover": MATCH_COLOUR},
                "font": {"color": MATCH_COLOUR, "size": 13, "strokeWidth": 3},
                "smooth": {"enabled": True, "type": "curvedCCW", "roundness": 0.2},
                "match": i,
            }
        )
    return edges


def _full_meta(G: nx.MultiDiGraph, opts: MapOptions, node_count: int, years: list[int]) -> dict[str, Any]:
    """The page's ``meta`` for a map drawn node by node (beside the layout's own entries)."""
    present = set(G.nodes)
    measure_label = {"degree": ["relationships", "关系数"], "betweenness": ["betweenness", "中介中心性"], "amount": ["amount invested or granted", "投资或资助金额"]}[opts.size_by]
    return {
        "title": opts.title,
        "aggregated": False,
        "nodes": node_count,
        "edges": G.number_of_edges(),
        "total_nodes": node_count,
        "total_edges": G.number_of_edges(),
        "size_by": opts.size_by,
        "size_label": measure_label,
        "focus": opts.focus if opts.focus in present else None,
        "physics_allowed": node_count <= 600,
        "view": (opts.view or "").lstrip("#"),
        "around": around_meta(G),
        "changes": changes_meta(opts.changes),
        "years": [min(years), max(years)] if years and max(years) > min(years) else None,  # a timeline needs two years
        # one hop beyond a neighbourhood: in the page, hidden until a node is expanded
        "collapsed": sorted(set(G.graph.get("ring") or ()) & present),
        "notice": "",
        "gap_colour": GAP_COLOUR,
        "match_colour": MATCH_COLOUR,
    }


ALT_LAYOUT_MAX = 2000
"""Maps up to this many nodes carry both layouts (force and stages) and switch in the page."""


def _positions(
    G: nx.MultiDiGraph, L: nx.Graph, style: MapStyle, layout: str, size: dict[str, float], seed: int
) -> tuple[dict[str, tuple[float, float]], dict[str, Any]]:
    """Coordinates for ``layout`` and what the page needs to draw it (stage columns and lane)."""
    onto = style.onto
    meta: dict[str, Any] = {"layout": layout}
    if layout == "stages":
        pos, centres, lane_y, col_w = stages_layout(L, lambda n: onto.stage_of(str(G.nodes[n].get("cls"))) if G.nodes[n].get("cls") in onto.classes else None, onto.stage_order)
        if len(pos) <= OVERLAP_MAX:
            pos, lane_y = _spread_stages(G, pos, lane_y, size, lambda n: G.nodes[n].get("cls") in onto.classes and onto.stage_of(str(G.nodes[n].get("cls"))) is not None)
        meta["columns"] = [{"key": s["key"], "en": s["en"], "zh": s["zh"], "x": centres[s["key"]]} for s in style.stage_entries()]
        meta["lane_y"] = lane_y
        meta["column_width"] = col_w
    else:
        pos = force_layout(L, seed=seed)
        if len(pos) <= OVERLAP_MAX:
            boxes = {n: label_box(_label(G.nodes[n], n), size[n], _font(size[n])) for n in G.nodes}
            pos = remove_overlaps(pos, boxes)
    return pos, meta


def _spread_stages(
    G: nx.MultiDiGraph, pos: dict[str, tuple[float, float]], lane_y: float, size: dict[str, float], staged: Any
) -> tuple[dict[str, tuple[float, float]], float]:
    """Vertical-only overlap removal in the stage columns, then in the lane below them."""
    boxes = {n: label_box(_label(G.nodes[n], n), size[n], _font(size[n])) for n in G.nodes}
    cols = {n: p for n, p in pos.items() if staged(n)}
    lane = {n: p for n, p in pos.items() if n not in cols}
    out = remove_overlaps(cols, boxes, vertical_only=True) if cols else {}
    top = min((y for _, y in out.values()), default=0.0)
    if top < 0:  # keep the columns below their headers
        out = {n: (x, y - top) for n, (x, y) in out.items()}
    bottom = max((y + boxes[n][1] for n, (_, y) in out.items()), default=0.0) + 70.0
    shift = max(0.0, bottom - lane_y)
    new_lane_y = lane_y + shift
    lane = {n: (x, y + shift) for n, (x, y) in lane.items()}
    if lane:
        spread = remove_overlaps(lane, boxes, vertical_only=True)
        out.update({n: (x, max(y, new_lane_y)) for n, (x, y) in spread.items()})
    return out, new_lane_y


def _class_group(entry: dict[str, Any]) -> dict[str, Any]:
    """vis-network group (shape and colours) of a legend class entry."""
    c = entry["colour"]
    return {"shape": entry["shape"], "color": {"background": c, "border": _darker(c), "highlight": {"background": c, "border": "#000000"}, "hover": {"background": c, "border": "#000000"}}}


MEMBERS_PER_GROUP = 150
"""An aggregated page embeds at most this many best-connected members per group (opened in the page)."""
MEMBERS_TOTAL = 12_000
"""...and at most this many members in all (the page stays small on 50,000-node graphs)."""
_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


def group_members(
    G: nx.MultiDiGraph, groups: Sequence[Sequence[str]], degree: Mapping[str, int], owner: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """For each group, the members the page can open it into: the best-connected ones first,
    laid out as a sunflower around the group's centre (the best-connected in the middle),
    with the relationships among them and each member's ties to the two other groups it
    has most relationships with.

    Each entry is ``{"m": [[id, label, cls, dx, dy, size], ...], "e": [[i, j], ...],
    "x": [[i, other group, relationships], ...], "total": n}``.
    """
    out: list[dict[str, Any]] = []
    left = MEMBERS_TOTAL
    for members in groups:
        k = max(0, min(len(members), MEMBERS_PER_GROUP, left))
        left -= k
        top = sorted(members, key=lambda n: (-degree[n], str(n)))[:k]
        index = {n: i for i, n in enumerate(top)}
        step = 34.0
        rows = []
        biggest = max((degree[n] for n in top), default=1) or 1
        for i, n in enumerate(top):
            r = step * math.sqrt(i + 3)  # room for the group's own circle in the middle
            size = round(8 + 14 * math.sqrt(degree[n] / biggest), 1)
            rows.append([n, _label(G.nodes[n], n), str(G.nodes[n].get("cls", "")), round(r * math.cos(i * _GOLDEN), 1), round(r * math.sin(i * _GOLDEN), 1), size])
        pairs: set[tuple[int, int]] = set()
        for n in top:
            for m in list(G.successors(n)):
                j = index.get(m)
                if j is not None and j != index[n]:
                    pairs.add((index[n], j))
            if len(pairs) > 6 * k:
                break
        ties: list[list[int]] = []
        if owner is not None:
            for n in top:
                mine = owner[n]
                other = Counter(owner[m] for m in nx.all_neighbors(G, n) if owner[m] != mine)
                ties.extend([index[n], g, c] for g, c in sorted(other.items(), key=lambda kv: (-kv[1], kv[0]))[:2])
        out.append({"m": rows, "e": sorted(pairs), "x": ties, "total": len(members)})
    return out


def _font(size: float) -> int:
    """Label size grows with the node, so hubs stay labelled when the map is zoomed out."""
    return min(22, round(12 + (size - 10) * 0.45))


def _chain_rank(chain: str) -> int:
    return {"innovation": 0, "industrial": 1, "capital": 2, "bridge": 3}.get(chain, 4)


def _darker(colour: str) -> str:
    if not (colour.startswith("#") and len(colour) == 7):
        return UNKNOWN_COLOUR
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (r, g, b)))


# -- aggregated view ------------------------------------------------------------------

def communities(G: nx.MultiDiGraph, *, seed: int = 0) -> list[list[str]]:
    """Communities of ``G`` (igraph multilevel/Louvain on the undirected simple graph),
    largest first; members sorted."""
    import igraph as ig

    from canal.maps.layout import _seeded

    nodes = sorted(G.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    edges = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in G.edges() if u != v}
    g = ig.Graph(n=len(nodes), edges=sorted(edges))
    with _seeded(seed):
        parts = g.community_multilevel()
    groups = [sorted(nodes[i] for i in part) for part in parts]
    return sorted(groups, key=lambda m: (-len(m), m[0]))


def aggregate(
    G: nx.MultiDiGraph,
    style: MapStyle,
    *,
    title: str,
    by: str = "communities",
    max_nodes: int = MAX_NODES,
    gaps: Iterable[Any] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Map data for a graph too large to draw node by node.

    ``by="communities"``: one super-node per community (at most
    :data:`MAX_SUPER_NODES`; the smallest are pooled), labelled by its best-connected
    member, coloured by its most common chain, sized by its number of nodes.
    ``by="classes"``: one super-node per class. Super-edges count the relationships
    between groups (width grows with the log of the count).
    """
    groups, pooled = _super_groups(G, by, seed)
    owner: dict[str, int] = {n: i for i, m in enumerate(groups) for n in m}
    degree = dict(G.degree())
    gap_recs, group_gaps = _group_gaps(gaps, set(G.nodes), owner)
    counts: Counter[tuple[int, int]] = Counter()
    for u, v in G.edges():
        a, b = owner[u], owner[v]
        if a != b:
            counts[(min(a, b), max(a, b))] += 1
    nodes, info, class_counts = _super_nodes(G, style, by, groups, pooled, degree, counts, group_gaps, seed)
    edges, einfo = _super_edges(counts)
    groups_style = {f"chain:{c['key']}": {"shape": "dot", "color": {"background": c["colour"], "border": _darker(c["colour"])}} for c in style.chain_entries()}
    groups_style.update({c: _class_group(style.class_entry(c)) for c in sorted(class_counts)})
    for i, embedded in enumerate(group_members(G, groups, degree, owner)):
        info[f"group:{i}"]["open"] = embedded
    notice, notice_zh = _aggregate_notice(G, by, len(groups), max_nodes)
    legend_classes = [{**style.class_entry(c), "count": class_counts[c]} for c in sorted(class_counts, key=lambda c: (_chain_rank(style.chain_of(c)), style.class_entry(c)["en"]))]
    return {
        "meta": {
            "title": title,
            "layout": "force",
            "aggregated": True,
            "aggregate_by": by,
            "nodes": len(nodes),
            "edges": len(edges),
            "total_nodes": G.number_of_nodes(),
            "total_edges": G.number_of_edges(),
            "threshold": max_nodes,
            "size_by": "members",
            "size_label": ["nodes in the group", "组内节点数"],
            "focus": None,
            "physics_allowed": False,
            "notice": notice,
            "notice_zh": notice_zh,
            "gap_colour": GAP_COLOUR,
            "match_colour": MATCH_COLOUR,
        },
        "legend": {"chains": style.chain_entries(), "classes": legend_classes, "stages": style.stage_entries()},
        "groups": groups_style,
        "nodes": nodes,
        "edges": edges,
        "info": info,
        "einfo": einfo,
        "gaps": gap_recs,
        "matches": [],
        "filters": {"regions": [], "alliances": []},
    }


def _super_groups(G: nx.MultiDiGraph, by: str, seed: int) -> tuple[list[list[str]], int]:
    """The groups behind the super-nodes (largest first) and how many small communities
    were pooled into the last one to stay within :data:`MAX_SUPER_NODES`."""
    if by == "classes":
        buckets: dict[str, list[str]] = defaultdict(list)
        for n, d in G.nodes(data=True):
            buckets[str(d.get("cls", ""))].append(n)
        groups = sorted((sorted(m) for m in buckets.values()), key=lambda m: (-len(m), m[0]))
    else:
        groups = communities(G, seed=seed)
    pooled = 0
    if len(groups) > MAX_SUPER_NODES:
        rest = [n for m in groups[MAX_SUPER_NODES - 1 :] for n in m]
        pooled = len(groups) - (MAX_SUPER_NODES - 1)
        groups = [*groups[: MAX_SUPER_NODES - 1], sorted(rest)]
    return groups, pooled


def _group_gaps(gaps: Iterable[Any] | None, present: set[str], owner: dict[str, int]) -> tuple[list[dict[str, Any]], dict[int, list[int]]]:
    """The worst :data:`MAX_GAPS_LISTED` gap records, pointed at the super-nodes that hold
    their nodes, and the gaps of each group (by group index)."""
    gap_recs = gap_records(gaps, present)[:MAX_GAPS_LISTED]
    group_gaps: dict[int, list[int]] = defaultdict(list)
    for k, g in enumerate(gap_recs):
        for gi in sorted({owner[n] for n in g["shown"]}):
            group_gaps[gi].append(k)
        # the page points a gap at the super-nodes that hold its nodes
        g["shown"] = sorted({f"group:{owner[n]}" for n in g["shown"]})
    return gap_recs, group_gaps


def _super_nodes(
    G: nx.MultiDiGraph,
    style: MapStyle,
    by: str,
    groups: list[list[str]],
    pooled: int,
    degree: dict[str, int],
    counts: Counter[tuple[int, int]],
    group_gaps: dict[int, list[int]],
    seed: int,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], Counter[str]]:
    """One super-node per group, laid out by force (links weighted by the log of their
    count) and spread apart for their labels; their panel data; the count per class."""
    S = nx.Graph()
    S.add_nodes_from(f"group:{i}" for i in range(len(groups)))
    S.add_edges_from((f"group:{a}", f"group:{b}") for a, b in counts)
    weights = {(f"group:{a}", f"group:{b}"): 1.0 + math.log1p(c) for (a, b), c in counts.items()}
    pos = force_layout(S, seed=seed, weights=weights)
    sz = sizes({f"group:{i}": float(len(m)) for i, m in enumerate(groups)}, smallest=12.0, largest=70.0)
    nodes: list[dict[str, Any]] = []
    info: dict[str, dict[str, Any]] = {}
    class_counts: Counter[str] = Counter()
    for i, members in enumerate(groups):
        gid = f"group:{i}"
        classes = Counter(str(G.nodes[n].get("cls", "")) for n in members)
        class_counts.update(classes)
        chain = Counter(style.chain_of(c) for c in classes.elements()).most_common(1)[0][0]
        top = sorted(members, key=lambda n: (-degree[n], str(n)))[:12]
        if by == "classes":
            entry = style.class_entry(next(iter(classes)))
            label = f"{entry['en']} / {entry['zh']} ({len(members):,})"
        elif pooled and i == len(groups) - 1:
            label = f"{pooled:,} small communities ({len(members):,} nodes)"
        else:
            label = f"{_label(G.nodes[top[0]], top[0])} +{len(members) - 1:,}"
        x, y = pos[gid]
        nodes.append({"id": gid, "label": label, "group": f"chain:{chain}", "x": round(x, 1), "y": round(y, 1), "size": sz[gid], "font": {"size": _font(sz[gid])}})
        names = [_label(G.nodes[n], n) for n in top]
        n_gaps = len(group_gaps.get(i, []))
        info[gid] = {
            "names": [label],
            "cls": "",
            "chain": chain,
            "regions": [],
            "alliances": [],
            "props": [["nodes", "节点数", f"{len(members):,}"], ["classes", "类别", ", ".join(f"{style.class_entry(c)['en']} {k:,}" for c, k in classes.most_common(6))], ["best-connected members", "核心成员", ", ".join(names)]]
            + ([["gaps", "缺口", str(n_gaps)]] if n_gaps else []),
            "prov": {},
            "value": float(len(members)),
            "search": "\n".join(x.casefold() for n in top for x in [n, *node_names(G.nodes[n])]),
            "gaps": group_gaps.get(i, []),
            "members": len(members),
            "colour": style.colours.get(chain, UNKNOWN_COLOUR),
        }
    spread = remove_overlaps({n["id"]: (n["x"], n["y"]) for n in nodes}, {n["id"]: label_box(n["label"], n["size"], n["font"]["size"]) for n in nodes})
    for n in nodes:
        n["x"], n["y"] = round(spread[n["id"]][0], 1), round(spread[n["id"]][1], 1)
    return nodes, info, class_counts


def _super_edges(counts: Counter[tuple[int, int]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """One edge per pair of linked groups (width grows with the log of the count) and its panel text."""
    edges = [
        {"id": f"group:{a}-group:{b}", "from": f"group:{a}", "to": f"group:{b}", "width": round(1 + 1.5 * math.log1p(c), 2), "arrows": {"to": {"enabled": False}}}
        for (a, b), c in sorted(counts.items())
    ]
    einfo = {
        f"group:{a}-group:{b}": {"type": "", "en": f"{c:,} relationships", "zh": f"{c:,} 条关系", "props": [], "prov": {}}
        for (a, b), c in sorted(counts.items())
    }
    return edges, einfo


def _aggregate_notice(G: nx.MultiDiGraph, by: str, group_count: int, max_nodes: int) -> tuple[str, str]:
    """The notice (English, Chinese) that says the map shows groups, not nodes."""
    what = "communities" if by == "communities" else "classes"
    notice = (
        f"This graph has {G.number_of_nodes():,} nodes and {G.number_of_edges():,} relationships, more than the {max_nodes:,} a map draws one by one. "
        f"Each circle is one of {group_count:,} {what} (super-nodes, sized by their number of nodes); lines count the relationships between them. "
        "Use canal map --around NAME or --scope to draw a part in full."
    )
    notice_zh = f"该图有 {G.number_of_nodes():,} 个节点、{G.number_of_edges():,} 条关系，超过逐点绘制的上限 {max_nodes:,}。每个圆代表一个{'社区' if by == 'communities' else '类别'}（超级节点，大小表示节点数），连线表示它们之间的关系数量。"
    return notice, notice_zh
