"""Interchange: GEXF and GraphML for Gephi / Gephi Lite, CSV node and edge lists, imports back."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pytest

from canal.errors import ConfigError, LoaderError
from canal.exchange import (
    csv_tables,
    export_graph,
    import_graph,
    read_graph_file,
    records_from_networkx,
    to_gexf,
    write_csv,
)
from canal.store import GraphStore, open_store

from .conftest import canal_cmd, copy_database


def small_graph() -> nx.MultiDiGraph:
    """Two nodes, two parallel investments and one list-valued property."""
    G = nx.MultiDiGraph()
    G.add_node("fund", cls="GovernmentGuidanceFund", labels=["Entity", "Fund", "GovernmentGuidanceFund", "Investor", "Organisation"], name="Lake Fund", field=["equity", "seed"])
    G.add_node("lab", cls="Laboratory", labels=["Entity", "Laboratory", "Organisation", "ResearchOrganisation"], name="Nano Lab", foundedYear=2019)
    G.add_edge("fund", "lab", key="fund-INVESTS_IN->lab#a", type="INVESTS_IN", rel="investsIn", amount=1.5e6, currency="CNY")
    G.add_edge("fund", "lab", key="fund-INVESTS_IN->lab#b", type="INVESTS_IN", rel="investsIn", amount=2.0e6, currency="CNY")
    return G


def test_gexf_keeps_parallel_edges_lists_and_types_in_networkxs_reader() -> None:
    H = nx.read_gexf(io.BytesIO(to_gexf(small_graph()).encode("utf-8")))
    assert isinstance(H, nx.MultiDiGraph)
    assert (H.number_of_nodes(), H.number_of_edges()) == (2, 2)
    assert H.nodes["fund"]["field"] == "equity|seed"
    assert H.nodes["fund"]["label"] == "Lake Fund"
    assert H.nodes["fund"]["chain"] == "capital" and H.nodes["lab"]["stage"] == "research"
    assert H.nodes["lab"]["foundedYear"] == 2019
    assert sorted(d["amount"] for _, _, d in H.edges(data=True)) == [1.5e6, 2.0e6]
    assert sorted(k for _, _, k in H.edges(keys=True)) == ["fund-INVESTS_IN->lab#a", "fund-INVESTS_IN->lab#b"]


def test_gexf_is_gephi_ready_edge_kind_colour_per_chain_and_size() -> None:
    root = ET.fromstring(to_gexf(small_graph()))
    ns = {"g": "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    assert root.get("version") == "1.3"
    assert root.find("g:graph", ns).get("defaultedgetype") == "directed"  # type: ignore[union-attr]
    edges = root.findall(".//g:edge", ns)
    assert {e.get("kind") for e in edges} == {"INVESTS_IN"}
    colours = {n.get("id"): n.find("viz:color", ns).attrib for n in root.findall(".//g:node", ns)}  # type: ignore[union-attr]
    assert colours["fund"] == {"r": "44", "g": "160", "b": "44"}  # capital: green
    assert colours["lab"] == {"r": "31", "g": "119", "b": "180"}  # innovation: blue


def test_gexf_export_of_the_demo_opens_in_networkx_with_the_same_counts(demo_store: GraphStore, tmp_path: Path) -> None:
    G = demo_store.to_networkx()
    path = tmp_path / "demo.gexf"
    path.write_text(export_graph(G, "gexf"), encoding="utf-8")
    H = nx.read_gexf(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges()) == (199, 312)
    assert H.number_of_edges("china-minying", "nust-nri") == 3  # two investments and a collaboration
    assert H.nodes["dicp"]["aliases"].split("|") == G.nodes["dicp"]["aliases"]


def test_graphml_export_import_gives_back_the_same_graph(demo_store: GraphStore, tmp_path: Path) -> None:
    G = demo_store.to_networkx()
    path = tmp_path / "demo.graphml"
    path.write_text(export_graph(G, "graphml"), encoding="utf-8")
    with open_store(str(tmp_path / "fresh.db")) as fresh:
        assert import_graph(fresh, path) == (199, 312)
        assert fresh.counts() == demo_store.counts()
        back = fresh.to_networkx()
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


def test_gexf_import_gives_back_the_same_records(demo_store: GraphStore, tmp_path: Path) -> None:
    G = demo_store.to_networkx()
    gexf, graphml = tmp_path / "g.gexf", tmp_path / "g.graphml"
    gexf.write_text(export_graph(G, "gexf"), encoding="utf-8")
    graphml.write_text(export_graph(G, "graphml"), encoding="utf-8")
    (n1, r1), (n2, r2) = read_graph_file(gexf), read_graph_file(graphml)
    assert [(n.id, n.cls, n.props) for n in n1] == [(n.id, n.cls, n.props) for n in n2]
    assert [(r.rid, r.props) for r in r1] == [(r.rid, r.props) for r in r2]
    assert len(n1) == 199 and len(r1) == 312


def test_csv_lists_one_row_per_node_and_per_relationship() -> None:
    nodes, edges = csv_tables(small_graph())
    assert list(csv.reader(io.StringIO(nodes))) == [
        ["id", "class", "chain", "stage", "name", "field", "foundedYear"],
        ["fund", "GovernmentGuidanceFund", "capital", "capital", "Lake Fund", "equity|seed", ""],
        ["lab", "Laboratory", "innovation", "research", "Nano Lab", "", "2019"],
    ]
    assert list(csv.reader(io.StringIO(edges))) == [
        ["id", "source_id", "type", "target_id", "amount", "currency"],
        ["fund-INVESTS_IN->lab#a", "fund", "INVESTS_IN", "lab", "1500000.0", "CNY"],
        ["fund-INVESTS_IN->lab#b", "fund", "INVESTS_IN", "lab", "2000000.0", "CNY"],
    ]


def test_csv_files_open_in_spreadsheets_with_chinese_intact(demo_store: GraphStore, tmp_path: Path) -> None:
    npath, epath = write_csv(demo_store.to_networkx(), tmp_path / "csv")
    assert npath.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(npath.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 199
    assert {r["id"]: r["nameZh"] for r in rows}["dicp"] == "中国科学院大连化学物理研究所"
    assert len(list(csv.DictReader(io.StringIO(epath.read_text(encoding="utf-8-sig"))))) == 312


def test_import_refuses_unknown_classes_and_types_and_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    G = small_graph()
    G.nodes["lab"]["cls"] = "Labratory"
    path = tmp_path / "bad.graphml"
    path.write_text(export_graph(G, "graphml"), encoding="utf-8")
    with pytest.raises(LoaderError, match="Labratory"):
        import_graph(store, path)
    assert store.counts().total_nodes == 0
    H = small_graph()
    H.add_edge("lab", "fund", key="x", type="FUNDS")
    with pytest.raises(LoaderError, match="unknown relationship type 'FUNDS'"):
        records_from_networkx(H)
    H = small_graph()
    H.add_edge("lab", "fund", key="lab-MEMBER_OF->fund", type="MEMBER_OF")
    with pytest.raises(LoaderError, match="not allowed by the ontology"):
        records_from_networkx(H)


def test_unknown_formats_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown export format"):
        export_graph(small_graph(), "dot")
    odd = tmp_path / "graph.dot"
    odd.write_text("digraph {}")
    with pytest.raises(ConfigError, match="cannot tell the format"):
        read_graph_file(odd)


def test_cli_exports_gexf_csv_graphml_and_imports_graphml(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    copy_database(demo_db, db)
    for fmt in ("gexf", "graphml"):
        res = canal_cmd("--db", str(db), "export", "--format", fmt, "-o", str(tmp_path / f"demo.{fmt}"))
        assert res.returncode == 0, res.stderr
    res = canal_cmd("--db", str(db), "export", "--format", "csv", "-o", str(tmp_path / "csv"))
    assert res.returncode == 0 and "199 nodes" in res.stderr and "312 relationships" in res.stderr
    assert nx.read_gexf(tmp_path / "demo.gexf").number_of_edges() == 312
    res = canal_cmd("--db", str(tmp_path / "fresh.db"), "import", str(tmp_path / "demo.graphml"))
    assert res.returncode == 0, res.stderr
    assert "imported 199 nodes and 312 relationships" in res.stdout


def test_csv_export_imports_back_after_an_edit_in_a_spreadsheet(demo_store: GraphStore, tmp_path: Path) -> None:
    G = demo_store.to_networkx()
    folder = tmp_path / "csv"
    nodes, edges = write_csv(G, folder)
    # a spreadsheet user corrects a name and adds a grant of 3 million yuan to the nanometal institute
    text = nodes.read_text(encoding="utf-8-sig").replace(",Chongqing Institute of Nanometal,", ",Chongqing Institute of Nanometal (CINM),", 1)
    nodes.write_text(text, encoding="utf-8-sig")
    with edges.open("a", encoding="utf-8") as fh:
        fh.write("liangjiang-seed-funding-GRANTS_TO->cinm#2020,liangjiang-seed-funding,GRANTS_TO,cinm,3000000,,CNY" + "," * (len(edges.read_text(encoding="utf-8-sig").splitlines()[0].split(",")) - 7) + "\n")
    with open_store(str(tmp_path / "fresh.db")) as fresh:
        assert import_graph(fresh, folder) == (199, 313)
        back = fresh.to_networkx()
    assert back.nodes["cinm"]["name"] == "Chongqing Institute of Nanometal (CINM)"
    assert back.nodes["dicp"]["aliases"] == G.nodes["dicp"]["aliases"]
    grant = back.edges["liangjiang-seed-funding", "cinm", "liangjiang-seed-funding-GRANTS_TO->cinm#2020"]
    assert (grant["amount"], grant["currency"]) == (3000000.0, "CNY")
    unchanged = [k for _, _, k in G.edges(keys=True)]
    assert all(back.has_edge(u, v, k) for u, v, k in G.edges(keys=True)) and len(unchanged) == 312


def test_csv_edges_may_point_at_nodes_already_in_the_store(demo_store: GraphStore, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "nodes.csv").write_text("id,class,name\nnew-lab,Laboratory,New carbon lab\n", encoding="utf-8")
    (folder / "edges.csv").write_text("id,source_id,type,target_id\n,new-lab,SUB_ORGANISATION_OF,carbon-institute\n", encoding="utf-8")
    assert import_graph(demo_store, folder) == (1, 1)
    assert demo_store.query("MATCH (a:Entity {id: 'new-lab'})-[r]->(b:Entity) RETURN type(r), b.id").rows == [("SUB_ORGANISATION_OF", "carbon-institute")]
    (folder / "edges.csv").write_text("id,source_id,type,target_id\n,new-lab,SUB_ORGANISATION_OF,nowhere\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="neither in the file nor in the store"):
        import_graph(demo_store, folder)
