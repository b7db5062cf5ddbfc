"""Read an article (plain text, Markdown or HTML) into clean text.

Page chrome is removed: navigation bars, share buttons, copyright and licence lines,
"previous / next article" links, photo file names and captions, editor credits, ads.
Character offsets reported by the extractor refer to :attr:`Article.text`, the cleaned
text this module returns (it is deterministic, so ``read_article`` reproduces it).

>>> a = article_from_text("首页 新闻 科技 财经\\n某研究院成立。\\nCopyright © 2024 Example News 版权所有", name="x.txt")
>>> a.text
'某研究院成立。'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from canal.errors import LoaderError
from canal.load.readers import decode

MAX_BYTES = 2_000_000
"""Default size limit of one article (bytes): news articles are far smaller."""

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

_BOILER = re.compile(
    r"(copyright|©|all rights reserved|版权所有|版权声明|icp备|icp证|公网安备|举报电话|举报中心|违法和不良信息|"
    r"互联网新闻信息服务许可|^\s*(责任)?编辑\s*[:：]|^\s*编审\s*[:：]|^\s*审核\s*[:：]|^\s*校对\s*[:：]|^\s*来源\s*[:：]|上一篇|下一篇|"
    r"相关新闻|相关阅读|热点推荐|推荐阅读|扫一扫|扫码|分享到|订阅每日新闻|订阅|点击进入|返回首页|返回顶部|^\s*评论\s*$|^\s*分享\s*$|"
    r"^\s*搜索\s*$|^\s*advertisement\s*$|^\s*广告\s*$|^\s*share( this)?\s*$|^\s*related( articles| news)?\s*$|"
    r"^\s*(read more|subscribe|sign up|log ?in|follow us)\b|\bcookies?\b.*\b(accept|policy)\b|"
    r"^\s*地址\s*[:：]|^\s*(主办|承办|协办|主管)(单位)?\s*[:：]|邮箱\s*[:：]|本文刊发于|封面\s*$|^\s*(photo|image|图)\s*[:：]|"
    r"仅代表作者观点|本文来自|信息发布及传播服务|\.(jpe?g|png|gif|webp)\s*$|^\s*\[?photo( by|:)|"
    r"记者\s*\S{2,4}\s*摄\s*$|\(资料图片?\)\s*$|（资料图片?）\s*$|^\s*[•·]\s*\d{1,2}月\d{1,2}日\s*星期.\s*$)",
    re.IGNORECASE,
)
_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe", "svg", "button", "select", "figure", "figcaption", "template"}
_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article", "blockquote", "pre", "dd", "dt", "title"}
_CHROME_ATTR = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|header|breadcrumbs?|sidebar|ads?|advert\w*|banner|share|social|comments?|copyright|related|recommend|toolbar|login|subscribe|cookie)([\s_-]|$)", re.I)
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


@dataclass(frozen=True)
class Article:
    """One article: where it came from, its clean text, its format and main language."""

    path: str
    text: str
    format: str
    lang: str
    title: str = ""


_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_ATTR = re.compile(r"""(?:^|\s)(class|id|role)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_RAW_TEXT = ("script", "style", "textarea", "xmp", "noscript", "template", "svg")


def _tokens(html: str) -> Iterator[tuple[str, str, str]]:
    """Tags and text of an HTML page in one linear scan: ``(kind, tag, attrs_or_text)``.

    ``kind`` is ``text``, ``start`` or ``end``. Never looks at a character more than a
    bounded number of times (no backtracking, no rescans): unclosed comments, tags and
    raw-text elements run to the end of the page, as in a browser.
    """
    n = len(html)
    low: str | None = None
    no_gt = False
    i = 0
    while i < n:
        j = html.find("<", i)
        if j < 0:
            yield ("text", "", html[i:])
            return
        if j > i:
            yield ("text", "", html[i:j])
        if html.startswith("<!--", j):
            k = html.find("-->", j + 4)
            if k < 0:
                return
            i = k + 3
            continue
        m = _TAG_START.match(html, j)
        if m is None and not html.startswith(("<!", "<?"), j):
            yield ("text", "", "<")
            i = j + 1
            continue
        k = -1 if no_gt else html.find(">", j + 1)
        if k < 0:
            no_gt = True  # no ">" after here: the rest is text
            yield ("text", "", html[j:])
            return
        if m is None:  # <!doctype ...>, <?xml ...?>, <![CDATA[ ...
            i = k + 1
            continue
        tag = m.group(2).lower()
        if m.group(1):
            yield ("end", tag, "")
            i = k + 1
            continue
        yield ("start", tag, html[m.end() : k])
        i = k + 1
        if tag in _RAW_TEXT and html[k - 1 : k] != "/":
            if low is None:
                low = html.lower()
            close = low.find("</" + tag, i)
            if tag in ("textarea", "xmp"):
                yield ("text", "", html[i : close if close >= 0 else n])
            if close < 0:
                return
            i = close
    return


def _chrome_attr(attrs: str) -> bool:
    vals = " ".join(next((g for g in m.groups()[1:] if g is not None), "") for m in _ATTR.finditer(attrs))
    return bool(vals) and bool(_CHROME_ATTR.search(vals))


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML page (chrome elements dropped) and its title.

    Lines that are mostly link text (lists of other stories, rankings, menus) are dropped;
    a headline inside ``<article><header>`` is kept. Linear in the size of the page.

    >>> text, title = html_to_text("<html><title>T</title><nav>Home | News</nav><p>Body <b>text</b>.</p><footer>© 2024</footer></html>")
    >>> clean_lines(text), title
    ('Body text.', 'T')
    >>> html_to_text("<article><header><h1>Head</h1></header><p>Body.</p></article><ul><li><a href=a>Other story</a></li></ul>")[0].split()
    ['Head', 'Body.']
    """
    walker = _HtmlWalker()
    for kind, tag, val in _tokens(html):
        if kind == "text":
            walker.text(val)
        elif kind == "start":
            walker.start(tag, val)
        else:
            walker.end(tag)
    walker.newline()
    kept: list[str] = []
    for text, linked in walker.lines:
        visible = len(text.strip())
        if visible and linked >= 0.6 * visible and not _has_sentence(text):
            continue  # a link list: menus, other stories, rankings
        kept.append(text)
    head = re.sub(r"\s+", " ", "".join(walker.title)).strip() or re.sub(r"\s+", " ", "".join(walker.h1)).strip()
    return "\n".join(kept), head


class _HtmlWalker:
    """State of :func:`html_to_text` while it walks the tokens: lines with their linked characters, title, h1, skipped elements."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int]] = []  # (text, linked characters)
        self.cur: list[str] = []
        self.cur_linked = 0
        self.title: list[str] = []
        self.h1: list[str] = []
        self.skip: list[str] = []  # open tags of a skipped element (its own tag first)
        self.skip_count: dict[str, int] = {}
        self.in_title = self.in_h1 = False
        self.article = 0
        self.links = 0

    def newline(self) -> None:
        if self.cur:
            self.lines.append(("".join(self.cur), self.cur_linked))
            self.cur.clear()
            self.cur_linked = 0

    def text(self, val: str) -> None:
        if self.skip:
            return
        txt = unescape(val)
        if self.in_title:
            self.title.append(txt)
            return
        if self.in_h1:
            self.h1.append(txt)
        self.cur.append(txt)
        if self.links:
            self.cur_linked += len(txt.strip())

    def start(self, tag: str, val: str) -> None:
        if tag in _VOID:
            if tag == "br" and not self.skip:
                self.newline()
            return
        if self.skip:
            self.skip.append(tag)
            self.skip_count[tag] = self.skip_count.get(tag, 0) + 1
            return
        if tag == "header" and self.article:
            pass  # the article's own header holds its headline
        elif tag in _SKIP_TAGS or (val and _chrome_attr(val)):
            self.skip.append(tag)
            self.skip_count[tag] = 1
            return
        if tag == "article":
            self.article += 1
        elif tag == "a":
            self.links += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "h1":
            self.in_h1 = True
        if tag in _BLOCK_TAGS:
            self.newline()

    def end(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.skip:
            if self.skip_count.get(tag):
                # close the innermost matching open tag (tolerates sloppy HTML)
                while self.skip:
                    t = self.skip.pop()
                    self.skip_count[t] -= 1
                    if t == tag:
                        break
            return
        if tag == "article":
            self.article = max(0, self.article - 1)
        elif tag == "a":
            self.links = max(0, self.links - 1)
        elif tag == "title":
            self.in_title = False
        elif tag == "h1":
            self.in_h1 = False
        if tag in _BLOCK_TAGS:
            self.newline()


_SENTENCE_INSIDE = re.compile(r"[。！？；]\S|[.!?;]\s+[A-Z]")


def _has_sentence(line: str) -> bool:
    """A line that reads as running text (a sentence end inside it), not a linked headline."""
    return bool(_SENTENCE_INSIDE.search(line.strip()))


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|`+|~~)")
_MD_HEAD = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")


def markdown_to_text(md: str) -> str:
    """Markdown without markup: headings, emphasis, links (their text is kept), code fences.

    >>> markdown_to_text("# Title\\n\\nSee [the lab](http://x) **now**.")
    'Title\\n\\nSee the lab now.'
    """
    out: list[str] = []
    for line in md.splitlines():
        if line.strip().startswith("```") or re.match(r"^\s*([-*_]\s*){3,}$", line):
            continue
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_HEAD.sub("", line)
        line = _MD_MARK.sub("", line)
        out.append(line)
    return "\n".join(out)


def _is_nav_line(line: str) -> bool:
    """A row of short menu words ("首页 新闻 财经 体育") or a lone number/symbol."""
    s = line.strip()
    if not s:
        return False
    if re.fullmatch(r"[\d\s|/·•>»-]+", s):
        return True
    if len(re.findall(r"[|｜]", s)) >= 2 and all(len(seg.split()) <= 3 for seg in re.split(r"[|｜]", s)) and not re.search(r"[。，.!?！？]", s):
        return True
    words = re.split(r"\s*[|｜/·]\s*|\s+", s)
    return len(words) >= 3 and all(1 <= len(w) <= 5 for w in words) and not re.search(r"[。，,.!?！？：:；;]", s)


_TAIL = re.compile(
    r"^\s*[【\[]?\s*(上一篇|下一篇|相关新闻|相关阅读|相关文章|相关报道|相关链接|延伸阅读|推荐阅读|热点推荐|热门推荐|精彩推荐|为你推荐|猜你喜欢|更多新闻|"
    r"热门文章|热文|排行榜?|点击排行|阅读排行|热点排行|新闻排行|24小时|今日热点|"
    r"related (articles|news|stories|content|coverage)|more (news|stories|from)|most (read|popular|viewed)|recommended( for you| reading)?|"
    r"you (may|might) also like|trending|previous article|next article|read next)",
    re.I,
)
_FOOTER = re.compile(
    r"^\s*(主办|承办|协办|主管|指导|技术支持|运营|制作)(单位)?\s*[:：]|^\s*(版权所有|版权声明|copyright|©)|^\s*(关于我们|联系我们|about us|contact us)\s*([|｜]|$)",
    re.I,
)


# pinyin printed after characters by pages that flatten <ruby> annotations: 產(chǎn)業(yè)
_RUBY = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zü]*[)）]")


def clean_lines(text: str) -> str:
    """Drop boilerplate lines; keep paragraphs (one per line, no blank lines).

    A "related news" / ranking / "previous article" heading ends the article once a fair
    share of the page's characters precedes it (counted in characters, not lines: the
    lists after it are many short lines); so does a 主办/承办/copyright footer.

    >>> clean_lines("某研究院与某大学签约，共建中试平台。" * 3 + "\\n相关新闻\\n某地召开会议\\n某公司上市")
    '某研究院与某大学签约，共建中试平台。某研究院与某大学签约，共建中试平台。某研究院与某大学签约，共建中试平台。'
    """
    text = _RUBY.sub("", text)
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", raw).strip() for raw in text.splitlines()]
    lines = [x for x in lines if x]
    total = sum(len(x) for x in lines)
    # short[i]: how many of lines[i:] read as list items (headlines, links), for a linear scan
    short = [0] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        short[i] = short[i + 1] + (len(lines[i]) <= 40 or not _has_sentence(lines[i]))
    seen = 0
    for i, line in enumerate(lines):
        if seen and len(line) <= 40 and (_TAIL.search(line) or _FOOTER.search(line)):
            rest = len(lines) - i - 1
            if seen >= 0.5 * total or (seen >= 100 and short[i + 1] >= 0.7 * rest):
                lines = lines[:i]
                break
        seen += len(line)
    keep = [x for x in lines if not _BOILER.search(x) and not _is_nav_line(x)]
    return "\n".join(keep)


def detect_lang(text: str) -> str:
    """``zh`` when Chinese characters make up a fair share of the letters, else ``en``.

    >>> detect_lang("两江新区"), detect_lang("Liangjiang New Area")
    ('zh', 'en')
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def format_of(name: str, head: str) -> str:
    """``html``, ``markdown`` or ``text`` from the file name, then from the content."""
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if re.search(r"<(!doctype html|html|body|p|div)[\s>]", head[:2000], re.I):
        return "html"
    return "text"


def article_from_text(raw: str, *, name: str = "<text>", fmt: str | None = None, lang: str = "auto") -> Article:
    """Clean already-decoded text into an :class:`Article`."""
    fmt = fmt or format_of(name, raw)
    title = ""
    if fmt == "html":
        raw, title = html_to_text(raw)
    elif fmt == "markdown":
        raw = markdown_to_text(raw)
    text = clean_lines(raw.replace("\r\n", "\n").replace("\r", "\n"))
    if lang not in ("auto", "zh", "en"):
        raise LoaderError(f"unknown language {lang!r} (use auto, zh or en)", file=name)
    return Article(path=name, text=text, format=fmt, lang=detect_lang(text) if lang == "auto" else lang, title=title)


def read_article(path: str | Path, *, lang: str = "auto", max_bytes: int = MAX_BYTES) -> Article:
    """Read and clean one article file; bad input raises :class:`LoaderError` with the reason.

    Refused: missing or unreadable files, directories, files over ``max_bytes``, binary
    files, text that is neither UTF-8 (with or without BOM), UTF-16 with BOM nor GB18030,
    and files with no article text left after cleaning.
    """
    p = Path(path)
    name = str(p)
    try:
        if p.is_dir():
            raise LoaderError("is a folder, not an article file", file=name)
        if p.exists() and not p.is_file():
            raise LoaderError("is not a regular file (device, pipe or socket)", file=name)
        size = p.stat().st_size
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if size > max_bytes:
        raise LoaderError(
            f"too large for one article ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB); split it or raise --max-mb",
            file=name,
        )
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if not data.strip():
        raise LoaderError("empty file", file=name)
    if _looks_binary(data):
        raise LoaderError("this is a binary file, not text", file=name)
    tried = "tried UTF-8, UTF-16 with BOM and GB18030"
    try:
        raw = decode(data, p)
    except LoaderError as exc:
        raise LoaderError(f"wrong or unknown text encoding ({exc.message}; {tried}); save it as UTF-8", file=name) from None
    if _garbled(raw) or _other_cjk_encoding(data):
        raise LoaderError(f"text looks garbled in every encoding canal reads ({tried}; it reads like {_other_cjk_encoding(data) or 'none of them'}); save it as UTF-8", file=name)
    art = article_from_text(raw, name=name, lang=lang)
    if not art.text.strip():
        raise LoaderError("no article text left after removing page chrome", file=name)
    return art


_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf")


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_MAGIC):
        return True
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return ctrl > len(head) * 0.05


def _other_cjk_encoding(data: bytes) -> str:
    """``Shift-JIS`` or ``EUC-JP`` when the bytes are not UTF-8 but read as Japanese text in
    that encoding (GB18030 decodes them too, into nonsense); else ``""``."""
    try:
        data.decode("utf-8")
        return ""
    except UnicodeDecodeError:
        pass
    for label, enc in (("Shift-JIS", "shift_jis"), ("EUC-JP", "euc_jp")):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
        if kana >= max(3, len(text) * 0.05):
            return label
    return ""


def _garbled(text: str) -> bool:
    """GB18030 decodes almost any byte string: reject results full of rare or private-use characters."""
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or "\u3400" <= ch <= "\u4dbf")
    return bad > max(3, len(sample) * 0.02)
