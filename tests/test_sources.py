"""Real-source loader specs (loaders/*.yaml) on small fixtures written in each source's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from canal.ingest import load_spec
from canal.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
LOADERS = ROOT / "loaders"
SOURCES = Path(__file__).parent / "fixtures" / "sources"


def test_ror_records_load_with_hierarchy_and_outside_links_reported(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_ROR", str(SOURCES / "ror"))
    report = load_spec(store, LOADERS / "ror.yaml")
    # 5 real ROR records (CAS, HUST, Optics Valley Laboratory, Institute of Biophysics, UCAS) + 1 made-up DICP record
    assert sum(report.nodes.values()) == 6
    cas = store.query("MATCH (n:Entity {id: 'ror:034t30j35'}) RETURN n.name, n.nameZh, n.ror, n.aliases, n.country, n.licence").rows[0]
    assert cas == ("Chinese Academy of Sciences", "中国科学院", "https://ror.org/034t30j35", ["CAS", "中国科学院"], "CN", "CC0-1.0")
    # an institute's parent academy
    parents = store.query("MATCH (i:ResearchInstitute {id: 'ror:01tyv8576'})-[:SUB_ORGANISATION_OF]->(p:Organisation) RETURN p.name").rows
    assert parents == [("Chinese Academy of Sciences",)]
    # a university's labs
    labs = store.query("MATCH (l:Organisation)-[:SUB_ORGANISATION_OF]->(u:University {id: 'ror:00p991c53'}) RETURN l.name").rows
    assert labs == [("Optics Valley Laboratory",)]
    # CAS lists 146 related records, most outside the fixture: reported, not fatal
    assert len(report.outside) > 100
    assert all("neither in this load nor in the store" in o.reason for o in report.outside)
    assert not report.rejects


def test_ror_related_links_are_one_undirected_relationship_per_pair(store: GraphStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import json

    folder = tmp_path / "ror"
    folder.mkdir()
    recs = [json.loads(line) for line in (SOURCES / "ror" / "ror_sample.jsonl").read_text(encoding="utf-8").splitlines()]
    cas = next(r for r in recs if r["id"].endswith("034t30j35"))
    hust = next(r for r in recs if r["id"].endswith("00p991c53"))
    cas["relationships"] = [{"label": "HUST", "type": "related", "id": hust["id"]}]
    hust["relationships"] = [{"label": "CAS", "type": "related", "id": cas["id"]}]
    (folder / "two.jsonl").write_text("\n".join(json.dumps(r) for r in (cas, hust)) + "\n", encoding="utf-8")
    monkeypatch.setenv("CANAL_ROR", str(folder))
    load_spec(store, LOADERS / "ror.yaml")
    assert store.counts().relationships == {"COLLABORATES_WITH": 1}


def test_kag_shaped_fixture_loads_segments_products_and_upstream_links(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_KAG", str(SOURCES / "kag"))
    report = load_spec(store, LOADERS / "kag_supplychain.yaml")
    c = store.counts()
    # two 4-level industry paths -> 8 segments; 4 listed products + 3 only named downstream / by a company
    assert c.nodes == {"Enterprise": 2, "IndustrySegment": 8, "Product": 7}
    chain = store.query(
        "MATCH p = (s:IndustrySegment {id: 'kag-industry:原材料-原材料-化学制品-商品化工'})-[:PART_OF_SEGMENT*3]->(top:IndustrySegment) "
        "RETURN top.id, s.name"
    ).rows
    assert chain == [("kag-industry:原材料", "商品化工")]
    ups = store.query("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) RETURN a.id, b.id ORDER BY a.id, b.id").rows
    assert ("kag-product:商品化工-橡胶", "kag-product:轮胎与橡胶-轮胎") in ups
    assert ("kag-product:轮胎与橡胶-轮胎", "kag-product:消闲用品-自行车") in ups
    assert len(ups) == 6
    money = store.query("MATCH (a:Enterprise)-[r:INVESTS_IN]->(b:Enterprise) RETURN r.amount, r.date ORDER BY r.date").rows
    assert money == [(120000.0, "2023-08-21"), (80000.0, "2023-09-05")]
    assert c.relationships["PRODUCES"] == 3
    assert report.outside == [] and report.rejects == []


def test_chainkg_json_lines_map_companies_industries_products(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_CHAINKG", str(SOURCES / "chainkg"))
    report = load_spec(store, LOADERS / "chainkg.yaml")
    assert store.counts().nodes == {"Enterprise": 2, "IndustrySegment": 6, "Product": 4, "StockExchange": 2}
    row = store.query(
        "MATCH (e:Enterprise {id: 'ckg-company:300901'})-[l:LISTED_ON]->(x:StockExchange), (e)-[:PART_OF_SEGMENT]->(s:IndustrySegment)-[:PART_OF_SEGMENT]->(p:IndustrySegment) "
        "RETURN e.name, e.aliases, e.stockCode, x.id, l.date, s.name, p.name"
    ).rows
    assert row == [("示例锂电池股份有限公司", ["示例锂电"], "300901", "exchange:szse", "2020-06-18", "锂电池", "电池")]
    # 上游材料: the material is upstream of the product; 下游产品: the product is upstream of its downstream product
    ups = store.query("MATCH (a:Product)-[:UPSTREAM_OF]->(b:Product) RETURN a.name, b.name ORDER BY a.name, b.name").rows
    assert ups == [("动力电池", "电动汽车"), ("正极材料", "动力电池"), ("电解液", "动力电池")]
    ind = store.query("MATCH (a:IndustrySegment)-[:UPSTREAM_OF]->(b:IndustrySegment) RETURN a.name, b.name ORDER BY a.name").rows
    assert ind == [("化学制品", "锂电池"), ("电池化学品", "锂电池")]
    # a company not in company.json and an industry not in industry.json: reported
    assert sorted(o.record["source"] for o in report.outside) == ["ckg-company:600999", "sw:有色金属"]


def test_wikidata_sparql_results_load_with_identifiers(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_WIKIDATA", str(SOURCES / "wikidata"))
    report = load_spec(store, LOADERS / "wikidata.yaml")
    rows = store.query("MATCH (n:Organisation) RETURN n.id, n.wikidata, n.ror, n.uscc, n.foundedYear ORDER BY n.id").rows
    assert rows == [
        ("wd:Q5211718", "Q5211718", None, None, 1949),
        ("wd:Q530471", "Q530471", "https://ror.org/034t30j35", None, None),
        ("wd:Q90000001", "Q90000001", None, "91350100M000100Y43", None),
    ]
    assert store.query("MATCH (a {id: 'wd:Q5211718'})-[:SUB_ORGANISATION_OF]->(b) RETURN b.id").rows == [("wd:Q530471",)]
    assert [o.record["target"] for o in report.outside] == ["wd:Q99999999"]


def test_excel_source_loads(store: GraphStore, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "名称", "成立"])
    ws.append(["zg", "自贡先进碳材料产业技术研究院", 2019])
    wb.save(tmp_path / "orgs.xlsx")
    (tmp_path / "x.yaml").write_text(
        "name: xl\nnodes:\n  - file: orgs.xlsx\n    id: id\n    class: {value: ResearchInstitute}\n    properties: {name: 名称, foundedYear: 成立}\n",
        encoding="utf-8",
    )
    load_spec(store, tmp_path / "x.yaml")
    assert store.query("MATCH (n:Entity {id: 'zg'}) RETURN n.name, n.foundedYear").rows == [("自贡先进碳材料产业技术研究院", 2019)]
