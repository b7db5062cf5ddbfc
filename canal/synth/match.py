"""Synthetic canal graphs with planted true matches, for evaluation and benchmarks.

The world: provinces with cities and parks; research labs, each with a topic, in a park;
technologies developed by labs, described in Chinese, English or both, with a maturity;
enterprises with topics, products and needs, in parks, members of alliances, funded by
investors, tied to one another as customers and to labs as collaborators; pilot platforms
per topic; investors with topic and regional focus.

Planted matches: every technology gets one to three adopting enterprises drawn by a hidden
utility that adds up topic, same city or province, a shared alliance, a shared investor,
a collaborator of a collaborator, and stage fit, plus Gumbel noise: no single observable
signal recovers them, several together do. Each match becomes an ``adopts`` or
``licensedTo`` edge with a date; investments are planted the same way (topic focus,
province, stage fit). Text is noisy on purpose: a Chinese-only description shares no
words with an English-only one, fields are missing or in the other language.

>>> r = planted_graph(n_technologies=30, n_enterprises=60, seed=1)
>>> r.graph.number_of_nodes() > 90, len(r.truth) >= 30
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from canal.model import Relationship
from canal.ontology import load_ontology

TOPICS: list[tuple[str, str, list[str], list[str]]] = [
    ("lithium batteries", "锂电池", ["lithium", "battery", "cathode", "anode", "electrolyte", "cell"], ["锂电池", "正极材料", "负极", "电解液", "电芯", "储能"]),
    ("photovoltaics", "光伏", ["solar", "photovoltaic", "wafer", "module", "perovskite", "inverter"], ["光伏", "硅片", "组件", "钙钛矿", "逆变器", "太阳能"]),
    ("semiconductors", "半导体", ["chip", "semiconductor", "lithography", "etching", "packaging", "substrate"], ["芯片", "半导体", "光刻", "刻蚀", "封装", "晶圆"]),
    ("biomedicine", "生物医药", ["antibody", "vaccine", "drug", "clinical", "biologic", "protein"], ["抗体", "疫苗", "药物", "临床", "生物药", "蛋白"]),
    ("medical devices", "医疗器械", ["imaging", "scanner", "catheter", "implant", "diagnostic", "ultrasound"], ["影像", "导管", "植入物", "诊断", "超声", "医疗器械"]),
    ("robotics", "机器人", ["robot", "servo", "actuator", "gripper", "motion", "reducer"], ["机器人", "伺服", "减速器", "自动化", "控制器", "机械臂"]),
    ("new materials", "新材料", ["composite", "alloy", "ceramic", "coating", "fibre", "graphene"], ["复合材料", "合金", "陶瓷", "涂层", "纤维", "石墨烯"]),
    ("chemicals", "化工", ["catalyst", "olefin", "methanol", "solvent", "synthesis", "reactor"], ["催化剂", "烯烃", "甲醇", "溶剂", "合成", "反应器"]),
    ("photonics", "光电子", ["laser", "optical", "photonic", "lens", "beam", "spectrometer"], ["激光", "光学", "光子", "镜头", "光束", "光谱仪"]),
    ("intelligent vehicles", "智能网联汽车", ["vehicle", "autonomous", "lidar", "radar", "driving", "v2x"], ["汽车", "自动驾驶", "激光雷达", "毫米波", "传感器", "车联网"]),
    ("artificial intelligence", "人工智能", ["algorithm", "learning", "vision", "speech", "inference", "dataset"], ["算法", "机器学习", "视觉", "语音", "推理", "数据集"]),
    ("hydrogen", "氢能", ["hydrogen", "fuel", "electrolyser", "membrane", "tank", "refuelling"], ["氢能", "燃料电池", "电解槽", "质子膜", "储氢", "加氢站"]),
    ("agritech", "智慧农业", ["seed", "crop", "fertiliser", "irrigation", "breeding", "soil"], ["种子", "作物", "肥料", "灌溉", "育种", "土壤"]),
    ("environment", "环保", ["wastewater", "emission", "filter", "recycling", "desulfurisation", "sludge"], ["污水", "排放", "过滤", "回收", "脱硫", "污泥"]),
    ("additive manufacturing", "增材制造", ["printing", "additive", "powder", "printer", "sintering", "microscale"], ["打印", "增材", "粉末", "打印机", "烧结", "微纳"]),
    ("power electronics", "电力电子", ["power", "voltage", "converter", "grid", "transformer", "charging"], ["电源", "高压", "变流器", "电网", "变压器", "充电桩"]),
]
"""Topics: English and Chinese name, English and Chinese keywords."""

GENERIC_EN = ["advanced", "high", "performance", "efficient", "cost", "process", "system", "industrial", "integrated", "precision", "scale", "quality"]
GENERIC_ZH = ["高性能", "低成本", "工艺", "系统", "技术", "产业化", "集成", "精密", "高效", "规模化"]
PROVINCES = [
    ("Sichuan", "四川"), ("Chongqing", "重庆"), ("Shandong", "山东"), ("Tianjin", "天津"), ("Jiangsu", "江苏"), ("Zhejiang", "浙江"),
    ("Guangdong", "广东"), ("Hubei", "湖北"), ("Shaanxi", "陕西"), ("Anhui", "安徽"), ("Fujian", "福建"), ("Hunan", "湖南"),
    ("Henan", "河南"), ("Liaoning", "辽宁"), ("Jilin", "吉林"), ("Hebei", "河北"), ("Shanxi", "山西"), ("Jiangxi", "江西"),
    ("Yunnan", "云南"), ("Guangxi", "广西"), ("Guizhou", "贵州"), ("Gansu", "甘肃"), ("Beijing", "北京"), ("Shanghai", "上海"),
]


@dataclass
class PlantedResult:
    """A synthetic graph and its planted pairs: (technology, enterprise) and (investor, enterprise)."""

    graph: nx.MultiDiGraph
    truth: list[tuple[str, str]]
    investments: list[tuple[str, str]]


class _Builder:
    def __init__(self) -> None:
        self.G: nx.MultiDiGraph = nx.MultiDiGraph()
        self.onto = load_ontology()
        self._labels: dict[str, list[str]] = {}

    def node(self, nid: str, cls: str, **props: object) -> None:
        if cls not in self._labels:
            self._labels[cls] = sorted(self.onto.labels_for(cls))
        self.G.add_node(nid, cls=cls, labels=self._labels[cls], **{k: v for k, v in props.items() if v is not None and v != []})

    def edge(self, rel: str, u: str, v: str, key: str = "", **props: object) -> None:
        r = Relationship(type=rel, source=u, target=v, key=key)
        self.G.add_edge(u, v, key=r.rid, type=self.onto.relation(rel).type, rel=rel, **props)


def _pick_words(rng: np.random.Generator, words: list[str], k: int) -> list[str]:
    idx = rng.permutation(len(words))[:k]
    return [words[i] for i in idx]


def _words(rng: np.random.Generator, topic: int, n_topic: int, lang: str, noise_topic: int | None) -> str:
    _en, _zh, ken, kzh = TOPICS[topic % len(TOPICS)]
    if lang == "en":
        ws = _pick_words(rng, ken, n_topic) + _pick_words(rng, GENERIC_EN, 2)
        if noise_topic is not None:
            ws.append(TOPICS[noise_topic % len(TOPICS)][2][int(rng.integers(0, 6))])
        return " ".join(ws[i] for i in rng.permutation(len(ws)))
    ws = _pick_words(rng, kzh, n_topic) + _pick_words(rng, GENERIC_ZH, 2)
    if noise_topic is not None:
        ws.append(TOPICS[noise_topic % len(TOPICS)][3][int(rng.integers(0, 6))])
    ws = [ws[i] for i in rng.permutation(len(ws))]
    return "的".join(ws[:2]) + "与" + "、".join(ws[2:])


def _fit(tech_stage: float, ent_stage: float) -> float:
    return max(0.0, 1.0 - abs(ent_stage - (tech_stage + 1.0)) / 2.0)


@dataclass
class _World:
    """The state the sections of :func:`planted_graph` share (sizes, places, hidden attributes)."""

    rng: np.random.Generator
    b: _Builder
    nt: int
    n_prov: int
    cities_per_province: int
    years: tuple[int, int]
    cities: list[tuple[str, int]] = field(default_factory=list)
    parks: list[tuple[str, int, int]] = field(default_factory=list)
    arr: dict[str, np.ndarray] = field(default_factory=dict)
    e_all: list[set[int]] = field(default_factory=list)
    e_inv: list[set[int]] = field(default_factory=list)
    by_topic: dict[int, np.ndarray] = field(default_factory=dict)
    ties: list[set[int]] = field(default_factory=list)
    l_all: list[set[int]] = field(default_factory=list)
    l_inv: list[set[int]] = field(default_factory=list)
    l_collab: list[set[int]] = field(default_factory=list)

    def pick_alliances(self, topic: int, prov: int, k: int) -> list[int]:
        all_topic, all_prov = self.arr["all_topic"], self.arr["all_prov"]
        w = np.where(all_topic == topic, 4.0, 0.2) * np.where(all_prov == prov, 3.0, 1.0)
        return sorted(set(self.rng.choice(len(all_topic), size=k, p=w / w.sum()).tolist())) if k else []


def planted_graph(
    n_technologies: int = 400,
    n_enterprises: int = 1500,
    *,
    seed: int = 0,
    n_topics: int | None = None,
    n_provinces: int | None = None,
    cities_per_province: int = 4,
    n_alliances: int | None = None,
    n_investors: int | None = None,
    years: tuple[int, int] = (2012, 2024),
    pool: int = 400,
) -> PlantedResult:
    """Build a planted graph (see the module docs); deterministic for a seed."""
    nt = n_topics or len(TOPICS)
    n_prov = n_provinces or min(len(PROVINCES), max(4, int(math.sqrt(n_enterprises) / 3)))
    w = _World(np.random.default_rng(seed), _Builder(), nt, n_prov, cities_per_province, years)
    _places(w)
    _alliances(w, n_alliances or max(nt, n_enterprises // 60))
    _investors(w, n_investors or max(20, n_enterprises // 25))
    _platforms(w, max(nt, n_enterprises // 150))
    investments = _enterprises(w, n_enterprises)
    _customer_ties(w, n_enterprises)
    last_lab_topic = _labs(w, max(nt, n_technologies // 4))
    truth = _technologies(w, n_technologies, n_enterprises, pool, last_lab_topic)
    return PlantedResult(w.b.G, truth, investments)


def _places(w: _World) -> None:
    """Provinces, cities (each with a high-tech park) and one segment per topic."""
    b = w.b
    for p in range(w.n_prov):
        en, zh = PROVINCES[p % len(PROVINCES)]
        pid = f"prov-{p}"
        b.node(pid, "Region", name=en, nameEn=en, nameZh=zh + "省")
        for c in range(w.cities_per_province):
            cid = f"city-{p}-{c}"
            b.node(cid, "Region", name=f"{en} city {c + 1}", nameEn=f"{en} city {c + 1}", nameZh=f"{zh}第{c + 1}市")
            b.edge("locatedIn", cid, pid)
            w.cities.append((cid, p))
            k = f"park-{p}-{c}"
            b.node(k, "IndustrialPark", name=f"{en} high-tech zone {c + 1}", nameZh=f"{zh}第{c + 1}高新区")
            b.edge("locatedIn", k, cid)
            w.parks.append((k, len(w.cities) - 1, p))
    # segments
    for t in range(w.nt):
        en, zh, _ke, _kz = TOPICS[t % len(TOPICS)]
        b.node(f"seg-{t}", "IndustrySegment", name=en.capitalize(), nameEn=en.capitalize(), nameZh=zh)


def _alliances(w: _World, n_all: int) -> None:
    """Alliances: topic + home province."""
    all_topic = w.arr["all_topic"] = w.rng.integers(0, w.nt, n_all)
    w.arr["all_prov"] = w.rng.integers(0, w.n_prov, n_all)
    for a in range(n_all):
        en, zh = TOPICS[all_topic[a] % len(TOPICS)][:2]
        w.b.node(f"alliance-{a}", "Alliance", name=f"{en.capitalize()} alliance {a}", nameZh=f"{zh}产业联盟{a}")


def _investors(w: _World, n_inv: int) -> None:
    """Investors: topic focus + province focus + preferred stage."""
    rng, b = w.rng, w.b
    inv_topic = w.arr["inv_topic"] = rng.integers(0, w.nt, n_inv)
    inv_prov = w.arr["inv_prov"] = rng.integers(0, w.n_prov, n_inv)
    inv_kind = w.arr["inv_kind"] = rng.choice(["VentureCapital", "GovernmentGuidanceFund", "Fund", "Grant"], size=n_inv, p=[0.4, 0.25, 0.2, 0.15])
    w.arr["inv_stage"] = np.asarray([{"Grant": 0.5, "VentureCapital": 1.5, "GovernmentGuidanceFund": 1.5, "Fund": 2.0}[k] for k in inv_kind])
    for i in range(n_inv):
        en, zh = TOPICS[inv_topic[i] % len(TOPICS)][:2]
        b.node(f"inv-{i}", str(inv_kind[i]), name=f"{en.capitalize()} fund {i}", nameZh=f"{zh}基金{i}", field=[en])
        b.edge("locatedIn", f"inv-{i}", w.cities[int(inv_prov[i]) * w.cities_per_province % len(w.cities)][0])


def _platforms(w: _World, n_plat: int) -> None:
    """Pilot platforms, each in a park and a segment."""
    rng, b, parks = w.rng, w.b, w.parks
    for p in range(n_plat):
        t = int(rng.integers(0, w.nt))
        park = parks[int(rng.integers(0, len(parks)))][0]
        en, zh = TOPICS[t % len(TOPICS)][:2]
        b.node(f"plat-{p}", "PilotPlatform", name=f"{en.capitalize()} pilot platform {p}", nameZh=f"{zh}中试平台{p}", field=[en])
        b.edge("locatedIn", f"plat-{p}", park)
        b.edge("partOfSegment", f"plat-{p}", f"seg-{t}")


def _enterprises(w: _World, n_enterprises: int) -> list[tuple[str, str]]:
    """Enterprises with descriptions, parks, segments, alliances, products and planted investments."""
    rng, b, parks = w.rng, w.b, w.parks
    nt = w.nt
    e_topic = w.arr["e_topic"] = rng.integers(0, nt, n_enterprises)
    e_park = rng.integers(0, len(parks), n_enterprises)
    w.arr["e_city"] = np.asarray([parks[k][1] for k in e_park])
    e_prov = w.arr["e_prov"] = np.asarray([parks[k][2] for k in e_park])
    e_stage = w.arr["e_stage"] = np.zeros(n_enterprises)
    w.e_inv = [set() for _ in range(n_enterprises)]
    investments: list[tuple[str, str]] = []
    syndicate: dict[int, set[int]] = {}
    y1 = w.years[1]
    for e in range(n_enterprises):
        t = int(e_topic[e])
        en, zh, _ke, _kz = TOPICS[t % len(TOPICS)]
        lang = rng.choice(["en", "zh", "both"], p=[0.3, 0.3, 0.4])
        second = int(rng.integers(0, nt))
        desc = []
        if lang in ("en", "both"):
            desc.append("Makes " + _words(rng, t, 3, "en", second) + "; seeks " + _words(rng, t, 1, "en", None))
        if lang in ("zh", "both"):
            desc.append("生产" + _words(rng, t, 3, "zh", second) + "；需求：" + _words(rng, t, 1, "zh", None))
        founded = int(rng.integers(1995, y1 + 1))
        listed = rng.random() < 0.08
        stage = 3.0 if listed else (1.0 if founded >= y1 - 3 else 2.0)
        e_stage[e] = stage
        fld = [en] if rng.random() < 0.5 else ([zh] if rng.random() < 0.5 else [])
        b.node(f"ent-{e}", "Enterprise", name=f"{en.capitalize()} company {e}", nameZh=f"{zh}企业{e}", description=" ".join(desc), field=fld, foundedYear=founded, stockCode=f"68{e:04d}" if listed else None)
        b.edge("locatedIn", f"ent-{e}", parks[int(e_park[e])][0])
        if rng.random() < 0.6:
            b.edge("partOfSegment", f"ent-{e}", f"seg-{t}")
        als = w.pick_alliances(t, int(e_prov[e]), int(rng.integers(0, 3)))
        w.e_all.append(set(als))
        for a in als:
            b.edge("memberOf", f"ent-{e}", f"alliance-{a}")
        if rng.random() < 0.3:
            b.node(f"prod-{e}", "Product", name=f"{en} product {e}", description=_words(rng, t, 2, "en", None))
            b.edge("produces", f"ent-{e}", f"prod-{e}")
        investments += _invest(w, e, t, stage, founded, syndicate)
    return investments


def _invest(w: _World, e: int, t: int, stage: float, founded: int, syndicate: dict[int, set[int]]) -> list[tuple[str, str]]:
    """Planted investments in enterprise ``e``: topic focus, province, stage fit, syndicates, noise."""
    rng = w.rng
    inv_topic, inv_prov, inv_kind, inv_stage = (w.arr[k] for k in ("inv_topic", "inv_prov", "inv_kind", "inv_stage"))
    n_inv = len(inv_topic)
    y0, y1 = w.years
    cand = np.arange(n_inv) if n_inv <= 512 else rng.choice(n_inv, size=256, replace=False)
    u = 1.2 * (inv_topic[cand] == t) + 0.8 * (inv_prov[cand] == w.arr["e_prov"][e]) + 0.8 * np.clip(1 - np.abs(inv_stage[cand] - stage) / 2, 0, 1)
    u = u + rng.gumbel(0, 0.4, len(cand))
    chosen: list[int] = []
    for _ in range(int(rng.integers(1, 4))):
        bonus = np.zeros(len(cand))
        for c in chosen:
            if syndicate.get(c):
                bonus += 0.9 * np.isin(cand, list(syndicate[c]))
        order = np.argsort(-(u + bonus), kind="stable")
        i = next(int(cand[o]) for o in order if int(cand[o]) not in chosen)
        chosen.append(i)
    out: list[tuple[str, str]] = []
    for i in chosen:
        for c in chosen:
            if c != i:
                syndicate.setdefault(i, set()).add(c)
        w.e_inv[e].add(int(i))
        yr = int(rng.integers(max(founded, y0), y1 + 1))
        w.b.edge("grantsTo" if inv_kind[i] == "Grant" else "investsIn", f"inv-{i}", f"ent-{e}", date=f"{yr}-{int(rng.integers(1, 13)):02d}-15")
        out.append((f"inv-{i}", f"ent-{e}"))
    return out


def _customer_ties(w: _World, n_enterprises: int) -> None:
    """Customer ties among enterprises of a topic, mostly nearby."""
    rng, e_topic = w.rng, w.arr["e_topic"]
    w.by_topic = {t: np.flatnonzero(e_topic == t) for t in range(w.nt)}
    w.ties = [set() for _ in range(n_enterprises)]
    for e in range(n_enterprises):
        same = w.by_topic[int(e_topic[e])]
        for o in rng.choice(same, size=min(len(same), int(rng.integers(0, 3))), replace=False):
            if o != e:
                w.b.edge("customerOf", f"ent-{e}", f"ent-{int(o)}")
                w.ties[e].add(int(o))
                w.ties[int(o)].add(e)


def _labs(w: _World, n_labs: int) -> int:
    """Labs with topics, parks, alliances, funders and collaborating enterprises; returns the last lab's topic."""
    rng, b, parks = w.rng, w.b, w.parks
    inv_topic, inv_prov, inv_kind, e_prov = (w.arr[k] for k in ("inv_topic", "inv_prov", "inv_kind", "e_prov"))
    n_inv = len(inv_topic)
    l_topic = w.arr["l_topic"] = rng.integers(0, w.nt, n_labs)
    l_park = rng.integers(0, len(parks), n_labs)
    w.arr["l_city"] = np.asarray([parks[k][1] for k in l_park])
    l_prov = w.arr["l_prov"] = np.asarray([parks[k][2] for k in l_park])
    t = 0
    for lab in range(n_labs):
        t = int(l_topic[lab])
        en, zh = TOPICS[t % len(TOPICS)][:2]
        cls = ["ResearchInstitute", "University", "Laboratory"][lab % 3]
        b.node(f"lab-{lab}", cls, name=f"{en.capitalize()} lab {lab}", nameZh=f"{zh}研究院{lab}", field=[en] if rng.random() < 0.7 else [])
        b.edge("locatedIn", f"lab-{lab}", parks[int(l_park[lab])][0])
        als = w.pick_alliances(t, int(l_prov[lab]), int(rng.integers(1, 3)))
        w.l_all.append(set(als))
        for a in als:
            b.edge("memberOf", f"lab-{lab}", f"alliance-{a}")
        cand = rng.choice(n_inv, size=min(n_inv, 32), replace=False)
        u = 1.2 * (inv_topic[cand] == t) + 0.8 * (inv_prov[cand] == l_prov[lab]) + rng.gumbel(0, 0.4, len(cand))
        invs = {int(i) for i in cand[np.argsort(-u)][: int(rng.integers(0, 3))]}
        w.l_inv.append(invs)
        for i in sorted(invs):
            b.edge("grantsTo" if inv_kind[i] in ("Grant", "GovernmentGuidanceFund") else "investsIn", f"inv-{i}", f"lab-{lab}")
        same = w.by_topic[t]
        near = same[e_prov[same] == l_prov[lab]] if len(same) else same
        src = near if len(near) >= 2 else same
        col = {int(x) for x in rng.choice(src, size=min(len(src), int(rng.integers(1, 4))), replace=False)} if len(src) else set()
        w.l_collab.append(col)
        for x in sorted(col):
            b.edge("collaboratesWith", f"lab-{lab}", f"ent-{x}")
    return t


def _technologies(w: _World, n_technologies: int, n_enterprises: int, pool: int, seg_topic: int) -> list[tuple[str, str]]:
    """Technologies and planted adoptions (the truth).

    ``seg_topic`` is the segment a technology is put in (half of them): the last lab's topic, as the
    generator has always done (kept so seeded graphs and the published evaluation stay the same).
    """
    rng, b, nt = w.rng, w.b, w.nt
    l_topic = w.arr["l_topic"]
    truth: list[tuple[str, str]] = []
    for ti in range(n_technologies):
        lab = int(rng.integers(0, len(l_topic)))
        tt = int(l_topic[lab]) if rng.random() < 0.85 else int(rng.integers(0, nt))
        en, zh, _ke, _kz = TOPICS[tt % len(TOPICS)]
        trl = int(rng.integers(2, 10))
        tstage = 0.0 if trl <= 3 else 1.0 if trl <= 6 else 2.0
        lang = rng.choice(["en", "zh", "both"], p=[0.3, 0.3, 0.4])
        noise = int(rng.integers(0, nt))
        desc = []
        if lang in ("en", "both"):
            desc.append(_words(rng, tt, 3, "en", noise))
        if lang in ("zh", "both"):
            desc.append(_words(rng, tt, 3, "zh", noise))
        fld = [en] if rng.random() < 0.5 else ([zh] if rng.random() < 0.4 else [])
        tid = f"tech-{ti}"
        b.node(tid, "Technology", name=f"{en.capitalize()} technology {ti}", nameZh=f"{zh}技术{ti}", description=" / ".join(desc), field=fld, trl=trl)
        b.edge("develops", f"lab-{lab}", tid)
        if rng.random() < 0.5:
            b.edge("partOfSegment", tid, f"seg-{seg_topic}")
        truth += _adopters(w, tid, lab, tt, tstage, n_enterprises, pool)
    return truth


def _adopters(w: _World, tid: str, lab: int, tt: int, tstage: float, n_enterprises: int, pool: int) -> list[tuple[str, str]]:
    """Planted adopters of technology ``tid`` (of lab ``lab``, topic ``tt``) by the hidden utility."""
    rng, b = w.rng, w.b
    e_topic, e_city, e_prov, e_stage = (w.arr[k] for k in ("e_topic", "e_city", "e_prov", "e_stage"))
    y0, y1 = w.years
    # candidate pool: same-topic enterprises plus a few others
    same = w.by_topic[tt]
    others = rng.integers(0, n_enterprises, max(8, pool // 10))
    cand = np.unique(np.concatenate([rng.choice(same, size=min(len(same), pool), replace=False) if len(same) else same, others]))
    coc = set()
    for x in w.l_collab[lab]:
        coc |= w.ties[x]
        coc.add(x)
    u = (
        2.0 * (e_topic[cand] == tt)
        + 0.9 * (e_city[cand] == w.arr["l_city"][lab])
        + 0.5 * (e_prov[cand] == w.arr["l_prov"][lab])
        + 1.0 * np.asarray([bool(w.e_all[x] & w.l_all[lab]) for x in cand])
        + 0.9 * np.asarray([bool(w.e_inv[x] & w.l_inv[lab]) for x in cand])
        + 0.9 * np.asarray([x in coc for x in cand])
        + 0.7 * np.asarray([_fit(tstage, e_stage[x]) for x in cand])
        + rng.gumbel(0, 0.5, len(cand))
    )
    m = 1 + int(rng.poisson(0.6))
    truth: list[tuple[str, str]] = []
    for x in cand[np.argsort(-u, kind="stable")][: min(3, m)]:
        yr = int(rng.integers(y0, y1 + 1))
        date = f"{yr}-{int(rng.integers(1, 13)):02d}-01"
        if rng.random() < 0.5:
            b.edge("adopts", f"ent-{int(x)}", tid, date=date)
        else:
            b.edge("licensedTo", tid, f"ent-{int(x)}", date=date)
        truth.append((tid, f"ent-{int(x)}"))
    return truth
