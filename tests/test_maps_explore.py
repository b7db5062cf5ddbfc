"""Exploring a map in real headless Chromium: expand and collapse, only the selection, paths,
groups that open, labels in one language, the timeline, the last load, the view in the link,
no JavaScript, a phone. Every test waits for conditions (never for time) and checks what is
drawn, with no console error and no request leaving the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from canal.maps import map_data, write_map
from tests.maps_graphs import hub_graph, tiny_graph
from tests.maps_helpers import Browser, Visit, browser, chromium_missing

_why = chromium_missing()
pytestmark = pytest.mark.skipif(_why is not None, reason=f"map browser tests need headless Chromium: {_why}")
WAIT = 60_000  # ms: generous, for a busy 2-core machine


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as b:
        yield b


def assert_clean(v: Visit) -> None:
    assert v.console_errors == [] and v.page_errors == []
    assert v.outside_requests == [] and v.dialogs == []
    assert all(r.startswith("file://") for r in v.requests)


def shown(v: Visit) -> list[str]:
    return v.page.evaluate("() => window.canalMap.visibleIds()")  # type: ignore[no-any-return]


def wait_shown(v: Visit, ids: list[str]) -> None:
    v.page.wait_for_function("(want) => JSON.stringify(window.canalMap.visibleIds()) === JSON.stringify(want)", arg=sorted(ids), timeout=WAIT)


def node_point(v: Visit, nid: str) -> tuple[float, float]:
    """Where node ``nid`` is on the screen (after making sure it is inside the canvas)."""
    p = v.page.evaluate("(id) => window.canalMap.network.canvasToDOM(window.canalMap.network.getPositions([id])[id])", nid)
    box = v.page.locator("#network").bounding_box()
    assert 0 <= p["x"] <= box["width"] and 0 <= p["y"] <= box["height"], f"{nid} is off screen"
    return box["x"] + p["x"], box["y"] + p["y"]


def click_node(v: Visit, nid: str, *, add: bool = False) -> None:
    x, y = node_point(v, nid)
    if add:
        v.page.keyboard.down("Control")
    v.page.mouse.click(x, y)
    if add:
        v.page.keyboard.up("Control")


def wait_selected(v: Visit, ids: list[str]) -> None:
    v.page.wait_for_function(
        "(want) => JSON.stringify(window.canalMap.network.getSelectedNodes().slice().sort()) === JSON.stringify(want)", arg=sorted(ids), timeout=WAIT
    )


def test_click_then_collapse_and_expand_a_nodes_neighbours(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "c.html"))
    click_node(v, "ent1")
    wait_selected(v, ["ent1"])
    v.page.wait_for_function("() => !document.getElementById('collapse').disabled", timeout=WAIT)
    v.page.click("#collapse")
    # the fund and the hostile-named customer hang on ent1 only; tech1 and the alliance have other ties
    wait_shown(v, ["alliance", "dalian", "ent1", "lab1", "pilot", "tech1"])
    assert v.page.evaluate("() => window.canalMap.drawnCounts()") == {"nodes": 6, "edges": 5}
    v.page.click("#expand")
    wait_shown(v, ["alliance", "dalian", "ent1", "fund1", "lab1", "pilot", "tech1", "xss"])
    # a double click toggles: collapse again, then expand
    x, y = node_point(v, "ent1")
    v.page.mouse.dblclick(x, y)
    wait_shown(v, ["alliance", "dalian", "ent1", "lab1", "pilot", "tech1"])
    v.page.mouse.dblclick(x, y)
    v.page.wait_for_function("() => window.canalMap.visibleIds().length === 8", timeout=WAIT)
    assert_clean(v)


def test_only_the_selection_then_the_path_between_two_selected_nodes(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "p.html"))
    click_node(v, "tech1")
    click_node(v, "fund1", add=True)
    wait_selected(v, ["fund1", "tech1"])
    v.page.click("#only")
    wait_shown(v, ["fund1", "tech1"])
    v.page.click("#path")
    # the one shortest path: tech1 <-adopts- ent1 <-investsIn- fund1 (its nodes come back on the map)
    wait_shown(v, ["ent1", "fund1", "tech1"])
    assert "Path / 路径: DMTO → Levima → Canal Capital (2 hop(s)" in v.page.inner_text("#view-note")
    black = v.page.evaluate("() => window.canalMap.edges.get().filter(e => !e.hidden && e.color && e.color.color === '#000000').map(e => e.id).sort()")
    assert black == ["ent1-ADOPTS->tech1", "fund1-INVESTS_IN->ent1#1"]
    assert v.page.evaluate("() => window.canalMap.shortestPath('lab1', 'xss').length") == 4
    v.page.click("#show-all")
    v.page.wait_for_function("() => window.canalMap.visibleIds().length === 8", timeout=WAIT)
    assert_clean(v)


def test_filters_refit_the_view_to_what_is_left(chromium: Browser, tmp_path: Path) -> None:
    G = tiny_graph()
    G.remove_node("pilot")  # an isolated node: packed far from the rest
    for i in range(60):  # a second component, as large again: products in a ring
        G.add_node(f"prod{i}", cls="Product", name=f"product {i}")
    for i in range(60):
        G.add_edge(f"prod{i}", f"prod{(i + 1) % 60}", key=f"p{i}", type="UPSTREAM_OF", rel="upstreamOf")
    v = chromium.open(write_map(G, tmp_path / "r.html"))
    before = v.page.evaluate("() => window.canalMap.network.getScale()")
    v.page.click("#legend-classes [data-class='Product'] input")
    v.page.wait_for_function("(s) => window.canalMap.network.getScale() > s * 1.2", arg=before, timeout=WAIT)
    left = shown(v)
    assert left == sorted(n for n in tiny_graph().nodes if n != "pilot")
    for nid in left:  # every node left is inside the canvas
        node_point(v, nid)
    assert_clean(v)


def test_an_aggregated_group_opens_into_its_members_and_closes(chromium: Browser, tmp_path: Path) -> None:
    G = hub_graph(projects=60, per_project=4)
    data = map_data(G, max_nodes=100)
    gid, group = max(((k, i) for k, i in data["info"].items()), key=lambda kv: len(kv[1]["open"]["m"]))
    members = sorted(r[0] for r in group["open"]["m"])
    v = chromium.open(write_map(G, tmp_path / "g.html", max_nodes=100))
    groups = v.page.evaluate("() => window.canalMap.drawnCounts()")
    x, y = node_point(v, gid)
    v.page.mouse.dblclick(x, y)  # double click opens a group
    v.page.wait_for_function("(n) => window.canalMap.drawnCounts().nodes === n", arg=groups["nodes"] + len(members), timeout=WAIT)
    assert set(members) <= set(shown(v))
    assert "open / 已展开" in v.page.evaluate("(g) => window.canalMap.nodes.get(g).label", gid)
    drawn_member = v.page.evaluate("(id) => window.canalMap.nodes.get(id)", members[0])
    assert drawn_member["group"] == G.nodes[members[0]]["cls"]
    # members keep dashed ties to the other groups they are linked to
    ties = v.page.evaluate("(g) => window.canalMap.edges.get().filter(e => e.id.startsWith(g + ':x') && !e.hidden).map(e => e.to)", gid)
    assert len(ties) == len(group["open"]["x"]) > 0 and all(t.startswith("group:") and t != gid for t in ties)
    click_node(v, gid)
    wait_selected(v, [gid])
    v.page.wait_for_function("() => !document.getElementById('collapse').disabled", timeout=WAIT)
    v.page.click("#collapse")  # closes it again
    v.page.wait_for_function("(n) => window.canalMap.drawnCounts().nodes === n", arg=groups["nodes"], timeout=WAIT)
    assert v.page.evaluate("() => window.canalMap.drawnCounts()") == groups
    assert_clean(v)


def test_label_language_switch(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "l.html"))
    label = lambda nid: v.page.evaluate("(id) => window.canalMap.nodes.get(id).label", nid)  # noqa: E731
    assert (label("tech1"), label("lab1")) == ("DMTO", "大连化学物理研究所")
    v.page.select_option("#lang", "zh")
    v.page.wait_for_function("() => window.canalMap.nodes.get('tech1').label === '甲醇制烯烃'", timeout=WAIT)
    assert label("lab1") == "大连化学物理研究所" and label("fund1") == "Canal Capital"  # no Chinese name: as given
    v.page.select_option("#lang", "en")
    v.page.wait_for_function("() => window.canalMap.nodes.get('lab1').label === 'Dalian Institute of Chemical Physics'", timeout=WAIT)
    assert label("tech1") == "DMTO"
    v.page.select_option("#lang", "both")
    v.page.wait_for_function("() => window.canalMap.nodes.get('tech1').label === '甲醇制烯烃\\nDMTO'", timeout=WAIT)
    assert v.page.evaluate("() => document.documentElement.lang") == "en" and v.page.evaluate("() => document.body.dataset.lang") == "both"
    assert_clean(v)


def test_timeline_filters_by_founding_year_and_relationship_date(chromium: Browser, tmp_path: Path) -> None:
    G = hub_graph(projects=5)  # organisations founded 1990..2009, grants dated 2014..2018
    v = chromium.open(write_map(G, tmp_path / "t.html"))
    assert v.page.is_visible("#timeline")
    assert v.page.evaluate("() => [document.getElementById('t-from').min, document.getElementById('t-to').max]") == ["1990", "2018"]

    def set_years(lo: int, hi: int) -> None:
        v.page.evaluate(
            """([lo, hi]) => { const a = document.getElementById('t-from'), b = document.getElementById('t-to');
                a.value = lo; a.dispatchEvent(new Event('input')); b.value = hi; b.dispatchEvent(new Event('input')); }""",
            [lo, hi],
        )

    set_years(1990, 1999)
    founded_late = sorted(n for n, d in G.nodes(data=True) if d.get("foundedYear", 0) > 1999)
    expect = sorted(n for n in G.nodes if n not in founded_late)
    wait_shown(v, expect)
    # every grant (2014..2018) is outside 1990..1999: none is drawn
    assert v.page.evaluate("() => window.canalMap.edges.get().filter(e => e.id.includes('GRANTS_TO') && !e.hidden).length") == 0
    assert v.page.inner_text("#t-label") == "1990 – 1999"
    set_years(2015, 2016)
    grants = v.page.evaluate("() => window.canalMap.edges.get().filter(e => e.id.includes('GRANTS_TO') && !e.hidden).map(e => e.id)")
    want = [k for _, _, k, d in G.edges(keys=True, data=True) if d["rel"] == "grantsTo" and d["date"][:4] in ("2015", "2016")]
    assert sorted(grants) == sorted(want) and want
    v.page.click("#t-play")  # plays from 2015 up to the last year
    v.page.wait_for_function("() => document.getElementById('t-label').textContent === '2015 – 2018'", timeout=WAIT)
    assert_clean(v)


def test_changed_in_the_last_load_is_ringed(chromium: Browser, tmp_path: Path) -> None:
    changes = {"name": "my-source", "started": "2026-12-01T10:00:00+00:00", "finished": "2026-12-01T10:00:05+00:00",
               "totals": {"added": 1, "changed": 1, "retracted": 0}, "nodes": ["tech1", "ent1"], "relationships": ["ent1-ADOPTS->tech1"], "complete": True}
    v = chromium.open(write_map(tiny_graph(), tmp_path / "ch.html", changes=changes))
    assert "my-source" in v.page.inner_text("#changed-note") and "2 of them on this map" in v.page.inner_text("#changed-note")
    ringed = v.page.evaluate("() => window.canalMap.nodes.get().filter(n => n.color && n.color.border === '#f08c00').map(n => n.id).sort()")
    assert ringed == ["ent1", "tech1"]
    assert v.page.evaluate("() => window.canalMap.edges.get('ent1-ADOPTS->tech1').color.color") == "#f08c00"
    v.page.uncheck("#show-changed")
    v.page.wait_for_function("() => window.canalMap.nodes.get('tech1').borderWidth === 1.5", timeout=WAIT)
    assert_clean(v)
    # a store whose load log does not name the ids: the totals, and nothing ringed
    v = chromium.open(write_map(tiny_graph(), tmp_path / "ch2.html", changes={**changes, "nodes": None, "relationships": None}))
    assert "does not name them" in v.page.inner_text("#changed-note") and v.page.is_disabled("#show-changed")
    assert_clean(v)


def test_the_view_round_trips_through_the_link_and_the_view_option(chromium: Browser, tmp_path: Path) -> None:
    path = write_map(tiny_graph(), tmp_path / "u.html")
    v = chromium.open(path)
    v.page.select_option("#lang", "en")
    v.page.click("#legend-chains [data-chain='capital'] input")
    click_node(v, "lab1")
    wait_selected(v, ["lab1"])
    v.page.click("#only")
    wait_shown(v, ["lab1"])
    v.page.click("#expand")
    wait_shown(v, ["alliance", "dalian", "lab1", "tech1"])
    v.page.wait_for_function("() => location.hash.includes('only=')", timeout=WAIT)
    fragment = v.page.evaluate("() => location.hash.slice(1)")
    assert "lang=en" in fragment and "off=chain%3Acapital" in fragment and "sel=lab1" in fragment
    v.page.click("#share")
    assert v.page.input_value("#share-url").endswith("#" + fragment)

    def same_view(w: Visit) -> None:
        w.page.wait_for_function("() => window.canalMap.visibleIds().length === 4", timeout=WAIT)
        assert shown(w) == ["alliance", "dalian", "lab1", "tech1"]
        assert w.page.evaluate("() => window.canalMap.network.getSelectedNodes()") == ["lab1"]
        assert w.page.evaluate("() => window.canalMap.nodes.get('lab1').label") == "Dalian Institute of Chemical Physics"
        assert w.page.input_value("#lang") == "en"
        assert w.page.evaluate("() => document.querySelector(\"#legend-chains [data-chain='capital'] input\").checked") is False
        assert "Dalian Institute of Chemical Physics" in w.page.inner_text("#details")
        assert_clean(w)

    same_view(chromium.open(path, fragment=fragment))
    view_page = write_map(tiny_graph(), tmp_path / "view.html", view="#" + fragment)
    same_view(chromium.open(view_page))  # canal map --view
    same_view(chromium.open(view_page, fragment="png"))  # what --png photographs
    assert_clean(v)


def test_without_javascript_the_page_shows_a_picture_and_tables(chromium: Browser, tmp_path: Path) -> None:
    from tests.maps_graphs import GAPS

    v = chromium.open(write_map(tiny_graph(), tmp_path / "n.html", gaps=GAPS), javascript=False)
    page = v.page
    page.wait_for_selector("#static", state="visible", timeout=WAIT)
    assert page.is_hidden("#main")
    assert page.evaluate("() => document.querySelectorAll('#static-map circle').length") == 8
    box = page.locator("#static-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    text = page.inner_text("#static")
    assert "JavaScript is off" in text and "Main nodes / 主要节点" in text and "Levima" in text and "never piloted" in text
    assert page.evaluate("() => window.canalMap === undefined")
    assert v.outside_requests == [] and v.page_errors == []


def test_phone_layout_map_fills_the_screen_and_the_panel_is_a_drawer(chromium: Browser, tmp_path: Path) -> None:
    v = chromium.open(write_map(tiny_graph(), tmp_path / "m.html"), width=390, height=844)
    net = v.page.locator("#network").bounding_box()
    assert net["width"] >= 385 and net["height"] >= 600
    assert v.page.is_hidden("#panel") and v.page.is_visible("#panel-toggle")
    assert v.page.evaluate("() => { const c = document.querySelector('#network canvas'); return c.clientWidth; }") >= 385
    v.page.click("#panel-toggle")
    v.page.wait_for_selector("#panel", state="visible", timeout=WAIT)
    panel = v.page.locator("#panel").bounding_box()
    assert panel["width"] <= 360 and v.page.is_visible("#search")
    v.page.click("#panel-toggle")
    v.page.wait_for_selector("#panel", state="hidden", timeout=WAIT)
    click_node(v, "tech1")  # the map is usable with a tap
    wait_selected(v, ["tech1"])
    assert_clean(v)


def test_an_around_map_names_the_hubs_it_stopped_at(chromium: Browser, tmp_path: Path) -> None:
    from canal.maps import prepare_map

    sub, kw = prepare_map(hub_graph(), around="org0", depth=2)
    v = chromium.open(write_map(sub, tmp_path / "h.html", **kw))
    notice = v.page.inner_text("#notice")
    assert "Stopped at 2 hub(s)" in notice and "Horizon 2020 (480)" in notice and "--through-hubs" in notice
    assert_clean(v)


def test_an_around_map_expands_one_hop_further_from_the_data_in_the_page(chromium: Browser, tmp_path: Path) -> None:
    from canal.maps import prepare_map

    sub, kw = prepare_map(hub_graph(), around="org0", depth=2)
    hood = ["country0", "org0", "org1", "org2", "org3", "proj0", "programme"]
    v = chromium.open(write_map(sub, tmp_path / "x.html", **kw))
    wait_shown(v, hood)  # the next ring is in the page, hidden
    assert "+83 one hop further out, hidden" in v.page.inner_text("#summary")
    click_node(v, "org1")
    wait_selected(v, ["org1"])
    v.page.wait_for_function("() => !document.getElementById('expand').disabled", timeout=WAIT)
    v.page.click("#expand")
    wait_shown(v, [*hood, "country1"])
    v.page.wait_for_function("() => location.hash.includes('add=country1')", timeout=WAIT)
    # a hub expands into the 40 of its organisations the page holds, and collapses back
    click_node(v, "country0")
    wait_selected(v, ["country0"])
    v.page.wait_for_function("() => !document.getElementById('expand').disabled", timeout=WAIT)
    v.page.click("#expand")
    v.page.wait_for_function("() => window.canalMap.visibleIds().length === 8 + 40", timeout=WAIT)
    v.page.click("#collapse")
    wait_shown(v, [*hood, "country1"])
    assert_clean(v)


def test_layout_switch_moves_the_nodes_and_travels_in_the_link(chromium: Browser, tmp_path: Path) -> None:
    data = map_data(tiny_graph())
    stages = data["meta"]["alt"]["pos"]
    path = write_map(tiny_graph(), tmp_path / "lay.html")
    v = chromium.open(path)
    assert v.page.is_visible("#layout") and v.page.input_value("#layout") == "force"
    v.page.select_option("#layout", "stages")
    v.page.wait_for_function("() => location.hash.includes('layout=stages')", timeout=WAIT)
    drawn = v.page.evaluate("() => window.canalMap.network.getPositions()")
    assert set(drawn) == set(stages)
    assert all(abs(p["x"] - stages[k][0]) <= 1 and abs(p["y"] - stages[k][1]) <= 1 for k, p in drawn.items())  # vis rounds to pixels
    # research (lab, technology) left of pilot, left of industrialisation, left of capital
    assert max(stages["lab1"][0], stages["tech1"][0]) < stages["pilot"][0] < stages["ent1"][0] < stages["fund1"][0]
    fragment = v.page.evaluate("() => location.hash.slice(1)")
    w = chromium.open(path, fragment=fragment)
    assert w.page.input_value("#layout") == "stages" and w.page.evaluate("() => window.canalMap.layout()") == "stages"
    assert abs(w.page.evaluate("() => window.canalMap.network.getPositions(['fund1']).fund1.x") - stages["fund1"][0]) <= 1
    for visit in (v, w):
        assert_clean(visit)
