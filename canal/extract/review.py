"""The review file (JSON Lines) and loading reviewed facts into a store.

Each line is one candidate fact: a node (``kind: node``) or a relationship
(``kind: relationship``) with the article, the character offsets and text of its evidence,
the method that found it and a confidence. A reviewer sets ``decision`` to ``accept``,
``reject`` or ``fix`` (= accept after editing the fields: class, name, id, type, source,
target, amount ...); ``pending`` lines are loaded only above a confidence threshold.
Accepting a relationship also accepts its pending end nodes. Setting a node's ``id`` to
the id of a node already in the graph links it there instead of creating a new node.

Loading goes through :func:`canal.model.validate_node` / :func:`validate_relationship`
and the store's upserts, with provenance ``method='extracted'``: all or nothing unless
``skip_bad``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from canal.errors import LoaderError
from canal.extract.pipeline import Extraction
from canal.model import Node, Origin, Relationship, validate_node, validate_relationship
from canal.ontology import Ontology

DECISIONS = ("pending", "accept", "fix", "reject")
HEADER = {
    "kind": "header",
    "format": "canal-extract-review/1",
    "help": (
        "One candidate fact per line. Set decision to accept, reject or fix (fix = accept after editing "
        "node.class/name/id or relationship.type/source/target/amount/currency/date). pending lines load only with "
        "--min-confidence. Load with: canal extract THIS_FILE --load"
    ),
}


def records(ex: Extraction) -> list[dict[str, Any]]:
    """Review records (nodes first, then relationships) of one extraction."""
    art = ex.article
    stem = Path(art.path).name
    title = art.title or art.text[:200].split("\n", 1)[0][:120]  # once: splitting the whole text per record is quadratic
    out: list[dict[str, Any]] = []
    for i, e in enumerate(ex.entities, 1):
        out.append({
            "id": f"{stem}#n{i}",
            "kind": "node",
            "decision": "pending",
            "confidence": e.confidence,
            "method": e.method,
            "article": art.path,
            "title": title,
            "start": e.evidence_start,
            "end": e.evidence_end,
            "evidence": e.evidence,
            "node": {
                "id": e.node_id, "class": e.cls, "name": e.name, "lang": e.lang, "existing": e.existing, "link_score": e.link_score,
                "mentions": e.mentions, "mention_start": e.start, "mention_end": e.end,
            },
        })
    for i, r in enumerate(ex.relations, 1):
        out.append({
            "id": f"{stem}#r{i}",
            "kind": "relationship",
            "decision": "pending",
            "confidence": r.confidence,
            "method": r.method,
            "article": art.path,
            "title": title,
            "start": r.start,
            "end": r.end,
            "evidence": r.evidence,
            "relationship": {
                "type": r.type, "source": r.source, "target": r.target, "source_name": r.source_name, "target_name": r.target_name,
                "amount": r.amount, "currency": r.currency, "date": r.date,
            },
        })
    return out


def write_review(extractions: Iterable[Extraction], path: str | Path) -> int:
    """Write the review file; returns the number of candidate facts written."""
    n = 0
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(HEADER, ensure_ascii=False) + "\n")
            for ex in extractions:
                for rec in records(ex):
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
    except OSError as exc:
        raise LoaderError(f"cannot write the review file: {exc.strerror or exc}", file=str(path)) from None
    return n


def read_review(path: str | Path) -> list[dict[str, Any]]:
    """Records of a review file, each with its ``line``; malformed lines raise :class:`LoaderError`."""
    out: list[dict[str, Any]] = []
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(f"cannot read review file: {exc}", file=str(path)) from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise LoaderError(f"not valid JSON: {exc}", file=str(path), line=no) from None
        if not isinstance(rec, dict):
            raise LoaderError("each line must be a JSON object", file=str(path), line=no)
        if rec.get("kind") == "header":
            continue
        if rec.get("kind") not in ("node", "relationship"):
            raise LoaderError(f"kind must be node or relationship, got {rec.get('kind')!r}", file=str(path), line=no)
        if rec.get("decision", "pending") not in DECISIONS:
            raise LoaderError(f"decision must be one of {', '.join(DECISIONS)}, got {rec.get('decision')!r}", file=str(path), line=no)
        body = rec.get(rec["kind"])
        if not isinstance(body, dict):
            raise LoaderError(f"missing the {rec['kind']!r} object", file=str(path), line=no)
        rec["line"] = no
        rec["file"] = str(path)
        out.append(rec)
    return out


@dataclass
class LoadResult:
    """What loading reviewed facts did."""

    nodes: int = 0
    relationships: int = 0
    linked: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {"nodes": self.nodes, "relationships": self.relationships, "linked_to_existing": self.linked, "skipped": [{"id": i, "reason": r} for i, r in self.skipped], "dry_run": self.dry_run}


def _chosen(rec: dict[str, Any], min_confidence: float | None) -> bool:
    d = rec.get("decision", "pending")
    if d in ("accept", "fix"):
        return True
    if d == "reject":
        return False
    return min_confidence is not None and float(rec.get("confidence") or 0.0) >= min_confidence


def _evidence(rec: dict[str, Any]) -> str:
    ev = str(rec.get("evidence") or "").strip()
    if len(ev) > 400:
        ev = ev[:400] + "…"
    return f"{ev} [{Path(str(rec.get('article', ''))).name}:{rec.get('start')}-{rec.get('end')}]"


def _prov(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": str(rec.get("article") or ""),
        "sourceTitle": rec.get("title") or None,
        "method": "extracted",
        "confidence": rec.get("confidence"),
        "evidence": _evidence(rec),
    }


def build_records(recs: Sequence[dict[str, Any]], onto: Ontology, *, min_confidence: float | None, known: dict[str, str]) -> tuple[list[Node], list[Relationship], LoadResult]:
    """Validated nodes and relationships to write, plus what was skipped and why.

    ``known`` maps ids already in the store to their class. Raises :class:`LoaderError`
    for the first invalid record (callers may catch it per record with ``skip_bad``).
    """
    res = LoadResult()
    node_recs = {r["node"].get("id"): r for r in recs if r["kind"] == "node"}
    chosen_rels = [r for r in recs if r["kind"] == "relationship" and _chosen(r, min_confidence)]
    wanted: set[str] = {str(i) for i, r in node_recs.items() if _chosen(r, min_confidence)}
    for r in chosen_rels:
        for end in ("source", "target"):
            nid = str(r["relationship"].get(end))
            if nid in node_recs and node_recs[nid].get("decision", "pending") != "reject":
                wanted.add(nid)
    nodes: list[Node] = []
    classes: dict[str, str] = dict(known)
    for nid in sorted(wanted):
        rec = node_recs[nid]
        body = rec["node"]
        origin = Origin(str(rec.get("file") or rec.get("article") or ""), None)
        if nid in known:
            res.linked += 1
            continue
        name = str(body.get("name") or "")
        props: dict[str, Any] = {"name": name, **_prov(rec)}
        props["nameZh" if body.get("lang") == "zh" else "nameEn"] = name
        node = Node(str(nid), str(body.get("class") or ""), props, origin)
        try:
            nodes.append(validate_node(onto, node))
        except LoaderError as exc:
            raise LoaderError(f"{rec['id']}: {exc.message}", file=str(rec.get("file") or rec.get("article") or ""), line=rec.get("line"), field=exc.field) from None
        classes[str(nid)] = node.cls
    rels: list[Relationship] = []
    for rec in chosen_rels:
        body = rec["relationship"]
        src, tgt = str(body.get("source") or ""), str(body.get("target") or "")
        missing = [x for x in (src, tgt) if x not in classes]
        if missing:
            res.skipped.append((rec["id"], f"end node {', '.join(missing)} is neither in the graph nor accepted"))
            continue
        rtype = str(body.get("type") or "")
        try:
            if not onto.allows(rtype, classes[src], classes[tgt]):
                res.skipped.append((rec["id"], f"{classes[src]} -{rtype}-> {classes[tgt]} does not fit the ontology"))
                continue
        except Exception as exc:  # unknown type: reported below by validate_relationship
            res.skipped.append((rec["id"], str(exc)))
            continue
        props = {k: body.get(k) for k in ("amount", "currency")}
        date = str(body.get("date") or "")
        if len(date) == 10:
            props["date"] = date
        if date[:4].isdigit():
            props["year"] = int(date[:4])
        props.update(_prov(rec))
        rel = Relationship(rtype, src, tgt, date if body.get("amount") is not None else "", props, Origin(str(rec.get("file") or rec.get("article") or ""), None))
        try:
            rels.append(validate_relationship(onto, rel))
        except LoaderError as exc:
            raise LoaderError(f"{rec['id']}: {exc.message}", file=str(rec.get("file") or rec.get("article") or ""), line=rec.get("line"), field=exc.field) from None
    res.nodes = len(nodes)
    res.relationships = len(rels)
    return nodes, rels, res


class RecordStore(Protocol):
    """What loading a review needs of a store (any :class:`canal.store.base.GraphStore`)."""

    ontology: Ontology

    def existing(self, ids: Iterable[str]) -> dict[str, str]: ...

    def ensure_indexes(self) -> None: ...

    def upsert_nodes(self, nodes: Sequence[Node]) -> int: ...

    def upsert_relationships(self, rels: Sequence[Relationship]) -> int: ...


def load_review(store: RecordStore, recs: Sequence[dict[str, Any]], *, min_confidence: float | None = None, dry_run: bool = False) -> LoadResult:
    """Validate the chosen records, then upsert them (nothing is written if one is invalid)."""
    onto = store.ontology
    ids = {str(r["node"].get("id")) for r in recs if r["kind"] == "node"}
    ids |= {str(r["relationship"].get(e)) for r in recs if r["kind"] == "relationship" for e in ("source", "target")}
    known = store.existing(ids)
    nodes, rels, res = build_records(recs, onto, min_confidence=min_confidence, known=known)
    res.dry_run = dry_run
    if not dry_run and (nodes or rels):
        store.ensure_indexes()
        store.upsert_nodes(nodes)
        store.upsert_relationships(rels)
    return res
