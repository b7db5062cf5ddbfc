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
from dataclasses import dataclass

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
    rng = np.random.default_rng(seed)
    b = _Builder()
    nt = n_topics or len(TOPICS)
    n_prov = n_provinces or min(len(PROVINCES), max(4, int(math.sqrt(n_enterprises) / 3)))
    n_all = n_alliances or max(nt, n_enterprises // 60)
    n_inv = n_investors or max(20, n_enterprises // 25)
    n_labs = max(nt, n_technologies // 4)
    n_plat = max(nt, n_enterprises // 150)

    # places
    cities: list[tuple[str, int]] = []
    parks: list[tuple[str, int, int]] = []
    for p in range(n_prov):
        en, zh = PROVINCES[p % len(PROVINCES)]
        pid = f"prov-{p}"
        b.node(pid, "Region", name=en, nameEn=en, nameZh=zh + "省")
        for c in range(cities_per_province):
            cid = f"city-{p}-{c}"
            b.node(cid, "Region", name=f"{en} city {c + 1}", nameEn=f"{en} city {c + 1}", nameZh=f"{zh}第{c + 1}市")
            b.edge("locatedIn", cid, pid)
            cities.append((cid, p))
            k = f"park-{p}-{c}"
            b.node(k, "IndustrialPark", name=f"{en} high-tech zone {c + 1}", nameZh=f"{zh}第{c + 1}高新区")
            b.edge("locatedIn", k, cid)
            parks.append((k, len(cities) - 1, p))
    n_city = len(cities)
    # segments
    for t in range(nt):
        en, zh, _ke, _kz = TOPICS[t % len(TOPICS)]
        b.node(f"seg-{t}", "IndustrySegment", name=en.capitalize(), nameEn=en.capitalize(), nameZh=zh)
    # alliances: topic + home province
    all_topic = rng.integers(0, nt, n_all)
    all_prov = rng.integers(0, n_prov, n_all)
    for a in range(n_all):
        en, zh = TOPICS[all_topic[a] % len(TOPICS)][:2]
        b.node(f"alliance-{a}", "Alliance", name=f"{en.capitalize()} alliance {a}", nameZh=f"{zh}产业联盟{a}")
    # investors: topic focus + province focus + preferred stage
    inv_topic = rng.integers(0, nt, n_inv)
    inv_prov = rng.integers(0, n_prov, n_inv)
    inv_kind = rng.choice(["VentureCapital", "GovernmentGuidanceFund", "Fund", "Grant"], size=n_inv, p=[0.4, 0.25, 0.2, 0.15])
    inv_stage = np.asarray([{"Grant": 0.5, "VentureCapital": 1.5, "GovernmentGuidanceFund": 1.5, "Fund": 2.0}[k] for k in inv_kind])
    for i in range(n_inv):
        en, zh = TOPICS[inv_topic[i] % len(TOPICS)][:2]
        b.node(f"inv-{i}", str(inv_kind[i]), name=f"{en.capitalize()} fund {i}", nameZh=f"{zh}基金{i}", field=[en])
        b.edge("locatedIn", f"inv-{i}", cities[int(inv_prov[i]) * cities_per_province % n_city][0])
    # pilot platforms
    for p in range(n_plat):
        t = int(rng.integers(0, nt))
        park = parks[int(rng.integers(0, len(parks)))][0]
        en, zh = TOPICS[t % len(TOPICS)][:2]
        b.node(f"plat-{p}", "PilotPlatform", name=f"{en.capitalize()} pilot platform {p}", nameZh=f"{zh}中试平台{p}", field=[en])
        b.edge("locatedIn", f"plat-{p}", park)
        b.edge("partOfSegment", f"plat-{p}", f"seg-{t}")

    def pick_alliances(topic: int, prov: int, k: int) -> list[int]:
        w = np.where(all_topic == topic, 4.0, 0.2) * np.where(all_prov == prov, 3.0, 1.0)
        return sorted(set(rng.choice(n_all, size=k, p=w / w.sum()).tolist())) if k else []

    # enterprises
    e_topic = rng.integers(0, nt, n_enterprises)
    e_park = rng.integers(0, len(parks), n_enterprises)
    e_city = np.asarray([parks[k][1] for k in e_park])
    e_prov = np.asarray([parks[k][2] for k in e_park])
    e_stage = np.zeros(n_enterprises)
    e_all: list[set[int]] = []
    e_inv: list[set[int]] = [set() for _ in range(n_enterprises)]
    investments: list[tuple[str, str]] = []
    syndicate: dict[int, set[int]] = {}
    y0, y1 = years
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
        als = pick_alliances(t, int(e_prov[e]), int(rng.integers(0, 3)))
        e_all.append(set(als))
        for a in als:
            b.edge("memberOf", f"ent-{e}", f"alliance-{a}")
        if rng.random() < 0.3:
            b.node(f"prod-{e}", "Product", name=f"{en} product {e}", description=_words(rng, t, 2, "en", None))
            b.edge("produces", f"ent-{e}", f"prod-{e}")
        # planted investments: topic focus, province, stage fit, syndicates, noise
        cand = np.arange(n_inv) if n_inv <= 512 else rng.choice(n_inv, size=256, replace=False)
        u = 1.2 * (inv_topic[cand] == t) + 0.8 * (inv_prov[cand] == e_prov[e]) + 0.8 * np.clip(1 - np.abs(inv_stage[cand] - stage) / 2, 0, 1)
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
        for i in chosen:
            for c in chosen:
                if c != i:
                    syndicate.setdefault(i, set()).add(c)
            e_inv[e].add(int(i))
            yr = int(rng.integers(max(founded, y0), y1 + 1))
            b.edge("grantsTo" if inv_kind[i] == "Grant" else "investsIn", f"inv-{i}", f"ent-{e}", date=f"{yr}-{int(rng.integers(1, 13)):02d}-15")
            investments.append((f"inv-{i}", f"ent-{e}"))
    # customer ties among enterprises of a topic, mostly nearby
    by_topic: dict[int, np.ndarray] = {t: np.flatnonzero(e_topic == t) for t in range(nt)}
    ties: list[set[int]] = [set() for _ in range(n_enterprises)]
    for e in range(n_enterprises):
        same = by_topic[int(e_topic[e])]
        for o in rng.choice(same, size=min(len(same), int(rng.integers(0, 3))), replace=False):
            if o != e:
                b.edge("customerOf", f"ent-{e}", f"ent-{int(o)}")
                ties[e].add(int(o))
                ties[int(o)].add(e)
    # labs
    l_topic = rng.integers(0, nt, n_labs)
    l_park = rng.integers(0, len(parks), n_labs)
    l_city = np.asarray([parks[k][1] for k in l_park])
    l_prov = np.asarray([parks[k][2] for k in l_park])
    l_all: list[set[int]] = []
    l_inv: list[set[int]] = []
    l_collab: list[set[int]] = []
    for lab in range(n_labs):
        t = int(l_topic[lab])
        en, zh = TOPICS[t % len(TOPICS)][:2]
        cls = ["ResearchInstitute", "University", "Laboratory"][lab % 3]
        b.node(f"lab-{lab}", cls, name=f"{en.capitalize()} lab {lab}", nameZh=f"{zh}研究院{lab}", field=[en] if rng.random() < 0.7 else [])
        b.edge("locatedIn", f"lab-{lab}", parks[int(l_park[lab])][0])
        als = pick_alliances(t, int(l_prov[lab]), int(rng.integers(1, 3)))
        l_all.append(set(als))
        for a in als:
            b.edge("memberOf", f"lab-{lab}", f"alliance-{a}")
        cand = rng.choice(n_inv, size=min(n_inv, 32), replace=False)
        u = 1.2 * (inv_topic[cand] == t) + 0.8 * (inv_prov[cand] == l_prov[lab]) + rng.gumbel(0, 0.4, len(cand))
        invs = {int(i) for i in cand[np.argsort(-u)][: int(rng.integers(0, 3))]}
        l_inv.append(invs)
        for i in sorted(invs):
            b.edge("grantsTo" if inv_kind[i] in ("Grant", "GovernmentGuidanceFund") else "investsIn", f"inv-{i}", f"lab-{lab}")
        same = by_topic[t]
        near = same[e_prov[same] == l_prov[lab]] if len(same) else same
        src = near if len(near) >= 2 else same
        col = {int(x) for x in rng.choice(src, size=min(len(src), int(rng.integers(1, 4))), replace=False)} if len(src) else set()
        l_collab.append(col)
        for x in sorted(col):
            b.edge("collaboratesWith", f"lab-{lab}", f"ent-{x}")
    # technologies and planted adoptions
    truth: list[tuple[str, str]] = []
    for ti in range(n_technologies):
        lab = int(rng.integers(0, n_labs))
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
            b.edge("partOfSegment", tid, f"seg-{t}")
        # candidate pool: same-topic enterprises plus a few others
        same = by_topic[tt]
        others = rng.integers(0, n_enterprises, max(8, pool // 10))
        cand = np.unique(np.concatenate([rng.choice(same, size=min(len(same), pool), replace=False) if len(same) else same, others]))
        coc = set()
        for x in l_collab[lab]:
            coc |= ties[x]
            coc.add(x)
        u = (
            2.0 * (e_topic[cand] == tt)
            + 0.9 * (e_city[cand] == l_city[lab])
            + 0.5 * (e_prov[cand] == l_prov[lab])
            + 1.0 * np.asarray([bool(e_all[x] & l_all[lab]) for x in cand])
            + 0.9 * np.asarray([bool(e_inv[x] & l_inv[lab]) for x in cand])
            + 0.9 * np.asarray([x in coc for x in cand])
            + 0.7 * np.asarray([_fit(tstage, e_stage[x]) for x in cand])
            + rng.gumbel(0, 0.5, len(cand))
        )
        m = 1 + int(rng.poisson(0.6))
        for x in cand[np.argsort(-u, kind="stable")][: min(3, m)]:
            yr = int(rng.integers(y0, y1 + 1))
            date = f"{yr}-{int(rng.integers(1, 13)):02d}-01"
            if rng.random() < 0.5:
                b.edge("adopts", f"ent-{int(x)}", tid, date=date)
            else:
                b.edge("licensedTo", tid, f"ent-{int(x)}", date=date)
            truth.append((tid, f"ent-{int(x)}"))
    return PlantedResult(b.G, truth, investments)
