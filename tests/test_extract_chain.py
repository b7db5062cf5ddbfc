"""Relations of the innovation, industrial and capital chains proposed from an article about a
known system (the graph as gazetteer), and the phrasings of real news that the rules cover.

The article (``fixtures/extract/chain_story.txt``) and the graph were written for this test
(fictional organisations); ``bench/extract_eval.py --seeds`` runs the same check on the
seed articles against the demo graph.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from canal.extract import Lexicon, article_from_text, extract_article, read_article

FIX = Path(__file__).parent / "fixtures" / "extract"

NODES = [
    ("qhw-admin", "GovernmentBody", "青禾湾新区管委会"), ("qhw", "IndustrialPark", "青禾湾新区"), ("beichen", "University", "北辰大学"),
    ("bq-inst", "ResearchInstitute", "北辰青禾研究院"), ("perov", "Technology", "柔性钙钛矿组件技术"), ("lancang", "Enterprise", "澜沧光能科技有限公司"),
    ("pilot", "PilotPlatform", "青禾湾中试基地"), ("module", "Product", "柔性光伏组件"), ("angel", "GovernmentGuidanceFund", "青禾湾天使投资引导基金"),
    ("qh-cap", "VentureCapital", "青禾资本管理有限公司"), ("alliance", "Alliance", "长河光伏产业技术创新联盟"),
]
# what the article states, between organisations, technologies, products and money
STATED = {
    ("bq-inst", "foundedBy", "qhw-admin"), ("bq-inst", "foundedBy", "beichen"), ("bq-inst", "locatedIn", "qhw"),
    ("bq-inst", "develops", "perov"), ("perov", "transferredTo", "lancang"), ("lancang", "usesPlatform", "pilot"),
    ("lancang", "produces", "module"), ("angel", "investsIn", "lancang"), ("qh-cap", "manages", "angel"),
    ("lancang", "memberOf", "alliance"), ("beichen", "leads", "alliance"),
}


def test_at_least_half_of_the_stated_chain_relations_are_proposed_with_the_graph_as_gazetteer() -> None:
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for nid, cls, name in NODES:
        g.add_node(nid, cls=cls, name=name)
    ex = extract_article(read_article(FIX / "chain_story.txt"), lexicon=Lexicon.from_graph(g))
    proposed = {(r.source, r.type, r.target) for r in ex.relations}
    assert len(STATED & proposed) >= len(STATED) / 2, sorted(STATED - proposed)
    invest = next(r for r in ex.relations if r.type == "investsIn")
    assert (invest.amount, invest.currency) == (50_000_000, "CNY")
    assert all(r.method.startswith("rule:") and 0 < r.confidence <= 1 and r.end > r.start for r in ex.relations)


def _rels(text: str) -> set[tuple[str, str, str]]:
    ex = extract_article(article_from_text(text, name="x.txt"))
    return {(r.source_name, r.type, r.target_name) for r in ex.relations}


def test_english_phrasings_of_real_news() -> None:
    rels = _rels("Harbour Photonics Ltd was set up by Kestrel University in 2019. Investors include Bluefin Capital and Larch Ventures.")
    assert ("Harbour Photonics Ltd", "foundedBy", "Kestrel University") in rels
    assert {("Bluefin Capital", "investsIn", "Harbour Photonics Ltd"), ("Larch Ventures", "investsIn", "Harbour Photonics Ltd")} <= rels


def test_chinese_phrasings_of_real_news() -> None:
    rels = _rels("北辰大学研发人员介绍了新进展。澜沧资本管理有限公司担任青禾湾天使投资引导基金的管理人。")
    assert not any(t == "develops" for _, t, _ in rels)  # 研发 inside 研发人员 is a noun
    assert ("澜沧资本管理有限公司", "manages", "青禾湾天使投资引导基金") in rels
    rels = _rels("北辰青禾研究院是青禾湾新区管委会与北辰大学共同发起的新型研发机构。")
    assert {("北辰青禾研究院", "foundedBy", "青禾湾新区管委会"), ("北辰青禾研究院", "foundedBy", "北辰大学")} <= rels


def test_traditional_chinese_is_read_like_simplified() -> None:
    ex = extract_article(article_from_text("2021年，北辰大學與澜滄研究院共同設立青禾產業技術研究院。", name="x.txt"))
    names = {e.name for e in ex.entities}
    assert {"北辰大學", "青禾產業技術研究院"} <= names
    assert any(r.type == "foundedBy" and r.source_name == "青禾產業技術研究院" for r in ex.relations)


def test_countries_are_places_only_where_used_as_places() -> None:
    ex = extract_article(article_from_text("中国高校的成果转化加快。该公司在美国设立研发中心，全国多地跟进。", name="x.txt"))
    places = {e.name for e in ex.entities if e.cls == "Region"}
    assert places == {"美国"}
