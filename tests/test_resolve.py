"""Entity resolution: normalisation, identifiers with check digits, merges across sources, review, undo."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from canal.ingest import list_merges, load_spec, unmerge
from canal.model import Node
from canal.ontology import load_ontology
from canal.resolve import (
    Gazetteer,
    lei_valid,
    normalise_identifier,
    normalise_name,
    qid_valid,
    resolve,
    ror_valid,
    uscc_check_char,
    uscc_valid,
    vat_valid,
)
from canal.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).parent / "fixtures" / "sources"
RES = SOURCES / "resolve"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中國科學院大連化學物理研究所", "中国科学院大连化学物理研究所"),  # traditional -> simplified
        ("ＤＩＣＰ", "dicp"),  # full width -> half width, case
        ("北京同益中新材料科技股份有限公司", "北京同益中新材料科技"),  # legal form
        ("Siemens AG", "SIEMENS"),
        ("Huawei Technologies Co., Ltd.", "huawei technologies"),
        ("Dalian Institute of Chemical Physics, CAS", "Dalian Institute of Chemical Physics Chinese Academy of Sciences"),
        ("中科院过程工程研究所", "中国科学院过程工程研究所"),
    ],
)
def test_normalised_names_are_equal(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_identifier_check_digits() -> None:
    assert uscc_valid("91350100M000100Y43") and not uscc_valid("91350100M000100Y42")
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert lei_valid("5493001KJTIIGC8Y1R12") and not lei_valid("5493001KJTIIGC8Y1R13")
    assert ror_valid("https://ror.org/034t30j35") and not ror_valid("https://ror.org/034t30j36")
    assert qid_valid("Q530471") and not qid_valid("Q0")
    assert normalise_identifier("ror", "034T30J35") == "https://ror.org/034t30j35"
    assert normalise_identifier("uscc", "91350100M000100Y42") is None


def test_vat_numbers_are_strong_identifiers() -> None:
    # real CORDIS values: a Swiss number with its MWST suffix, the placeholder "MISSING"
    assert vat_valid("CHE115203630MWST") and vat_valid("DE292392848") and not vat_valid("MISSING")
    assert normalise_identifier("vat", " de 292 392 848 ") == "DE292392848"
    onto = load_ontology()
    known = [Node("cordis:org:946040710", "Enterprise", {"name": "GREENSPIDER GMBH", "vat": "DE292392848"})]
    other_name = Node("reg:1", "Enterprise", {"name": "Greenspider", "vat": "DE 292392848"})
    r = resolve([other_name], known, onto=onto)
    assert (r.merges["reg:1"].target, r.merges["reg:1"].reason) == ("cordis:org:946040710", "vat")
    # a different VAT number vetoes a merge by name; a placeholder is no evidence at all
    clash = Node("reg:2", "Enterprise", {"name": "GREENSPIDER GMBH", "vat": "DE999999999"})
    assert resolve([clash], known, onto=onto).merges == {}
    placeholder = Node("reg:3", "Enterprise", {"name": "Something else", "vat": "MISSING"})
    assert resolve([placeholder], [Node("k", "Enterprise", {"name": "Other", "vat": "MISSING"})], onto=onto).merges == {}


def test_gazetteer_exact_and_fuzzy_lookup() -> None:
    g = Gazetteer()
    g.add("dicp", ["中国科学院大连化学物理研究所", "DICP"])
    g.add("ipe", ["中国科学院过程工程研究所"])
    assert g.lookup("中國科學院大連化學物理研究所") == [("dicp", 1.0)]
    fuzzy = g.lookup("中科院过程工程所")
    assert fuzzy[0][0] == "ipe" and 0.8 < fuzzy[0][1] < 1.0


def test_same_institute_in_chinese_english_and_abbreviation_from_two_sources_is_one_node(store: GraphStore, tmp_path: Path) -> None:
    load_spec(store, RES / "registry.yaml")  # GBK CSV, Chinese full names
    report = load_spec(store, RES / "english.yaml", review_file=tmp_path / "review.csv")
    assert [m["absorbed"] for m in report.merges] == ["en:dicp"]
    rows = store.query(
        "MATCH (n:ResearchInstitute) WHERE n.name = '中国科学院大连化学物理研究所' OR n.nameEn STARTS WITH 'Dalian' OR 'DICP' IN n.aliases "
        "RETURN n.id, n.name, n.nameEn, n.aliases, n.sources"
    ).rows
    assert rows == [
        ("reg:R001", "中国科学院大连化学物理研究所", "Dalian Institute of Chemical Physics, Chinese Academy of Sciences", ["DICP"], ["cn-registry", "en-list"])
    ]
    # relationships of both sources meet on the one node
    rels = store.query("MATCH (n:Entity {id: 'reg:R001'})-[r]->(x) RETURN type(r), x.id ORDER BY type(r)").rows
    assert rels == [("COLLABORATES_WITH", "en:qibebt"), ("DEVELOPS", "tech:DMTO")]
    # the uncertain pair (中科院过程工程所 ~ 中国科学院过程工程研究所) is listed, not merged
    with open(tmp_path / "review.csv", encoding="utf-8") as fh:
        review = list(csv.DictReader(fh))
    assert [(r["incoming"], r["candidate"]) for r in review] == [("en:ipe", "reg:R002")]
    assert (tmp_path / "review.html").read_text(encoding="utf-8").count("<tr>") == 2
    assert store.existing(["en:ipe", "reg:R002"]) == {"en:ipe": "ResearchInstitute", "reg:R002": "ResearchInstitute"}


def test_loading_the_merged_source_again_changes_nothing(store: GraphStore) -> None:
    load_spec(store, RES / "registry.yaml")
    load_spec(store, RES / "english.yaml")
    before = store.to_networkx()
    for spec in ("registry.yaml", "english.yaml"):
        report = load_spec(store, RES / spec)
        assert report.totals() == {"added": 0, "changed": 0, "retracted": 0}, spec
    after = store.to_networkx()
    assert dict(after.nodes(data=True)) == dict(before.nodes(data=True))
    assert sorted(after.edges(keys=True)) == sorted(before.edges(keys=True))


def test_identifiers_merge_ror_and_wikidata_records(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_WIKIDATA", str(SOURCES / "wikidata"))
    monkeypatch.setenv("CANAL_ROR", str(SOURCES / "ror"))
    load_spec(store, ROOT / "loaders" / "wikidata.yaml")
    report = load_spec(store, ROOT / "loaders" / "ror.yaml")
    assert sorted((m["absorbed"], m["into"], m["reason"]) for m in report.merges) == [
        ("ror:034t30j35", "wd:Q530471", "ror"),
        ("ror:0fx1c9p47", "wd:Q5211718", "wikidata"),
    ]
    cas = store.query("MATCH (n:Entity {id: 'wd:Q530471'}) RETURN n.sources, n.ror").rows[0]
    assert cas == (["wikidata", "ror"], "https://ror.org/034t30j35")
    # ROR's parent link now ends on the Wikidata node of CAS
    assert store.query("MATCH (a {id: 'ror:01tyv8576'})-[:SUB_ORGANISATION_OF]->(b) RETURN b.id").rows == [("wd:Q530471",)]


def test_a_merge_is_recorded_and_can_be_undone(store: GraphStore) -> None:
    load_spec(store, RES / "registry.yaml")
    before = store.query("MATCH (n:Entity {id: 'reg:R001'}) RETURN properties(n)").rows[0][0]
    load_spec(store, RES / "english.yaml")
    merges = list_merges(store)
    assert [(m["absorbed"], m["into"], m["status"]) for m in merges] == [("en:dicp", "reg:R001", "active")]
    unmerge(store, merges[0]["id"])
    after = store.query("MATCH (n:Entity {id: 'reg:R001'}) RETURN properties(n)").rows[0][0]
    assert after == before
    restored = store.query("MATCH (n:Entity {id: 'en:dicp'})-[r:COLLABORATES_WITH]->(x) RETURN n.name, n.aliases, x.id").rows
    assert restored == [("Dalian Institute of Chemical Physics, Chinese Academy of Sciences", ["DICP"], "en:qibebt")]
    assert store.query("MATCH (n:Entity {id: 'reg:R001'})-[r:COLLABORATES_WITH]-() RETURN count(r)").scalar() == 0
    # the undone pair is not merged again by the next load of the same source
    report = load_spec(store, RES / "english.yaml")
    assert report.merges == [] and report.totals() == {"added": 0, "changed": 0, "retracted": 0}
    assert list_merges(store)[0]["status"] == "undone"
