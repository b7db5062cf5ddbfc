"""The HTML page: one file, every script and style inline, no network request.

vis-network and its stylesheet come from the copy bundled in the pyvis package;
the page's own script and style live next to this module (``assets/``). The map data
travels as JSON in a ``<script type="application/json">`` element, with ``<``, ``>``
and ``&`` written as ``\\u003c``/``\\u003e``/``\\u0026`` so no text from the data can
close the element; the page reads it with ``JSON.parse`` and builds every text node
with ``textContent``. A Content-Security-Policy with ``default-src 'none'`` makes the
browser refuse any request the page might still try.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

VIS_VERSION = "9.1.2"

CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"
"""Content-Security-Policy of every map page: nothing may be fetched."""


@cache
def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    return _inline_safe(js, "script"), _inline_safe(css, "style")


@cache
def _own_assets() -> tuple[str, str]:
    base = resources.files("canal.maps") / "assets"
    js = (base / "map.js").read_text(encoding="utf-8")
    css = (base / "map.css").read_text(encoding="utf-8")
    return _inline_safe(js, "script"), _inline_safe(css, "style")


def _inline_safe(text: str, tag: str) -> str:
    """Make library text safe to sit inside a ``<script>``/``<style>`` element."""
    return text.replace(f"</{tag}", f"<\\/{tag}").replace("<!--", "<\\!--")


def json_for_script(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` whatever the strings hold.

    >>> json_for_script({"name": "</script><img src=x onerror=alert(1)>"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cimg src=x onerror=alert(1)\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


STATIC_NODES = 600
"""The no-JavaScript picture draws at most this many nodes (the largest) and :data:`STATIC_EDGES` lines."""
STATIC_EDGES = 2500
STATIC_TABLE = 25


def static_view(data: dict[str, Any]) -> str:
    """The page without JavaScript: an inline SVG of the precomputed layout and tables of the
    main nodes and the worst gaps (all text escaped; nothing is fetched)."""
    esc = html.escape
    groups = data.get("groups", {})
    nodes = sorted(data["nodes"], key=lambda n: (-float(n.get("size", 10)), str(n["id"])))[:STATIC_NODES]
    keep = {n["id"]: n for n in nodes}
    parts: list[str] = []
    if nodes:
        xs = [n["x"] for n in nodes]
        ys = [n["y"] for n in nodes]
        pad = 60.0
        x0, y0 = min(xs) - pad, min(ys) - pad
        w, h = max(xs) - x0 + pad, max(ys) - y0 + pad
        parts.append(f'<svg id="static-map" xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.0f} {y0:.0f} {w:.0f} {h:.0f}" role="img" aria-label="map picture">')
        stroke = max(w, h) / 900
        lines = [e for e in data["edges"] if e["from"] in keep and e["to"] in keep][:STATIC_EDGES]
        parts.append(f'<g stroke="#b5b5b5" stroke-width="{stroke:.2f}">')
        parts.extend(f'<line x1="{keep[e["from"]]["x"]}" y1="{keep[e["from"]]["y"]}" x2="{keep[e["to"]]["x"]}" y2="{keep[e["to"]]["y"]}"/>' for e in lines)
        parts.append("</g><g>")
        for n in nodes:
            colour = ((groups.get(n.get("group")) or {}).get("color") or {}).get("background", "#bbbbbb")
            parts.append(f'<circle cx="{n["x"]}" cy="{n["y"]}" r="{float(n.get("size", 10)) * 0.8:.1f}" fill="{esc(str(colour))}" stroke="#555" stroke-width="{stroke:.2f}"><title>{esc(str(n["label"]))}</title></circle>')
        parts.append("</g>")
        font = max(12.0, max(w, h) / 90)
        parts.append(f'<g font-size="{font:.0f}" text-anchor="middle" fill="#222" stroke="#fff" stroke-width="{font / 5:.1f}" paint-order="stroke">')
        for n in nodes[:40]:
            parts.append(f'<text x="{n["x"]}" y="{float(n["y"]) + float(n.get("size", 10)) + font:.1f}">{esc(str(n["label"]))}</text>')
        parts.append("</g></svg>")
    info = data["info"]
    size_label = data["meta"].get("size_label", ["size", "大小"])
    classes = {c["cls"]: f'{c["en"]} / {c["zh"]}' for c in data["legend"]["classes"]}
    rows = "".join(
        f"<tr><td>{esc(str(n['label']))}</td><td>{esc(classes.get(info[n['id']].get('cls', ''), info[n['id']].get('cls', '')))}</td>"
        f"<td>{esc(str(info[n['id']].get('chain', '')))}</td><td>{info[n['id']].get('value', '')}</td></tr>"
        for n in nodes[:STATIC_TABLE]
    )
    table = (
        f"<h2>Main nodes / 主要节点 (largest {min(STATIC_TABLE, len(nodes))} of {len(data['nodes']):,})</h2>"
        f"<table class=\"static\"><tr><th>name / 名称</th><th>class / 类别</th><th>chain / 链</th><th>{esc(size_label[0])} / {esc(size_label[1])}</th></tr>{rows}</table>"
    )
    gaps = data.get("gaps") or []
    if gaps:
        label = {n["id"]: n["label"] for n in data["nodes"]}
        grow = "".join(
            f"<tr><td>{g['severity']}</td><td>{esc(g['type'])}</td><td>{esc(', '.join(str(label.get(x, x)) for x in g['shown'][:4]))}</td>"
            f"<td>{esc(g['en'])}<br>{esc(g['zh'])}</td></tr>"
            for g in gaps[:STATIC_TABLE]
        )
        table += (
            f"<h2>Gaps / 缺口 (worst {min(STATIC_TABLE, len(gaps))} of {len(gaps):,})</h2>"
            f"<table class=\"static\"><tr><th>severity / 严重度</th><th>type / 类型</th><th>nodes / 节点</th><th>why / 原因</th></tr>{grow}</table>"
        )
    return (
        '<noscript><style>#main, #top .ctl, #panel-toggle { display: none !important; }</style>'
        '<div id="static"><p class="static-note">JavaScript is off, so this is a still picture of the map and its main nodes; '
        "open the file in a browser with JavaScript to explore it. / 未启用 JavaScript：以下为静态图和主要节点，在启用 JavaScript 的浏览器中打开可交互浏览。</p>"
        + "".join(parts) + table + "</div></noscript>"
    )


def render_page(data: dict[str, Any]) -> str:
    """The whole page for map data built by :func:`canal.maps.build.build_map_data`:
    head and header, the still picture for readers without JavaScript, the panel and
    network, then the data and the scripts."""
    title = html.escape(str(data["meta"]["title"]))
    return _head_and_header(title) + static_view(data) + "\n" + MAIN_HTML + _data_and_scripts(data)


def _head_and_header(title: str) -> str:
    """The ``<head>`` (policy, inline styles) and the page's header bar; ``title`` is escaped HTML."""
    vis_css, css = _vis_assets()[1], _own_assets()[1]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="canal (vis-network {VIS_VERSION} from pyvis)">
<title>{title}</title>
<style>{vis_css}</style>
<style>{css}</style>
</head>
<body>
<header id="top">
  <button type="button" id="panel-toggle" class="ctl" aria-controls="panel" aria-expanded="false">☰ Panel / 面板</button>
  <h1 id="title">{title}</h1>
  <div id="summary"></div>
  <div id="notice" hidden></div>
</header>
"""


def _data_and_scripts(data: dict[str, Any]) -> str:
    """The map data as inert JSON, vis-network and the page's own script, and the end of the page."""
    vis_js, js = _vis_assets()[0], _own_assets()[0]
    return f"""<script type="application/json" id="canal-data">{json_for_script(data)}</script>
<script>{vis_js}</script>
<script>{js}</script>
</body>
</html>
"""


MAIN_HTML = """<main id="main">
  <aside id="panel">
    <section class="ctl" id="view-box">
      <h2>View <span class="zh">视图</span></h2>
      <label id="layout-row" hidden>Layout <span class="zh">布局</span> <select id="layout">
        <option value="force">force / 力导向</option><option value="stages">stages / 阶段</option>
      </select></label>
      <label>Labels <span class="zh">标签</span> <select id="lang">
        <option value="">as given / 原名</option><option value="zh">中文</option><option value="en">English</option><option value="both">中文 + English</option>
      </select></label>
      <div class="buttons">
        <button type="button" id="expand" disabled>Expand <span class="zh">展开</span></button>
        <button type="button" id="collapse" disabled>Collapse <span class="zh">折叠</span></button>
        <button type="button" id="only" disabled>Only the selection <span class="zh">仅所选</span></button>
        <button type="button" id="path" disabled>Path between the two selected <span class="zh">两点路径</span></button>
        <button type="button" id="show-all">Show all <span class="zh">全部</span></button>
        <button type="button" id="fit">Fit <span class="zh">适应窗口</span></button>
      </div>
      <div id="view-note" class="muted"></div>
      <div id="timeline" hidden>
        <h2>Time <span class="zh">时间</span> <span id="t-label" class="count"></span></h2>
        <label>from <span class="zh">从</span> <input type="range" id="t-from"></label>
        <label>to <span class="zh">到</span> <input type="range" id="t-to"></label>
        <button type="button" id="t-play">▶ Play <span class="zh">播放</span></button>
        <div class="muted">Founded after "to" hidden; dated agreements and investments outside the years hidden; undated kept. / 晚于"到"成立的节点、不在区间内的有日期关系被隐藏。</div>
      </div>
      <div id="changed-box" hidden>
        <label class="check"><input type="checkbox" id="show-changed" checked> Changed in the last load <span class="zh">最近一次加载的变化</span></label>
        <div id="changed-note" class="muted"></div>
      </div>
      <div class="share"><button type="button" id="share">Link to this view <span class="zh">本视图链接</span></button>
      <input id="share-url" readonly aria-label="link to this view"></div>
    </section>
    <section class="ctl" id="search-box">
      <input id="search" type="search" placeholder="Search: 中文名, English name, alias, pinyin" autocomplete="off" aria-label="Search">
      <ol id="results"></ol>
    </section>
    <section class="ctl" id="filters">
      <h2>Filters <span class="zh">筛选</span></h2>
      <label>Region <span class="zh">地区</span> <select id="region"><option value="">all / 全部</option></select></label>
      <label>Alliance <span class="zh">联盟</span> <select id="alliance"><option value="">all / 全部</option></select></label>
      <label class="check"><input type="checkbox" id="with-neighbours" checked> with direct neighbours <span class="zh">含直接相连节点</span></label>
      <label class="check" id="physics-row" hidden><input type="checkbox" id="physics"> live layout (physics) <span class="zh">动态布局</span></label>
      <button type="button" id="reset">Reset view <span class="zh">重置</span></button>
    </section>
    <section id="overlays">
      <div id="gap-box" hidden>
        <h2><label class="check"><input type="checkbox" id="show-gaps" checked> Gaps <span class="zh">缺口</span></label> <span id="gap-count" class="count"></span></h2>
        <ol id="gap-list"></ol>
      </div>
      <div id="match-box" hidden>
        <h2><label class="check"><input type="checkbox" id="show-matches" checked> Proposed matches <span class="zh">推荐对接</span></label> <span id="match-count" class="count"></span></h2>
        <ol id="match-list"></ol>
      </div>
    </section>
    <section id="legend">
      <h2>Legend <span class="zh">图例</span></h2>
      <div id="legend-chains"></div>
      <div id="legend-classes"></div>
      <div id="legend-keys"></div>
    </section>
    <section class="ctl" id="details" hidden></section>
  </aside>
  <div id="network"></div>
</main>
<div id="tooltip" hidden></div>
"""
"""The side panel (view, search, filters, overlays, legend, details) and the network's
element; the page's script fills them from the data."""
