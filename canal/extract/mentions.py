"""Find mentions of organisations, technologies, products, places, money and dates.

Chinese: suffix patterns (研究院, 大学, 有限公司, 基金, 联盟, 管委会, 中试平台 ...) whose left
edge is found by walking back over jieba tokens until a function word, a verb from a
stop list or punctuation; abbreviations declared in the text (``(下称“碳材院”)``) become
aliases. English: runs of capitalised words with a head keyword (Institute, University,
Co., Ltd., Fund, Alliance, Committee, Park, Pilot Platform ...). Both: every surface form
of a node already in the graph (the :class:`~canal.extract.lexicon.Lexicon`) and a list of
places. Overlaps are resolved longest first.

>>> ms = find_mentions("2021年，重庆摩方精密科技有限公司与清华大学共建中试平台。", "zh")
>>> [(m.text, m.cls) for m in ms]
[('2021年', 'Date'), ('重庆摩方精密科技有限公司', 'Enterprise'), ('清华大学', 'University')]
>>> [(m.text, m.cls) for m in find_mentions("Chongqing Institute of Nanometal (CINM) joined the Pilot Alliance.", "en")]
[('Chongqing Institute of Nanometal', 'ResearchInstitute'), ('CINM', 'ResearchInstitute'), ('Pilot Alliance', 'Alliance')]
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from canal.extract.lexicon import COUNTRIES, GOVERNMENT_BODIES, PLACES, Lexicon
from canal.extract.values import find_dates, find_money


@dataclass(frozen=True)
class Mention:
    """A span of the article text that names something (offsets into the article text)."""

    start: int
    end: int
    text: str
    cls: str
    method: str
    confidence: float
    value: Any = None
    node_id: str | None = None
    canonical: str = ""

    @property
    def name(self) -> str:
        """The name to use for the entity (an abbreviation resolves to the full name)."""
        return self.canonical or self.text


VALUE_CLASSES = ("Money", "Date")

# -- Chinese -------------------------------------------------------------------------
# (suffix, class, confidence); longest suffixes are tried first.
ZH_SUFFIXES: list[tuple[str, str, float]] = [
    ("股份有限公司", "Enterprise", 0.95), ("有限责任公司", "Enterprise", 0.95), ("有限公司", "Enterprise", 0.95),
    ("集团", "Enterprise", 0.85), ("公司", "Enterprise", 0.7), ("药业", "Enterprise", 0.8), ("科技", "Enterprise", 0.6),
    ("制药", "Enterprise", 0.6), ("生物", "Enterprise", 0.55), ("医药", "Enterprise", 0.55), ("光电", "Enterprise", 0.6), ("量子", "Enterprise", 0.55),
    ("电子", "Enterprise", 0.55), ("半导体", "Enterprise", 0.6), ("智能", "Enterprise", 0.5), ("股份", "Enterprise", 0.7), ("控股", "Enterprise", 0.7),
    ("投资", "VentureCapital", 0.55),
    ("研究院", "ResearchInstitute", 0.9), ("研究所", "ResearchInstitute", 0.9), ("科学院", "ResearchInstitute", 0.9),
    ("研究中心", "ResearchInstitute", 0.8), ("设计院", "ResearchInstitute", 0.8), ("化物所", "ResearchInstitute", 0.9),
    ("大学", "University", 0.95), ("学院", "University", 0.8),
    ("重点实验室", "Laboratory", 0.95), ("联合实验室", "Laboratory", 0.9), ("工程实验室", "Laboratory", 0.9), ("实验室", "Laboratory", 0.9),
    ("联合研究院", "ResearchInstitute", 0.9), ("联合研究中心", "ResearchInstitute", 0.85),
    ("引导基金", "GovernmentGuidanceFund", 0.9), ("母基金", "Fund", 0.85), ("基金", "Fund", 0.85),
    ("创业投资", "VentureCapital", 0.7), ("创投", "VentureCapital", 0.8), ("资本", "VentureCapital", 0.6),
    ("联盟", "Alliance", 0.9), ("共同体", "Alliance", 0.7), ("创新联合体", "Alliance", 0.85), ("协会", "Alliance", 0.6),
    ("管理委员会", "GovernmentBody", 0.95), ("管委会", "GovernmentBody", 0.95), ("人民政府", "GovernmentBody", 0.95),
    ("科学技术局", "GovernmentBody", 0.9), ("科学技术厅", "GovernmentBody", 0.9), ("财政厅", "GovernmentBody", 0.9),
    ("农业农村局", "GovernmentBody", 0.9), ("商务局", "GovernmentBody", 0.85), ("教育厅", "GovernmentBody", 0.85), ("局", "GovernmentBody", 0.55), ("厅", "GovernmentBody", 0.55), ("科技局", "GovernmentBody", 0.9), ("经信局", "GovernmentBody", 0.9),
    ("发改委", "GovernmentBody", 0.9), ("财政局", "GovernmentBody", 0.9), ("科技厅", "GovernmentBody", 0.9),
    ("工信厅", "GovernmentBody", 0.9), ("促进局", "GovernmentBody", 0.85), ("发科局", "GovernmentBody", 0.85),
    ("委员会", "GovernmentBody", 0.7), ("政府", "GovernmentBody", 0.75),
    ("高新技术产业开发区", "IndustrialPark", 0.9), ("经济技术开发区", "IndustrialPark", 0.9), ("开发区", "IndustrialPark", 0.85),
    ("高新区", "IndustrialPark", 0.85), ("新区", "IndustrialPark", 0.8), ("产业园", "IndustrialPark", 0.85),
    ("科技园", "IndustrialPark", 0.85), ("工业园", "IndustrialPark", 0.85), ("园区", "IndustrialPark", 0.7),
    ("科学城", "IndustrialPark", 0.8), ("软件园", "IndustrialPark", 0.8), ("创业园", "IndustrialPark", 0.75), ("生态园", "IndustrialPark", 0.7), ("科技城", "IndustrialPark", 0.8), ("创新区", "IndustrialPark", 0.7), ("示范区", "IndustrialPark", 0.7),
    ("中试平台", "PilotPlatform", 0.9), ("中试基地", "PilotPlatform", 0.9), ("中试中心", "PilotPlatform", 0.9),
    ("中试线", "PilotPlatform", 0.85), ("概念验证中心", "PilotPlatform", 0.8), ("中试熟化基地", "PilotPlatform", 0.9),
    ("技术转移中心", "TechnologyTransferCentre", 0.9), ("成果转化中心", "TechnologyTransferCentre", 0.85),
    ("转移转化中心", "TechnologyTransferCentre", 0.85), ("转化中心", "TechnologyTransferCentre", 0.75),
    ("创业者中心", "Incubator", 0.8), ("创业中心", "Incubator", 0.75), ("孵化中心", "Incubator", 0.8),
    ("研发中心", "Laboratory", 0.7), ("工程研究中心", "Laboratory", 0.8), ("技术创新中心", "ResearchInstitute", 0.8),
    ("孵化器", "Incubator", 0.85), ("众创空间", "Incubator", 0.85), ("加速器", "Incubator", 0.7),
    ("共享平台", "SharingPlatform", 0.8), ("服务平台", "SharingPlatform", 0.7), ("共享服务平台", "SharingPlatform", 0.8),
    ("证券交易所", "StockExchange", 0.95), ("联交所", "StockExchange", 0.9), ("港交所", "StockExchange", 0.9),
    ("技术", "Technology", 0.7), ("工艺", "Technology", 0.7),
    ("芯片", "Product", 0.7), ("电池", "Product", 0.7), ("传感器", "Product", 0.7), ("机器人", "Product", 0.7),
    ("催化剂", "Product", 0.7), ("显示器", "Product", 0.7), ("疫苗", "Product", 0.7), ("涂层", "Product", 0.6),
    ("试剂盒", "Product", 0.7), ("装备", "Product", 0.6), ("系统", "Product", 0.5), ("膜", "Product", 0.5), ("镜片", "Product", 0.6),
    ("模组", "Product", 0.6), ("仪", "Product", 0.6), ("磁体", "Product", 0.6), ("电极", "Product", 0.6), ("材料", "Product", 0.5), ("设备", "Product", 0.5),
]
_ZH_SUFFIX_RX = re.compile("|".join(re.escape(s) for s, _, _ in sorted(ZH_SUFFIXES, key=lambda x: -len(x[0]))))
_ZH_SUFFIX = {s: (c, conf) for s, c, conf in ZH_SUFFIXES}
_WEAK_SUFFIXES = frozenset(["科技", "创投", "创业投资", "投资", "资本", "孵化器", "众创空间", "集团"])
_FOREIGN = tuple(c for c in COUNTRIES if c != "中国")
_BRAND_SUFFIXES = frozenset(["制药", "生物", "医药", "光电", "量子", "电子", "半导体", "智能", "股份", "控股", "投资"])
_SHORT_OK = {"Enterprise", "University", "ResearchInstitute", "GovernmentBody", "IndustrialPark", "Alliance", "Fund"}

# Words that end a name when walking left from the suffix.
ZH_STOP = set(
    ["签订", "签", "委托", "受托", "与", "和", "及", "以及", "同", "跟", "由", "向", "对", "在", "于", "将", "把", "被", "让", "给", "从", "为", "是", "有", "了", "的", "地", "得", "着", "等", "该", "其", "这", "那", "此", "各", "每", "并", "也", "已", "都", "还", "又", "就", "而", "或", "已经", "正在", "将要", "首次", "率先", "共", "均", "仍", "再", "更", "最", "很", "非常", "不断", "逐步", "进一步", "曾", "才", "则", "即", "便", "便是", "就是", "还是", "来自", "帮助", "方式", "纳入", "走上", "聚焦", "发挥", "充分发挥", "引入", "开展", "促进", "落实", "深度", "布局", "常规", "知名", "完善", "新兴", "卡脖子", "企业", "产品", "这家", "该院", "该公司", "一家", "一个", "多家", "两家", "首个", "首家", "全球", "国内", "国际", "当地", "我们", "他们", "记者", "近日", "日前", "目前", "今年", "去年", "此前", "随后", "同时", "此外", "其中", "来到", "签约", "签署", "落户", "入驻", "投资", "注资", "领投", "参投", "成立", "组建", "设立", "建设", "建成", "共建", "牵头", "加入", "联合", "携手", "共同", "发起", "获得", "获", "依托", "支持", "资助", "引进", "采用", "应用", "使用", "研发", "开发", "研制", "推出", "发布", "转让", "许可", "授权", "转化", "孵化", "拿到", "完成", "宣布", "表示", "介绍", "说", "称", "位于", "坐落", "设在", "包括", "旗下", "下属", "所属", "主导", "主要", "重点", "关键", "核心", "相关", "先后", "分别", "正式", "成功", "顺利", "拟", "计划", "总投资", "出资", "向其", "作为", "通过", "围绕", "面向", "推动", "推进", "吸引", "带动", "服务", "提供", "打造", "培育", "引育", "承担", "承接", "负责", "运营", "管理", "主持", "参与", "实现", "年", "月", "日", "个", "家", "项", "亿元", "万元", "元", "原创", "自主", "高端", "新型", "一批", "这一", "这项", "该项", "一项", "多项", "首创", "独有", "高新", "高精尖", "前沿", "颠覆性", "共性", "底层", "获批", "年度", "师从", "时任", "单位", "股东", "重新", "上市"]
)
_ZH_STOP_POS = {"x", "p", "c", "u", "uj", "ul", "uz", "uv", "ud", "ug", "r", "m", "t", "f", "q", "y", "e", "o", "w", "mq"}
# Another organisation's suffix ends a name on the left ("...引导基金向海岚电子科技有限公司").
_NAME_BREAK = {"基金", "引导基金", "联盟", "有限公司", "股份有限公司", "公司", "集团", "管委会", "管理委员会", "人民政府", "中试基地", "中试平台", "园区", "产业园"}
_FUNC_CHARS = "从在向由与和对将把被给为是及了"
# the partner country of a Sino-foreign name (中德工程研究所, 中以创新园, 中新生态城)
_SINO_PARTNER = "德美英法日韩俄欧以新澳加意荷瑞丹芬挪奥比葡西乌白哈"
_NAME_VERBS = frozenset(
    ["交换", "制备", "监测", "回收", "分离", "提取", "萃取", "发酵", "纯化", "燃烧", "储存", "识别", "定位", "导航", "驱动", "传感", "成像",
     "编辑", "切割", "喷涂", "修复", "诊断", "治疗", "冶炼", "锻造", "铸造", "压缩", "过滤", "淡化", "催化", "降解", "封装", "测序", "沉积",
     "刻蚀", "融合", "计算", "通信", "充电", "发电", "制氢", "固化", "挤出", "注塑", "冷却", "加热", "烧结", "导热", "焊装", "装配",
     "制造", "创新", "复合", "发展", "服务", "研究", "设计", "加工", "转化", "孵化", "焊接", "检测", "管理", "投资", "建设", "协同", "智能",
     "精密", "生产", "应用", "控制", "处理", "存储", "储能", "合成", "分析", "测试", "开发", "育种", "培育", "种植", "养殖", "打印"]
)
_PLACE_PREFIX = re.compile("|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)))
_TIME_WORD = re.compile(r"[年日期时今昨近]|目前|此前|当前|月底|月初|本月|上月|下月|同月|每月|\d")
_PROPER_POS = {"ns", "nz", "nr", "nrt", "nrfg", "nt", "j", "eng"}
# Words that belong to the business part of a name ("...创新投资管理有限公司", "...天使投资引导基金").
_BUSINESS = set(["投资", "管理", "发展", "建设", "服务", "咨询", "创新", "孵化", "转化", "制造", "科技", "技术", "产业", "控股", "实业", "贸易", "资产", "创业", "引导", "运营", "成果", "研究", "开发", "设计"])
_GENERIC_HEAD = {
    "Technology": set(["关键", "核心", "新", "原创", "高新", "前沿", "共性", "底层", "先进", "该", "此项", "这项", "相关", "多项", "专利", "成熟", "数字", "信息", "生物", "配套", "转化", "产业化", "自主", "颠覆性", "工程化", "中试", "试验", "应用", "高精尖", "科学", "科研"]),
    "Fund": set(["天使", "产业", "专项", "投资", "引导", "创投", "股权", "政府", "风险", "该", "这支", "一支", "母", "子", "省级", "市级", "区级", "国家级", "发展", "创新", "科技", "成果转化"]),
    "Product": set(["中试", "新", "相关", "该", "产品", "生产", "试验", "检测", "测试", "研发", "配套", "关键", "核心", "先进", "新型", "高端", "原", "辅助", "管理", "服务", "体系", "创新", "产业", "全流程", "生态", "化工", "新材料"]),
}
_ZH_ABBR = re.compile(r"[（(]\s*(?:以下|下文)?\s*(?:简称|下称|简称为|称)\s*[:：]?\s*[“\"「]?([^”\"」)）]{1,12})[”\"」]?\s*[)）]")

_jieba_lock = threading.Lock()
_HMM_BUDGET = 200_000


@cache
def _pos_tokenizer() -> Any:
    """jieba's POS tokenizer with the suffixes and place names added to its dictionary.

    canal uses jieba only here; the words are added once, lazily, to jieba's default
    dictionary (a private copy would load the 5 MB dictionary a second time).
    """
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)
    tok = pseg.dt.tokenizer
    for suffix in _ZH_SUFFIX:
        tok.add_word(suffix, 2000, "n")
    for place in PLACES:
        tok.add_word(place, 5000, "ns")
    for w in ("中试", "科创", "产学研", "新型研发机构"):
        tok.add_word(w, 1000, "n")
    for w in ("3D", "5G", "6G", "AI"):
        tok.add_word(w, 1000, "eng")
    return pseg.dt


def _freq(word: str) -> int:
    """How common a word is in jieba's dictionary (rare words are often names)."""
    tok = _pos_tokenizer().tokenizer
    return int(tok.FREQ.get(word) or 0)


def zh_tokens(text: str) -> list[tuple[str, str]]:
    """jieba words with POS tags (thread-safe; canal's words added to the dictionary)."""
    return list(_zh_tokens(text))


@lru_cache(maxsize=1 << 16)
def _zh_tokens(text: str) -> tuple[tuple[str, str], ...]:
    tok = _pos_tokenizer()
    with _jieba_lock:
        plain = tuple((p.word, p.flag) for p in tok.cut(text, HMM=False))
        cost = run = 0
        for word, _ in plain:
            run = run + 1 if len(word) == 1 else 0
            if run:
                # jieba's HMM guesses unknown words in runs of single characters; a character
                # its model does not know costs ~65,000 steps (all states), a known one ~100
                cost += run * (100 if word in _hmm_states() else 65_000)
        if cost > _HMM_BUDGET:
            return plain  # garbled or hostile text: rare characters are not parts of names
        return tuple((p.word, p.flag) for p in tok.cut(text, HMM=True))


@cache
def _hmm_states() -> dict[str, Any]:
    _pos_tokenizer()
    import jieba.posseg as pseg  # type: ignore[import-untyped,unused-ignore]

    return dict(pseg.char_state_tab_P)


def _ends_with_org_suffix(word: str) -> bool:
    return any(word.endswith(suf) for suf in _ZH_SUFFIX if len(suf) >= 2)


def _zh_left_edge(text: str, suffix_start: int, cls: str, legal: bool = False) -> tuple[int, str]:
    """Where a name ending with a suffix at ``suffix_start`` begins, and its first token's POS.

    ``legal``: the suffix is a legal form (有限公司 ...), whose registered names often start
    with a park or district name.
    """
    lo = suffix_start
    while lo > 0 and suffix_start - lo < 18 and re.match(r"[\u3400-\u9fffA-Za-z0-9\-－]", text[lo - 1]):
        lo -= 1
    if lo == suffix_start:
        return suffix_start, ""
    toks = zh_tokens(text[lo:suffix_start])
    pos = suffix_start
    taken: list[tuple[str, str]] = []
    business = True
    for k in range(len(toks) - 1, -1, -1):
        word, flag = toks[k]
        if word in ("-", "－") and taken and k > 0 and re.match(r"[\u3400-\u9fff]", toks[k - 1][0][-1:]):
            taken.append((word, "hyphen"))
            pos -= len(word)
            continue
        if legal and pos == suffix_start and word in ("集团", "公司", "控股", "股份"):
            taken.append((word, flag))  # 某某投资集团有限公司: one registered name
            pos -= len(word)
            continue
        if word == "和" and legal and k > 0 and taken and not _ends_with_org_suffix(toks[k - 1][0]) and toks[k - 1][1] in ("n", "nz", "vn", "ns"):
            taken.append((word, flag))  # 某某皮革和制鞋工业研究院(晋江)有限公司: 和 inside a registered name
            pos -= len(word)
            continue
        if business and word in _BUSINESS and cls not in ("Technology", "Product"):
            taken.append((word, flag))
            pos -= len(word)
            continue
        business = False
        stop_pos = (
            flag in _ZH_STOP_POS
            and not (flag == "x" and re.fullmatch(r"[\u3400-\u9fff]+", word))
            and not (flag == "m" and word in "一二三四五六七八九十" and len(word) == 1)
            and not (flag == "f" and len(word) >= 2 and word[-1] in "部方北南东西")  # 中部, 北方, 西南
            and not (word == "中" and text[pos : pos + 1] in _SINO_PARTNER)  # 中德, 中以, 中新: Sino-foreign names
        )
        if (word in ZH_STOP or stop_pos) and not (flag == "t" and not _TIME_WORD.search(word)):
            break
        if word in _NAME_BREAK and not (cls == "GovernmentBody" and word in ("园区", "产业园")):
            break
        if len(word) > 1 and word[0] in _FUNC_CHARS and flag in _PROPER_POS:
            taken.append((word[1:], flag))  # 由泰岳, 从明湖: jieba glued a preposition to a name
            pos -= len(word) - 1
            break
        glued = len(word) == 1 and k > 0 and toks[k - 1][1] in _PROPER_POS  # 鲁东智/感/科技: jieba split a name
        if flag in ("v", "d") and word not in _NAME_VERBS and not glued and _freq(word) >= (1000 if cls in ("Technology", "Product") else 150):
            break
        if cls not in ("IndustrialPark", "GovernmentBody") and not legal and re.search(r"(新区|高新区|开发区|园区|产业园)$", word):
            break
        if cls in ("Technology", "Product") and len(word) == 1 and flag in ("v", "a"):
            break
        taken.append((word, flag))
        pos -= len(word)
        if suffix_start - pos >= 16:
            break
    # a name does not start with an adjective-like modifier or a preposition glued to it
    while len(taken) > 1 and (taken[-1][1] == "hyphen" or (taken[-1][1] in ("a", "ad", "b") and cls not in ("Technology", "Product"))):
        pos += len(taken.pop()[0])
    while pos < suffix_start - 2 and text[pos] in _FUNC_CHARS:
        pos += 1
    return pos, (taken[-1][1] if taken else "")


def _zh_org_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    for i in range(len(text)):
        for suffix in _BY_FIRST.get(text[i], ()):
            if text.startswith(suffix, i):
                out.extend(_zh_candidate(text, i, suffix))
    return out


_BY_FIRST: dict[str, list[str]] = {}
for _suffix in _ZH_SUFFIX:
    _BY_FIRST.setdefault(_suffix[0], []).append(_suffix)


def _zh_candidate(text: str, at: int, suffix: str) -> list[Mention]:
    cls, conf = _ZH_SUFFIX[suffix]
    start, first_pos = _zh_left_edge(text, at, cls, legal=suffix.endswith("有限公司") or suffix == "有限责任公司")
    end = at + len(suffix)
    # a place in brackets inside a registered name: 某某(苏州)医学科技有限公司, 某某研究院(晋江)有限公司
    while start > 1 and text[start - 1] in ")）" and cls not in ("Technology", "Product"):
        br = re.search(r"[（(][\u4e00-\u9fff]{2,4}[)）]$", text[max(0, start - 8) : start])
        if br is None:
            break
        before, _ = _zh_left_edge(text, start - len(br.group(0)), cls, legal=True)
        if before >= start - len(br.group(0)):
            break
        start = before
    if start == at:
        return []
    if suffix in ("厅", "局") and text[at - 1 : at] in "大布格开全当结":
        return []  # 大厅, 布局, 格局: not a government body
    # a foreign country before a university or institute is its location, not its name (英国牛津大学)
    lead = next((c for c in _FOREIGN if text.startswith(c, start)), "")
    if lead and cls in ("University", "ResearchInstitute") and at - start - len(lead) >= 2:
        start += len(lead)
    # a place in brackets right after the name belongs to it: 某某研究院(广州), 某某大学(深圳)
    br = re.match(r"[（(]([\u4e00-\u9fff]{2,4})[)）]", text[end : end + 8])
    if br and cls not in ("Technology", "Product") and (_PLACE_PREFIX.match(br.group(1)) or re.search(r"[市省区县]$", br.group(1))):
        end += len(br.group(0))
    name = text[start:end]
    head = text[start:at]
    if cls not in ("Technology", "Product") and re.match(r"长|主任|书记", text[end : end + 2]):
        return []  # 院长, 局长, 副局长: a person's title, not the organisation
    if cls not in ("Technology", "Product") and not re.sub("|".join(sorted(_BUSINESS, key=len, reverse=True)), "", head):
        return []
    if cls in ("Technology", "Product") and re.search(r"大学|学院|研究院|研究所|公司|集团", head):
        return []
    if suffix == "学院" and "大学" in head:
        return []  # 某某大学材料学院: a school of the university, named by the university
    if len(suffix) == 1 and cls not in ("Product", "Technology") and ((first_pos not in _PROPER_POS and not _PLACE_PREFIX.match(head)) or len(head) < 2):
        return []
    if suffix in _BRAND_SUFFIXES and (not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", head) or _generic_name(head) or (re.match(r"[\u4e00-\u9fff]", text[end : end + 1] or " ") and not re.match(r"[与和、及等的在向将为是已也于获]", text[end : end + 1]))):
        return []  # a brand (贝特瑞, 国盾量子) is short, not made of common words, and ends where the name ends
    if suffix in ("科技", "新区", "创新区", "示范区", "公司") and first_pos not in _PROPER_POS and not _PLACE_PREFIX.match(head):
        return []
    if cls in _GENERIC_HEAD and (head in _GENERIC_HEAD[cls] or len(head) < 2):
        return []
    if cls in ("Product",) and len(name) > 12:
        return []
    if suffix in ("科技", "资本", "系统", "材料", "设备", "装备", "膜", "公司", "学院", "政府", "委员会", "协会", "创新区", "示范区") and len(head) < 2:
        return []
    if cls == "Enterprise" and suffix == "科技" and len(head) > 6:
        return []
    if cls == "Fund" and re.search(r"引导", name):
        cls = "GovernmentGuidanceFund"
    if re.fullmatch(r"(国家级|省级|市级|区级|县级|首个|首家|一家|一批|多家|该|本|其)", head):
        return []
    if cls == "Enterprise" and re.search(r"(创业投资|创投|私募|股权投资|投资管理|资本管理|创新投资|产业投资|投资有限公司)", name):
        cls = "VentureCapital"
    if cls in ("ResearchInstitute", "Laboratory") and re.search(r"中试", name):
        cls = "PilotPlatform"
    if cls not in ("Technology", "Product") and not suffix.endswith(("有限公司", "有限责任公司")) and _generic_name(head, weak=suffix in _WEAK_SUFFIXES):
        return []  # 产业链基金, 地方政府, 公共服务平台: a kind of organisation, not a name
    return [Mention(start, end, name, cls, f"zh-suffix:{suffix}", conf)]


def _generic_name(head: str, weak: bool = False) -> bool:
    """The words before an organisation's suffix are all common words: no place, no proper
    noun, no word jieba's dictionary does not know (brand names are unknown or rare words).

    >>> _generic_name("产业链"), _generic_name("天使投资"), _generic_name("沈阳市天使"), _generic_name("启明")
    (True, True, False, False)
    """
    if re.search(r"[A-Za-z0-9]", head):
        return False
    if weak and head.startswith(("中国", "全国", "国家")):
        head = head[2:]  # 中国高校科技, 中国创投: the country does not make a brand
        if not head:
            return True
    if _PLACE_PREFIX.match(head):
        return False  # 沈阳市天使基金: a place makes a name
    return all(_common_word(word, flag) for word, flag in zh_tokens(head))


def _common_word(word: str, flag: str) -> bool:
    """A frequent dictionary word, or a compound of two (产业链 = 产业 + 链, 公共服务)."""
    if flag in _PROPER_POS and not (flag == "j" and _freq(word) >= 300):
        return False
    if _freq(word) >= 300:
        return True
    return len(word) >= 3 and any(_freq(word[:k]) >= 300 and _freq(word[k:]) >= 300 for k in range(1, len(word)))


def _zh_abbreviations(text: str, mentions: list[Mention]) -> list[Mention]:
    """``XX研究院(下称“碳材院”)``: the short form names the mention just before it."""
    out: list[Mention] = []
    for m in _ZH_ABBR.finditer(text):
        abbr = m.group(1).strip()
        before = [x for x in mentions if x.end <= m.start() and m.start() - x.end <= 2 and x.cls not in VALUE_CLASSES]
        if not before or not abbr:
            continue
        full = max(before, key=lambda x: x.end)
        for occ in re.finditer(re.escape(abbr), text):
            out.append(Mention(occ.start(), occ.end(), abbr, full.cls, "abbreviation", min(full.confidence, 0.85), canonical=full.text))
    return out


# -- English ---------------------------------------------------------------------------
_EN_HEADS: list[tuple[str, str, float]] = [
    (r"Technology Transfer (?:Center|Centre|Office)", "TechnologyTransferCentre", 0.9),
    (r"Pilot(?:-scale)?(?: [A-Z]\w+)* (?:Platform|Base|Center|Centre|Line|Plant)", "PilotPlatform", 0.9),
    (r"Proof-of-Concept (?:Center|Centre)", "PilotPlatform", 0.85),
    (r"Incubator|Accelerator|Maker Space|Makerspace|Maker(?: \w+)* (?:Center|Centre)|Experience (?:Center|Centre)", "Incubator", 0.8),
    (r"Innovation (?:Center|Centre)", "ResearchInstitute", 0.7),
    (r"Sharing Platform|Sharing Center|Sharing Centre", "SharingPlatform", 0.85),
    (r"Guidance Fund", "GovernmentGuidanceFund", 0.9),
    (r"Fund", "Fund", 0.85),
    (r"Capital|Ventures|Venture Partners|Partners|Investment(?= Co\b)|Investment$", "VentureCapital", 0.75),
    (r"Alliance|Consortium|Association|Union", "Alliance", 0.85),
    (r"Ministry|Bureau|Committee|Commission|Department|Government|Administration|Council", "GovernmentBody", 0.85),
    (r"University|College|Polytechnic", "University", 0.9),
    (r"Laboratory|Laboratories|Lab|Labs", "Laboratory", 0.85),
    (r"Institute|Academy|Research Center|Research Centre", "ResearchInstitute", 0.9),
    (r"New Area|Development Zone|High-tech Zone|Hi-tech Zone|Zone|Industrial Park|Science Park|Technology Park|Park|Science City|Tech City", "IndustrialPark", 0.85),
    (r"Co\.?,? ?Ltd\.?|Co\.|Company|Corporation|Corp\.?|Inc\.?|Ltd\.?|Limited|LLP|LLC|L\.L\.C\.|[Pp][Ll][Cc]|GmbH|AG|S\.?A\.?|B\.?V\.?|N\.?V\.?|Pty|Therapeutics|Biosciences|Bio|Labs|Systems|Photonics|Quantum|Group|Holdings|Technologies|Tech|Industries|Pharmaceuticals?|Semiconductors?|Electronics|Robotics|Biotech|Motors|Biologics|Pharma|Genomics|Diagnostics|Devices|Instruments|Analytics|Software|Networks", "Enterprise", 0.85),
]
_EN_HEAD_RX = [(re.compile(rf"\b(?:{rx})(?=\W|$)"), cls, conf) for rx, cls, conf in _EN_HEADS]
_EN_CONNECT = {"of", "and", "for", "&", "de", "on", "the"}
_EN_LEADING_STOP = set(
    ["The", "A", "An", "In", "On", "At", "Since", "After", "Before", "By", "According", "Last", "This", "That", "These", "Those", "Its", "Their", "His", "Her", "Our", "When", "With", "Under", "Both", "Also", "Meanwhile", "Earlier", "Later", "Then", "Now", "Today", "Yesterday", "For", "From", "As", "Once", "While", "Through", "Backed", "Jointly", "Founded", "Located", "Based", "Set", "China's", "Several", "Many", "Each", "Every", "Other", "Another", "New"]
)
_EN_NOT_NAME = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Ms", "Dr", "Prof", "President", "Director", "Chairman"}
_EN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*\.?|&|\(|\)|,|\S")
_EN_ABBR = re.compile(r"\s*\((?:hereinafter (?:referred to as |called )?|or )?[\"“]?([A-Z][A-Za-z0-9&\-]{1,11})[\"”]?\)")


def _en_runs(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised words joined by connectors (of, and, for, &)."""
    toks = [(m.start(), m.end(), m.group(0)) for m in _EN_WORD.finditer(text)]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        s, _, w = toks[i]
        if not (w[0].isupper() or (w[0].isdigit() and re.search(r"[A-Za-z]", w))) or w.rstrip(".") in _EN_NOT_NAME:
            i += 1
            continue
        j = i
        last_cap = i
        while j + 1 < len(toks):
            ns, ne, nw = toks[j + 1]
            if ns - toks[j][1] > 1 or "\n" in text[toks[j][1] : ns]:
                break
            if toks[j][2].endswith(".") and not re.fullmatch(r"(Co|Mr|Dr|St|No|[A-Z])\.", toks[j][2]):
                break
            if nw[0].isupper() or (nw[0].isdigit() and re.search(r"[A-Za-z]", nw)):
                if nw.rstrip(".") in _EN_NOT_NAME:
                    break
                j += 1
                last_cap = j
            elif (nw.lower() in _EN_CONNECT and j + 2 < len(toks) and toks[j + 2][2][0].isupper() and "\n" not in text[ne : toks[j + 2][0]]) or (nw == "," and j + 2 < len(toks) and re.fullmatch(r"Ltd\.?|Inc\.?|Co\.?", toks[j + 2][2])):
                j += 1
            else:
                break
        runs.append((s, toks[last_cap][1]))
        i = last_cap + 1
    return runs


def _en_classify(name: str) -> tuple[str, float, str] | None:
    """Class of a capitalised run from its head keyword (before the first ' of ')."""
    core = name.split(" of ")[0]
    best: tuple[int, str, float, str] | None = None
    for rx, cls, conf in _EN_HEAD_RX:
        for m in rx.finditer(core):
            if best is None or m.end() > best[0]:
                best = (m.end(), cls, conf, m.group(0))
    if best is None and " of " in name:
        for rx, cls, conf in _EN_HEAD_RX:
            hit = rx.search(name)
            if hit:
                return cls, conf * 0.9, hit.group(0)
        return None
    return (best[1], best[2], best[3]) if best else None


def _headline(line: str) -> bool:
    """A Title Case line (headline): its capitalised words are not names."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words) and not line.rstrip().endswith(".")


def _en_org_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    skip: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if _headline(line):
            skip.append((pos, pos + len(line)))
        pos += len(line) + 1
    for s, e in _en_runs(text):
        if any(a <= s < b for a, b in skip):
            continue
        words = text[s:e]
        core = words.split(" of ")[0]
        if " of " in words and _en_classify(core) is None and not any(rx.search(core) for rx, _, _ in _EN_HEAD_RX):
            rest = words.split(" of ", 1)[1]
            if _en_classify(rest):
                s = e - len(rest)
                words = rest
        # drop sentence-initial function words and possessives
        while True:
            first = words.split(" ", 1)[0]
            if first in _EN_LEADING_STOP and " " in words:
                cut = len(first) + 1
                s += cut
                words = words[cut:]
                continue
            break
        if words.endswith("'s") or words.endswith("’s"):
            e -= 2
            words = words[:-2]
        parts = _split_and(words, in_list=text[max(0, s - 2) : s] == ", ")
        offset = s
        for part in parts:
            ps = text.index(part, offset)
            if part.endswith(".") and not re.search(r"\b(Co|Ltd|Inc|Corp)\.$", part):
                part = part[:-1]
            pe = ps + len(part)
            offset = pe
            got = _en_classify(part)
            if got is None:
                continue
            cls, conf, head = got
            if (part.strip() == head.strip() and len(head.split()) < 3) or (len(part.split()) < 2 and cls != "Enterprise"):
                continue
            if cls == "PilotPlatform" or ("Pilot" in part and cls in ("ResearchInstitute", "Laboratory")):
                cls = "PilotPlatform"
            if cls == "Fund" and re.search(r"Guidance|Government", part):
                cls = "GovernmentGuidanceFund"
            out.append(Mention(ps, pe, part, cls, f"en-head:{head}", conf))
    # UK departments: "Department for Business, Innovation and Skills" (commas inside the name)
    for m in re.finditer(r"\b(?:Department|Ministry|Office)\s+(?:for|of)\s+(?:the\s+)?[A-Z][a-z]+(?:,\s+[A-Z][a-z]+)+,?\s+and\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?", text):
        out.append(Mention(m.start(), m.end(), m.group(0), "GovernmentBody", "en-head:department", 0.85))
    for m in re.finditer(r"\b((?:[A-Z][A-Za-z]+ ){1,3})(municipal government|district government|[Gg]overnment|administrative committee|management committee)\b", text):
        if m.group(1).split()[0] in _EN_LEADING_STOP:
            continue
        out.append(Mention(m.start(), m.end(), m.group(0), "GovernmentBody", "en-head:government", 0.75))
    return out


def _split_and(words: str, *, in_list: bool = False) -> list[str]:
    """'Tsinghua University and Peking University' -> two names; 'University of Science and Technology' stays.

    Split at an ``and`` whose right side is a name of its own (two words or more ending in
    a head word) and whose left side ends with its head word or an ``of`` tail; or, inside a
    comma list (``A, MTI and Scottish Equity Partners``), at any ``and``; or when the right
    side starts with a head word's name of its own (``Manchester and University College London``).

    >>> _split_and("Tsinghua University and Peking University"), _split_and("MTI and Scottish Equity Partners", in_list=True)
    (['Tsinghua University', 'Peking University'], ['MTI', 'Scottish Equity Partners'])
    """
    if " and " not in words:
        return [words]
    left, right = words.split(" and ", 1)
    right = re.sub(r"^the\s+", "", right)
    lc, rc = _en_classify(left), _en_classify(right)
    if lc and rc and len(right.split()) >= 2 and right.rstrip(".").endswith(rc[2].rstrip(".")) and (left.endswith(lc[2]) or " of " in left):
        return [left, *_split_and(right)]
    if rc and len(right.split()) >= 2 and (in_list or (lc is None and re.match(r"(University|Imperial|King's|Institute)\b", right))):
        return [left, *_split_and(right, in_list=in_list)]
    return [words]


_EN_LIST = re.compile(
    r"\b(compan(?:y|ies)|firms?|start-?ups?|spin-?outs?|spin-?offs?|businesses|investors?|backers|funds|venture (?:capital )?firms|VCs|venture capitalists|universities|institutes|"
    r"partners|members|portfolio(?: companies)?)\b[^.;:]{0,30}?\b(?:such as|including|include|includes|included|like|namely|are|were)\s+"
    r"((?:[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})(?:(?:,\s+|,?\s+and\s+)(?:[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3}))+)"
)
_EN_LIST_CLASS = {"compan": "Enterprise", "firm": "Enterprise", "start": "Enterprise", "spin": "Enterprise", "busin": "Enterprise",
                  "portf": "Enterprise", "inves": "VentureCapital", "backe": "VentureCapital", "funds": "VentureCapital", "ventu": "VentureCapital", "vcs": "VentureCapital",
                  "unive": "University", "insti": "ResearchInstitute"}


def _en_list_mentions(text: str, found: list[Mention]) -> list[Mention]:
    """Items of a list introduced by its kind: "companies such as Aqdot, CamSemi and Lumora".

    Each item (one to four capitalised words) becomes a mention of the kind's class, or of
    the class of an item already recognised when the kind is vague (partners, members).
    """
    out: list[Mention] = []
    for m in _EN_LIST.finditer(text):
        kind = m.group(1).lower()
        cls = next((c for k, c in _EN_LIST_CLASS.items() if kind.startswith(k)), None)
        start = m.start(2)
        items = [(x.start() + start, x.end() + start) for x in re.finditer(r"[^,]+?(?=,\s+|,?\s+and\s+|$)", m.group(2))]
        spans: list[tuple[int, int]] = []
        for a, b in items:
            seg = text[a:b]
            lead = len(seg) - len(seg.lstrip())
            seg = seg.strip()
            seg = re.sub(r"^and\s+", "", seg)
            seg = re.split(r"\.\s", seg)[0].rstrip(".")  # an item never runs over a sentence end
            b = a + lead + len(seg) if seg else b
            a = b - len(seg)
            if seg and text[a:b] == seg and seg[0].isupper() and seg.split()[0] not in _EN_LEADING_STOP and len(seg) <= 40:
                spans.append((a, b))
            del lead
        if len(spans) < 2:
            continue
        known = [x for x in found if any(x.start < b and a < x.end for a, b in spans)]
        item_cls = cls or (known[0].cls if known else None)
        if item_cls is None:
            continue
        for a, b in spans:
            if any(x.start <= a and b <= x.end for x in known):
                continue
            out.append(Mention(a, b, text[a:b], item_cls, "en-list", 0.6))
    return out


def _en_abbreviations(text: str, mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        found = _EN_ABBR.match(text, m.end)
        if not found:
            continue
        abbr = found.group(1)
        for occ in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(abbr)}(?![A-Za-z0-9])", text):
            out.append(Mention(occ.start(), occ.end(), abbr, m.cls, "abbreviation", min(m.confidence, 0.85), canonical=m.text))
    return out


def _en_first_word_aliases(text: str, orgs: list[Mention]) -> list[Mention]:
    """"Luminar" for "Luminar Solar Technologies": a distinctive first word used alone later on."""
    named = [m for m in orgs if m.method.startswith("en-head") and len(m.text.split()) >= 2]
    firsts: dict[str, set[str]] = {}
    for m in named:
        firsts.setdefault(m.text.split()[0], set()).add(m.text)
    out: list[Mention] = []
    for word, names in sorted(firsts.items()):
        if len(names) != 1 or len(word) < 4 or word in _EN_LEADING_STOP or word in _EN_PLACES or not re.fullmatch(r"[A-Z][a-z]+", word):
            continue
        full = next(iter(names))
        src = next(m for m in named if m.text == full)
        for occ in re.finditer(rf"\b{word}\b(?!\s+[A-Z])(?![’']s\s+[A-Z])", text):
            out.append(replace(src, start=occ.start(), end=occ.end(), text=word, method="short-form", canonical=full, confidence=0.7))
    return out


_EN_TECH = re.compile(
    r"\b((?:[A-Za-z0-9][\w-]*\s){1,5}?)(technology|technique|process)\b(?!\s+(?:transfer|park|company|group|firm|innovation|development|zone))",
    re.IGNORECASE,
)
_EN_PRODUCT = re.compile(
    r"\b((?:[A-Za-z0-9][\w-]*\s){1,4}?)(chips?|batter(?:y|ies)|sensors?|robots?|membranes?|catalysts?|vaccines?|lenses|displays?|modules?|drones?|reactors?)\b"
)
_EN_TECH_STOP = set(
    ["the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those", "new", "key", "core", "advanced", "original", "own", "such", "and", "or", "of", "with", "by", "from", "to", "in", "on", "at", "for", "as", "is", "was", "has", "have", "had", "uses", "use", "used", "using", "developed", "develops", "adopted", "adopts", "licensed", "transferred", "which", "who", "that", "into", "through", "after", "before", "based", "backed", "provided", "supplied", "tested", "applied", "introduced", "deployed", "installed", "called", "named", "dubbed", "proprietary", "patented", "cutting-edge", "first", "latest", "novel", "innovative", "said", "says", "will", "would", "can", "could", "it", "they", "we", "licence", "license", "licensing", "licenses", "spent", "s", "technology", "technologies", "process", "processes", "any", "all", "more", "most", "other"]
) | {"good", "better", "turn", "help", "helps", "helped", "make", "makes", "making", "bring", "brings", "backs", "fund", "funds", "develop",
     "developing", "produce", "produces", "producing", "build", "builds", "building", "integrate", "is", "are", "be", "been"}


def _en_tech_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    for rx, cls, conf in ((_EN_TECH, "Technology", 0.65), (_EN_PRODUCT, "Product", 0.6)):
        for m in rx.finditer(text):
            words = m.group(1).split()
            keep: list[str] = []
            for w in reversed(words):
                if w.lower() in _EN_TECH_STOP or re.fullmatch(r"\d+", w) or re.fullmatch(r"[A-Z][a-z]+\W?", w):
                    break
                keep.append(w)
            if not keep:
                continue
            keep.reverse()
            phrase = " ".join(keep) + " " + m.group(2)
            start = m.end() - len(phrase)
            if text[start:m.end()] != phrase:
                continue
            if len(keep) == 1 and keep[0].lower() in ("research", "production", "industrial", "manufacturing", "digital", "green"):
                continue
            out.append(Mention(start, m.end(), phrase, cls, f"en-head:{m.group(2).lower()}", conf))
    return out


# -- places and known names ------------------------------------------------------------
_EN_PLACES = {en: zh for zh, en in PLACES.items() if en}


_NOT_PLACES = frozenset(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "English", "Chinese", "The", "This", "Its", "Their",
     "Research", "Science", "Technology", "University", "Venture", "Capital"]
)


def _place_mentions(text: str, lang: str) -> list[Mention]:
    out: list[Mention] = []
    if lang == "zh":
        for zh in sorted(COUNTRIES, key=len, reverse=True):
            for m in re.finditer(rf"(?<=[在于赴到至从往]){re.escape(zh)}|(?:(?<=[与和及、，,。；\n])|^){re.escape(zh)}(?=[，,。、；的和与及等境各市\n]|$)", text, re.MULTILINE):
                out.append(Mention(m.start(), m.end(), m.group(0), "Region", "place-country", 0.8))
        for gov in GOVERNMENT_BODIES:
            for m in re.finditer(rf"(?<![\u4e00-\u9fff]{{2}}){re.escape(gov)}", text):
                out.append(Mention(m.start(), m.end(), m.group(0), "GovernmentBody", "government-list", 0.9))
        for zh in sorted(PLACES, key=len, reverse=True):
            for m in re.finditer(rf"{re.escape(zh)}(?:省|市|自治区|特别行政区)?", text):
                out.append(Mention(m.start(), m.end(), m.group(0), "Region", "place-list", 0.85))
        for m in re.finditer(r"(?:(?<=[，,。、和与及在于；\n])|^)([\u4e00-\u9fff]{2})(市|省)(?=[，,。、和与及；\s]|$)", text, re.MULTILINE):
            out.append(Mention(m.start(), m.end(), m.group(0), "Region", "zh-city", 0.7))
        for m in re.finditer(r"(?<![\u3400-\u9fff])([\u4e00-\u9fff]{2,3})(区|县)(?=[，,。、的\s])", text):
            if m.group(1) not in ("该", "新", "本") and not re.search(r"(新|高新|园|开发|创新|示范|保税)$", m.group(1)):
                out.append(Mention(m.start(), m.end(), m.group(0), "Region", "zh-district", 0.6))
    else:
        for en in sorted(_EN_PLACES, key=len, reverse=True):
            for m in re.finditer(rf"\b{re.escape(en)}(?: Province| City| Municipality)?\b(?!['’]s)", text):
                out.append(Mention(m.start(), m.end(), m.group(0), "Region", "place-list", 0.85))
        for m in re.finditer(r"\b([A-Z][a-z]{2,}) (District|County|Province|City)\b", text):
            out.append(Mention(m.start(), m.end(), m.group(0), "Region", "en-place", 0.7))
        for en in sorted({e for v in COUNTRIES.values() for e in v}, key=len, reverse=True):
            for m in re.finditer(rf"\b(?:in|from|to|across|throughout|outside|within|into|of|and|the)\s+({re.escape(en)})\b(?!['’]s)(?=\s*[,.;:)]|\s+(?:and|or|in|to|for|is|was|has|had)\b|\s*$)", text, re.MULTILINE):
                out.append(Mention(m.start(1), m.end(1), m.group(1), "Region", "place-country", 0.8))
            for m in re.finditer(rf"\b{re.escape(en)}(?=-based\b)", text):
                out.append(Mention(m.start(), m.end(), m.group(0), "Region", "place-country", 0.8))
        # "based in Cambridge", "offices in Boston and London": a capitalised word after a place preposition
        for m in re.finditer(r"\b(?:based|located|headquartered|offices?|campus(?:es)?|hub|operations|founded|set up|launched)\s+in\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=\s*[,.;)]|\s+and\b|\s*$)", text):
            if m.group(1) not in _NOT_PLACES:
                out.append(Mention(m.start(1), m.end(1), m.group(1), "Region", "en-place-in", 0.65))
        for m in re.finditer(r"\b([A-Z][a-z]{3,})-based\b", text):
            if m.group(1) not in _NOT_PLACES:
                out.append(Mention(m.start(1), m.end(1), m.group(1), "Region", "en-place-based", 0.7))
    return out


_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_SKIP_KNOWN = ("Programme", "Grant", "IndustrySegment", "Patent", "PilotProject", "ScientificAchievement")


@cache
def _registry() -> dict[str, list[tuple[str, str, str]]]:
    """Organisation names from a real registry (ROR labels and aliases, English and Chinese),
    shipped with the package; bucketed like the graph's names."""
    from importlib.resources import files

    buckets: dict[str, list[tuple[str, str, str]]] = {}
    for line in (files("canal.extract") / "ror_names.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, cls = line.split("\t")
        buckets.setdefault(name[:2], []).append((name, "", cls))
    return buckets


def _registry_mentions(text: str) -> list[Mention]:
    out: list[Mention] = []
    buckets = _registry()
    for i in range(len(text) - 1):
        for surface, _, cls in buckets.get(text[i : i + 2], ()):
            if not text.startswith(surface, i):
                continue
            end = i + len(surface)
            if surface.isascii() and ((i > 0 and _ASCII_ALNUM.match(text[i - 1])) or (end < len(text) and _ASCII_ALNUM.match(text[end]))):
                continue
            out.append(Mention(i, end, surface, cls, "registry:ror", 0.85))
    return out


def _known_mentions(text: str, lexicon: Lexicon | None) -> list[Mention]:
    """Every occurrence of a graph node's name (one pass over the text, names bucketed by their first two characters)."""
    if lexicon is None or not lexicon.surfaces:
        return []
    buckets = lexicon.buckets()
    out: list[Mention] = []
    for i in range(len(text) - 1):
        for surface, nid, cls in buckets.get(text[i : i + 2], ()):
            if cls in _SKIP_KNOWN or not text.startswith(surface, i):
                continue
            end = i + len(surface)
            if surface.isascii() and ((i > 0 and _ASCII_ALNUM.match(text[i - 1])) or (end < len(text) and _ASCII_ALNUM.match(text[end]))):
                continue
            out.append(Mention(i, end, surface, cls, "graph-name", 0.9, node_id=nid, canonical=lexicon.names.get(nid, surface)))
    return out


_ZH_COREF = re.compile(
    r"(?:该|这家|这所|这一|这项|该项|此项|此|本)(校|所|院|研究院|研究所|大学|公司|企业|集团|平台|基地|联盟|基金|园区|产业园|科学城|中心|实验室|技术|工艺)"
    r"|(?:(?<=[，。；、\n向对与由给入于在予是得])|^)(研究院|研究所|公司|企业|集团|平台|基地|联盟|基金|园区|产业园|科学城|实验室)",
    re.MULTILINE,
)
_EN_COREF = re.compile(
    r"\b[Tt]he\s+(institute|university|school|company|firm|start-up|startup|platform|base|alliance|fund|lab|laboratory|park|zone|technology|process|group|academy|bureau|committee|center|centre|incubator|commission)\b(?!\s+[A-Z])"
)
_COREF_CLASS = {
    "校": ("University",), "大学": ("University",), "school": ("University",), "university": ("University",),
    "所": ("ResearchInstitute", "Laboratory"), "研究所": ("ResearchInstitute",), "院": ("ResearchInstitute", "University"),
    "研究院": ("ResearchInstitute",), "institute": ("ResearchInstitute",), "academy": ("ResearchInstitute",),
    "公司": ("Enterprise", "VentureCapital"), "企业": ("Enterprise",), "集团": ("Enterprise",), "company": ("Enterprise",),
    "firm": ("Enterprise", "VentureCapital"), "start-up": ("Enterprise",), "startup": ("Enterprise",), "group": ("Enterprise",),
    "平台": ("PilotPlatform", "SharingPlatform", "Incubator"), "基地": ("PilotPlatform", "IndustrialPark"), "platform": ("PilotPlatform", "SharingPlatform"),
    "base": ("PilotPlatform",), "联盟": ("Alliance",), "alliance": ("Alliance",), "基金": ("Fund",), "fund": ("Fund",),
    "园区": ("IndustrialPark",), "产业园": ("IndustrialPark",), "科学城": ("IndustrialPark",), "park": ("IndustrialPark",), "zone": ("IndustrialPark",),
    "中心": ("TechnologyTransferCentre", "PilotPlatform", "ResearchInstitute"), "实验室": ("Laboratory",), "lab": ("Laboratory",), "laboratory": ("Laboratory",),
    "技术": ("Technology",), "工艺": ("Technology",), "technology": ("Technology",), "process": ("Technology",),
    "bureau": ("GovernmentBody",), "committee": ("GovernmentBody",), "commission": ("GovernmentBody",),
    "center": ("PilotPlatform", "TechnologyTransferCentre", "ResearchInstitute", "Incubator"), "centre": ("PilotPlatform", "TechnologyTransferCentre", "ResearchInstitute", "Incubator"),
    "incubator": ("Incubator",),
}


def _coreferences(text: str, lang: str, mentions: list[Mention]) -> list[Mention]:
    """``该校`` / ``the institute``: the last earlier mention of a fitting class."""
    from canal.ontology import load_ontology

    onto = load_ontology()
    out: list[Mention] = []
    named = sorted((m for m in mentions if m.cls not in VALUE_CLASSES and m.cls in onto.classes), key=lambda m: m.end)
    ends = [m.end for m in named]
    taken: set[int] = set()
    for x in mentions:
        taken.update(range(x.start, x.end))
    for m in (_ZH_COREF if lang == "zh" else _EN_COREF).finditer(text):
        word = next(g for g in m.groups() if g)
        classes = _COREF_CLASS.get(word.lower(), ())
        if any(i in taken for i in range(m.start(), m.end())):
            continue
        k = bisect.bisect_right(ends, m.start())
        ante = next((x for x in reversed(named[:k]) if any(onto.is_a(x.cls, c) for c in classes)), None)
        if ante is None:
            continue
        out.append(Mention(m.start(), m.end(), m.group(0), ante.cls, "coreference", round(ante.confidence * 0.8, 3), node_id=ante.node_id, canonical=ante.name))
    return out


_ZH_OBJ_VERB = re.compile(r"(?:开发|研发|研制|推出|量产|主要产品为|主要产品是|产品包括)(?:出|了)?(?!区|中心|投入|团队|人员|费用|经费|平台|能力|机构|项目|基地|工作|活动|周期|成本|模式|体系)")
_ZH_OBJ_BAD = re.compile(r"(中心|投入|团队|人员|费用|经费|平台|能力|机构|项目|基地|工作|活动|周期|成本|模式|体系|方向|领域|产品|成果|合作|服务|生态|环境|阶段|过程|水平|技术|工艺|新品|生产线|产线)$")
_EN_OBJ_VERB = re.compile(r"\b(?:develops|developing|produces|producing|makes|making|manufactures|manufacturing)\s+")


def _objects(text: str, lang: str, taken: list[Mention]) -> list[Mention]:
    """Products named as the object of a development verb (``开发智能康复手套和压力监测鞋垫``)."""
    occupied: set[int] = set()
    for m in taken:
        occupied.update(range(m.start, m.end))
    out: list[Mention] = []
    if lang == "zh":
        for v in _ZH_OBJ_VERB.finditer(text):
            end = re.search(r"[，。；：！？,;\n]|$", text[v.end() :])
            clause_end = v.end() + (end.start() if end else 0)
            pos = v.end()
            for part in re.split(r"(和|、|及|与|以及)", text[v.end() : clause_end]):
                start = pos
                pos += len(part)
                if part in ("和", "、", "及", "与", "以及"):
                    continue
                name = part.split("的")[-1]
                name = re.sub(r"^(?:新一代|新一批|新型|一批|一款|多款|系列|首款|首台)", "", name)
                start += len(part) - len(name)
                if not (3 <= len(name) <= 14) or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9-]+", name) or _ZH_OBJ_BAD.search(name):
                    continue
                toks = zh_tokens(name)
                if not toks or toks[-1][1] not in ("n", "nz", "eng", "vn") or toks[0][0] in ZH_STOP:
                    continue
                if any(i in occupied for i in range(start, start + len(name))):
                    continue
                out.append(Mention(start, start + len(name), name, "Product", "zh-object", 0.5))
    else:
        for v in _EN_OBJ_VERB.finditer(text):
            obj = re.match(r"((?:[a-z0-9][\w-]*\s){1,4}?[a-z][\w-]*s)\b(?=\s+(?:for|to|that|which|with|in|at|and|used)\b|[.,;]|$)", text[v.end() :])
            if not obj:
                continue
            words = obj.group(1).split()
            if words[0] in ("the", "a", "an", "its", "their", "new", "more", "about", "over"):
                words = words[1:]
            if len(words) < 2:
                continue
            phrase = " ".join(words)
            start = v.end() + obj.group(1).rfind(phrase)
            if any(i in occupied for i in range(start, start + len(phrase))):
                continue
            out.append(Mention(start, start + len(phrase), phrase, "Product", "en-object", 0.5))
    return out


def _resolve_overlaps(ms: list[Mention]) -> list[Mention]:
    """Keep the longest mention where spans overlap (known names win ties)."""
    rank = sorted(ms, key=lambda m: (-(m.end - m.start), m.method != "graph-name", -m.confidence, m.start))
    kept: list[Mention] = []
    taken: set[int] = set()
    for m in rank:
        span = range(m.start, m.end)
        if any(i in taken for i in span):
            continue
        kept.append(m)
        taken.update(span)
    return sorted(kept, key=lambda m: (m.start, m.end))


def find_mentions(text: str, lang: str, *, lexicon: Lexicon | None = None) -> list[Mention]:
    """All mentions in ``text`` (one language), sorted by position, without overlaps."""
    values = [Mention(v.start, v.end, v.text, "Money", "money-pattern", 0.95, value=v.value) for v in find_money(text)]
    values += [Mention(v.start, v.end, v.text, "Date", "date-pattern", 0.9, value=v.value) for v in find_dates(text)]
    if lang == "zh":
        orgs = _zh_org_mentions(text)
        orgs += _zh_abbreviations(text, orgs)
    else:
        orgs = _en_org_mentions(text)
        orgs += _en_abbreviations(text, orgs)
        orgs += _en_tech_mentions(text)
    if lang == "en":
        orgs += _en_first_word_aliases(text, orgs)
        orgs += _en_list_mentions(text, orgs)
    known = _known_mentions(text, lexicon) + _registry_mentions(text)
    places = _place_mentions(text, lang)
    # Every further occurrence of a name found by a pattern is a mention too.
    again: list[Mention] = []
    seen = {(m.text, m.cls) for m in orgs if m.method != "abbreviation"}
    for name, cls in sorted(seen):
        if len(name) < 3:
            continue
        src = next(m for m in orgs if m.text == name and m.cls == cls)
        for occ in re.finditer(re.escape(name), text):
            again.append(replace(src, start=occ.start(), end=occ.end()))
        # English short form without the legal suffix: "Levima Advanced Materials (Corporation)"
        short = re.sub(r",?\s+(?:Co\.?,?\s*Ltd\.?|Co\.|Corporation|Corp\.?|Inc\.?|Ltd\.?|Limited|LLP|LLC|[Pp][Ll][Cc]|GmbH|AG|Group)$", "", name) if lang == "en" else name
        if short != name and len(short.split()) >= 2:
            for occ in re.finditer(rf"\b{re.escape(short)}\b", text):
                again.append(replace(src, start=occ.start(), end=occ.end(), text=short, method="short-form", canonical=name))
    merged = _resolve_overlaps(values + known + orgs + again + places)
    merged = sorted(merged + _objects(text, lang, merged), key=lambda m: (m.start, m.end))
    return sorted(merged + _coreferences(text, lang, merged), key=lambda m: (m.start, m.end))
