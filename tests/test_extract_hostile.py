"""Hostile and malformed input never makes extraction hang: work is linear in the text.

Every page here is generated (no real text). The time bounds are deliberately generous
(a busy 2-core machine, 10x slack over the measured speed): they catch quadratic parts,
which take minutes on these inputs, not a slow machine.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canal.extract import article_from_text, extract_article, read_article
from canal.extract.document import html_to_text
from canal.extract.pipeline import extract_files
from canal.extract.review import records

# Generous: measured ~10 s per MB of text on the slowest hostile class, 2-core machine.
SECONDS_PER_MB = 240.0
FLOOR = 60.0


def _bounded(raw: str, name: str) -> float:
    t0 = time.perf_counter()
    art = article_from_text(raw, name=name)
    if art.text.strip():
        extract_article(art)
    took = time.perf_counter() - t0
    limit = FLOOR + SECONDS_PER_MB * len(raw.encode("utf-8")) / 1e6
    assert took < limit, f"{name}: {took:.1f} s for {len(raw)} characters (limit {limit:.0f} s)"
    return took


PIECES = [
    "<", "</", "</div>", "<div>", "<a", "<a href='x'>", "</a>", "<!--", "-->", "<![", "<!", "<?", ">", "<script>", "</script>",
    "<nav class='menu'>", "</nav>", "<p>", "&amp;", "&#", "\n", " ", "。", "，", "有限公司", "研究院", "大学", "基金", "联盟", "技术",
    "局", "膜", "仪", "北辰", "澜沧", "研发", "投资", "由", "向", "加入", "Institute", "Co., Ltd.", "University", " and ", "Fund",
    "developed", "invested in", "led by", "\u200b", "\ufeff", "\x00", "𠀀", "ÿ", "1,", "2024年", "$", "£850m", "亿元",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=60), st.integers(min_value=1, max_value=2000), st.sampled_from(["x.html", "x.txt", "x.md"]))
def test_random_hostile_text_is_processed_in_bounded_time(pieces: list[str], repeat: int, name: str) -> None:
    _bounded("".join(pieces) * repeat, name)


@given(st.text(min_size=0, max_size=3000))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    art = article_from_text(text, name="x.html" if "<" in text else "x.txt")
    extract_article(art)


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("many-lt.html", "<html><body>" + "<" * 400_000 + "</body></html>"),
        ("many-lt-tags.html", "<html><body><p>正文。</p>" + "<a" * 200_000),
        ("many-end-tags.html", "<html><body><p>正文内容。</p>" + "</div>" * 70_000 + "</span>" * 70_000),
        ("deep-skipped.html", "<html><body><nav>" + "<div>" * 50_000 + "</span>" * 50_000 + "</nav><p>正文。</p>"),
        ("open-comments.html", "<html><body><p>正文。</p>" + "<!--" * 100_000),
        ("long-line-zh.txt", "我们在这里开发新技术研究北辰大学研究院有限公司" * 20_000),
        ("long-line-en.txt", "Acme Research Institute developed membrane technology with Northbridge University and Fund " * 5_000),
    ],
)
def test_known_hostile_pages_are_linear(name: str, raw: str) -> None:
    _bounded(raw, name)


def test_garbled_chinese_does_not_stall_the_segmenter() -> None:
    """Random rare characters make long runs of unknown words; jieba's HMM on them costs ~65k steps per character."""
    import random

    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x9FA5)] + list("，。的是在和有限公司研究院大学技术局厅仪膜") * 300
    _bounded("".join(rng.choice(chars) for _ in range(150_000)), "garbled.txt")


def test_a_large_article_is_read_when_the_limit_allows(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    para = "2023年，北辰大学与澜沧新材料研究院共建中试平台，松江湾市天使投资引导基金向海岚电子科技有限公司投资3000万元。\n"
    big.write_text(para * 30_000, encoding="utf-8")  # 4.5 MB
    t0 = time.perf_counter()
    done, failed = extract_files([str(big)], max_bytes=10_000_000)
    assert not failed and done[0].relations
    recs = records(done[0])  # one review record per fact: nothing here may rescan the whole text per record
    assert len(recs) == len(done[0].entities) + len(done[0].relations)
    assert time.perf_counter() - t0 < FLOOR + SECONDS_PER_MB * big.stat().st_size / 1e6
    refused, why = extract_files([str(big)], max_bytes=2_000_000)
    assert not refused and "too large" in why[0].reason


def test_wrong_encodings_and_binary_get_clear_messages(tmp_path: Path) -> None:
    cases = {
        "utf16-no-bom.txt": "北辰大学".encode("utf-16-le") * 50,
        "pdf.txt": b"%PDF-1.7\n" + bytes(range(256)) * 10,
        "blank.txt": b" \n\t \n",
        "latin.txt": "Société für Forschung ".encode("latin-1") * 20 + bytes([0x80, 0xFF, 0x81, 0xFE]) * 40,
    }
    for fname, data in cases.items():
        (tmp_path / fname).write_bytes(data)
        with pytest.raises(Exception) as info:
            read_article(tmp_path / fname)
        msg = str(info.value)
        assert fname in msg and any(w in msg for w in ("binary", "empty", "encoding", "garbled")), msg


def test_link_lists_and_footers_leave_the_article() -> None:
    text, title = html_to_text(
        "<html><head><title>站点</title></head><body><div class='wrap'><article><header><h1>某研究院与某大学共建中试平台</h1></header>"
        "<div class='txt'><p>正文第一段，北辰大学与澜沧研究院签约。</p><p>正文第二段，双方共建平台。</p></div></article>"
        "<div class='box'><h3>排行榜</h3><ul><li><a href='/1'>某地召开推进会</a></li><li><a href='/2'>某公司上市</a></li></ul></div>"
        "<div class='bottom'><p>主办单位：某某日报社 承办：某某网</p></div></div></body></html>"
    )
    assert "某研究院与某大学共建中试平台" in text
    assert "某地召开推进会" not in text and "某公司上市" not in text
    assert title == "站点"


def test_chinese_news_div_layout_keeps_only_the_story() -> None:
    """The common layout of Chinese news sites: plain <div>s with site-specific class names
    (no nav/aside/footer tags), a related-news list and a ranking after the story, a 主办
    footer. Structure copied from such pages; the text is our own filler."""
    related = "".join(f"<li><a href='/n/{i}.html'>某地第{i}届产业推进会召开，多家企业签约落户</a><span>2024-05-0{i % 9 + 1}</span></li>" for i in range(12))
    ranking = "".join(f"<li><em>{i}</em><a href='/r/{i}.html'>澜沧第{i}研究院与某大学共建平台</a></li>" for i in range(1, 11))
    page = (
        "<html><head><title>北辰大学与青禾研究院共建中试基地_某某网</title></head><body>"
        "<div class='top'><a href='/'>首页</a> | <a href='/news'>新闻</a> | <a href='/tech'>科技</a></div>"
        "<div class='wrap'><div class='main'><h1>北辰大学与青禾研究院共建中试基地</h1><div class='info'>2024-05-20 来源：某某网</div>"
        "<div class='TRS_Editor'><p>2024年5月，北辰大学与青禾研究院签署协议，共建青禾湾中试基地。</p>"
        "<p>基地由青禾湾新区管委会出资建设，首期投资2000万元。</p></div>"
        "<div class='xgxw'><h3>相关新闻</h3><ul>" + related + "</ul></div></div>"
        "<div class='right'><h3>点击排行</h3><ol>" + ranking + "</ol></div></div>"
        "<div class='bot'><p>主办单位：某某日报社　承办：某某网络传媒有限公司</p><p>某ICP备12345678号</p></div></body></html>"
    )
    art = article_from_text(page, name="news.html")
    assert "共建青禾湾中试基地" in art.text and "首期投资2000万元" in art.text
    for leaked in ("产业推进会", "澜沧第3研究院", "某某日报社", "某某网络传媒", "ICP"):
        assert leaked not in art.text, leaked
    names = {e.name for e in extract_article(art).entities}
    assert not any("澜沧第" in n or "网络传媒" in n or "日报社" in n for n in names), names


def test_english_news_layout_cuts_related_and_most_read() -> None:
    page = (
        "<html><body><div id='page'><div class='story-body'><h1>Kestrel University spin-out raises £4m</h1>"
        "<p>Harbour Photonics Ltd, a spin-out of Kestrel University, has raised £4m. Investors include Bluefin Capital and Larch Ventures.</p>"
        "<p>The company was set up in 2021 to make optical sensors.</p></div>"
        "<div class='more'><h2>Related articles</h2><ul>"
        + "".join(f"<li><a href='/a{i}'>Oakmoor Robotics Ltd raises £{i}m from Fenwick Capital</a></li>" for i in range(8))
        + "</ul><h2>Most read</h2><ol>"
        + "".join(f"<li><a href='/m{i}'>Story number {i} about Granite Bio Inc</a></li>" for i in range(8))
        + "</ol></div><div class='site-info'><p>Copyright 2024 Example Media Limited. All rights reserved.</p></div></div></body></html>"
    )
    art = article_from_text(page, name="story.html")
    assert "Investors include Bluefin Capital" in art.text
    assert "Oakmoor" not in art.text and "Granite Bio" not in art.text and "Example Media" not in art.text
