"""Public matching functions: ``match``, ``suggest_for_gaps`` and proposals."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from canal.errors import ConfigError
from canal.match.explain import SIGNAL_LABELS, Evidence, Explainer
from canal.match.graph import DIRECTIONS, GraphIndex, norm_key
from canal.match.signals import DEFAULT_WEIGHTS, SIGNALS, SignalSet, build_signals, normalised, rank
from canal.model import Relationship
from canal.ontology import Ontology


@dataclass(frozen=True)
class Candidate:
    """A proposed pairing with its score, per-signal contributions, reasons and evidence."""

    source: str
    target: str
    direction: str
    score: float
    contributions: dict[str, float]
    explanation_en: str
    explanation_zh: str
    evidence_cypher: list[str]
    rank: int = 1
    source_name: str = ""
    target_name: str = ""
    target_name_zh: str = ""
    target_class: str = ""
    evidence: tuple[Evidence, ...] = field(default=())
    reasons_en: tuple[str, ...] = field(default=())
    reasons_zh: tuple[str, ...] = field(default=())
    reason_signals: tuple[str, ...] = field(default=())
    """The signal behind each reason (informative reasons first, those most candidates share last)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "source": self.source,
            "source_name": self.source_name,
            "target": self.target,
            "target_name": self.target_name,
            "target_name_zh": self.target_name_zh,
            "target_class": self.target_class,
            "direction": self.direction,
            "rank": self.rank,
            "score": round(self.score, 4),
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "explanation_en": self.explanation_en,
            "explanation_zh": self.explanation_zh,
            "evidence_cypher": list(self.evidence_cypher),
            "evidence": [e.as_dict() for e in self.evidence],
            "reasons_en": list(self.reasons_en),
            "reasons_zh": list(self.reasons_zh),
            "reason_signals": list(self.reason_signals),
        }


def default_direction(index: GraphIndex, node: str) -> str:
    """The natural direction for a source node."""
    if index.is_technology(node) or index.is_lab(node):
        return "to-enterprise"
    if index.is_enterprise(node):
        return "to-technology"
    if index.is_project(node):
        return "to-funder"
    raise ConfigError(f"{node!r} ({index.cls.get(node)}) is not a technology, lab, enterprise or pilot project")


def resolve(G: nx.MultiDiGraph, name: str) -> str:
    """A node id from an id or a (case-insensitive) name, English name, Chinese name or alias."""
    if name in G:
        return name
    key = norm_key(name)
    hits = []
    for n, d in G.nodes(data=True):
        names = [d.get("name"), d.get("nameEn"), d.get("nameZh")]
        al = d.get("aliases")
        names += list(al) if isinstance(al, (list, tuple)) else [al]
        if any(x is not None and norm_key(str(x)) == key for x in names):
            hits.append(n)
    if len(hits) == 1:
        return str(hits[0])
    if len(hits) > 1:
        raise ConfigError(f"{name!r} names several nodes: {', '.join(sorted(map(str, hits))[:5])}; use an id")
    fuzzy = _fuzzy(G, name)
    if fuzzy:
        return fuzzy
    raise ConfigError(f"no node has the id or name {name!r}")


def _fuzzy(G: nx.MultiDiGraph, name: str) -> str | None:
    """A clear best match from entity resolution's gazetteer (short names, legal forms dropped)."""
    try:
        from canal.resolve import Gazetteer
    except ImportError:  # pragma: no cover - resolution is part of canal
        return None
    gaz = Gazetteer()
    for n, d in G.nodes(data=True):
        names = [d.get("name"), d.get("nameEn"), d.get("nameZh")]
        al = d.get("aliases")
        names += list(al) if isinstance(al, (list, tuple)) else [al]
        gaz.add(str(n), [str(x) for x in names if x])
    hits = gaz.lookup(name)
    if not hits or hits[0][1] < 0.75:
        return None
    if len(hits) > 1 and hits[1][1] > hits[0][1] - 0.05:
        raise ConfigError(f"{name!r} is ambiguous: {', '.join(h[0] for h in hits[:5])}; use an id")
    return str(hits[0][0])


def _explainer(index: GraphIndex, sig: SignalSet) -> Explainer:
    return Explainer(index, sig)


def candidates_from(
    index: GraphIndex,
    sig: SignalSet,
    weights: Mapping[str, float],
    *,
    top: int = 10,
    rows: Sequence[int] | None = None,
    explain: bool = True,
) -> list[Candidate]:
    """Rank and wrap the results as :class:`Candidate` objects."""
    w = normalised(weights)
    ranked = rank(sig, w, top=top, rows=rows)
    ex = _explainer(index, sig) if explain else None
    out: list[Candidate] = []
    for row in ranked:
        for r_i, r in enumerate(row, start=1):
            s, t = sig.sources[r.src], sig.targets[r.tgt]
            contrib = {k: float(w[k] * r.values[k]) for k in SIGNALS if w[k] * r.values[k] > 0}
            en: list[str] = []
            zh: list[str] = []
            evid: list[Evidence] = []
            why: list[str] = []
            if ex is not None:
                en, zh, evid, why = ex.reasons_with_signals(sig.profiles_src[r.src], sig.profiles_tgt[r.tgt], r.src, r.tgt, r.values, contrib, sig.direction)
            head_en = f"{index.name(s)} -> {index.name(t)} (score {r.score:.2f})"
            head_zh = f"{index.name(s, 'zh')} → {index.name(t, 'zh')}（得分 {r.score:.2f}）"
            text_en = head_en + (": " + "; ".join(en) if en else "") + "."
            text_zh = head_zh + ("：" + "；".join(zh) if zh else "") + "。"
            out.append(
                Candidate(
                    source=s,
                    target=t,
                    direction=sig.direction,
                    score=r.score,
                    contributions=contrib,
                    explanation_en=text_en,
                    explanation_zh=text_zh,
                    evidence_cypher=[e.cypher for e in evid],
                    rank=r_i,
                    source_name=index.name(s),
                    target_name=index.name(t),
                    target_name_zh=index.name(t, "zh"),
                    target_class=index.cls.get(t, ""),
                    evidence=tuple(evid),
                    reasons_en=tuple(en),
                    reasons_zh=tuple(zh),
                    reason_signals=tuple(why),
                )
            )
    return out


def match(
    G: nx.MultiDiGraph,
    *,
    for_id: str | None = None,
    direction: str | None = None,
    top: int = 10,
    seed: int = 0,
    weights: Mapping[str, float] | None = None,
    learn: bool | None = None,
    explain: bool = True,
    ontology: Ontology | None = None,
    max_terms: int | None = None,
    sources: Iterable[str] | None = None,
) -> list[Candidate]:
    """Candidates for one source (``for_id``: id or name) or for every source of ``direction``.

    ``direction`` is ``to-enterprise`` (technology or lab -> enterprise), ``to-technology``
    (enterprise -> technology or lab) or ``to-funder`` (technology, enterprise or pilot
    project -> investor, fund, grant or programme); with ``for_id`` it defaults to the
    source's natural direction. ``weights`` override :data:`DEFAULT_WEIGHTS`; ``learn``
    fits them to the graph's known links first (inner split, see :func:`learn_weights`); by
    default (``learn=None``) they are learned when no weights are given and the direction has
    at least :data:`~canal.match.learn.LEARN_MIN_LINKS` known links, and the defaults are kept
    when the fit finds nothing.
    ``sources`` restricts an all-sources run to some ids (e.g. only technologies).
    Results are sorted by source, then rank; ties go to the smaller target id.
    """
    index = GraphIndex(G, ontology=ontology)
    if direction is not None and direction not in DIRECTIONS:
        raise ConfigError(f"unknown direction {direction!r} (use {', '.join(DIRECTIONS)})")
    if top < 1:
        raise ConfigError("top must be at least 1")
    src: list[str] | None = None
    if for_id is not None:
        node = resolve(G, for_id)
        direction = direction or default_direction(index, node)
        if node not in index.sources(direction):
            raise ConfigError(f"{node!r} ({index.cls.get(node)}) cannot be a source of {direction}")
        src = [node]
    direction = direction or "to-enterprise"
    if src is None and sources is not None:
        allowed = set(index.sources(direction))
        src = sorted(s for s in set(sources) if s in allowed)
    w = dict(DEFAULT_WEIGHTS)
    if learn is None:
        from canal.match.learn import LEARN_MIN_LINKS

        learn = not weights and sum(1 for k in index.known_links(direction).values() if not k.derived) >= LEARN_MIN_LINKS
    if learn:
        from canal.match.learn import learn_weights

        w = learn_weights(G, direction, seed=seed, ontology=index.onto, index=index).weights
    if weights:
        unknown = sorted(set(weights) - set(SIGNALS))
        if unknown:
            raise ConfigError(f"unknown signal(s) {', '.join(unknown)} (use {', '.join(SIGNALS)})")
        w.update({k: float(v) for k, v in weights.items()})
    sig = build_signals(index, direction, sources=src, max_terms=max_terms)
    return candidates_from(index, sig, w, top=top, explain=explain)


def suggest_for_gaps(G: nx.MultiDiGraph, gaps: Iterable[Any], *, top: int = 3) -> dict[tuple[str, str], list[Candidate]]:
    """Best candidates for gaps, keyed by ``(gap.type, gap.nodes[0])``.

    A gap whose type mentions capital, fund, finance or money gets funders (``to-funder``);
    any other gap (a stranded technology, an enterprise without technology source) gets
    partners in the natural direction of its first node. Gaps whose first node cannot be a
    match source are skipped.
    """
    index = GraphIndex(G)
    wanted: dict[tuple[str, str], str] = {}
    for gap in gaps:
        nodes = tuple(getattr(gap, "nodes", ()) or ())
        if not nodes or nodes[0] not in G:
            continue
        gtype = str(getattr(gap, "type", ""))
        node = str(nodes[0])
        money = any(w in gtype.lower() for w in ("capital", "fund", "financ", "money", "invest"))
        if money:
            direction = "to-funder"
        else:
            try:
                direction = default_direction(index, node)
            except ConfigError:
                continue
        if node not in set(index.sources(direction)):
            continue
        wanted[(gtype, node)] = direction
    out: dict[tuple[str, str], list[Candidate]] = {}
    by_dir: dict[str, list[str]] = {}
    for (_gt, node), d in wanted.items():
        by_dir.setdefault(d, []).append(node)
    results: dict[tuple[str, str], list[Candidate]] = {}
    for d, srcs in sorted(by_dir.items()):
        sig = build_signals(index, d, sources=sorted(set(srcs)))
        for c in candidates_from(index, sig, DEFAULT_WEIGHTS, top=top):
            results.setdefault((d, c.source), []).append(c)
    for key, d in wanted.items():
        out[key] = results.get((d, key[1]), [])
    return out


def proposals(candidates: Iterable[Candidate], *, day: _dt.date | None = None, min_score: float = 0.0) -> list[Relationship]:
    """``proposedMatch`` relationships for accepted candidates (score, date, reasons)."""
    today = (day or _dt.date.today()).isoformat()
    rels = []
    for c in candidates:
        if c.score < min_score:
            continue
        rels.append(
            Relationship(
                type="proposedMatch",
                source=c.source,
                target=c.target,
                props={
                    "confidence": round(float(c.score), 4),
                    "date": today,
                    "method": "canal match",
                    "status": "proposed",
                    "evidence": c.explanation_en[:500],
                    "description": c.explanation_zh[:500],
                },
            )
        )
    return rels


def contribution_labels(c: Candidate, lang: str = "en") -> str:
    """Contributions as ``text 0.21, place 0.10`` (largest first)."""
    i = 0 if lang == "en" else 1
    items = sorted(c.contributions.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{SIGNAL_LABELS[k][i]} {v:.2f}" for k, v in items)
