"""From an article to candidate facts: entities (nodes) and relations, each with evidence.

>>> from canal.extract.document import article_from_text
>>> art = article_from_text("2023年，北辰大学加入长江储能产业技术创新联盟。", name="a.txt")
>>> ex = extract_article(art)
>>> [(e.name, e.cls, e.node_id) for e in ex.entities]
[('北辰大学', 'University', 'bei-chen-da-xue'), ('长江储能产业技术创新联盟', 'Alliance', 'chang-jiang-chu-neng-chan-ye-ji-shu-chuang-xin-lian-meng')]
>>> [(r.type, r.source, r.target, r.date) for r in ex.relations]
[('memberOf', 'bei-chen-da-xue', 'chang-jiang-chu-neng-chan-ye-ji-shu-chuang-xin-lian-meng', '2023')]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from canal.extract.document import Article, detect_lang
from canal.extract.lexicon import Lexicon
from canal.extract.mentions import VALUE_CLASSES, Mention, find_mentions
from canal.extract.relations import Candidate, find_relations, sentences
from canal.ontology import Ontology, load_ontology


@dataclass(frozen=True)
class Entity:
    """One entity of an article: its mentions merged under one name and class."""

    name: str
    cls: str
    node_id: str
    existing: bool
    link_score: float
    confidence: float
    method: str
    start: int
    end: int
    evidence: str
    mentions: int
    lang: str
    evidence_start: int = 0
    evidence_end: int = 0


@dataclass(frozen=True)
class Relation:
    """A candidate relationship between two entities (node ids), with its evidence."""

    type: str
    source: str
    target: str
    source_name: str
    target_name: str
    confidence: float
    method: str
    start: int
    end: int
    evidence: str
    amount: float | None = None
    currency: str | None = None
    date: str | None = None


@dataclass
class Extraction:
    """Everything found in one article."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def values(self, cls: str) -> list[Mention]:
        """Money or Date mentions."""
        return [m for m in self.mentions if m.cls == cls]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "article": self.article.path,
            "lang": self.article.lang,
            "entities": [e.__dict__ for e in self.entities],
            "relations": [r.__dict__ for r in self.relations],
            "money": [{"text": m.text, "amount": m.value[0], "currency": m.value[1], "start": m.start, "end": m.end} for m in self.values("Money")],
            "dates": [{"text": m.text, "date": m.value, "start": m.start, "end": m.end} for m in self.values("Date")],
        }


def slug(name: str) -> str:
    """A readable node id from a name (pinyin for Chinese).

    >>> slug("Greenloop Materials Co., Ltd."), slug("北辰大学")
    ('greenloop-materials-co-ltd', 'bei-chen-da-xue')
    """
    text = unicodedata.normalize("NFKC", name)
    if re.search(r"[\u3400-\u9fff]", text):
        from pypinyin import lazy_pinyin

        text = " ".join(lazy_pinyin(text))
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s[:80].rstrip("-") or "entity") if s else "entity"


BLOCK_CHARS = 4000
"""Longest stretch of text analysed at once (longer paragraphs are cut at sentence ends)."""


def _paragraph_langs(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Spans of consecutive paragraphs in one language (``lang`` fixes it for all).

    A span never exceeds :data:`BLOCK_CHARS` by more than one paragraph, and a paragraph
    longer than that is cut at its last sentence end (or clause break, or anywhere) before
    the limit, so the work per span is bounded and extraction stays linear in the text.
    """
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        lg = lang if lang in ("zh", "en") else detect_lang(line[:2000])
        for a, b in _blocks(pos, end, text):
            if spans and spans[-1][2] == lg and spans[-1][1] == a - 1 and b - spans[-1][0] <= BLOCK_CHARS:
                spans[-1] = (spans[-1][0], b, lg)
            else:
                spans.append((a, b, lg))
        pos = end + 1
    return spans


_BLOCK_END = re.compile(r"[。！？!?；;]|[.](?=\s)")
_BLOCK_SOFT = re.compile(r"[，,、：:\s]")


def _blocks(a: int, b: int, text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while b - a > BLOCK_CHARS:
        window = text[a + BLOCK_CHARS // 2 : a + BLOCK_CHARS]
        cut = 0
        for rx in (_BLOCK_END, _BLOCK_SOFT):
            ends = [m.end() for m in rx.finditer(window)]
            if ends:
                cut = a + BLOCK_CHARS // 2 + ends[-1]
                break
        cut = cut or a + BLOCK_CHARS
        out.append((a, cut))
        a = cut
    out.append((a, b))
    return out


def _compatible(onto: Ontology, a: str, b: str) -> bool:
    return a == b or onto.is_a(a, b) or onto.is_a(b, a)


def extract_article(
    article: Article,
    *,
    lexicon: Lexicon | None = None,
    ontology: Ontology | None = None,
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    classifier: bool | None = None,
) -> Extraction:
    """Find entities and relations in one article.

    ``progress(done, total)`` is called with character counts after each analysed block
    (long articles take a while: about 14 s of CPU per MB of news text).

    Each paragraph is processed in its own language (``lang`` or the article's setting
    forces one). Entities are linked to existing nodes through ``lexicon`` (the graph's
    gazetteer); otherwise they get a new id made from their name.

    Relations come from the trigger rules and from the relation classifier
    (:mod:`canal.extract.classifier`) on pairs of mentions: ``classifier=True`` adds its
    proposals, ``False`` leaves it out, ``None`` follows the shipped model's ``mode`` (chosen
    by cross-validation on the real dev set).
    """
    onto = ontology or load_ontology()
    text = article.text
    forced = lang if lang in ("zh", "en") else "auto"
    blocks = _paragraph_langs(text, forced)
    mentions, cands = _analyse_blocks(text, blocks, onto, lexicon=lexicon, progress=progress)
    if classifier is not False:
        cands.extend(_classified(text, mentions, blocks, onto, cands, force=classifier is True))
    ex = Extraction(article, mentions)
    ids = _add_entities(ex, _entity_groups(mentions, cands, onto), onto, lexicon)
    _add_relations(ex, cands, ids)
    return ex


def _analyse_blocks(
    text: str,
    blocks: list[tuple[int, int, str]],
    onto: Ontology,
    *,
    lexicon: Lexicon | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[Mention], list[Candidate]]:
    """Mentions and rule-based relation candidates of every block, each in its own language (article offsets)."""
    mentions: list[Mention] = []
    cands: list[Candidate] = []
    done: dict[tuple[str, str], tuple[list[Mention], list[Candidate]]] = {}  # repeated blocks are analysed once
    for a, b, lg in blocks:
        if progress is not None:
            progress(a, len(text))
        chunk = text[a:b]
        if not chunk.strip():
            continue
        if (chunk, lg) not in done:
            # traditional characters are read through their simplified forms (same offsets)
            seen = simplified_same_length(chunk) if lg == "zh" else chunk
            local = find_mentions(seen, lg, lexicon=lexicon)
            found = find_relations(seen, local, lg, ontology=onto)
            if seen != chunk:
                local = [_original(m, chunk, seen) for m in local]
                found = [replace(c, source=_original(c.source, chunk, seen), target=_original(c.target, chunk, seen)) for c in found]
            done[(chunk, lg)] = (local, found)
        local, found = done[(chunk, lg)]
        mentions.extend(_shift(m, a) for m in local)
        cands.extend(_shift_candidate(c, a) for c in found)
    return mentions, cands


def _entity_groups(mentions: list[Mention], cands: list[Candidate], onto: Ontology) -> dict[tuple[str, str], list[Mention]]:
    """The mentions that make entities, grouped by (name, class)."""
    groups: dict[tuple[str, str], list[Mention]] = {}
    related = {c.source.name for c in cands} | {c.target.name for c in cands}
    for m in mentions:
        if m.cls in VALUE_CLASSES or m.cls not in onto.classes:
            continue
        if m.method == "coreference":
            continue
        if m.cls in ("Technology", "Product") and m.node_id is None and m.name not in related:
            continue  # generic technology and product phrases are many; a named one takes part in a fact
        groups.setdefault((m.name, m.cls), []).append(m)
    return groups


def _add_entities(
    ex: Extraction, groups: dict[tuple[str, str], list[Mention]], onto: Ontology, lexicon: Lexicon | None
) -> dict[tuple[str, str], str]:
    """One entity per group, in order of first mention, linked through ``lexicon`` or given a new id; the ids by group."""
    text = ex.article.text
    ids: dict[tuple[str, str], str] = {}
    used_ids: dict[str, tuple[str, str]] = {}
    spans = sentences(text, ex.article.lang)
    for key in sorted(groups, key=lambda k: min(m.start for m in groups[k])):
        ms = groups[key]
        name, cls = key
        first = min(ms, key=lambda m: m.start)
        best = max(ms, key=lambda m: m.confidence)
        node_id = next((m.node_id for m in ms if m.node_id), None)
        score = 1.0 if node_id else 0.0
        if node_id is None and lexicon is not None:
            hit = lexicon.link(name)
            if hit and _compatible(onto, lexicon.classes.get(hit[0], cls), cls):
                node_id, score = hit
        existing = node_id is not None
        if node_id is None:
            node_id = slug(name)
            n = 2
            while node_id in used_ids and used_ids[node_id] != key:
                node_id = f"{slug(name)}-{n}"
                n += 1
        used_ids[node_id] = key
        ids[key] = node_id
        s0, s1 = _sentence_of(spans, first.start, first.end)
        ex.entities.append(
            Entity(
                name, cls, node_id, existing, round(score, 3), round(best.confidence, 3), best.method, first.start, first.end,
                text[s0:s1], len(ms), _lang_at(text, first.start), s0, s1,
            )
        )
    return ids


def _add_relations(ex: Extraction, cands: list[Candidate], ids: Mapping[tuple[str, str], str]) -> None:
    """A relation for every candidate whose two ends became entities."""
    text = ex.article.text
    for c in cands:
        sk, tk = (c.source.name, c.source.cls), (c.target.name, c.target.cls)
        if sk not in ids or tk not in ids:
            # a coreference or abbreviation whose entity has another class: find it by name
            sk = next((k for k in ids if k[0] == c.source.name), sk)
            tk = next((k for k in ids if k[0] == c.target.name), tk)
            if sk not in ids or tk not in ids:
                continue
        ex.relations.append(
            Relation(c.type, ids[sk], ids[tk], sk[0], tk[0], c.confidence, c.method, c.start, c.end, text[c.start : c.end], c.amount, c.currency, c.date)
        )


def _classified(
    text: str, mentions: list[Mention], blocks: list[tuple[int, int, str]], onto: Ontology, cands: list[Candidate], *, force: bool
) -> list[Candidate]:
    """Candidates of the relation classifier that the rules did not already propose."""
    from canal.extract.classifier import classify_pairs, load_model

    model = load_model()
    if model is None or (model.mode != "union" and not force):
        return []
    have = {(c.source.name, c.type, c.target.name) for c in cands}
    have |= {(c.target.name, c.type, c.source.name) for c in cands if onto.relation(c.type).symmetric}
    seen = simplified_same_length(text) if any(lg == "zh" for _, _, lg in blocks) else text
    out: list[Candidate] = []
    for rel, src, tgt, s0, s1, p in classify_pairs(seen, mentions, blocks, onto, model=model):
        if (src.name, rel, tgt.name) in have:
            continue
        have.add((src.name, rel, tgt.name))
        out.append(Candidate(rel, src, tgt, s0, s1, "classifier", round(p * min(src.confidence, tgt.confidence) ** 0.5, 3)))
    return out


def simplified_same_length(text: str) -> str:
    """Traditional Chinese characters replaced by simplified ones, keeping every offset.

    >>> simplified_same_length("中國科學院(晉江)聯盟")
    '中国科学院(晋江)联盟'
    """
    from canal.resolve.names import to_simplified

    out = to_simplified(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(c) == 1 else ch for ch, c in ((ch, to_simplified(ch)) for ch in text))


def _original(m: Mention, chunk: str, seen: str) -> Mention:
    """A mention found in the simplified reading, named with the article's own characters."""
    canonical = m.canonical
    if canonical:
        at = seen.find(canonical)
        canonical = chunk[at : at + len(canonical)] if at >= 0 else canonical
    return replace(m, text=chunk[m.start : m.end], canonical=canonical)


def _lang_at(text: str, pos: int) -> str:
    a = text.rfind("\n", max(0, pos - 1000), pos) + 1 or max(0, pos - 1000)
    b = text.find("\n", pos, pos + 1000)
    return detect_lang(text[a : b if b >= 0 else min(len(text), pos + 1000)])


def _sentence_of(spans: list[tuple[int, int]], a: int, b: int) -> tuple[int, int]:
    k = bisect.bisect_right(spans, (a, len_max)) - 1
    for s0, s1 in spans[max(0, k - 1) : k + 2]:
        if s0 <= a and b <= s1:
            return s0, s1
    return a, b


len_max = 1 << 62


def _shift(m: Mention, by: int) -> Mention:
    from dataclasses import replace

    return replace(m, start=m.start + by, end=m.end + by)


def _shift_candidate(c: Candidate, by: int) -> Candidate:
    from dataclasses import replace

    return replace(c, source=_shift(c.source, by), target=_shift(c.target, by), start=c.start + by, end=c.end + by)


@dataclass
class Failure:
    """An input that could not be read, with the reason (the run goes on without it)."""

    path: str
    reason: str


def extract_files(
    paths: list[str],
    *,
    lang: str = "auto",
    lexicon: Lexicon | None = None,
    ontology: Ontology | None = None,
    max_bytes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Extraction], list[Failure]]:
    """Extract every readable article; unreadable ones become :class:`Failure` records.

    A bad file (binary, wrong encoding, empty, too large, missing) never stops the run.
    """
    from canal.errors import CanalError
    from canal.extract.document import MAX_BYTES, read_article

    done: list[Extraction] = []
    failed: list[Failure] = []
    for p in paths:
        try:
            art = read_article(p, lang=lang, max_bytes=max_bytes or MAX_BYTES)
            report = None if progress is None else partial(progress, str(p))
            done.append(extract_article(art, lexicon=lexicon, ontology=ontology, lang=lang, progress=report))
        except CanalError as exc:
            failed.append(Failure(str(p), str(exc)))
        except RecursionError:
            failed.append(Failure(str(p), f"{p}: text too deeply nested to parse"))
    return done, failed
