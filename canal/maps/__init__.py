"""Network maps of the canal graph: one self-contained HTML file, offline, safe.

A map is a single HTML page that a coordinator can double-click on a laptop with no
internet: vis-network (from the pyvis package) and the page's own script and style
are inlined, and a Content-Security-Policy forbids any request. Colours (by chain)
and shapes (by class) come from the ontology, the legend is in English and Chinese,
node size follows a chosen measure, and tooltips show names, class, key properties
and provenance. Text from the data is only ever set as text, so a name such as
``<img src=x onerror=alert(1)>`` shows as typed and runs nothing. The page filters by
chain, class, region and alliance, searches by Chinese or English name, alias or
pinyin, highlights a node's neighbourhood on click, overlays gaps (red rings with
their reasons) and proposed matches (dashed purple edges with their score), and lays
nodes out by force or by stage (research -> pilot -> industrialisation -> capital).
Graphs above :data:`MAX_NODES` nodes are drawn as communities (or classes) of
super-nodes that open into their members, and the page says so. Readers expand and
collapse neighbours, show only the selection or the path between two nodes, switch
labels between Chinese and English and the layout between force and stages, filter by
year, see what the last load changed, and share the view as a link (its ``#...`` part).
Without JavaScript the page shows a still picture and tables. ``--around`` neighbourhoods
stop at hubs (:mod:`canal.maps.hood`).

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("dicp", cls="ResearchInstitute", name="DICP", nameZh="大连化学物理研究所")
>>> G.add_node("dmto", cls="Technology", name="<b>DMTO</b>")
>>> G.add_edge("dicp", "dmto", key="dicp-DEVELOPS->dmto", type="DEVELOPS", rel="develops")
'dicp-DEVELOPS->dmto'
>>> page = map_html(G, title="DMTO & co")
>>> "<b>DMTO</b>" in page, "DMTO &amp; co" in page, "https://" in page.split("</head>")[0]
(False, True, False)
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx

from canal.errors import CanalError, ConfigError
from canal.maps.build import AGGREGATES, LAYOUTS, MAX_NODES, SIZE_MEASURES, MapOptions, build_map_data, node_measure
from canal.maps.page import render_page
from canal.maps.select import resolve_node, scope_members, select_subgraph
from canal.maps.style import map_style
from canal.ontology import Ontology, load_ontology

__all__ = [
    "AGGREGATES",
    "LAYOUTS",
    "MAX_NODES",
    "SIZE_MEASURES",
    "MapOptions",
    "MapView",
    "graph_for_map",
    "last_load_changes",
    "map_data",
    "map_html",
    "map_options",
    "node_measure",
    "prepare_map",
    "resolve_node",
    "scope_members",
    "select_subgraph",
    "show_map",
    "write_map",
    "write_png",
]


def map_options(options: MapOptions | None = None, **kwargs: Any) -> MapOptions:
    """``options`` with ``kwargs`` (the :class:`MapOptions` fields) on top, checked."""
    return replace(options, **kwargs) if options is not None else MapOptions(**kwargs)


def map_data(G: nx.MultiDiGraph, options: MapOptions | None = None, *, ontology: Ontology | None = None, **kwargs: Any) -> dict[str, Any]:
    """The JSON-ready data behind a map (what :func:`map_html` puts in the page)."""
    opts = map_options(options, **kwargs)
    style = map_style(ontology or load_ontology())
    if any(not isinstance(n, str) for n in G.nodes):  # canal ids are strings; accept any graph
        G = nx.relabel_nodes(G, str)
    return build_map_data(G, style, opts)


def map_html(G: nx.MultiDiGraph, options: MapOptions | None = None, *, ontology: Ontology | None = None, **kwargs: Any) -> str:
    """A canal graph as one self-contained HTML page.

    ``options`` is a :class:`MapOptions`; its fields may also be given (or overridden)
    as keywords: ``map_html(G, layout="stages")``.
    ``G`` has the shape of ``GraphStore.to_networkx()``. ``gaps`` and ``matches`` are
    Gap / Candidate objects (read by attribute: ``nodes``, ``type``, ``severity``,
    ``explanation_en``...; ``source``, ``target``, ``score``...); matches whose ends are
    not both in ``G`` are listed but not drawn. ``layout`` is ``force`` or ``stages``;
    ``size_by`` is ``degree``, ``betweenness`` or ``amount``; ``focus`` selects a node
    when the page opens. Above ``max_nodes`` nodes the page shows ``aggregate_by``
    (``communities`` or ``classes``) as super-nodes, which the page opens into their
    best-connected members. ``changes`` (:func:`last_load_changes`) highlights what the
    last load added or changed; ``view`` is the state (the ``#...`` part of a link copied
    from a map) the page opens in.
    """
    return render_page(map_data(G, options, ontology=ontology, **kwargs))


def write_map(G: nx.MultiDiGraph, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`map_html` to ``path`` (UTF-8); returns the path."""
    out = Path(path)
    out.write_text(map_html(G, **kwargs), encoding="utf-8")
    return out


class MapView:
    """A map for notebooks: displays inline (in an iframe) and can be saved.

    >>> view = MapView("<html></html>")
    >>> view._repr_html_().startswith("<iframe")
    True
    """

    def __init__(self, page: str, height: int = 720) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        return f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:{self.height}px;border:1px solid #ddd" sandbox="allow-scripts"></iframe>'

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path``."""
        out = Path(path)
        out.write_text(self.html, encoding="utf-8")
        return out


def show_map(G: nx.MultiDiGraph, *, height: int = 720, **kwargs: Any) -> MapView:
    """:func:`map_html` wrapped for display in a Jupyter notebook."""
    return MapView(map_html(G, **kwargs), height=height)


def graph_for_map(
    store: Any,
    *,
    around: str | None = None,
    depth: int = 2,
    whole: bool = False,
    through_hubs: bool = False,
    hub_degree: float | None = None,
    max_nodes: int = MAX_NODES,
) -> nx.MultiDiGraph:
    """Read from a store what a map needs.

    When ``around`` names exactly one node by id, name, nameEn, nameZh or alias and
    ``whole`` is false, only its hub-aware ``depth``-hop neighbourhood is read
    (:mod:`canal.maps.hood`: a few queries per hop, never the whole graph; it stops
    growing beyond ``20 * max_nodes`` nodes) and kept in ``graph["around"]``, with the
    next ring out (``graph["ring"]``, at most 400 nodes, for expanding in the page); otherwise
    (pinyin, folded case, scopes, gaps and matches need it) the whole graph.
    """
    if around and not whole:
        from canal.maps.hood import NEXT_RING_MAX, READ_LIMIT_FACTOR, neighbourhood, next_ring, store_reader
        from canal.ontology import ROOT_CLASS
        from canal.store.cypher import ident

        q = (
            f"MATCH (n:{ident(ROOT_CLASS)}) WHERE n.id = $q OR n.name = $q OR n.nameEn = $q OR n.nameZh = $q "
            "OR $q IN coalesce(n.aliases, []) RETURN DISTINCT n.id AS id LIMIT 3"
        )
        rows = store.query(q, {"q": around}).rows
        if len(rows) == 1:
            reader = store_reader(store)
            hood = neighbourhood(
                reader, str(rows[0][0]), depth=depth, through_hubs=through_hubs, hub_degree=hub_degree,
                limit=READ_LIMIT_FACTOR * max_nodes,
            )
            ring = next_ring(reader, hood, limit=min(NEXT_RING_MAX, max_nodes - len(hood.nodes)))
            G: nx.MultiDiGraph = store.to_networkx(hood.nodes | ring)
            G.graph["around"] = hood
            G.graph["ring"] = ring
            return G
    full: nx.MultiDiGraph = store.to_networkx()
    return full


def last_load_changes(store: Any) -> dict[str, Any] | None:
    """What the store's last finished load added or changed, for the map's highlight.

    Read from the load log (:func:`canal.ingest.load_log`): ``name``, ``started``,
    ``finished``, ``totals`` and, when the log names them, the ``nodes`` and
    ``relationships`` ids added or changed (``complete`` is false when the log kept only
    the first ids). None when the store has no load log or no finished load; ``nodes``
    is None when the log does not name the ids (the page then gives the totals only).
    """
    try:
        from canal.ingest import load_log

        log = load_log(store)
    except (ImportError, CanalError):
        return None
    done = [x for x in log if x.get("status") == "done"]
    if not done:
        return None
    last = done[-1]

    def parsed(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value

    touched = parsed(last.get("touched"))
    out: dict[str, Any] = {
        "name": last.get("name"),
        "started": last.get("started"),
        "finished": last.get("finished"),
        "totals": parsed(last.get("totals")),
        "nodes": None,
        "relationships": None,
        "complete": False,
    }
    if isinstance(touched, dict):
        tn, tr = touched.get("nodes") or {}, touched.get("relationships") or {}
        out["nodes"] = sorted({*tn.get("added", []), *tn.get("changed", [])})
        out["relationships"] = sorted({*tr.get("added", []), *tr.get("changed", [])})
        out["complete"] = bool(touched.get("complete"))
    return out


def _gaps_for(G: nx.MultiDiGraph, shown: set[str]) -> list[Any]:
    try:
        from canal.gaps import find_gaps
    except ImportError as exc:
        raise ConfigError(f"--gaps needs the gap analysis (canal.gaps), which is not available: {exc}") from None
    # dismissed gaps are drawn too, flagged as dismissed (see gap_records)
    return [g for g in find_gaps(G, show_dismissed=True) if any(str(n) in shown for n in getattr(g, "nodes", ()))]


def _matches_for(G: nx.MultiDiGraph, focus: str | None, top: int) -> list[Any]:
    try:
        from canal.match import match
    except ImportError as exc:
        raise ConfigError(f"--matches needs the matching module (canal.match), which is not available: {exc}") from None
    return list(match(G, for_id=focus, top=top))


def prepare_map(
    G: nx.MultiDiGraph,
    *,
    around: str | None = None,
    depth: int = 2,
    scope: str | None = None,
    chains: list[str] | None = None,
    gaps: bool = False,
    matches: bool = False,
    top: int = 10,
    through_hubs: bool = False,
    hub_degree: float | None = None,
    max_nodes: int = MAX_NODES,
) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """The subgraph and the map keywords the ``canal map`` options ask for.

    Gaps are found on the whole graph (a technology is stranded or not whatever part
    is drawn) and kept when they touch the drawn part; the far end of a proposed match
    is added to the drawn part so its dashed edge can be shown.
    """
    from canal.maps.hood import NEXT_RING_MAX

    sub = select_subgraph(
        G, around_name=around, depth=depth, scope=scope, chains=chains, through_hubs=through_hubs, hub_degree=hub_degree,
        ring=NEXT_RING_MAX, max_nodes=max_nodes,
    )
    focus = resolve_node(G, around) if around else None
    kw: dict[str, Any] = {"focus": focus}
    parts = []
    if around:
        parts.append(f"around {G.nodes[focus].get('name', focus)} ({depth} hop{'s' if depth != 1 else ''})")
    if scope:
        parts.append(scope)
    if chains:
        parts.append("chains " + ", ".join(chains))
    kw["title"] = "canal map" + (": " + " · ".join(parts) if parts else "")
    if matches:
        found = _matches_for(G, focus, top)
        shown = set(sub.nodes)
        extra = {str(getattr(m, n)) for m in found for n in ("source", "target")} - shown
        if extra:
            kept = dict(sub.graph)
            sub = nx.MultiDiGraph(G.subgraph(shown | {e for e in extra if e in G}))
            sub.graph.update(kept)
        kw["matches"] = found
    if gaps:
        kw["gaps"] = _gaps_for(G, set(sub.nodes))
    return sub, kw


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell")


def find_chromium() -> str | None:
    """Path of a Chromium-family browser: ``CANAL_CHROMIUM``, else the first on PATH."""
    env = os.environ.get("CANAL_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_args(user_data_dir: str) -> list[str]:
    """Flags for a quiet, offline headless Chromium (``--no-sandbox`` only as root)."""
    args = [
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={user_data_dir}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    return args


def write_png(html_path: str | Path, png_path: str | Path, *, width: int = 1600, height: int = 1000, timeout: float = 120.0) -> Path:
    """Screenshot a map page with headless Chromium (the map and its legend, no controls).

    Chromium is found by :func:`find_chromium`; raises :class:`ConfigError` without one.
    """
    exe = find_chromium()
    if exe is None:
        raise ConfigError("--png needs Chromium: install it (Debian: apt-get install chromium) or set CANAL_CHROMIUM")
    src = Path(html_path).resolve()
    out = Path(png_path).resolve()
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="canal-chromium-") as profile:
        cmd = [exe, *chromium_args(profile), f"--window-size={width},{height}", f"--screenshot={out}", "--virtual-time-budget=5000", src.as_uri() + "#png"]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"Chromium did not finish the screenshot within {timeout:.0f} s") from None
    if not out.exists() or out.stat().st_size == 0:
        tail = (res.stderr or "").strip().splitlines()[-3:]
        raise ConfigError(f"Chromium wrote no screenshot (exit {res.returncode}): {' | '.join(tail)}")
    return out
