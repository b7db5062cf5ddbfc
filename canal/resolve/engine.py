"""Entity resolution: which incoming records are nodes the graph already has.

Order of evidence: (1) identifiers (USCC, LEI, VAT, ROR, Wikidata QID, checked and
normalised); (2) exact match of normalised names and aliases, widened by alias tables
(groups of names that mean the same organisation); (3) fuzzy candidates found through
blocking keys, which are never merged automatically but go to a review report.
A conflicting identifier or country vetoes a merge.

>>> from canal.model import Node
>>> from canal.ontology import load_ontology
>>> known = [Node("dicp", "ResearchInstitute", {"name": "中国科学院大连化学物理研究所"})]
>>> new = [Node("x1", "ResearchInstitute", {"name": "Dalian Institute of Chemical Physics", "aliases": ["DICP"]})]
>>> groups = [{"中国科学院大连化学物理研究所", "Dalian Institute of Chemical Physics"}]
>>> r = resolve(new, known, onto=load_ontology(), alias_groups=groups)
>>> r.merges["x1"].target, r.merges["x1"].reason
('dicp', 'name')
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canal.model import PROVENANCE_KEYS, Node
from canal.ontology import Ontology
from canal.resolve.gazetteer import Gazetteer
from canal.resolve.identifiers import IDENTIFIER_KEYS, normalise_identifier
from canal.resolve.names import normalise_name

NAME_KEYS = ("name", "nameEn", "nameZh", "aliases")


@dataclass(frozen=True)
class Match:
    """An incoming record resolved to an existing node."""

    source: str
    target: str
    reason: str  # "ror", "uscc", "lei", "vat", "wikidata", "name"
    score: float
    evidence: str


@dataclass(frozen=True)
class ReviewPair:
    """An uncertain pair: not merged, listed for a person to decide."""

    source: str
    source_name: str
    target: str
    target_name: str
    score: float
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON/CSV-ready row."""
        return {
            "incoming": self.source,
            "incoming_name": self.source_name,
            "candidate": self.target,
            "candidate_name": self.target_name,
            "score": self.score,
            "reason": self.reason,
        }


@dataclass
class Resolution:
    """Merges decided and pairs left for review."""

    merges: dict[str, Match] = field(default_factory=dict)
    review: list[ReviewPair] = field(default_factory=list)


def names_of(props: dict[str, Any]) -> list[str]:
    """Every name a node carries: name, nameEn, nameZh and aliases."""
    out: list[str] = []
    for k in NAME_KEYS:
        v = props.get(k)
        for x in v if isinstance(v, list) else [v]:
            if isinstance(x, str) and x and x not in out:
                out.append(x)
    return out


def read_alias_groups(paths: Iterable[Path]) -> list[set[str]]:
    """Alias tables: CSV with a ``names`` column, names separated by ``|``, one organisation a row."""
    from canal.load.readers import read_table

    groups = []
    for p in paths:
        for _row, rec in read_table(Path(p)):
            names = {x.strip() for x in str(rec.get("names") or "").split("|") if x.strip()}
            if len(names) > 1:
                groups.append(names)
    return groups


def _compatible(onto: Ontology, a: str, b: str) -> bool:
    if a == b:
        return True
    org = "Organisation"
    if org in onto.classes and onto.is_a(a, org) and onto.is_a(b, org):
        return True
    return onto.is_a(a, b) or onto.is_a(b, a)


def _identifiers(props: dict[str, Any]) -> dict[str, str]:
    out = {}
    for k in IDENTIFIER_KEYS:
        v = props.get(k)
        if v:
            norm = normalise_identifier(k, str(v))
            if norm:
                out[k] = norm
    return out


def resolve(
    incoming: Sequence[Node],
    known: Sequence[Node],
    *,
    onto: Ontology,
    alias_groups: Sequence[set[str]] = (),
    review: float = 0.85,
    blocked: Iterable[tuple[str, str]] = (),
    classes: Sequence[str] = ("Organisation",),
) -> Resolution:
    """Resolve ``incoming`` records against ``known`` nodes (pure; no store).

    ``blocked`` holds ``(incoming id, known id)`` pairs that must not be merged (undone
    merges); only incoming nodes of ``classes`` (or their subclasses) are resolved.
    """
    out = Resolution()
    index = _Index.of(known, alias_groups, blocked, onto)
    for node in incoming:
        if node.id in index.kinfo or not any(onto.is_a(node.cls, c) for c in classes if c in onto.classes):
            continue
        ids = _identifiers(node.props)
        # 1. identifiers
        match = _by_identifier(index, node, ids)
        if match is not None:
            out.merges[node.id] = match
            continue
        # 2. exact names (with alias groups)
        names = names_of(node.props)
        widened = index.widen(names)
        label = names[0] if names else node.id
        if _by_name(out, index, node, ids, widened, label):
            continue
        # 3. fuzzy candidates (blocking), review only
        _by_similar_name(out, index, node, ids, widened, label, review)
    return out


@dataclass
class _Index:
    """The known nodes by id, identifier and name, the alias groups by normalised name and
    the pairs that must not be merged: what :func:`resolve` looks incoming nodes up in."""

    onto: Ontology
    kinfo: dict[str, Node]
    by_ident: dict[tuple[str, str], set[str]]
    gaz: Gazetteer
    group_of: dict[str, set[str]]
    no: set[tuple[str, str]]

    @classmethod
    def of(cls, known: Sequence[Node], alias_groups: Sequence[set[str]], blocked: Iterable[tuple[str, str]], onto: Ontology) -> _Index:
        no = set(blocked)
        by_ident: dict[tuple[str, str], set[str]] = defaultdict(set)
        gaz = Gazetteer()
        kinfo = {n.id: n for n in known}
        for n in known:
            for k, v in _identifiers(n.props).items():
                by_ident[(k, v)].add(n.id)
            gaz.add(n.id, names_of(n.props))
        group_of: dict[str, set[str]] = {}
        for g in alias_groups:
            for name in g:
                group_of.setdefault(normalise_name(name), set()).update(g)
        return cls(onto, kinfo, by_ident, gaz, group_of, no)

    def ok(self, node: Node, ids: dict[str, str], target: str) -> bool:
        """May ``node`` (with identifiers ``ids``) merge into the known node ``target``? Not when
        the pair is blocked, the classes clash, an identifier or the country differs."""
        other = self.kinfo[target]
        if (node.id, target) in self.no or not _compatible(self.onto, node.cls, other.cls):
            return False
        theirs = _identifiers(other.props)
        if any(k in theirs and theirs[k] != v for k, v in ids.items()):
            return False
        c1, c2 = node.props.get("country"), other.props.get("country")
        return not (c1 and c2 and str(c1).upper() != str(c2).upper())

    def widen(self, names: list[str]) -> list[str]:
        """``names`` followed by the other names of their alias groups."""
        widened = list(names)
        for nm in names:
            for extra in sorted(self.group_of.get(normalise_name(nm), ())):
                if extra not in widened:
                    widened.append(extra)
        return widened


def _by_identifier(index: _Index, node: Node, ids: dict[str, str]) -> Match | None:
    """The merge an identifier shared with exactly one known node gives (identifiers in
    ``IDENTIFIER_KEYS`` order), if any."""
    for k in IDENTIFIER_KEYS:
        if k not in ids:
            continue
        hits = sorted(t for t in index.by_ident.get((k, ids[k]), ()) if index.ok(node, ids, t))
        if len(hits) == 1:
            return Match(node.id, hits[0], k, 1.0, f"same {k} {ids[k]}")
    return None


def _by_name(out: Resolution, index: _Index, node: Node, ids: dict[str, str], widened: list[str], label: str) -> bool:
    """Merge on a name (or alias) only one known node has; put the pairs in review when
    several share it. True when the name decided."""
    exact: set[str] = set()
    for nm in widened:
        exact |= index.gaz.exact(nm)
    hits = sorted(t for t in exact if index.ok(node, ids, t))
    if len(hits) == 1:
        via = next((nm for nm in widened if hits[0] in index.gaz.exact(nm)), label)
        out.merges[node.id] = Match(node.id, hits[0], "name", 1.0, f"same name {via!r}")
        return True
    if len(hits) > 1:
        for t in hits:
            out.review.append(ReviewPair(node.id, label, t, _label(index.kinfo[t]), 1.0, "several nodes share this name"))
        return True
    return False


def _by_similar_name(out: Resolution, index: _Index, node: Node, ids: dict[str, str], widened: list[str], label: str, review: float) -> None:
    """Put the (at most three) known nodes with a name scoring at least ``review`` in review."""
    best: dict[str, float] = {}
    for nm in widened:
        for t, s in index.gaz.lookup(nm):
            if s >= review and index.ok(node, ids, t):
                best[t] = max(best.get(t, 0.0), s)
    for t, s in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:3]:
        out.review.append(ReviewPair(node.id, label, t, _label(index.kinfo[t]), round(s, 3), "similar name"))


def _label(n: Node) -> str:
    names = names_of(n.props)
    return names[0] if names else n.id


def merge_props(onto: Ontology, existing: dict[str, Any], incoming: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Properties of a node after absorbing ``incoming``, and what the merge added.

    The existing node keeps its name, class and provenance; names it lacks
    (``nameEn``, ``nameZh``) are taken over; every other name becomes an alias;
    multi-valued properties (``aliases``, ``sources``, ``field``) are united; other
    properties are filled in only where missing. ``added`` lists exactly that, so the
    merge can be undone.

    >>> from canal.ontology import load_ontology
    >>> new, added = merge_props(load_ontology(), {"name": "DICP", "sources": ["a"]}, {"name": "Dalian Institute", "nameZh": "大连化物所", "sources": ["b"]})
    >>> new["aliases"], new["nameZh"], new["sources"]
    (['Dalian Institute'], '大连化物所', ['a', 'b'])
    >>> added
    {'keys': ['aliases', 'nameZh'], 'values': {'sources': ['b']}}
    """
    out = dict(existing)
    added_keys: list[str] = []
    added_values: dict[str, list[Any]] = {}
    have_names = {normalise_name(x) for x in names_of(existing)}
    for k, v in incoming.items():
        if k in ("name", "aliases") or v is None:
            continue
        if k in PROVENANCE_KEYS and k in existing:
            continue
        info = onto.properties.get(k)
        if info is not None and not info.functional:
            old = list(existing.get(k) or [])
            new = [x for x in (v if isinstance(v, list) else [v]) if x not in old]
            if new:
                out[k] = old + new
                if k in existing:
                    added_values[k] = new
                else:
                    added_keys.append(k)
        elif k not in existing:
            out[k] = v
            added_keys.append(k)
            if k in ("nameEn", "nameZh"):
                have_names.add(normalise_name(str(v)))
    extra = []
    for nm in names_of({"name": incoming.get("name"), "aliases": incoming.get("aliases"), "nameEn": incoming.get("nameEn"), "nameZh": incoming.get("nameZh")}):
        key = normalise_name(nm)
        if key not in have_names and nm not in extra:
            extra.append(nm)
            have_names.add(key)
    if extra:
        old = list(out.get("aliases") or [])
        out["aliases"] = old + extra
        if "aliases" in existing:
            added_values["aliases"] = extra
        else:
            added_keys.append("aliases")
    return out, {"keys": sorted(added_keys), "values": added_values}


def write_review(pairs: Sequence[ReviewPair], csv_path: str | Path, html_path: str | Path | None = None) -> None:
    """Write the review report: CSV, and an HTML table a person can read."""
    cols = ["incoming", "incoming_name", "candidate", "candidate_name", "score", "reason"]
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=[*cols, "decision"])
        w.writeheader()
        for p in pairs:
            w.writerow({**p.as_dict(), "decision": ""})
    if html_path is not None:
        from html import escape

        rows = "\n".join(
            "<tr>" + "".join(f"<td>{escape(str(p.as_dict()[c]))}</td>" for c in cols) + "</tr>" for p in pairs
        )
        head = "".join(f"<th>{escape(c)}</th>" for c in cols)
        Path(html_path).write_text(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>canal: pairs to review / 待审核的实体对</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
            "th{background:#eee}</style></head><body>"
            f"<h1>Pairs to review / 待审核的实体对 ({len(pairs)})</h1>"
            "<p>These records look alike but were not merged. Record a decision (merge / distinct) in the CSV column "
            "<code>decision</code>. 这些记录相似但未自动合并，请在 CSV 的 decision 列中填写 merge 或 distinct。</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table></body></html>\n",
            encoding="utf-8",
        )
