"""A small relation classifier trained on the real development annotations.

Candidate pairs are two recognised mentions in the same sentence (a coreference such as
该公司 / "the company" is already a mention of its antecedent). Each pair, in text order
(first, second), gets sparse features: the two classes (ordered), the characters (Chinese
bigrams) or words (English) between them and next to them, the first and last token between
them, distance, punctuation between, whether the two are items of one list, plan and negation
words. A softmax regression over the labels ``none``, ``TYPE>`` (first → second) and ``TYPE<``
(second → first) scores each pair; only labels whose type the ontology allows for the two
classes compete with ``none``. The weights are in ``relation_model.json`` (trained by
``bench/extract_train_relations.py`` on the dev split of ``bench/extract_real/``), loaded once.

>>> from canal.extract.mentions import Mention
>>> feats = pair_features("甲公司与乙大学签署合作协议。", Mention(0, 3, "甲公司", "Enterprise", "t", 0.9),
...                       Mention(4, 7, "乙大学", "University", "t", 0.9), 0, 14, "zh")
>>> sorted(x for x in feats if x.startswith(("c:", "t")))
['c:Enterprise|University', 'tb:collaboratesWith', 'tb:collaboratesWith:Enterprise|University', 'tr:collaboratesWith', 'tr:collaboratesWith:Enterprise|University']
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from canal.extract.mentions import VALUE_CLASSES, Mention
from canal.ontology import Ontology

MODEL_PATH = Path(__file__).with_name("relation_model.json")

#: Bag-of-token features (characters / words between and next to the mentions). Off: with
#: 40 dev articles they overfit to sites (5-fold CV by site, classifier alone: F1 0.03 with
#: them, 0.13 without); the classes, trigger-lexicon hits, distance, punctuation, list,
#: plan and negation features carry over.
LEXICAL = False

#: Longest gap (characters) between the two mentions of a candidate pair.
MAX_GAP = 120

_PLAN = re.compile(r"拟|将|计划|准备|\bplans?\b|\bwill\b|\bto be\b", re.IGNORECASE)
_NEG = re.compile(r"不|未|没有|\bnot\b|\bno\b|n't", re.IGNORECASE)
_LIST_GAP = re.compile(r"\s*(?:[、,，/]|和|及|与|以及|and|&)\s*", re.IGNORECASE)
_PUNCT = re.compile(r"[，,、；;：:（()）“”\"—]")
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|[^\sa-z\d]", re.IGNORECASE)


def _tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        chars = [c for c in text if not c.isspace()]
        return [a + b for a, b in pairwise(chars)] + chars
    return [w.lower() for w in _EN_WORD.findall(text)]


def _kind(cls: str) -> str:
    return cls


@lru_cache(maxsize=2)
def _triggers(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """The trigger patterns of the rules (:data:`canal.extract.relations.RULES`), by relation type."""
    from canal.extract.relations import RULES

    out: list[tuple[str, re.Pattern[str]]] = []
    for rule in RULES:
        if rule.lang == lang and len(rule.trigger) > 2:
            try:
                out.append((rule.rel, re.compile(rule.trigger, 0 if lang == "zh" else re.IGNORECASE)))
            except re.error:  # pragma: no cover - the rules compile in relations.py
                continue
    return out


def _trigger_hits(text: str, s0: int, s1: int, first: Mention, second: Mention, lang: str) -> set[str]:
    """Rule triggers in the sentence, by relation and place: ``tl`` left of the pair, ``tb`` between, ``tr`` right."""
    out: set[str] = set()
    for rel, rx in _triggers(lang):
        for m in rx.finditer(text, s0, s1):
            at = m.start()
            if first.start <= at < first.end or second.start <= at < second.end:
                continue
            out.add(f"{'tl' if at < first.start else 'tb' if at < second.start else 'tr'}:{rel}")
    return out


def pair_features(text: str, first: Mention, second: Mention, s0: int, s1: int, lang: str, *, cross: bool = False) -> list[str]:
    """Sparse features of the pair ``first`` … ``second`` (in text order) in sentence ``text[s0:s1]``.

    ``cross``: ``first`` is the topic of the previous sentence and ``second`` is in the
    sentence ``text[s0:s1]``; "between" is then the start of that sentence up to ``second``.
    """
    between = text[s0 if cross else first.end : second.start]
    left = text[max(0 if cross else s0, first.start - (6 if lang == "zh" else 40)) : first.start]
    right = text[second.end : min(s1, second.end + (6 if lang == "zh" else 40))]
    if lang == "en":
        left = " ".join(left.split()[-3:])
        right = " ".join(right.split()[:3])
    c1, c2 = _kind(first.cls), _kind(second.cls)
    f = [f"lang:{lang}", f"c:{c1}|{c2}", f"c1:{c1}", f"c2:{c2}"]
    if cross:
        f = [f"x:{x}" for x in f] + ["cross"]
    gap = len(between) if lang == "zh" else len(between.split())
    f.append(f"d:{min(gap, 30) // 3 if lang == 'zh' else min(gap, 12) // 2}")
    if not between.strip():
        f.append("adjacent")
    if not cross and _LIST_GAP.fullmatch(between):
        f.append("list")
        f.append(f"list:{c1}|{c2}")
    if LEXICAL:
        f.extend(f"b:{t}" for t in set(_tokens(between, lang)))
        words = _tokens(between, lang) if lang == "en" else [c for c in between if not c.isspace()]
        if words:
            f.append(f"bf:{''.join(words[:2]) if lang == 'zh' else words[0]}")
            f.append(f"bl:{''.join(words[-2:]) if lang == 'zh' else words[-1]}")
        f.extend(f"l:{t}" for t in set(_tokens(left, lang)))
        f.extend(f"r:{t}" for t in set(_tokens(right, lang)))
    for hit in sorted(_trigger_hits(text, s0, s1, first, second, lang)):
        f.append(hit)
        f.append(f"{hit}:{c1}|{c2}")
    for p in set(_PUNCT.findall(between)):
        f.append(f"p:{p}")
    if _PLAN.search(between) or _PLAN.search(left):
        f.append("plan")
    if _NEG.search(between):
        f.append("neg")
    if "coreference" in (first.method, second.method):
        f.append("coref")
    if not cross and not text[s0 : first.start].strip():
        f.append("first-at-start")
    return f


Pair = tuple[Mention, Mention, int, int, str, bool]


def sentence_pairs(text: str, mentions: list[Mention], spans: Iterable[tuple[int, int, str]], *, cross: bool = True) -> list[Pair]:
    """Candidate pairs (first, second, sentence start, end, language, cross) of entity mentions.

    Two mentions of different names in one sentence (text order), and, when ``cross``, the
    topic (first mention) of the previous sentence with each mention of the next one.
    """
    from canal.extract.relations import sentences

    ents = sorted((m for m in mentions if m.cls not in VALUE_CLASSES), key=lambda m: (m.start, m.end))
    out: list[Pair] = []
    for a, b, lg in spans:
        topic: Mention | None = None
        for s0, s1 in sentences(text[a:b], lg):
            s0, s1 = s0 + a, s1 + a
            inside = [m for m in ents if s0 <= m.start and m.end <= s1]
            for i, m1 in enumerate(inside):
                for m2 in inside[i + 1 :]:
                    if m2.start < m1.end or m2.name == m1.name:
                        continue
                    if m2.start - m1.end > MAX_GAP:
                        break
                    out.append((m1, m2, s0, s1, lg, False))
            if cross and topic is not None:
                names = {m.name for m in inside}
                if topic.name not in names:
                    for m2 in inside:
                        if m2.start - s0 <= MAX_GAP:
                            out.append((topic, m2, s0, s1, lg, True))
            topic = inside[0] if inside else None
    return out


@dataclass(frozen=True)
class Model:
    """Weights of the softmax regression: one row of label weights per known feature."""

    labels: list[str]
    weights: dict[str, list[float]]
    bias: list[float]
    threshold: float
    mode: str = "off"
    """``union``: proposed with the rules by default; ``off``: only on request (cross-validation did not favour it)."""

    def scores(self, feats: list[str]) -> list[float]:
        """Linear score of every label."""
        out = list(self.bias)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for k, v in enumerate(w):
                    out[k] += v
        return out

    def probs(self, feats: list[str], allowed: list[bool]) -> list[float]:
        """Probability of every label (0 for the labels not allowed; ``none`` always is)."""
        sc = self.scores(feats)
        top = max(x for x, ok in zip(sc, allowed, strict=True) if ok)
        e = [math.exp(x - top) if ok else 0.0 for x, ok in zip(sc, allowed, strict=True)]
        z = sum(e)
        return [x / z for x in e]

    def predict(self, feats: list[str], allowed: list[bool]) -> tuple[str, float]:
        """Best label among the allowed ones (``none`` always is) and its probability."""
        pr = self.probs(feats, allowed)
        best = max(range(len(pr)), key=lambda k: (pr[k], -k))
        return self.labels[best], pr[best]


@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_PATH)) -> Model | None:
    """The shipped model (``None`` when the file is missing)."""
    p = Path(path)
    if not p.exists():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    weights = {k: [float(x) for x in v] for k, v in data["weights"].items()}
    return Model(list(data["labels"]), weights, [float(x) for x in data["bias"]], float(data["threshold"]), str(data.get("mode", "off")))


def allowed_labels(model: Model, onto: Ontology, first: Mention, second: Mention) -> list[bool]:
    """Which labels fit the ontology for this pair (``none`` always)."""
    out = []
    for lab in model.labels:
        if lab == "none":
            out.append(True)
            continue
        rel, way = lab[:-1], lab[-1]
        src, tgt = (first, second) if way == ">" else (second, first)
        out.append(rel in onto.relations and onto.allows(rel, src.cls, tgt.cls))
    return out


def classify_pairs(
    text: str, mentions: list[Mention], spans: Iterable[tuple[int, int, str]], onto: Ontology, *, model: Model | None = None, threshold: float | None = None
) -> list[tuple[str, Mention, Mention, int, int, float]]:
    """Relations the classifier proposes: (type, source, target, sentence start, end, probability)."""
    model = model or load_model()
    if model is None:
        return []
    th = model.threshold if threshold is None else threshold
    out = []
    for m1, m2, s0, s1, lg, cross in sentence_pairs(text, mentions, spans):
        lab, p = model.predict(pair_features(text, m1, m2, s0, s1, lg, cross=cross), allowed_labels(model, onto, m1, m2))
        if lab == "none" or p < th:
            continue
        rel, way = lab[:-1], lab[-1]
        src, tgt = (m1, m2) if way == ">" else (m2, m1)
        out.append((rel, src, tgt, s0, s1, p))
    return out
