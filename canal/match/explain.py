"""Why a pair was proposed: per-signal reasons in English and Chinese, and evidence paths.

Each reason that rests on the graph (shared place, alliance, investor, tie, segment, pilot
platform) comes with the concrete path from source to target through the shared element,
written as Cypher that returns that path's node ids and relationship types. The Cypher
uses only ``MATCH``, node ids as string literals and plain relationship patterns, so it
runs unchanged on FalkorDB and Neo4j 5.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from canal.match.graph import GraphIndex, Path, Profile, idf
from canal.match.signals import DIST_SCALE_KM, SignalSet, distance_km, stage_fit
from canal.model import ident
from canal.ontology import ROOT_CLASS, Ontology

SIGNAL_LABELS: dict[str, tuple[str, str]] = {
    "text": ("text", "文本"),
    "codes": ("fields", "领域"),
    "region": ("place", "地域"),
    "distance": ("distance", "距离"),
    "alliance": ("alliance", "联盟"),
    "investors": ("investors", "投资方"),
    "events": ("shared projects", "共同项目"),
    "network": ("network", "关系网络"),
    "stage": ("stage", "阶段"),
    "pilot": ("pilot platform", "中试平台"),
    "popularity": ("track record", "既往对接"),
}
"""English and Chinese names of the signals."""

COMMON_SHARE = 0.5
"""A reason that more than this share of the source's candidates share as well is not informative:
it goes after the informative ones (and is marked), however large its contribution."""


@dataclass(frozen=True)
class Evidence:
    """A path that supports one signal of a candidate, with the Cypher that returns it."""

    signal: str
    nodes: tuple[str, ...]
    types: tuple[str, ...]
    cypher: str

    def as_dict(self) -> dict[str, object]:
        return {"signal": self.signal, "nodes": list(self.nodes), "types": list(self.types), "cypher": self.cypher}


def literal(s: str) -> str:
    """A Cypher string literal (single quotes, backslash escapes).

    >>> print(literal("it's"))
    'it\\'s'
    """
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def join_paths(a: Path, b: Path) -> Path:
    """Source path to a shared element plus target path to it, reversed; cut at the first meeting node."""
    a_nodes = [a[0][0]] + [s[3] for s in a] if a else []
    b_nodes = [b[0][0]] + [s[3] for s in b] if b else []
    if not a_nodes or not b_nodes:
        return a if a else tuple((s[3], s[1], not s[2], s[0]) for s in reversed(b))
    pos_b = {n: i for i, n in enumerate(b_nodes)}
    for i, n in enumerate(a_nodes):
        if n in pos_b:
            j = pos_b[n]
            head = a[:i]
            tail = tuple((s[3], s[1], not s[2], s[0]) for s in reversed(b[:j]))
            return head + tail
    return a + tuple((s[3], s[1], not s[2], s[0]) for s in reversed(b))


def path_cypher(index: GraphIndex, path: Path) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Node ids, relationship types and the Cypher returning them for a path."""
    nodes = [path[0][0]] + [s[3] for s in path]
    types = [index.rtype(s[1]) for s in path]
    parts = [f"(n0:{ROOT_CLASS} {{id: {literal(nodes[0])}}})"]
    for i, (step, t) in enumerate(zip(path, types, strict=True)):
        rel = f"-[r{i}:{ident(t)}]->" if step[2] else f"<-[r{i}:{ident(t)}]-"
        parts.append(rel + f"(n{i + 1}:{ROOT_CLASS} {{id: {literal(nodes[i + 1])}}})")
    q = (
        "MATCH p = " + "".join(parts) + " "
        "RETURN [n IN nodes(p) | n.id] AS ids, [r IN relationships(p) | type(r)] AS types LIMIT 1"
    )
    return tuple(nodes), tuple(types), q


def _best_shared(a: Mapping[str, object], b: Mapping[str, object], weight: Mapping[str, float] | None = None) -> str | None:
    shared = sorted(set(a) & set(b))
    if not shared:
        return None
    if weight:
        return max(shared, key=lambda k: (weight.get(k, 0.0), k))
    return shared[0]


def stage_label(onto: Ontology, x: float) -> tuple[str, str]:
    """English and Chinese name of the stage a value stands for, or of the two it lies between.

    >>> from canal.ontology import load_ontology
    >>> onto = load_ontology()
    >>> stage_label(onto, 2.0)[0], stage_label(onto, 1.5)[0]
    ('industrialisation stage', 'between pilot stage and industrialisation stage')
    """
    st = onto.stage_order
    lo = max(0, min(len(st) - 1, int(np.floor(x + 1e-9))))
    hi = max(0, min(len(st) - 1, int(np.ceil(x - 1e-9))))
    a, b = onto.stages[st[lo]], onto.stages[st[hi]]
    if lo == hi:
        return a.label_en.lower(), a.label_zh
    return f"between {a.label_en.lower()} and {b.label_en.lower()}", f"介于{a.label_zh}与{b.label_zh}之间"


def _q(s: str, lang: str) -> str:
    return f"“{s}”" if lang == "zh" else f"'{s}'"


class _Reasons:
    """Reasons (English and Chinese, in the order found) and evidence collected for one pair."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.en: list[str] = []
        self.zh: list[str] = []
        self.ev: list[Evidence] = []

    def say(self, en: str, zh: str) -> None:
        self.en.append(en)
        self.zh.append(zh)

    def add_path(self, signal: str, a: Path | None, b: Path | None) -> None:
        if a is None or b is None:
            return
        path = join_paths(a, b)
        if not path:
            return
        nodes, types, q = path_cypher(self.index, path)
        self.ev.append(Evidence(signal, nodes, types, q))


_Why = Callable[[_Reasons, Profile, Profile, int, int, float, str], bool]
"""A per-signal reason builder: (reasons, source profile, target profile, si, ti, value, direction) -> most share it."""


class Explainer:
    """Builds reasons and evidence for candidates of one signal set."""

    def __init__(self, index: GraphIndex, sig: SignalSet, *, seed: int = 0) -> None:
        self.index = index
        self.sig = sig
        self.terms = sig.columns["text"]
        self.S_text = sig.S["text"]
        self.T_text = sig.T["text"]
        df: dict[str, int] = {}
        for p in (*sig.profiles_src, *sig.profiles_tgt):
            for k in p.places:
                df[k] = df.get(k, 0) + 1
        self.place_df = df
        self.n_docs = len(sig.profiles_src) + len(sig.profiles_tgt)
        n_t = max(1, len(sig.targets))
        self.n_targets = n_t
        # how many targets have each element: a reason naming an element most targets have says nothing
        self.tgt_df: dict[str, dict[str, int]] = {"places": {}, "investors": {}, "alliances": {}, "codes": {}}
        for p in sig.profiles_tgt:
            for kind, items in (("places", p.places), ("investors", p.investors), ("alliances", p.alliances), ("codes", p.codes)):
                d = self.tgt_df[kind]
                for k in items:
                    d[k] = d.get(k, 0) + 1
        self._pop_sorted = np.sort(sig.popularity)
        rng = np.random.default_rng(seed)
        has = np.flatnonzero(sig.tgt_xyz.any(axis=1)) if len(sig.tgt_xyz) else np.zeros(0, dtype=np.int64)
        self._xyz_sample = sig.tgt_xyz[np.sort(rng.choice(has, size=min(2000, len(has)), replace=False))] if len(has) else np.zeros((0, 3))
        self._n_with_xyz = len(has)
        self._stage_fit: dict[float, np.ndarray] = {}

    def share(self, kind: str, key: str) -> float:
        """Share of the targets that have element ``key`` of ``kind`` (places, investors, alliances, codes)."""
        return self.tgt_df.get(kind, {}).get(key, 0) / self.n_targets

    def _share_at_least(self, signal: str, si: int, v: float) -> float:
        """Share of the targets whose value of a dense signal is at least ``v`` for this source."""
        sig = self.sig
        if signal == "popularity":
            return float(len(self._pop_sorted) - np.searchsorted(self._pop_sorted, v - 1e-6)) / self.n_targets
        if signal == "stage":
            st = float(sig.src_stage[si])
            if st not in self._stage_fit:
                self._stage_fit[st] = stage_fit(sig.direction, np.full(len(sig.tgt_stage), st, dtype=np.float32), sig.tgt_stage)
            return float(np.count_nonzero(self._stage_fit[st] >= v - 1e-6)) / self.n_targets
        if signal == "distance" and len(self._xyz_sample):
            km = distance_km(sig.src_xyz[si][None, :], self._xyz_sample)
            mine = (1.0 / max(v, 1e-9) - 1.0) * DIST_SCALE_KM
            within = float(np.count_nonzero(km <= mine + 1e-6)) / len(self._xyz_sample)
            return within * self._n_with_xyz / self.n_targets
        return 0.0

    def _place_name(self, key: str, lang: str) -> str:
        if key.startswith(("region:", "country:", "nuts:")) and key not in self.index.G:
            return self.index.region_names.get(key, key.split(":", 1)[1])
        return self.index.name(key, lang)

    def _code_name(self, key: str, lang: str) -> str:
        if key.startswith("seg:"):
            return self.index.name(key[4:], lang)
        return key.split(":", 1)[1]

    def reasons(
        self, ps: Profile, pt: Profile, si: int, ti: int, values: Mapping[str, float], contributions: Mapping[str, float], direction: str
    ) -> tuple[list[str], list[str], list[Evidence]]:
        en, zh, ev, _sigs = self.reasons_with_signals(ps, pt, si, ti, values, contributions, direction)
        return en, zh, ev

    def reasons_with_signals(
        self, ps: Profile, pt: Profile, si: int, ti: int, values: Mapping[str, float], contributions: Mapping[str, float], direction: str
    ) -> tuple[list[str], list[str], list[Evidence], list[str]]:
        """Reasons (informative first), evidence, and the signal behind each reason."""
        r = _Reasons(self.index)
        why: dict[str, _Why] = {
            "text": self._why_text,
            "codes": self._why_codes,
            "region": self._why_region,
            "alliance": self._why_alliance,
            "investors": self._why_investors,
            "network": self._why_network,
            "stage": self._why_stage,
            "distance": self._why_distance,
            "events": self._why_events,
            "pilot": self._why_pilot,
            "popularity": self._why_popularity,
        }
        order = sorted((k for k, v in contributions.items() if v > 0), key=lambda k: (-contributions[k], k))
        tags: list[tuple[str, bool]] = []
        for sig in order:
            handler = why.get(sig)
            if handler is None:
                continue
            n_before = len(r.en)
            common = handler(r, ps, pt, si, ti, values.get(sig, 0.0), direction)
            if len(r.en) > n_before:
                tags.append((sig, common))
        # informative reasons first (by contribution), then those most candidates share
        idx = sorted(range(len(tags)), key=lambda j: (tags[j][1], j))
        en = [r.en[j] + (" (like most candidates)" if tags[j][1] else "") for j in idx]
        zh = [r.zh[j] + ("（多数候选均如此）" if tags[j][1] else "") for j in idx]
        return en, zh, r.ev, [tags[j][0] for j in idx]

    # One method per signal: each adds at most one reason (English and Chinese) and its
    # evidence paths to ``r``, and says whether most candidates share that reason.

    def _why_text(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        S, T = self.S_text, self.T_text
        ai, ad = S.indices[S.indptr[si] : S.indptr[si + 1]], S.data[S.indptr[si] : S.indptr[si + 1]]
        bi, bd = T.indices[T.indptr[ti] : T.indptr[ti + 1]], T.data[T.indptr[ti] : T.indptr[ti + 1]]
        both, ia, ib = np.intersect1d(ai, bi, assume_unique=True, return_indices=True)
        prod = ad[ia] * bd[ib]
        top = np.argsort(-prod, kind="stable")[:4]
        words = [self.terms[int(both[k])] for k in top]
        if words:
            r.say(
                "descriptions share " + ", ".join(_q(w, "en") for w in words) + f" (cosine {v:.2f})",
                "描述共有" + "".join(_q(w, "zh") for w in words) + f"（余弦相似度 {v:.2f}）",
            )
        return False

    def _why_codes(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        sw = {k: ps.codes[k][0] * pt.codes[k][0] for k in set(ps.codes) & set(pt.codes)}
        k = _best_shared(ps.codes, pt.codes, sw)
        if not k:
            return False
        kind_en, kind_zh = ("industry segment", "产业链环节") if k.startswith("seg:") else ("field", "领域")
        r.say(f"both in {kind_en} {_q(self._code_name(k, 'en'), 'en')}", f"同属{kind_zh}{_q(self._code_name(k, 'zh'), 'zh')}")
        r.add_path("codes", ps.codes[k][1], pt.codes[k][1])
        return self.share("codes", k) > COMMON_SHARE

    def _why_region(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        shared_p = set(ps.places) & set(pt.places)
        k = max(
            shared_p,
            key=lambda x: (round(idf(self.place_df.get(x, 1), self.n_docs), 6), -ps.places[x][0] - pt.places[x][0], x),
            default=None,
        )
        if not k:
            return False
        kind_en, kind_zh = ("country ", "国家") if k.startswith("country:") and k not in self.index.G else ("", "")
        r.say(f"both in {kind_en}{_q(self._place_name(k, 'en'), 'en')}", f"同在{kind_zh}{_q(self._place_name(k, 'zh'), 'zh')}")
        r.add_path("region", ps.places[k][1], pt.places[k][1])
        return self.share("places", k) > COMMON_SHARE

    def _why_alliance(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        ix = self.index
        k = _best_shared(ps.alliances, pt.alliances)
        if not k:
            return False
        r.say(f"both in alliance {_q(ix.name(k), 'en')}", f"同为联盟{_q(ix.name(k, 'zh'), 'zh')}成员")
        r.add_path("alliance", ps.alliances[k], pt.alliances[k])
        return self.share("alliances", k) > COMMON_SHARE

    def _why_investors(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        ix = self.index
        # the most selective common investor (the one that funds the fewest targets)
        k = min(set(ps.investors) & set(pt.investors), key=lambda x: (self.share("investors", x), x), default=None)
        if k:
            r.say(f"common investor {_q(ix.name(k), 'en')}", f"共同投资方{_q(ix.name(k, 'zh'), 'zh')}")
            r.add_path("investors", ps.investors[k], pt.investors[k])
            return self.share("investors", k) > COMMON_SHARE
        co = self._coinvestor(ps, pt)
        if co:
            inv, x = co
            r.say(
                f"{_q(ix.name(inv), 'en')}, an investor of the source, co-invested with it in {_q(ix.name(x), 'en')}",
                f"其投资方{_q(ix.name(inv, 'zh'), 'zh')}曾与之共同投资{_q(ix.name(x, 'zh'), 'zh')}",
            )
            step_t = self._fund_step(pt.node, x)
            step_i = self._fund_step(inv, x)
            if step_t and step_i:
                r.add_path("investors", (*ps.investors[inv], step_i), (step_t,))
        return False

    def _why_network(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        ix = self.index
        if pt.node in ps.ties:
            tie = ps.ties[pt.node]
            if len(tie) <= 1:
                r.say(f"already tied to {_q(ix.name(pt.node), 'en')}", f"与{_q(ix.name(pt.node, 'zh'), 'zh')}已有往来")
            else:
                via = tie[-1][0]
                r.say(f"tied to it through {_q(ix.name(via), 'en')}", f"经由{_q(ix.name(via, 'zh'), 'zh')}与之已有往来")
            r.add_path("network", tie, ())
            return False
        shared = [z for z in set(ps.ties) & set(pt.ties) if z not in (ps.node, pt.node)]
        if shared:
            z = min(shared, key=lambda x: (ix.tie_degree(x), x))
            r.say(
                f"connected through {_q(ix.name(z), 'en')} (collaborators of collaborators)",
                f"经由{_q(ix.name(z, 'zh'), 'zh')}间接相连（合作者的合作者）",
            )
            r.add_path("network", ps.ties[z], pt.ties[z])
        return False

    def _why_stage(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        common = self._share_at_least("stage", si, v) > COMMON_SHARE
        la_en, la_zh = stage_label(self.index.onto, ps.stage)
        lb_en, lb_zh = stage_label(self.index.onto, pt.stage)
        r.say(f"stage fit {v:.2f} ({la_en} -> {lb_en})", f"阶段匹配度 {v:.2f}（{la_zh}→{lb_zh}）")
        return common

    def _why_distance(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        common = self._share_at_least("distance", si, v) > COMMON_SHARE
        if ps.coords and pt.coords:
            km = float(distance_km(self.sig.src_xyz[si], self.sig.tgt_xyz[ti]))
            r.say(f"{km:.0f} km apart", f"相距 {km:.0f} 公里")
        return common

    def _why_events(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        ix = self.index
        best = None
        for e in set(ps.event_reach) & set(pt.events):
            w = ps.event_reach[e][0]
            if best is None or (w, e) > (best[0], best[1]):
                best = (w, e)
        if best is not None:
            e = best[1]
            path = ps.event_reach[e][1]
            first, partner = path[-3][3], path[-2][3]
            r.say(
                f"its partner {_q(ix.name(partner), 'en')} in project {_q(ix.name(first), 'en')} "
                f"took part with it in project {_q(ix.name(e), 'en')}",
                f"其项目{_q(ix.name(first, 'zh'), 'zh')}的合作方{_q(ix.name(partner, 'zh'), 'zh')}曾与之共同参与项目{_q(ix.name(e, 'zh'), 'zh')}",
            )
            r.add_path("events", path, pt.events[e])
        return False

    def _why_pilot(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        plat = self._pilot(ps, pt, direction)
        if plat:
            p, pa, pb = plat
            r.say(f"pilot platform {_q(self.index.name(p), 'en')} for the field is nearby", f"附近有对口中试平台{_q(self.index.name(p, 'zh'), 'zh')}")
            r.add_path("pilot", pa, pb)
        return False

    def _why_popularity(self, r: _Reasons, ps: Profile, pt: Profile, si: int, ti: int, v: float, direction: str) -> bool:
        common = self._share_at_least("popularity", si, v) > COMMON_SHARE
        r.say("target has a record of such deals", "对方已有同类对接记录")
        return common

    def _fund_step(self, funder: str, x: str) -> tuple[str, str, bool, str] | None:
        for rel, y, _k, _ in self.index.outs(funder, "investsIn", "grantsTo"):
            if y == x:
                return (funder, rel, True, x)
        return None

    def _coinvestor(self, ps: Profile, pt: Profile) -> tuple[str, str] | None:
        ix = self.index
        mine = {x for _r, x, _k, _ in ix.outs(pt.node, "investsIn", "grantsTo")}
        for inv in sorted(ps.investors):
            if inv == pt.node:
                continue
            for _r, x, _k, _ in ix.outs(inv, "investsIn", "grantsTo"):
                if x in mine and x != ps.node:
                    return inv, x
        return None

    def _platform_index(self) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
        if not hasattr(self, "_plat_idx"):
            ix = self.index
            near: dict[str, list[str]] = {}
            codes: dict[str, set[str]] = {}
            for plat in ix.platforms():
                pp = ix.profile(plat, "platform")
                cs = set(pp.codes)
                for _rel, tech, _k, _ in ix.ins(plat, "pilotedAt"):
                    cs |= set(ix.profile(tech, "source").codes)
                codes[plat] = cs
                for k, (depth, _path) in pp.places.items():
                    if depth <= 1:
                        near.setdefault(k, []).append(plat)
            self._plat_idx = (near, codes)
        return self._plat_idx

    def _pilot(self, ps: Profile, pt: Profile, direction: str) -> tuple[str, Path | None, Path | None] | None:
        ix = self.index
        tech, ent = (ps, pt) if direction == "to-enterprise" else (pt, ps)
        near, codes = self._platform_index()
        cands: dict[str, str] = {}
        for k in sorted(ent.places):
            if ent.places[k][0] <= 1:
                for plat in near.get(k, ()):
                    cands.setdefault(plat, k)
        tcodes = set(tech.codes)
        for plat in sorted(cands):
            piloted = [s for s in ix.outs(tech.node, "pilotedAt") if s[1] == plat]
            if not piloted and not (codes[plat] & tcodes):
                continue
            k = cands[plat]
            pp = ix.profile(plat, "platform")
            p_path = pp.places[k][1]
            e_path = ent.places[k][1]
            if piloted:
                step = (tech.node, piloted[0][0], True, plat)
                full = join_paths((step, *p_path), e_path) if p_path and e_path else None
            else:
                full = join_paths(p_path, e_path) if p_path and e_path else None
            if direction == "to-enterprise":
                return plat, full, ()
            return plat, (tuple((s[3], s[1], not s[2], s[0]) for s in reversed(full)) if full else None), ()
        return None
