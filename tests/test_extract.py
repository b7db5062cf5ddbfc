"""Text extraction without a store: cleaning, values, mentions, relations, review records.

Every article here was written for these tests (fictional organisations).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from canal.errors import LoaderError
from canal.extract import Lexicon, article_from_text, extract_article, read_article
from canal.extract.document import clean_lines, detect_lang
from canal.extract.mentions import find_mentions
from canal.extract.pipeline import extract_files, slug
from canal.extract.relations import find_relations, sentences
from canal.extract.review import build_records, read_review, records, write_review
from canal.extract.values import find_dates, find_money
from canal.ontology import load_ontology

FIX = Path(__file__).parent / "fixtures" / "extract"


def _rels(ex: object) -> set[tuple[str, str, str]]:
    return {(r.source_name, r.type, r.target_name) for r in ex.relations}  # type: ignore[attr-defined]


# -- documents -------------------------------------------------------------------------
def test_html_page_chrome_is_stripped_and_title_kept() -> None:
    art = read_article(FIX / "zh_pilot.html")
    assert art.format == "html" and art.lang == "zh"
    assert art.title == "松江湾中试基地投用 引导基金领投首个项目"
    for chrome in ("首页", "广告", "分享到", "Copyright", "ICP备", "点击进入", "var ad"):
        assert chrome not in art.text
    assert art.text.splitlines()[1].startswith("2024年6月18日，位于松江湾高新技术产业开发区")


def test_markdown_markup_and_share_line_are_removed() -> None:
    art = read_article(FIX / "en_alliance.md")
    assert art.format == "markdown" and art.lang == "en"
    assert "](" not in art.text and "#" not in art.text and "Share this" not in art.text
    assert "The Northbridge Robotics Alliance, led by Northbridge University" in art.text


def test_plain_text_news_chrome_lines_are_dropped() -> None:
    raw = "本地 天下 发现 文化 健康\n正文第一段。\n3471.pic_hd.jpg\n责任编辑：某人\n上一篇新闻\n别的标题"
    assert clean_lines(raw) == "正文第一段。"


def test_language_is_detected_per_text() -> None:
    assert detect_lang("联盟成立") == "zh"
    assert detect_lang("The alliance was launched") == "en"


# -- values ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("投资1.2亿元", 1.2e8, "CNY"),
        ("计划总投资8亿美元", 8e8, "USD"),
        ("提供经费1800余万元", 1.8e7, "CNY"),
        ("销售收入千万元", 1e7, "CNY"),
        ("raised 300 million yuan", 3e8, "CNY"),
        ("invested $15 million", 1.5e7, "USD"),
        ("paid RMB 2.5 billion", 2.5e9, "CNY"),
        ("got 500,000 yuan", 5e5, "CNY"),
    ],
)
def test_money_is_normalised_to_number_and_iso_currency(text: str, amount: float, currency: str) -> None:
    (m,) = find_money(text)
    assert m.value == (pytest.approx(amount), currency)


def test_dates_in_both_languages_become_iso() -> None:
    assert [d.value for d in find_dates("2020年12月23日投产，2019年6月签约")] == ["2020-12-23", "2019-06"]
    assert [d.value for d in find_dates("on 8 June 2023, in March 2021 and since 2019")] == ["2023-06-08", "2021-03", "2019"]


# -- mentions --------------------------------------------------------------------------
def test_chinese_suffix_patterns_give_classes() -> None:
    text = "青岚市高新技术产业开发区管理委员会与华川理工大学共建青岚新材料中试基地，西江省天使投资引导基金和松石创业投资有限公司参与。"
    got = {(m.text, m.cls) for m in find_mentions(text, "zh")}
    assert {
        ("青岚市高新技术产业开发区管理委员会", "GovernmentBody"),
        ("华川理工大学", "University"),
        ("青岚新材料中试基地", "PilotPlatform"),
        ("西江省天使投资引导基金", "GovernmentGuidanceFund"),
        ("松石创业投资有限公司", "VentureCapital"),
    } <= got


def test_chinese_abbreviation_names_the_full_mention() -> None:
    text = "自贡先进碳材料研究院(下称“碳材院”)成立。碳材院研发了新工艺。"
    abbr = [m for m in find_mentions(text, "zh") if m.text == "碳材院"]
    assert len(abbr) == 2 and all(m.name == "自贡先进碳材料研究院" for m in abbr)


def test_english_capitalised_runs_with_head_words() -> None:
    text = "Greenloop Materials Co., Ltd., a spin-off of Riverton University, joined the Westfield Hydrogen Industry Alliance."
    got = {(m.text, m.cls) for m in find_mentions(text, "en")}
    assert got >= {("Greenloop Materials Co., Ltd.", "Enterprise"), ("Riverton University", "University"), ("Westfield Hydrogen Industry Alliance", "Alliance")}


def test_known_graph_names_are_found_and_linked() -> None:
    g = nx.MultiDiGraph()
    g.add_node("aac", cls="Enterprise", name="AAC Technologies", nameZh="瑞声科技", aliases=["AAC"])
    ex = extract_article(article_from_text("2019年6月，瑞声科技签约落户两江新区。", name="a.txt"), lexicon=Lexicon.from_graph(g))
    ent = next(e for e in ex.entities if e.name == "AAC Technologies")
    assert ent.node_id == "aac" and ent.existing


def test_coreference_resolves_to_the_last_fitting_mention() -> None:
    text = "北辰大学研发了低温烧结陶瓷膜技术。该校还加入了长江储能产业技术创新联盟。"
    ex = extract_article(article_from_text(text, name="a.txt"))
    assert ("北辰大学", "memberOf", "长江储能产业技术创新联盟") in _rels(ex)


# -- relations -------------------------------------------------------------------------
def test_sentences_do_not_split_after_company_abbreviations() -> None:
    t = "Kestrel Co., Ltd. joined. It grew."
    assert [t[a:b] for a, b in sentences(t, "en")] == ["Kestrel Co., Ltd. joined.", "It grew."]


def test_chinese_relations_from_the_html_fixture() -> None:
    ex = extract_article(read_article(FIX / "zh_pilot.html"))
    assert _rels(ex) >= {
        ("松江湾材料中试基地", "locatedIn", "松江湾高新技术产业开发区"),
        ("澜沧新材料研究院", "develops", "石墨烯导热膜技术"),
        ("石墨烯导热膜技术", "transferredTo", "海岚电子科技有限公司"),
        ("海岚电子科技有限公司", "memberOf", "华南先进材料产业联盟"),
        ("松江湾市天使投资引导基金", "investsIn", "海岚电子科技有限公司"),
        ("松江湾市科学技术局", "grantsTo", "松江湾材料中试基地"),
    }
    inv = next(r for r in ex.relations if r.type == "investsIn")
    assert (inv.amount, inv.currency) == (30_000_000.0, "CNY")
    grant = next(r for r in ex.relations if r.type == "grantsTo")
    assert (grant.amount, grant.currency) == (8_000_000.0, "CNY")


def test_english_relations_from_the_markdown_fixture() -> None:
    ex = extract_article(read_article(FIX / "en_alliance.md"))
    assert _rels(ex) >= {
        ("Northbridge University", "leads", "Northbridge Robotics Alliance"),
        ("Kestrel Automation Co., Ltd.", "memberOf", "Northbridge Robotics Alliance"),
        ("Northbridge Institute of Precision Engineering", "memberOf", "Northbridge Robotics Alliance"),
        ("Kestrel Automation Co., Ltd.", "locatedIn", "Northbridge Science Park"),
        ("Kestrel Automation Co., Ltd.", "adopts", "compliant gripper technology"),
        ("Northbridge University", "develops", "compliant gripper technology"),
        ("Northbridge Municipal Government", "grantsTo", "Kestrel Automation Co., Ltd."),
    }


def test_relations_respect_the_ontology_domain_and_range() -> None:
    onto = load_ontology()
    for path in (FIX / "zh_pilot.html", FIX / "en_alliance.md"):
        ex = extract_article(read_article(path))
        cls = {e.node_id: e.cls for e in ex.entities}
        for r in ex.relations:
            assert onto.allows(r.type, cls[r.source], cls[r.target]), r


def test_passive_and_list_patterns() -> None:
    text = "由东岳新能源研究院牵头，江宁储能科技有限公司、北辰大学等28家单位共同发起的长江储能产业技术创新联盟在南京成立。"
    ms = find_mentions(text, "zh")
    got = {(c.source.name, c.type, c.target.name) for c in find_relations(text, ms, "zh")}
    assert got >= {
        ("东岳新能源研究院", "leads", "长江储能产业技术创新联盟"),
        ("江宁储能科技有限公司", "memberOf", "长江储能产业技术创新联盟"),
        ("北辰大学", "memberOf", "长江储能产业技术创新联盟"),
        ("长江储能产业技术创新联盟", "locatedIn", "南京"),
    }


# -- evidence and review records ---------------------------------------------------------
def test_every_fact_carries_article_offsets_method_and_confidence(tmp_path: Path) -> None:
    art = read_article(FIX / "zh_pilot.html")
    ex = extract_article(art)
    recs = records(ex)
    assert recs and all(r["article"] == str(FIX / "zh_pilot.html") for r in recs)
    for r in recs:
        assert 0 < r["confidence"] <= 1 and r["method"]
        assert art.text[r["start"] : r["end"]] == r["evidence"]
    node = next(r for r in recs if r["kind"] == "node" and r["node"]["name"] == "海岚电子科技有限公司")
    assert art.text[node["node"]["mention_start"] : node["node"]["mention_end"]] == "海岚电子科技有限公司"
    out = tmp_path / "r.jsonl"
    assert write_review([ex], out) == len(recs)
    back = read_review(out)
    assert [r["id"] for r in back] == [r["id"] for r in recs]


def test_review_decisions_choose_what_is_built() -> None:
    onto = load_ontology()
    ex = extract_article(read_article(FIX / "en_alliance.md"))
    recs = [dict(r, line=i, file="r.jsonl") for i, r in enumerate(records(ex), 2)]
    # nothing accepted, no threshold: nothing to load
    nodes, rels, _ = build_records(recs, onto, min_confidence=None, known={})
    assert nodes == [] and rels == []
    # accept one relationship: its two pending end nodes come with it
    lead = next(r for r in recs if r["kind"] == "relationship" and r["relationship"]["type"] == "leads")
    lead["decision"] = "accept"
    nodes, rels, _ = build_records(recs, onto, min_confidence=None, known={})
    assert sorted(n.id for n in nodes) == ["northbridge-robotics-alliance", "northbridge-university"]
    assert rels[0].type == "leads" and rels[0].props["method"] == "extracted"
    assert "[en_alliance.md:" in rels[0].props["evidence"]
    # reject an end node: the relationship is skipped with a reason
    uni = next(r for r in recs if r["kind"] == "node" and r["node"]["id"] == "northbridge-university")
    uni["decision"] = "reject"
    nodes, rels, res = build_records(recs, onto, min_confidence=None, known={})
    assert rels == [] and "northbridge-university" in res.skipped[0][1]
    # a fix that breaks the ontology is skipped, a fix to an unknown class is an error
    uni["decision"] = "fix"
    lead["relationship"]["type"] = "listedOn"
    _, rels, res = build_records(recs, onto, min_confidence=None, known={})
    assert rels == [] and "does not fit the ontology" in res.skipped[0][1]
    uni["node"]["class"] = "Universty"
    with pytest.raises(LoaderError, match="Universty"):
        build_records(recs, onto, min_confidence=None, known={})


def test_read_review_reports_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "node", "node": {}}\nnot json\n', encoding="utf-8")
    with pytest.raises(LoaderError, match=r"bad.jsonl:2: not valid JSON"):
        read_review(bad)
    bad.write_text(json.dumps({"kind": "node", "decision": "maybe", "node": {}}) + "\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="decision must be one of"):
        read_review(bad)


def test_slugs_are_readable_ids() -> None:
    assert slug("北辰大学") == "bei-chen-da-xue"
    assert slug("Kestrel Automation Co., Ltd.") == "kestrel-automation-co-ltd"


# -- malformed input -------------------------------------------------------------------
def test_malformed_inputs_get_clear_messages_and_the_run_goes_on(tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café Société für Forschung ".encode("latin-1") * 20 + bytes([0xFF, 0xFE, 0x80, 0x81]) * 50)
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # 50 MB, written sparsely in 1 MB blocks
        block = ("联盟成立。" * 70_000).encode("utf-8")[:1_000_000]
        for _ in range(50):
            fh.write(block)
    chrome_only = tmp_path / "menu.html"
    chrome_only.write_text("<nav>首页 | 新闻</nav><footer>© 2024</footer>", encoding="utf-8")
    good = FIX / "en_alliance.md"
    done, failed = extract_files([str(binary), str(empty), str(latin), str(big), str(chrome_only), str(tmp_path / "missing.txt"), str(tmp_path), "/dev/zero", str(good)])
    assert [d.article.path for d in done] == [str(good)]
    reasons = {Path(f.path).name: f.reason for f in failed}
    assert "binary file" in reasons["photo.txt"]
    assert "empty file" in reasons["empty.txt"]
    assert "encoding" in reasons["latin1.txt"]
    assert "too large" in reasons["big.txt"] and "50.0 MB" in reasons["big.txt"]
    assert "no article text" in reasons["menu.html"]
    assert "No such file" in reasons["missing.txt"]
    assert "folder" in reasons[tmp_path.name]
    assert "not a regular file" in reasons["zero"]


def test_gb18030_articles_are_read() -> None:
    art = article_from_text("北辰大学加入联盟。", name="x.txt")
    assert art.lang == "zh"


def test_gb18030_file_is_decoded(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes("2023年，北辰大学加入长江储能产业技术创新联盟。".encode("gb18030"))
    ex = extract_article(read_article(p))
    assert ("北辰大学", "memberOf", "长江储能产业技术创新联盟") in _rels(ex)


def test_an_investment_group_company_is_an_enterprise_and_sino_foreign_names_stay_whole() -> None:
    got = {(m.text, m.cls) for m in find_mentions("星河城市建设投资集团有限公司与北辰大学中德智能制造研究所签约。", "zh")}
    assert ("星河城市建设投资集团有限公司", "Enterprise") in got
    assert ("北辰大学中德智能制造研究所", "ResearchInstitute") in got
    assert ("云岭创业投资有限公司", "VentureCapital") in {(m.text, m.cls) for m in find_mentions("云岭创业投资有限公司领投。", "zh")}


def test_english_company_heads_without_a_legal_form() -> None:
    got = {(m.text, m.cls) for m in find_mentions("Investors backed Northwind Pharma and Quillon Devices last year.", "en")}
    assert {("Northwind Pharma", "Enterprise"), ("Quillon Devices", "Enterprise")} <= got
