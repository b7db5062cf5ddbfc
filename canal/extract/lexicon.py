"""Names the extractor already knows: the graph's own nodes and a small list of places.

Linking a mention to an existing node goes through entity resolution
(:mod:`canal.resolve`: ``normalise_name`` and ``Gazetteer``, exact and fuzzy lookup).

>>> lex = Lexicon.from_graph(_demo_like())
>>> [(s, nid, cls) for s, nid, cls in lex.surfaces if nid == "dicp"]
[('Dalian Institute of Chemical Physics', 'dicp', 'ResearchInstitute'), ('大连化物所', 'dicp', 'ResearchInstitute'), ('DICP', 'dicp', 'ResearchInstitute')]
>>> lex.link("大连化物所")
('dicp', 1.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import networkx as nx

from canal.resolve import Gazetteer, normalise_name


def normalise(name: str) -> str:
    """The project-wide name normalisation (:func:`canal.resolve.normalise_name`)."""
    return normalise_name(name)


# Provinces, municipalities and large cities, Chinese and English; enough for news text.
PLACES: dict[str, str] = {}
_PLACE_TABLE = """
北京 Beijing|天津 Tianjin|上海 Shanghai|重庆 Chongqing|河北 Hebei|山西 Shanxi|辽宁 Liaoning|吉林 Jilin|黑龙江 Heilongjiang|
江苏 Jiangsu|浙江 Zhejiang|安徽 Anhui|福建 Fujian|江西 Jiangxi|山东 Shandong|河南 Henan|湖北 Hubei|湖南 Hunan|广东 Guangdong|
海南 Hainan|四川 Sichuan|贵州 Guizhou|云南 Yunnan|陕西 Shaanxi|甘肃 Gansu|青海 Qinghai|台湾 Taiwan|内蒙古 Inner Mongolia|
广西 Guangxi|西藏 Tibet|宁夏 Ningxia|新疆 Xinjiang|香港 Hong Kong|澳门 Macao|深圳 Shenzhen|广州 Guangzhou|杭州 Hangzhou|
南京 Nanjing|苏州 Suzhou|无锡 Wuxi|常州 Changzhou|宁波 Ningbo|合肥 Hefei|武汉 Wuhan|长沙 Changsha|成都 Chengdu|西安 Xi'an|
郑州 Zhengzhou|济南 Jinan|青岛 Qingdao|大连 Dalian|沈阳 Shenyang|长春 Changchun|哈尔滨 Harbin|厦门 Xiamen|福州 Fuzhou|
南昌 Nanchang|昆明 Kunming|贵阳 Guiyang|南宁 Nanning|太原 Taiyuan|石家庄 Shijiazhuang|兰州 Lanzhou|乌鲁木齐 Urumqi|
自贡 Zigong|绵阳 Mianyang|宜宾 Yibin|泸州 Luzhou|德阳 Deyang|佛山 Foshan|东莞 Dongguan|珠海 Zhuhai|惠州 Huizhou|
温州 Wenzhou|嘉兴 Jiaxing|绍兴 Shaoxing|南通 Nantong|扬州 Yangzhou|徐州 Xuzhou|烟台 Yantai|潍坊 Weifang|枣庄 Zaozhuang|
滕州 Tengzhou|洛阳 Luoyang|襄阳 Xiangyang|宜昌 Yichang|株洲 Zhuzhou|芜湖 Wuhu|榆林 Yulin|鄂尔多斯 Ordos|包头 Baotou|
唐山 Tangshan|保定 Baoding|廊坊 Langfang|雄安 Xiong'an|
"""
for _item in _PLACE_TABLE.replace("\n", "").split("|"):
    if _item.strip():
        _zh, _, _en = _item.strip().partition(" ")
        PLACES[_zh] = _en.strip()


# Countries are places only where the text uses them as one (在美国, in China), not as an
# adjective (中国高校, China's growing need): see canal.extract.mentions._place_mentions.
COUNTRIES: dict[str, tuple[str, ...]] = {
    "中国": ("China",), "美国": ("United States", "US", "USA", "America"), "英国": ("United Kingdom", "UK", "Britain"),
    "德国": ("Germany",), "法国": ("France",), "日本": ("Japan",), "韩国": ("South Korea", "Korea"), "新加坡": ("Singapore",),
    "以色列": ("Israel",), "瑞典": ("Sweden",), "荷兰": ("Netherlands",), "瑞士": ("Switzerland",), "加拿大": ("Canada",),
    "澳大利亚": ("Australia",), "印度": ("India",), "俄罗斯": ("Russia",), "意大利": ("Italy",), "西班牙": ("Spain",),
    "比利时": ("Belgium",), "芬兰": ("Finland",), "丹麦": ("Denmark",), "挪威": ("Norway",), "爱尔兰": ("Ireland",),
    "奥地利": ("Austria",), "新西兰": ("New Zealand",), "苏格兰": ("Scotland",), "英格兰": ("England",), "威尔士": ("Wales",),
    "欧洲": ("Europe",), "马来西亚": ("Malaysia",), "泰国": ("Thailand",), "越南": ("Vietnam",), "巴西": ("Brazil",),
}

# Central government bodies often named without a suffix the patterns know (real names; a
# small registry of the State Council's ministries and commissions, short forms included).
GOVERNMENT_BODIES: tuple[str, ...] = (
    "国务院", "科技部", "科学技术部", "教育部", "工信部", "工业和信息化部", "财政部", "商务部", "人力资源和社会保障部", "人社部",
    "农业农村部", "自然资源部", "生态环境部", "交通运输部", "水利部", "国家卫生健康委", "国家卫健委", "国家发展改革委", "国家发改委",
    "发展改革委", "国资委", "国务院国资委", "证监会", "中国证监会", "银保监会", "国家知识产权局", "知识产权局", "国家市场监管总局",
    "市场监管总局", "中国人民银行", "国家外汇管理局", "中国科协", "国家自然科学基金委员会", "自然科学基金委", "工业和信息化厅",
)


@dataclass
class Lexicon:
    """Surface forms to scan for (``(text, node id, class)``) and a gazetteer to link mentions."""

    surfaces: list[tuple[str, str, str]] = field(default_factory=list)
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    classes: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    _buckets: dict[str, list[tuple[str, str, str]]] | None = field(default=None, repr=False)

    @classmethod
    def from_graph(cls, g: nx.MultiDiGraph | None, *, min_length: int = 2) -> Lexicon:
        """Every node's name, nameZh, nameEn and aliases (persons and long descriptions left out)."""
        lex = cls()
        if g is None:
            return lex
        for nid, data in sorted(g.nodes(data=True), key=lambda x: str(x[0])):
            klass = str(data.get("cls") or "")
            if not klass or klass in ("Person",):
                continue
            names: list[str] = []
            for key in ("name", "nameEn", "nameZh"):
                v = data.get(key)
                if isinstance(v, str) and v.strip():
                    names.append(v.strip())
            al = data.get("aliases") or []
            names.extend(a.strip() for a in (al if isinstance(al, list) else [al]) if isinstance(a, str) and a.strip())
            seen: set[str] = set()
            uniq = [n for n in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]
            lex.gazetteer.add(str(nid), uniq)
            lex.classes[str(nid)] = klass
            lex.names[str(nid)] = uniq[0] if uniq else str(nid)
            for n in uniq:
                if len(n) >= min_length and len(n) <= 60 and not re.fullmatch(r"[a-z]{1,3}|\d+", n):
                    lex.surfaces.append((n, str(nid), klass))
        return lex

    def buckets(self) -> dict[str, list[tuple[str, str, str]]]:
        """Surfaces keyed by their first two characters (built once)."""
        if self._buckets is None:
            b: dict[str, list[tuple[str, str, str]]] = {}
            for item in self.surfaces:
                b.setdefault(item[0][:2], []).append(item)
            self._buckets = b
        return self._buckets

    def link(self, name: str, *, threshold: float = 0.9) -> tuple[str, float] | None:
        """The best existing node for ``name`` (score at least ``threshold``), else None."""
        try:
            hits = self.gazetteer.lookup(name)
        except Exception:  # a resolver bug must not stop extraction
            return None
        if not hits:
            return None
        nid, score = hits[0]
        return (str(nid), float(score)) if float(score) >= threshold else None


def _demo_like() -> nx.MultiDiGraph:
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.add_node("dicp", cls="ResearchInstitute", name="Dalian Institute of Chemical Physics", nameZh="大连化物所", aliases=["DICP"])
    g.add_node("x", cls="Person", name="Someone")
    return g
