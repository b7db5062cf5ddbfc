"""HTML network maps (pyvis), self-contained and offline.

pyvis's ``in_line`` mode inlines vis-network but still links Bootstrap from a CDN;
those tags are removed here, so the page makes no network request. Text from data is
HTML-escaped and tooltips are handed to vis-network as DOM elements, so a name such as
``<img src=x onerror=alert(1)>`` shows as text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import networkx as nx

from canal.ontology import Ontology, load_ontology

CHAIN_COLOURS = {
    "innovation": "#2b83ba",
    "industrial": "#fdae61",
    "capital": "#d7191c",
    "bridge": "#7b7b7b",
}
"""Colour of each chain on the maps."""

_CDN_TAG = re.compile(r"<(link|script)\b[^>]*\b(?:href|src)=\"https?://[^\"]*\"[^>]*>(\s*</script>)?", re.IGNORECASE)

_TITLES_TO_ELEMENTS = """
<script>
(function () {
  function toElement(item) {
    if (typeof item.title === "string") {
      var div = document.createElement("div");
      div.style.whiteSpace = "pre-line";
      div.textContent = item.title;
      item.title = div;
    }
    return item;
  }
  var origDataSet = vis.DataSet;
  vis.DataSet = function (items, opts) {
    if (Array.isArray(items)) { items = items.map(toElement); }
    return new origDataSet(items, opts);
  };
})();
</script>
"""


def _tooltip(onto: Ontology, data: dict[str, Any], nid: str) -> str:
    cls = data.get("cls", "")
    info = onto.classes.get(cls)
    lines = [str(data.get("name", nid))]
    if data.get("nameZh") and data.get("nameZh") != data.get("name"):
        lines.append(str(data["nameZh"]))
    if info:
        lines.append(f"{info.label_en} / {info.label_zh}")
    for key in ("region", "field", "aliases"):
        if data.get(key):
            v = data[key]
            lines.append(f"{key}: {', '.join(map(str, v)) if isinstance(v, list) else v}")
    if data.get("source"):
        lines.append(f"source: {data['source']} {data.get('published', '')}".strip())
    return "\n".join(lines)


def map_html(G: nx.MultiDiGraph, *, ontology: Ontology | None = None, title: str = "canal map", height: str = "800px") -> str:
    """Render a canal networkx graph as a self-contained HTML page."""
    from pyvis.network import Network

    onto = ontology or load_ontology()
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", notebook=False)
    net.toggle_physics(True)
    nodes: list[dict[str, Any]] = []
    for nid, data in sorted(G.nodes(data=True)):
        chain = onto.chain_of(data.get("cls", "")) or "bridge"
        nodes.append(
            {
                "id": nid,
                "label": str(data.get("name", nid)),
                "title": _tooltip(onto, data, nid),
                "color": CHAIN_COLOURS.get(chain, "#999999"),
                "group": data.get("cls", ""),
                "shape": "dot",
                "size": 10 + 2 * min(G.degree(nid), 15),
            }
        )
    # bypass pyvis's quadratic add_node: fill its lists directly
    net.nodes = nodes
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    edges = []
    for u, v, key, data in sorted(G.edges(keys=True, data=True), key=lambda e: str(e[2])):
        label = str(data.get("type", ""))
        t = f"{label}\n{data.get('evidence', '')}".strip()
        edges.append({"from": u, "to": v, "id": str(key), "title": t, "label": label, "arrows": "to", "font": {"size": 8}})
    net.edges = edges
    page = net.generate_html(notebook=False)
    page = _CDN_TAG.sub("", page)
    page = page.replace("<body>", f"<body>\n<h3 style=\"font-family:sans-serif\">{html.escape(title)}</h3>", 1)
    # convert string tooltips into text-only DOM elements before the network is built
    marker = "<script type=\"text/javascript\">"
    idx = page.find(marker, page.find("<body>"))
    if idx < 0:
        idx = page.find("</head>")
    page = page[:idx] + _TITLES_TO_ELEMENTS + page[idx:]
    return page


def write_map(G: nx.MultiDiGraph, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`map_html` to ``path``; returns the path."""
    out = Path(path)
    out.write_text(map_html(G, **kwargs), encoding="utf-8")
    return out

