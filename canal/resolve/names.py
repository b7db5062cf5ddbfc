"""Name normalisation, similarity and blocking keys for entity resolution.

>>> normalise_name("中國科學院大連化學物理研究所")
'中国科学院大连化学物理研究所'
>>> normalise_name("ＡＢＣ　Technology Co., Ltd.")
'abc technology'
>>> normalise_name("浙江**摩托**限公司") == normalise_name("浙江**摩托**")
True
>>> normalise_name("Dalian Institute of Chemical Physics, CAS")
'dalian institute of chemical physics chinese academy of sciences'
>>> normalise_name("中科院大连化物所") == normalise_name("中国科学院大连化物所")
True
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from difflib import SequenceMatcher
from functools import cache

_CJK = re.compile(r"[\u3400-\u9fff]")

# legal forms, longest first (removed at the end of a name, repeatedly)
_ZH_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份公司",
    "股份公司",
    "有限公司",
    "限公司",
    "集团公司",
    "公司",
)
_EN_SUFFIXES = (
    "co ltd",
    "company limited",
    "co limited",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "co",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "s a",
    "bv",
    "nv",
    "srl",
    "spa",
    "kk",
    "se",
)
_EN_EXPAND = {
    "cas": "chinese academy of sciences",
    "univ": "university",
    "inst": "institute",
    "natl": "national",
    "tech": "technology",
    "&": "and",
}
_ZH_EXPAND = (("中科院", "中国科学院"), ("中國科學院", "中国科学院"))
_STOP = frozenset({"the", "of", "and", "for", "in", "at", "de", "la", "le", "der", "und"})


@cache
def _t2s() -> object:
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC tables)."""
    if not _CJK.search(text):
        return text
    conv = _t2s()
    return str(conv.convert(text))  # type: ignore[attr-defined]


def fold_name(text: str) -> str:
    """The light comparison key for a name typed by a person: width (NFKC), case, ``-`` / ``_``
    and runs of spaces folded; nothing dropped or expanded (that is :func:`normalise_name`).

    >>> fold_name("ＣＡＳ  am-Alliance"), fold_name("重庆") == fold_name(" 重庆 ")
    ('cas am alliance', True)
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(text.replace("-", " ").replace("_", " ").split())


def normalise_name(name: str) -> str:
    """A comparison key for an organisation name.

    Full-width -> half-width (NFKC), traditional -> simplified Chinese, case and space
    folding, punctuation dropped, common abbreviations expanded (CAS, 中科院) and
    legal-form suffixes (有限公司, 股份有限公司, Co., Ltd., GmbH ...) removed.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = to_simplified(text).casefold()
    for short, full in _ZH_EXPAND:
        text = text.replace(short, full)
    text = re.sub(r"[()（）\[\]【】「」《》\"'`]", " ", text)
    text = re.sub(r"[,.;:!?/\\|\-_·•、，。；：]+", " ", text)
    text = text.replace("&", " and ")
    words = [_EN_EXPAND.get(w, w) for w in text.split()]
    text = " ".join(w for w in words if w)
    # legal-form suffixes (latin)
    changed = True
    while changed:
        changed = False
        for suf in _EN_SUFFIXES:
            if text.endswith(" " + suf) and len(text) > len(suf) + 1:
                text = text[: -len(suf) - 1].rstrip()
                changed = True
    if _CJK.search(text):
        # Chinese names: spaces between CJK characters carry no meaning
        text = re.sub(r"(?<=[\u3400-\u9fff*])\s+|\s+(?=[\u3400-\u9fff*])", "", text)
        changed = True
        while changed:
            changed = False
            for suf in _ZH_SUFFIXES:
                if text.endswith(suf) and len(text) > len(suf):
                    text = text[: -len(suf)]
                    changed = True
    if text.startswith("the "):
        text = text[4:]
    return text.strip()


def tokens(key: str) -> list[str]:
    """Words (latin) or character bigrams (Chinese) of a normalised name."""
    if _CJK.search(key):
        chars = [c for c in key if not c.isspace()]
        return [a + b for a, b in itertools.pairwise(chars)] or chars
    return [w for w in key.split() if w not in _STOP]


def similarity(a: str, b: str) -> float:
    """Similarity in 0..1 of two normalised names: token overlap (Dice) and edit ratio.

    >>> similarity("tsinghua university", "tsinghua university")
    1.0
    >>> round(similarity("大连化学物理研究所", "大连化学物理所"), 2)
    0.79
    """
    if a == b:
        return 1.0
    ta, tb = set(tokens(a)), set(tokens(b))
    dice = 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    return round((dice + ratio) / 2, 4)


_COMMON_WORDS = frozenset(
    {
        "university",
        "institute",
        "research",
        "science",
        "sciences",
        "technology",
        "chinese",
        "china",
        "academy",
        "national",
        "center",
        "centre",
        "college",
        "school",
        "laboratory",
        "key",
        "state",
        "engineering",
    }
)
_COMMON_BIGRAMS = frozenset({"中国", "国科", "科学", "学院", "研究", "究所", "大学", "技术", "有限", "公司", "科技", "工程", "实验", "验室"})


def blocking_keys(key: str) -> set[str]:
    """Keys that put possibly-equal names in the same block (rare words / bigrams)."""
    out = set()
    for t in tokens(key):
        if t in _COMMON_WORDS or t in _COMMON_BIGRAMS or len(t) < 2:
            continue
        out.add(t)
    if not out:
        out = set(tokens(key)[:2])
    return out
