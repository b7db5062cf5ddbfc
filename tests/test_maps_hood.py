"""Hub-aware neighbourhoods (``canal map --around``), the load-log highlight and the page data
of the new map features, without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from canal.maps import graph_for_map, last_load_changes, map_data, map_html, prepare_map
from canal.maps.hood import graph_reader, hub_threshold, neighbourhood, next_ring
from canal.store import open_store
from tests.conftest import canal_cmd
from tests.maps_graphs import hub_graph, hub_records, tiny_graph

from .conftest import copy_database


@pytest.fixture(scope="module")
def hub_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    nodes, rels = hub_records()
    with open_store(str(path)) as s:
        s.ensure_indexes()
        s.upsert_nodes(nodes)
        s.upsert_relationships(rels)
    return path


def test_around_stops_at_the_programme_and_country_hubs() -> None:
    G = hub_graph()
    hood = neighbourhood(graph_reader(G), "org0", depth=2)
    # org0 -> proj0, programme, country0 (hop 1); proj0 -> its 3 other participants (hop 2);
    # the programme (480 organisations) and country0 (120) are hubs: not expanded
    assert hood.nodes == {"org0", "proj0", "programme", "country0", "org1", "org2", "org3"}
    assert [h for h, _ in hood.hubs] == ["programme", "country0"]
    assert dict(hood.hubs) == {"programme": 480, "country0": 120}
    assert hood.threshold == hub_threshold(2 * G.number_of_edges() / G.number_of_nodes())
    text = hood.describe({"programme": "Horizon 2020"})
    assert "stopped at 2 hubs" in text and "Horizon 2020 (480 relationships)" in text and "--through-hubs" in text
    everything = neighbourhood(graph_reader(G), "org0", depth=2, through_hubs=True)
    assert len(everything.nodes) == 483 and everything.hubs == []  # every organisation, through the programme


def test_the_node_asked_about_is_expanded_even_when_it_is_a_hub() -> None:
    hood = neighbourhood(graph_reader(hub_graph()), "programme", depth=1)
    assert len(hood.nodes) == 1 + 480 and "programme" not in dict(hood.hubs)


def test_an_explicit_hub_degree_and_a_size_limit() -> None:
    G = hub_graph()
    assert "country0" not in dict(neighbourhood(graph_reader(G), "org0", depth=2, hub_degree=200).hubs)
    capped = neighbourhood(graph_reader(G), "programme", depth=3, limit=100)
    assert capped.stopped_at_limit and len(capped.rings) == 1


def test_store_reader_gives_the_same_neighbourhood_as_the_graph(hub_db: Path, tmp_path: Path) -> None:
    db = copy_database(hub_db, tmp_path / "hub.db")
    with open_store(str(db)) as s:
        G = graph_for_map(s, around="org0", depth=2)
        whole = s.to_networkx()
    hood = G.graph["around"]
    assert hood.nodes == neighbourhood(graph_reader(whole), "org0", depth=2).nodes
    assert hood.hubs == [("programme", 480), ("country0", 120)]
    # one ring further out is read too (hidden in the page until expanded): the other
    # participants' countries, then 40 organisations of each hub, the smaller hub first
    ring = G.graph["ring"]
    assert ring == next_ring(graph_reader(whole), hood) and set(G.nodes) == hood.nodes | ring
    assert {"country1", "country2", "country3"} <= ring and len(ring) == 3 + 40 + 40
    sub, _ = prepare_map(G, around="org0", depth=2)
    assert sub.graph["around"] is hood  # the store's real degrees are kept, not recounted on the part
    data = map_data(sub)
    assert [h[0] for h in data["meta"]["around"]["hubs"]] == ["programme", "country0"]
    assert data["meta"]["around"]["hubs"][0][2] == "Horizon 2020"


def test_cli_around_says_which_hubs_it_stopped_at(hub_db: Path, tmp_path: Path) -> None:
    db = copy_database(hub_db, tmp_path / "hub.db")
    out = tmp_path / "m.html"
    res = canal_cmd("--db", str(db), "map", "--around", "Organisation 0", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "stopped at 2 hubs" in res.stdout and "Horizon 2020 (480 relationships)" in res.stdout
    assert "map: " in res.stdout and "(7 nodes," in res.stdout and "83 more one hop out, hidden until expanded" in res.stdout
    res = canal_cmd("--db", str(db), "map", "--around", "org0", "--through-hubs", "--max-nodes", "100", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "stopped at" not in res.stdout and "above 100: drawn as communities" in res.stdout


def test_last_load_changes_come_from_the_load_log(demo_store: Any, store: Any) -> None:
    ch = last_load_changes(demo_store)
    assert ch is not None and ch["name"] == "canal-demo" and ch["complete"] is True
    assert ch["nodes"] is not None and "dmto" in ch["nodes"] and len(ch["nodes"]) == 199
    assert ch["totals"]["added"] == 511
    data = map_data(demo_store.to_networkx(), changes=ch)
    assert data["info"]["dmto"]["ch"] == 1 and data["meta"]["changes"]["known"] is True
    assert last_load_changes(store) is None  # an empty store has no load log: no highlight, no error


def test_language_labels_years_and_view_go_into_the_page() -> None:
    data = map_data(hub_graph(projects=3), view="#lang=zh")
    assert data["meta"]["view"] == "lang=zh"
    assert data["meta"]["years"] == [1990, 2016]
    assert data["info"]["org5"]["t"] == [1995, "f"]
    e = next(k for k, v in data["einfo"].items() if k.startswith("programme-GRANTS_TO->org0"))
    assert data["einfo"][e]["t"] == 2014
    t = map_data(tiny_graph())["info"]
    assert t["tech1"]["lz"] == "甲醇制烯烃" and "le" not in t["tech1"]  # label DMTO is the English one
    assert t["lab1"]["le"] == "Dalian Institute of Chemical Physics" and "lz" not in t["lab1"]


def test_aggregated_groups_carry_their_members_and_the_page_stays_small() -> None:
    G = hub_graph(projects=300, per_project=5)
    data = map_data(G, max_nodes=200)
    assert data["meta"]["aggregated"]
    opened = [v["open"] for v in data["info"].values()]
    assert sum(o["total"] for o in opened) == G.number_of_nodes()
    members = {r[0] for o in opened for r in o["m"]}
    assert members <= set(G.nodes) and len(members) == sum(len(o["m"]) for o in opened)
    assert all(len(o["m"]) == min(o["total"], 150) for o in opened)
    ties = [(o["m"][i][0], f"group:{g}", n) for o in opened for i, g, n in o["x"]]
    assert ties and all(data["info"][g]["members"] for _, g, _ in ties)
    assert "Enterprise" in data["groups"]  # members are drawn with their class's shape and colour


def test_noscript_view_has_a_picture_and_tables() -> None:
    page = map_html(tiny_graph(), gaps=[], title="t")
    m = re.search(r"<noscript>(.*?)</noscript>", page, re.S)
    assert m is not None
    static = m.group(1)
    assert static.count("<circle") == 8 and static.count("<line") == 8
    assert "Main nodes / 主要节点" in static and "Levima" in static
    assert "&lt;img src=x onerror=alert(1)&gt;" in static and "<img" not in static


def test_cli_view_option_puts_the_state_in_the_page(demo_db: Path, tmp_path: Path) -> None:
    db = copy_database(demo_db, tmp_path / "demo.db")
    out = tmp_path / "v.html"
    res = canal_cmd("--db", str(db), "map", "--around", "dmto", "--depth", "1", "--view", "#lang=en&sel=dmto", "-o", str(out))
    assert res.returncode == 0, res.stderr
    text = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="canal-data">(.*?)</script>', text, re.S).group(1))  # type: ignore[union-attr]
    assert data["meta"]["view"] == "lang=en&sel=dmto"
    assert data["meta"]["changes"]["name"] == "canal-demo"


def test_hub_graph_is_a_store_shaped_graph() -> None:
    G = hub_graph(projects=2)
    assert isinstance(G, nx.MultiDiGraph) and G.nodes["programme"]["cls"] == "Programme"


def test_an_incremental_load_names_exactly_what_it_added_and_changed(store: Any, tmp_path: Path) -> None:
    from canal.ingest import load_spec
    from tests.test_load import NODES, write_input
    from tests.test_load_incremental import _edited

    load_spec(store, write_input(tmp_path / "v1"))
    load_spec(store, write_input(tmp_path / "v2", *_edited()), today="2026-11-22")
    ch = last_load_changes(store)
    assert ch is not None and ch["name"] == "tiny" and ch["complete"]
    assert ch["nodes"] == sorted([NODES[1][0], "lab"])  # the renamed institute and the new lab
    assert len(ch["relationships"]) == 1 and "INVESTS_IN" in ch["relationships"][0]  # the changed amount
    assert ch["totals"] == {"added": 1, "changed": 2, "retracted": 3}
    data = map_data(store.to_networkx(), changes=ch)
    assert sorted(k for k, v in data["info"].items() if v.get("ch")) == ch["nodes"]
    assert [k for k, v in data["einfo"].items() if v.get("ch")] == ch["relationships"]


def test_around_on_real_cordis_rows_stops_at_the_programme(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """114 real CORDIS participations (CC BY 4.0, tests/fixtures/sources/cordis): the Horizon 2020
    programme funds every participation, so without hub-awareness two hops reach everyone."""
    import csv

    from canal.ingest import load_spec
    from tests.spec_fixtures import LOADERS, SOURCES

    folder = SOURCES / "cordis"
    monkeypatch.setenv("CANAL_CORDIS", str(folder))
    load_spec(store, LOADERS / "cordis.yaml")
    with (folder / "h2020_organizations_slice.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_project: dict[str, set[str]] = {}
    for r in rows:
        by_project.setdefault(r["projectID"], set()).add(r["organisationID"])
    project = max(sorted(by_project), key=lambda p: len(by_project[p]))
    org = sorted(by_project[project])[0]
    mine = {p for p, orgs in by_project.items() if org in orgs}
    want = {f"cordis:org:{org}", "cordis:programme:H2020"} | {f"cordis:project:{p}" for p in mine}
    want |= {f"cordis:org:{o}" for p in mine for o in by_project[p]}
    G = graph_for_map(store, around=f"cordis:org:{org}", depth=2)
    hood = G.graph["around"]
    assert hood.nodes == want
    grants = store.query("MATCH (:Programme {id: 'cordis:programme:H2020'})-[g:GRANTS_TO]->() RETURN count(g)").scalar()
    assert hood.hubs == [("cordis:programme:H2020", grants)] and grants > hood.threshold
    everyone = graph_for_map(store, around=f"cordis:org:{org}", depth=2, through_hubs=True).graph["around"]
    assert {n for n in everyone.nodes if n.startswith("cordis:org:")} == {f"cordis:org:{r['organisationID']}" for r in rows}
