"""The maps in real headless Chromium: offline, complete, legible, safe, interactive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from canal.maps import write_map, write_png
from canal.store import open_store
from tests.maps_graphs import GAPS, MATCHES, XSS_ALIAS, XSS_NAME, XSS_SCRIPT, tiny_graph
from tests.maps_helpers import Browser, Visit, browser, chromium_missing

from .conftest import copy_database

_why = chromium_missing()
pytestmark = pytest.mark.skipif(_why is not None, reason=f"map browser tests need headless Chromium: {_why}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def demo_graph(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    d = tmp_path_factory.mktemp("maps-demo")
    dst = d / "demo.db"
    copy_database(demo_db, dst)
    with open_store(str(dst)) as s:
        return s.to_networkx()


def assert_clean(v: Visit) -> None:
    assert v.console_errors == [] and v.page_errors == []
    assert v.outside_requests == []
    assert len(v.requests) == 1 and v.requests[0].startswith("file://")
    assert v.dialogs == []


def drawn(v: Visit) -> dict[str, int]:
    return v.page.evaluate("() => window.canalMap.drawnCounts()")  # type: ignore[no-any-return]


def legend_classes(v: Visit) -> set[str]:
    return set(v.page.evaluate("() => Array.from(document.querySelectorAll('#legend-classes [data-class]')).map(e => e.dataset.class)"))


def canvas_ink(v: Visit) -> float:
    """Share of canvas pixels that are not background (white or transparent)."""
    return float(
        v.page.evaluate(
            """() => {
          const c = document.querySelector('#network canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) ink++;
          }
          return ink / (d.length / 4);
        }"""
        )
    )


def png_colours(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours or [])


def test_demo_map_loads_offline_and_draws_every_node_and_relationship(chromium: Browser, demo_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = write_map(demo_graph, tmp_path / "demo.html", title="demo")
    v = chromium.open(path)
    assert_clean(v)
    assert drawn(v) == {"nodes": demo_graph.number_of_nodes(), "edges": demo_graph.number_of_edges()}
    assert legend_classes(v) == {d["cls"] for _, d in demo_graph.nodes(data=True)}
    assert canvas_ink(v) > 0.01
    shot = tmp_path / "shot.png"
    v.page.screenshot(path=str(shot))
    assert png_colours(shot) > 50


def test_dmto_ego_map_from_the_demo_run_focuses_dmto(chromium: Browser, store: Any, tmp_path: Path) -> None:
    from canal.demo import run_demo

    result = run_demo(store, out=tmp_path / "canal-demo.html", ego_out=tmp_path / "canal-demo-dmto.html")
    assert [p.name for p in result.maps] == ["canal-demo.html", "canal-demo-dmto.html"]
    ids = store.neighbourhood(["dmto"], depth=2)
    ego = store.to_networkx(ids)
    v = chromium.open(tmp_path / "canal-demo-dmto.html")
    assert_clean(v)
    assert drawn(v) == {"nodes": ego.number_of_nodes(), "edges": ego.number_of_edges()}
    assert v.page.evaluate("() => window.canalMap.network.getSelectedNodes()") == ["dmto"]
    assert "DMTO" in v.page.inner_text("#details")


def test_hostile_names_show_as_text_and_run_nothing(chromium: Browser, tmp_path: Path) -> None:
    path = write_map(tiny_graph(), tmp_path / "xss.html", title=XSS_NAME, gaps=GAPS, matches=MATCHES)
    v = chromium.open(path)
    page = v.page
    # every path that puts data text on the page: details, tooltip, search results, gap list, title
    page.evaluate("() => window.canalMap.select('xss')")
    page.evaluate("() => window.canalMap.showTip(window.canalMap.nodeCard('xss', false), {x: 10, y: 10})")
    page.fill("#search", "img src")
    pos = page.evaluate("() => { const p = window.canalMap.network.getPositions(['xss']).xss; return window.canalMap.network.canvasToDOM(p); }")
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('img, iframe, object').length") == 0
    assert_clean(v)
    assert XSS_NAME in page.inner_text("#details") and XSS_SCRIPT in page.inner_text("#details")
    assert XSS_NAME in page.inner_text("#tooltip") or XSS_NAME in page.evaluate("() => document.getElementById('tooltip').textContent")
    assert XSS_NAME in page.inner_text("#results")
    assert "<b>never piloted</b>" in page.inner_text("#gap-list")
    assert page.inner_text("#title") == XSS_NAME and page.title() == XSS_NAME
    # vis-network never gets an HTML title to render (tooltips are ours, built with textContent)
    assert page.evaluate("() => window.canalMap.nodes.get().filter(n => n.title !== undefined).length") == 0
    assert XSS_ALIAS in page.evaluate("() => window.canalMap.data.info.xss.names.join('|')")


def test_filters_by_chain_class_region_and_alliance(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "f.html"))
    page = v.page
    assert drawn(v) == {"nodes": 8, "edges": 8}
    page.click("#legend-chains [data-chain='capital'] input")  # legend checkbox off
    assert drawn(v) == {"nodes": 7, "edges": 6}  # the fund and its two investments
    page.click("#legend-chains [data-chain='capital'] input")  # and on again
    assert drawn(v) == {"nodes": 8, "edges": 8}
    page.click("#legend-classes [data-class='Enterprise'] input")
    assert drawn(v) == {"nodes": 6, "edges": 3}  # ent1 and xss hidden with their 5 relationships
    page.click("#legend-classes [data-class='Enterprise'] input")
    page.uncheck("#with-neighbours")
    page.select_option("#region", "Dalian")
    assert drawn(v) == {"nodes": 3, "edges": 1}  # lab1, ent1, Dalian; lab1 locatedIn Dalian
    page.select_option("#region", "")
    page.select_option("#alliance", "alliance")
    assert drawn(v) == {"nodes": 3, "edges": 2}  # the alliance and its two members
    page.check("#with-neighbours")
    assert drawn(v)["nodes"] == 7  # plus tech1, dalian, fund1, xss; not the pilot base
    assert_clean(v)


def test_search_by_chinese_english_alias_and_pinyin(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "s.html"))
    search = lambda q: v.page.evaluate("(q) => window.canalMap.search(q)", q)  # noqa: E731
    assert search("大连化学")[0] == "lab1"
    assert search("Dalian Institute")[0] == "lab1"
    assert search("dicp") == ["lab1"]
    assert search("dalianhuaxue") == ["lab1"]
    assert search("da lian hua") == ["lab1"]
    assert search("dlhxwl") == ["lab1"]
    assert search("zhongke") == ["ent1"]  # 中科乙烯
    v.page.fill("#search", "jia chun")  # 甲醇制烯烃
    v.page.press("#search", "Enter")
    assert v.page.evaluate("() => window.canalMap.network.getSelectedNodes()") == ["tech1"]


def test_click_highlights_the_neighbourhood(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "c.html"))
    page = v.page
    pos = page.evaluate("() => window.canalMap.network.canvasToDOM(window.canalMap.network.getPositions(['tech1']).tech1)")
    box = page.locator("#network").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.canalMap.network.getSelectedNodes()") == ["tech1"]
    dimmed = page.evaluate("() => window.canalMap.nodes.get().filter(n => n.color && String(n.color.background).startsWith('rgba(205')).map(n => n.id).sort()")
    assert dimmed == ["alliance", "dalian", "fund1", "pilot", "xss"]
    assert "DMTO" in page.inner_text("#details")
    page.mouse.click(box["x"] + 5, box["y"] + 5)  # empty canvas: back to normal
    assert page.evaluate("() => window.canalMap.nodes.get().filter(n => n.color && String(n.color.background).startsWith('rgba(205')).length") == 0


def test_large_map_click_spotlights_the_neighbourhood(chromium: Browser, tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    for i in range(1600):  # above the 1,500 nodes where per-node restyling stops
        G.add_node(f"n{i}", cls="Enterprise", name=f"firm {i}")
        if i:
            G.add_edge(f"n{i}", f"n{(i - 1) // 3}", type="CUSTOMER_OF", rel="customerOf")
    v = chromium.open(write_map(G, tmp_path / "big.html"))
    assert_clean(v)
    assert drawn(v) == {"nodes": 1600, "edges": 1599}
    v.page.evaluate("() => window.canalMap.select('n1')")
    spot = v.page.evaluate("() => window.canalMap.spotlight()")
    assert sorted(spot["nodes"]) == ["n0", "n1", "n4", "n5", "n6"] and spot["centre"] == {"n1": True}
    assert len(spot["edges"]) == 4
    assert canvas_ink(v) > 0.001


def test_gaps_and_matches_overlays(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "o.html", gaps=GAPS, matches=MATCHES))
    page = v.page
    assert_clean(v)
    assert drawn(v) == {"nodes": 8, "edges": 9}  # 8 relationships + 1 proposed match
    tech = page.evaluate("() => window.canalMap.nodes.get('tech1')")
    assert tech["borderWidth"] == 4 and tech["color"]["border"] == "#e31a1c"
    match = page.evaluate("() => window.canalMap.edges.get('match:0')")
    assert match["dashes"] == [8, 6] and match["label"] == "0.83"
    assert "never piloted" in page.inner_text("#gap-list") and "0.83" in page.inner_text("#match-list")
    page.uncheck("#show-matches")
    assert drawn(v)["edges"] == 8
    page.uncheck("#show-gaps")
    assert page.evaluate("() => window.canalMap.nodes.get('tech1').borderWidth") == 1.5


def test_stages_map_draws_and_aggregated_map_says_so(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "st.html", layout="stages"))
    assert_clean(v)
    assert drawn(v) == {"nodes": 8, "edges": 8}
    G = nx.MultiDiGraph()
    for i in range(40):
        G.add_node(f"n{i}", cls="Technology" if i < 20 else "Enterprise", name=f"node {i}")
        G.add_edge(f"n{i}", f"n{(i + 1) % 20 + (20 if i >= 20 else 0)}", type="UPSTREAM_OF", rel="upstreamOf")
    gap = GAPS[0].__class__("stranded technology", "", 0.7, ("n3",), "never transferred", "从未转让")
    v = chromium.open(write_map(G, tmp_path / "agg.html", max_nodes=10, aggregate_by="classes", gaps=[gap]))
    assert_clean(v)
    assert drawn(v) == {"nodes": 2, "edges": 0}
    v.page.click("#gap-list li")
    ringed = v.page.evaluate("() => window.canalMap.nodes.get().filter(n => n.borderWidth === 4).map(n => n.label)")
    assert len(ringed) == 1 and ringed[0].startswith("Technology")
    assert v.page.is_visible("#notice") and "more than the 10" in v.page.inner_text("#notice")


def test_png_export_is_a_real_picture(tmp_path: Path, demo_graph: nx.MultiDiGraph) -> None:
    html = write_map(demo_graph, tmp_path / "demo.html")
    png = write_png(html, tmp_path / "demo.png", width=1200, height=800)
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (1200, 800)
    assert png_colours(png) > 50
