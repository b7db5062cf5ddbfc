"""Money amounts and dates in Chinese and English text, normalised.

>>> [(m.text, m.value) for m in find_money("计划总投资8亿美元，另有1800余万元经费")]
[('8亿美元', (800000000.0, 'USD')), ('1800余万元', (18000000.0, 'CNY'))]
>>> [(m.text, m.value) for m in find_money("worth 300 million yuan ($42.30 million)")]
[('300 million yuan', (300000000.0, 'CNY')), ('$42.30 million', (42300000.0, 'USD'))]
>>> [m.value for m in find_dates("2019年6月，签约；2020年12月23日投产; on 10 June 2015 and in March 2021")]
['2019-06', '2020-12-23', '2015-06-10', '2021-03']
>>> [m.value for m in find_dates("发布时间：2018/11/13 09:30，2021.3.5")]
['2018-11-13', '2021-03-05']
>>> [m.value for m in find_money("£850m, 850 million pounds, €5m and 1.2亿元")]
[(850000000.0, 'GBP'), (850000000.0, 'GBP'), (5000000.0, 'EUR'), (120000000.0, 'CNY')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Value:
    """A money amount (``value`` = (number, ISO currency)) or a date (``value`` = ISO text)."""

    start: int
    end: int
    text: str
    kind: str
    value: Any


_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_MULT = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3, "百": 1e2}
_ZH_CUR = {"元": "CNY", "人民币": "CNY", "元人民币": "CNY", "美元": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD", "日元": "JPY", "英镑": "GBP"}


def zh_number(text: str) -> float | None:
    """Arabic or Chinese numerals: ``'3.5'``, ``'1,200'``, ``'十二'``, ``'三千'``.

    >>> zh_number("三千"), zh_number("十二"), zh_number("1,200")
    (3000.0, 12.0, 1200.0)
    """
    t = text.replace(",", "").replace("，", "")
    try:
        return float(t)
    except ValueError:
        pass
    if not t or any(ch not in _ZH_DIGITS and ch not in _ZH_UNITS for ch in t):
        return None
    total, digit = 0, 0
    for ch in t:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        else:
            total += (digit or 1) * _ZH_UNITS[ch]
            digit = 0
    return float(total + digit)


_NUM = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_ZHNUM = r"[零〇一二两三四五六七八九十百千]+"
_ZH_MONEY = re.compile(
    rf"(?P<pre>人民币|美元)?(?P<num>{_NUM}|{_ZHNUM})?\s*(?P<yu>余|多)?\s*(?P<mult>万亿|亿|千万|百万|十万|万|千)?\s*(?P<yu2>余|多)?\s*(?P<cur>元人民币|美元|欧元|港元|港币|日元|英镑|元)"
)
_EN_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}
_EN_CUR = {"$": "USD", "us$": "USD", "usd": "USD", "rmb": "CNY", "cny": "CNY", "¥": "CNY", "€": "EUR", "eur": "EUR", "hk$": "HKD", "£": "GBP"}
_EN_MONEY_PRE = re.compile(
    rf"(?P<cur>US\$|HK\$|\$|RMB|CNY|USD|EUR|¥|€|£)\s?(?P<num>{_NUM})(?:\s?(?P<scale>thousand|million|billion|trillion|mln|bn|mn|m|b)\b)?",
    re.IGNORECASE,
)
_EN_MONEY_POST = re.compile(
    rf"(?P<num>{_NUM})(?:\s?(?P<scale>thousand|million|billion|trillion|mln|bn|mn)\b)?\s?(?P<cur>yuan|renminbi|RMB|CNY|US dollars|dollars|USD|euros?|EUR|pounds?(?:\s+sterling)?|sterling|GBP)\b",
    re.IGNORECASE,
)
_EN_CUR_WORD = {"pound": "GBP", "pounds": "GBP", "pounds sterling": "GBP", "pound sterling": "GBP", "sterling": "GBP", "gbp": "GBP", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY", "us dollars": "USD", "dollars": "USD", "usd": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR"}


def find_money(text: str) -> list[Value]:
    """Money amounts (Chinese and English forms), normalised to (number, ISO currency)."""
    out: list[Value] = []
    taken: list[tuple[int, int]] = []
    for m in _ZH_MONEY.finditer(text):
        num_s, mult = m.group("num"), m.group("mult")
        if not num_s and not mult:
            continue
        if not num_s and mult and m.start("mult") > 0 and re.match(r"[\d一二两三四五六七八九十百千]", text[m.start("mult") - 1]):
            continue
        num = zh_number(num_s) if num_s else 1.0
        if num is None:
            continue
        value = num * _ZH_MULT.get(mult or "", 1.0)
        cur = _ZH_CUR.get(m.group("cur"), "CNY")
        if m.group("pre") == "美元":
            cur = "USD"
        start = m.start("num") if num_s else m.start("mult")
        if m.group("pre"):
            start = m.start("pre")
        out.append(Value(start, m.end(), text[start : m.end()], "money", (value, cur)))
        taken.append((start, m.end()))
    for rx in (_EN_MONEY_PRE, _EN_MONEY_POST):
        for m in rx.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            num = float(m.group("num").replace(",", "").replace("，", ""))
            scale = (m.group("scale") or "").lower()
            cur_s = m.group("cur").lower()
            cur = _EN_CUR.get(cur_s) or _EN_CUR_WORD.get(cur_s, "USD")
            out.append(Value(m.start(), m.end(), m.group(0), "money", (num * _EN_SCALE.get(scale, 1.0), cur)))
            taken.append((m.start(), m.end()))
    return sorted(out, key=lambda v: v.start)


_MONTHS = {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_DATE_RXS = [
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?"),
    re.compile(r"(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d{2})([/.])(?P<m>\d{1,2})\2(?P<d>\d{1,2})(?![\d.])"),
    re.compile(rf"\b(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}),\s+(?P<y>(?:19|20)\d{{2}})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<mon>{_MON})\s+(?P<y>(?:19|20)\d{{2}})\b"),
    re.compile(rf"\b(?P<mon>{_MON})\s+(?:of\s+)?(?P<y>(?:19|20)\d{{2}})\b"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?![度代]|\d)"),
    re.compile(r"\b(?:in|since|by|from|during|until|of|early|late|mid-?)\s+(?P<y>(?:19|20)\d{2})\b(?!\s*(?:yuan|million|billion|dollars))", re.I),
]


def find_dates(text: str) -> list[Value]:
    """Dates and years, normalised to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    out: list[Value] = []
    taken: list[tuple[int, int]] = []
    for rx in _DATE_RXS:
        for m in rx.finditer(text):
            gd = m.groupdict()
            start = m.start("y") if rx is _DATE_RXS[-1] else m.start()
            if any(a < m.end() and start < b for a, b in taken):
                continue
            month = int(gd["m"]) if gd.get("m") else (_MONTHS.get(gd["mon"].rstrip(".").lower()[:3]) if gd.get("mon") else None)
            day = int(gd["d"]) if gd.get("d") else None
            if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
                continue
            iso = gd["y"] + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")
            out.append(Value(start, m.end(), text[start : m.end()], "date", iso))
            taken.append((start, m.end()))
    return sorted(out, key=lambda v: v.start)
