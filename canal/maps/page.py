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


def render_page(data: dict[str, Any]) -> str:
    """The whole page for map data built by :func:`canal.maps.build.build_map_data`."""
    vis_js, vis_css = _vis_assets()
    js, css = _own_assets()
    title = html.escape(str(data["meta"]["title"]))
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
  <h1 id="title">{title}</h1>
  <div id="summary"></div>
  <div id="notice" hidden></div>
</header>
<main id="main">
  <aside id="panel">
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
<script type="application/json" id="canal-data">{json_for_script(data)}</script>
<script>{vis_js}</script>
<script>{js}</script>
</body>
</html>
"""
