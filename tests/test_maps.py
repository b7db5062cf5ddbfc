"""Map data without a browser: selection, measures, layout, escaping, aggregation, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from canal.errors import ConfigError
from canal.maps import MapOptions, map_data, map_html, node_measure, resolve_node, scope_members, select_subgraph
from canal.maps.page import json_for_script
from canal.maps.style import map_style
from canal.ontology import load_ontology
from tests.conftest import canal_cmd
from tests.maps_graphs import GAPS, MATCHES, XSS_NAME, XSS_SCRIPT, tiny_graph

from .conftest import copy_database


def page_data(page: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script type="application/json" id="canal-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))  # type: ignore[no-any-return]


# -- names and selection ----------------------------------------------------------------

@pytest.mark.parametrize(
    "name",
    ["lab1", "大连化学物理研究所", "Dalian Institute of Chemical Physics", "dalian institute of chemical physics", "DICP", "dalianhuaxuewuliyanjiusuo", "da lian hua xue wu li yan jiu suo"],
)
def test_a_name_resolves_by_id_name_english_chinese_alias_or_pinyin(name: str) -> None:
    assert resolve_node(tiny_graph(), name) == "lab1"


def test_an_unknown_name_is_a_clean_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match="did you mean 'Levima'"):
        resolve_node(tiny_graph(), "Levma")


def test_an_ambiguous_name_lists_the_candidates() -> None:
    G = tiny_graph()
    G.add_node("ent2", cls="Enterprise", name="Levima")
    with pytest.raises(ConfigError, match=r"names 2 nodes: ent1 .*ent2"):
        resolve_node(G, "levima")


def test_around_keeps_the_nodes_within_depth_hops() -> None:
    G = tiny_graph()
    assert set(select_subgraph(G, around_name="DMTO", depth=1).nodes) == {"tech1", "lab1", "ent1"}
    assert set(select_subgraph(G, around_name="DMTO", depth=2).nodes) == {"tech1", "lab1", "ent1", "fund1", "xss", "dalian", "alliance"}


def test_alliance_scope_is_its_members_and_their_neighbours() -> None:
    G = tiny_graph()
    assert scope_members(G, "alliance:Catalysis Alliance") == {"alliance", "lab1", "ent1"}
    sub = select_subgraph(G, scope="alliance:催化联盟")
    assert set(sub.nodes) == {"alliance", "lab1", "ent1", "tech1", "dalian", "fund1", "xss"}


def test_region_scope_uses_located_in_and_the_region_text() -> None:
    G = tiny_graph()
    assert scope_members(G, "region:Dalian") == {"dalian", "lab1", "ent1"}
    assert scope_members(G, "region:大连市") == {"dalian", "lab1", "ent1"}
    with pytest.raises(ConfigError, match="alliance:NAME or region:NAME"):
        scope_members(G, "city:Dalian")
    G.add_node("liaoning", cls="Region", name="Liaoning")
    G.add_node("ent9", cls="Enterprise", name="Anshan Steel", region="Anshan, Liaoning")
    assert scope_members(G, "region:Liaoning") == {"liaoning", "ent9"}
    assert scope_members(G, "region:Anshan, Liaoning") == {"ent9"}


def test_chains_filter_keeps_only_those_chains() -> None:
    G = tiny_graph()
    sub = select_subgraph(G, chains=["innovation", "capital"])
    assert set(sub.nodes) == {"lab1", "tech1", "fund1"}
    assert sub.number_of_edges() == 1
    with pytest.raises(ConfigError, match="unknown chain"):
        select_subgraph(G, chains=["money"])


# -- measures, style, layout --------------------------------------------------------------

def test_size_measures_by_hand() -> None:
    G = tiny_graph()
    assert node_measure(G, "degree")["ent1"] == 5.0  # adopts, 2 investments, customer, member
    assert node_measure(G, "amount")["fund1"] == 150.0 and node_measure(G, "amount")["ent1"] == 150.0
    P = nx.MultiDiGraph([("a", "b"), ("b", "c")])
    assert node_measure(P, "betweenness") == {"a": 0.0, "b": 1.0, "c": 0.0}


def test_colours_by_chain_and_shapes_by_class_come_from_the_ontology() -> None:
    style = map_style(load_ontology())
    data = map_data(tiny_graph())
    groups = data["groups"]
    assert groups["Technology"]["shape"] == "diamond" and groups["Alliance"]["shape"] == "hexagon"
    assert groups["ResearchInstitute"]["color"]["background"] == style.colours["innovation"]
    assert groups["VentureCapital"]["color"]["background"] == style.colours["capital"]
    legend = {c["cls"]: c for c in data["legend"]["classes"]}
    assert set(legend) == {"ResearchInstitute", "Technology", "Enterprise", "PilotPlatform", "VentureCapital", "Alliance", "Region"}
    assert legend["PilotPlatform"]["en"] == "Pilot platform" and legend["PilotPlatform"]["zh"] == "中试平台"


def test_stages_layout_goes_research_pilot_industrialisation_capital_left_to_right() -> None:
    data = map_data(tiny_graph(), layout="stages")
    x = {n["id"]: n["x"] for n in data["nodes"]}
    y = {n["id"]: n["y"] for n in data["nodes"]}
    assert x["lab1"] == x["tech1"] or abs(x["lab1"] - x["tech1"]) < 200
    assert max(x["lab1"], x["tech1"]) < x["pilot"] < x["ent1"] < x["fund1"]
    assert [c["key"] for c in data["meta"]["columns"]] == ["research", "pilot", "industrialisation", "capital"]
    assert min(y["alliance"], y["dalian"]) > max(y[n] for n in ("lab1", "tech1", "pilot", "ent1", "fund1"))


def test_layout_is_deterministic() -> None:
    a = map_data(tiny_graph(), seed=3)["nodes"]
    b = map_data(tiny_graph(), seed=3)["nodes"]
    assert a == b


# -- the page -------------------------------------------------------------------------------

def test_page_is_self_contained_and_forbids_requests() -> None:
    page = map_html(tiny_graph())
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page, re.I)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page


def test_text_from_data_cannot_close_the_data_element() -> None:
    page = map_html(tiny_graph(), title=XSS_NAME)
    assert XSS_NAME not in page and XSS_SCRIPT not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the escaped title
    data = page_data(page)
    assert data["info"]["xss"]["names"][0] == XSS_NAME
    assert json.loads(json_for_script({"a": "</script>&\u2028"}).replace("\\u2028", "\\u2028")) == {"a": "</script>&\u2028"}


def test_tooltip_data_has_names_class_properties_and_provenance() -> None:
    info = map_data(tiny_graph())["info"]["lab1"]
    assert info["names"] == ["大连化学物理研究所", "Dalian Institute of Chemical Physics", "DICP"]
    assert info["cls"] == "ResearchInstitute" and info["chain"] == "innovation"
    assert info["prov"] == {"source": "test-src", "sourceTitle": "A test article", "publisher": "Test Daily", "published": "2024-01-02"}
    assert info["regions"] == ["Dalian"] and info["alliances"] == ["alliance"]
    assert "dlhxwlyjs" in info["search"]


def test_overlays_mark_gap_nodes_and_draw_matches_as_dashed_edges() -> None:
    data = map_data(tiny_graph(), gaps=GAPS, matches=MATCHES)
    assert [g["type"] for g in data["gaps"]] == ["stranded technology", "capital gap"]
    assert data["gaps"][1]["shown"] == ["pilot"]
    assert data["info"]["tech1"]["gaps"] == [0] and data["info"]["pilot"]["gaps"] == [1]
    (edge,) = [e for e in data["edges"] if "match" in e]
    assert (edge["from"], edge["to"], edge["label"], edge["dashes"]) == ("tech1", "pilot", "0.83", [8, 6])


def test_a_graph_above_the_threshold_is_aggregated_and_says_so() -> None:
    G = nx.MultiDiGraph()
    for c in range(3):
        for i in range(10):
            G.add_node(f"c{c}n{i}", cls=["Technology", "Enterprise", "Fund"][c], name=f"node {c}-{i}")
        for i in range(10):
            for j in range(i + 1, 10):
                G.add_edge(f"c{c}n{i}", f"c{c}n{j}", type="COLLABORATES_WITH", rel="collaboratesWith")
    G.add_edge("c0n0", "c1n0", type="ADOPTS", rel="adopts")
    G.add_edge("c1n0", "c2n0", type="INVESTS_IN", rel="investsIn")
    data = map_data(G, max_nodes=20)
    assert data["meta"]["aggregated"] and data["meta"]["total_nodes"] == 30
    assert len(data["nodes"]) == 3 and len(data["edges"]) == 2
    assert "more than the 20" in data["meta"]["notice"]
    by_class = map_data(G, max_nodes=20, aggregate_by="classes")
    assert sorted(n["label"].split(" /")[0] for n in by_class["nodes"]) == ["Enterprise", "Fund", "Technology"]


def test_bad_options_are_clean_errors() -> None:
    with pytest.raises(ConfigError, match="unknown layout"):
        map_html(tiny_graph(), layout="circle")
    with pytest.raises(ConfigError, match="unknown size measure"):
        map_html(tiny_graph(), size_by="colour")
    with pytest.raises(ConfigError, match="unknown aggregation"):
        MapOptions(aggregate_by="stars")
    with pytest.raises(TypeError):
        map_data(tiny_graph(), colour="red")


def test_options_object_and_keywords_agree() -> None:
    opts = MapOptions(title="t", layout="stages", seed=2)
    assert map_html(tiny_graph(), opts) == map_html(tiny_graph(), title="t", layout="stages", seed=2)
    # keywords override the object's fields, and the override is checked too
    assert map_data(tiny_graph(), opts, layout="force") == map_data(tiny_graph(), title="t", seed=2)
    with pytest.raises(ConfigError, match="unknown layout"):
        map_data(tiny_graph(), opts, layout="circle")


# -- the command ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_copy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:

    d = tmp_path_factory.mktemp("maps-cli")
    dst = d / "demo.db"
    copy_database(demo_db, dst)
    return dst


def test_canal_map_around_a_name_writes_the_ego_map(demo_copy: Path) -> None:
    out = demo_copy.parent / "ego.html"
    res = canal_cmd("--db", str(demo_copy), "map", "--around", "大连化物所", "--depth", "1", "--layout", "stages", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "map: " in res.stdout and out.exists()
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["meta"]["focus"] == "dicp" and "dmto" in data["info"]


def test_canal_map_unknown_name_fails_cleanly(demo_copy: Path) -> None:
    res = canal_cmd("--db", str(demo_copy), "map", "--around", "no such thing", "-o", str(demo_copy.parent / "x.html"))
    assert res.returncode != 0
    assert "canal: error: no node called 'no such thing'" in res.stderr and "Traceback" not in res.stderr


def test_edges_keyed_0_1_per_pair_still_get_unique_ids() -> None:
    G = nx.MultiDiGraph([("a", "b"), ("a", "b"), ("b", "c")])
    edges = map_data(G)["edges"]
    assert len(edges) == 3 and len({e["id"] for e in edges}) == 3
    assert [e.get("smooth", {}).get("type") for e in edges if (e["from"], e["to"]) == ("a", "b")] == [None, "curvedCW"]


def _importable(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _importable("canal.gaps"), reason="canal.gaps (gap analysis) is not available")
def test_canal_map_gaps_overlays_the_gaps_found_on_the_demo(demo_copy: Path) -> None:
    out = demo_copy.parent / "gaps.html"
    res = canal_cmd("--db", str(demo_copy), "map", "--gaps", "-o", str(out))
    assert res.returncode == 0, res.stderr
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["gaps"], "the demo graph has gaps"
    for g in data["gaps"]:
        assert g["shown"] and all(n in data["info"] for n in g["shown"]) and g["en"] and g["zh"]
        assert all(data["info"][n]["gaps"] for n in g["shown"])


@pytest.mark.skipif(not _importable("canal.match"), reason="canal.match (matching) is not available")
def test_canal_map_matches_draws_proposals_around_dmto(demo_copy: Path) -> None:
    out = demo_copy.parent / "matches.html"
    res = canal_cmd("--db", str(demo_copy), "map", "--matches", "--around", "dmto", "--depth", "1", "--top", "3", "-o", str(out))
    assert res.returncode == 0, res.stderr
    data = page_data(out.read_text(encoding="utf-8"))
    assert data["matches"] and all(m["shown"] for m in data["matches"])
    drawn = [e for e in data["edges"] if "match" in e]
    assert len(drawn) == len(data["matches"]) and all(e["dashes"] for e in drawn)


def test_any_networkx_graph_maps_even_without_classes_or_string_ids() -> None:
    G = nx.MultiDiGraph(nx.path_graph(4))
    data = map_data(G)
    assert sorted(n["id"] for n in data["nodes"]) == ["0", "1", "2", "3"] and len(data["edges"]) == 6
    assert [(c["en"], c["zh"], c["count"]) for c in data["legend"]["classes"]] == [("no class", "未分类", 4)]
    assert map_data(nx.MultiDiGraph())["nodes"] == []


def test_around_reads_only_the_neighbourhood_and_gets_the_same_map(demo_store: Any) -> None:
    from canal.maps import graph_for_map

    full = select_subgraph(demo_store.to_networkx(), around_name="DMTO", depth=1, ring=400)
    part = graph_for_map(demo_store, around="DMTO", depth=1)
    assert set(part.nodes) == set(full.nodes) and set(part.edges(keys=True)) == set(full.edges(keys=True))
    assert part.graph["ring"] == full.graph["ring"] and part.graph["around"].nodes == full.graph["around"].nodes
    assert graph_for_map(demo_store, around="dmto", depth=1, whole=True).number_of_nodes() > part.number_of_nodes()
    # a pinyin or case-folded name is not an exact hit: the whole graph is read and resolved in Python
    assert graph_for_map(demo_store, around="levima advanced materials corporation").number_of_nodes() == demo_store.counts().total_nodes


def test_aggregated_view_rings_the_groups_that_hold_gap_nodes() -> None:
    G = nx.MultiDiGraph()
    for c in range(2):
        for i in range(8):
            G.add_node(f"c{c}n{i}", cls="Technology", name=f"t {c}-{i}")
        for i in range(8):
            for j in range(i + 1, 8):
                G.add_edge(f"c{c}n{i}", f"c{c}n{j}", type="COLLABORATES_WITH", rel="collaboratesWith")
    gap = GAPS[0].__class__("stranded technology", "", 0.7, ("c1n3",), "never transferred", "从未转让")
    data = map_data(G, max_nodes=10, gaps=[gap])
    (holder,) = [n for n, i in data["info"].items() if "c1n3" in i["search"] or i["gaps"]]
    assert data["info"][holder]["gaps"] == [0] and data["gaps"][0]["shown"] == [holder]
