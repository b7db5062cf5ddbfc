"""Real-source loader specs (loaders/*.yaml) on small fixtures written in each source's format."""

from __future__ import annotations

from pathlib import Path

import pytest

from canal.ingest import load_spec
from canal.store import GraphStore
from tests.spec_fixtures import SPEC_FIXTURES, spec_env, specs

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


# -- CORDIS Horizon 2020 participations: the vendored slice, and the shared development table when present --

# the development table sits in ../shared/data next to a checkout (or two levels up from a worktree)
CORDIS_DEV = next(
    (p for p in (ROOT.parent / "shared" / "data" / "cordis_h2020_dev", ROOT.parent.parent / "shared" / "data" / "cordis_h2020_dev") if p.is_dir()),
    None,
)
CORDIS_TABLES = [
    pytest.param(SOURCES / "cordis", id="slice"),
    pytest.param(
        CORDIS_DEV or SOURCES / "cordis",
        id="dev-table",
        marks=pytest.mark.skipif(CORDIS_DEV is None, reason="the CORDIS development table (../shared/data) is not next to this checkout"),
    ),
]


def _cordis_rows(folder: Path) -> list[dict[str, str]]:
    import csv

    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


@pytest.mark.parametrize("folder", CORDIS_TABLES)
def test_cordis_participations_load_with_the_files_own_totals(store: GraphStore, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    from decimal import Decimal

    monkeypatch.setenv("CANAL_CORDIS", str(folder))
    rows = _cordis_rows(folder)
    report = load_spec(store, LOADERS / "cordis.yaml")
    assert report.rejects == [] and report.outside == []
    orgs = {r["organisationID"] for r in rows}
    projects = {r["projectID"] for r in rows}
    c = store.counts()
    kinds = {"HES": "University", "REC": "ResearchInstitute", "PRC": "Enterprise", "PUB": "GovernmentBody", "OTH": "Organisation"}
    want: dict[str, int] = {}
    for o in orgs:
        cls = kinds[next(r["activityType"] for r in rows if r["organisationID"] == o)]
        want[cls] = want.get(cls, 0) + 1
    assert c.nodes == {**want, "ResearchProject": len(projects), "Programme": 1}
    assert c.relationships == {
        "PARTICIPATES_IN": len(rows),
        "LEADS": sum(r["role"] == "coordinator" for r in rows),
        "GRANTS_TO": len({(r["organisationID"], r["projectID"]) for r in rows}),
    }
    # the EU contributions sum to the file's own total; an empty cell is an absent amount, not 0
    total = sum(Decimal(r["ecContribution"]) for r in rows if r["ecContribution"])
    got = store.query("MATCH (:Entity)-[r:PARTICIPATES_IN]->(:Entity) RETURN sum(r.amount), count(r.amount)").rows[0]
    assert abs(Decimal(str(got[0])) - total) < Decimal("0.01")
    assert got[1] == sum(1 for r in rows if r["ecContribution"])
    # total costs: decimal commas read as the spec says ("211562,5" is 211562.5, not 2115625)
    costs = sum(Decimal(r["totalCost"].replace(",", ".")) for r in rows if r["totalCost"])
    got_cost = store.query("MATCH (:Entity)-[r:PARTICIPATES_IN]->(:Entity) RETURN sum(r.totalCost), count(r.totalCost)").rows[0]
    assert abs(Decimal(str(got_cost[0])) - costs) < Decimal("0.01") and got_cost[1] == sum(1 for r in rows if r["totalCost"])
    # every participation keeps its own amounts, role and currency (one per row, keyed by `order`)
    stored = {
        rid: (role, amount, net, cur)
        for rid, role, amount, net, cur in store.query(
            "MATCH (:Entity)-[r:PARTICIPATES_IN]->(:Entity) RETURN r.id, r.role, r.amount, r.netAmount, r.currency"
        ).rows
    }
    for r in rows:
        key = f"cordis:org:{r['organisationID']}-PARTICIPATES_IN->cordis:project:{r['projectID']}#{r['order']}"
        amount = float(r["ecContribution"]) if r["ecContribution"] else None
        assert stored[key] == (r["role"], amount, float(r["netEcContribution"]), "EUR"), key
    # the programme's grants: one per participation, keyed by project
    grants = store.query("MATCH (p:Programme {id: 'cordis:programme:H2020'})-[g:GRANTS_TO]->(o:Entity) RETURN p.name, sum(g.amount)").rows
    assert grants[0][0] == "Horizon 2020" and abs(Decimal(str(grants[0][1])) - total) < Decimal("0.01")
    # coordinators lead their projects
    leads = set(store.query("MATCH (o:Entity)-[:LEADS]->(p:ResearchProject) RETURN o.id, p.id").rows)
    assert leads == {(f"cordis:org:{r['organisationID']}", f"cordis:project:{r['projectID']}") for r in rows if r["role"] == "coordinator"}


def test_cordis_real_names_vat_numbers_and_places_round_trip(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = SOURCES / "cordis"
    monkeypatch.setenv("CANAL_CORDIS", str(folder))
    rows = {r["organisationID"]: r for r in _cordis_rows(folder)}
    load_spec(store, LOADERS / "cordis.yaml")
    # the quoted name comes back exactly as the CSV module reads the cell
    demokritos = rows["999978239"]["name"]
    assert demokritos == '"NATIONAL CENTER FOR SCIENTIFIC RESEARCH ""DEMOKRITOS"""'
    got = store.query(
        "MATCH (o:Entity {id: 'cordis:org:999978239'}) RETURN o.name, o.vat, o.country, o.latitude, o.longitude, o.url, labels(o)"
    ).rows[0]
    assert got[:6] == (demokritos, "EL090085651", "GR", 39.2475388, 26.2711986, "http://www.demokritos.gr")
    assert "ResearchInstitute" in got[6]
    assert store.query("MATCH (n:Entity) WHERE n.name = $n RETURN n.id", {"n": demokritos}).rows == [("cordis:org:999978239",)]
    # placeholders and empty VAT cells are absent values; Swiss numbers keep their MWST suffix
    vats = dict(store.query("MATCH (o:Organisation) RETURN o.id, o.vat").rows)
    for oid, r in rows.items():
        want = None if r["vatNumber"] in ("", "MISSING") else r["vatNumber"]
        assert vats[f"cordis:org:{oid}"] == want, oid
    # SME flags are booleans; an organisation in five projects is one node with five participations
    assert store.query("MATCH (o:Entity {id: 'cordis:org:999984059'})-[r:PARTICIPATES_IN]->() RETURN o.sme, count(r)").rows == [(False, 5)]
    # a reload of the same table changes nothing
    assert load_spec(store, LOADERS / "cordis.yaml").totals() == {"added": 0, "changed": 0, "retracted": 0}


# -- every spec under loaders/ runs on its fixture (a fresh clone has them all) --


def test_every_spec_under_loaders_has_a_fixture_with_its_licence() -> None:
    assert {p.stem for p in specs()} == set(SPEC_FIXTURES)
    for stem, folder in SPEC_FIXTURES.items():
        if folder is not None:
            assert (folder / "SOURCES.md").is_file(), stem
            assert spec_env(LOADERS / f"{stem}.yaml"), stem


@pytest.mark.parametrize("spec", specs(), ids=lambda p: p.stem)
def test_every_spec_loads_its_fixture_conforms_and_reloads_without_changes(store: GraphStore, monkeypatch: pytest.MonkeyPatch, spec: Path) -> None:
    from canal.rdf import to_rdf, validate_rdf

    folder = SPEC_FIXTURES[spec.stem]
    env = spec_env(spec)
    if folder is not None and env:
        monkeypatch.setenv(env, str(folder))
    report = load_spec(store, spec)
    assert report.rejects == []
    c = store.counts()
    assert sum(c.nodes.values()) > 0 and sum(c.relationships.values()) > 0
    shacl = validate_rdf(to_rdf(store.to_networkx(), store.ontology), store.ontology)
    assert shacl.conforms, [(v.focus, v.path, v.message_en) for v in shacl.violations[:5]]
    assert load_spec(store, spec).totals() == {"added": 0, "changed": 0, "retracted": 0}


def test_real_ror_and_kag_slices_load_every_record(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import json

    ror = SPEC_FIXTURES["ror"]
    kag = SPEC_FIXTURES["kag_supplychain"]
    assert ror is not None and kag is not None
    monkeypatch.setenv("CANAL_ROR", str(ror))
    monkeypatch.setenv("CANAL_KAG", str(kag))
    records = [json.loads(line) for p in sorted(ror.glob("*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines() if line]
    report = load_spec(store, LOADERS / "ror.yaml")
    assert sum(report.nodes.values()) == len(records)
    ids = {r["id"] for r in records}
    out_links = sum(1 for r in records for x in r.get("relationships", []) if x["id"] not in ids and x["type"] in ("parent", "child", "related"))
    assert len(report.outside) == out_links > 0
    report = load_spec(store, LOADERS / "kag_supplychain.yaml")
    with open(kag / "Company.csv", encoding="utf-8", newline="") as fh:
        companies = {r["id"] for r in csv.DictReader(fh)}
    with open(kag / "Company_fundTrans_Company.csv", encoding="utf-8", newline="") as fh:
        transfers = {(r["srcId"], r["dstId"], r["transDate"]): float(r["transAmt"]) for r in csv.DictReader(fh)}
    assert {r[0] for r in store.query("MATCH (e:Enterprise) WHERE e.id STARTS WITH 'kag-company:' RETURN e.id").rows} == {f"kag-company:{c}" for c in companies}
    got = store.query("MATCH (a:Enterprise)-[r:INVESTS_IN]->(b:Enterprise) RETURN a.id, b.id, r.date, r.amount").rows
    assert {(a[len("kag-company:"):], b[len("kag-company:"):], d.replace("-", "")): x for a, b, d, x in got} == transfers
