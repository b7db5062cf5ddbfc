"""Coordinators' decisions, stored in the graph as ``Review`` nodes (a domain fact with provenance).

``canal gaps --dismiss/--confirm`` and ``canal match --accept/--reject`` call
:func:`record_review`; :func:`read_reviews` gives the decisions back (reviewed id -> properties)
for :func:`canal.gaps.find_gaps`. A review is linked (``reviews``) to the nodes it judges, so it
exports with the graph (RDF, GraphML, CSV) and comes back on import; it is re-recorded, not
duplicated, when the same thing is reviewed again (its id is ``review:<reviewed id>``).
"""

from __future__ import annotations

import datetime as _dt
import getpass
import os
from collections.abc import Sequence
from typing import Any

from canal.errors import ConfigError
from canal.gaps.review import GAP_DECISIONS, MATCH_DECISIONS, REVIEW_CLASS, REVIEW_KEYS
from canal.model import Node, Relationship, ident, validate_node, validate_relationship
from canal.store.base import GraphStore

REVIEW_SOURCE = "canal-review"
"""``source`` of every review: the coordinator's own decision."""


def current_user() -> str:
    """The operating-system user (``getpass.getuser()``, else ``$USER``, else ``unknown``)."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER") or "unknown"


def review_id(subject: str) -> str:
    """Node id of the review of ``subject`` (a gap id or ``match:SOURCE->TARGET``)."""
    return f"review:{subject}"


def match_subject(source: str, target: str) -> str:
    """The reviewed id of the proposed match ``source -> target``."""
    return f"match:{source}->{target}"


def record_review(
    store: GraphStore,
    subject: str,
    decision: str,
    *,
    anchors: Sequence[str],
    reason: str = "",
    reviewer: str | None = None,
    label: str = "",
    now: _dt.datetime | None = None,
) -> dict[str, Any]:
    """Write (or overwrite) the decision on ``subject`` and link it to ``anchors``; returns its properties."""
    if decision not in GAP_DECISIONS + MATCH_DECISIONS:
        raise ConfigError(f"unknown decision {decision!r}")
    if decision in ("dismissed", "rejected") and not reason.strip():
        raise ConfigError(f"say why with --reason when a decision is {decision}")
    when = (now or _dt.datetime.now(_dt.UTC)).replace(microsecond=0)
    who = (reviewer or "").strip() or current_user()
    props: dict[str, Any] = {
        "name": f"{decision}: {label or subject}",
        "reviewOf": subject,
        "decision": decision,
        "reviewer": who,
        "reviewedAt": when.isoformat(),
        "reason": reason.strip(),
        "source": REVIEW_SOURCE,
        "retrieved": when.date().isoformat(),
        "method": "coordinator review",
        "confidence": 1.0,
        "evidence": reason.strip() or f"{decision} by {who}",
    }
    onto = store.ontology
    node = validate_node(onto, Node(review_id(subject), REVIEW_CLASS, props))
    rels = [
        validate_relationship(onto, Relationship("reviews", node.id, a, "", {"source": REVIEW_SOURCE, "method": "coordinator review"}))
        for a in dict.fromkeys(anchors)
    ]
    found = store.existing([r.target for r in rels])
    missing = [r.target for r in rels if r.target not in found]
    if missing:
        raise ConfigError(f"no node {', '.join(missing)} in the graph")
    # a decision replaces the previous one: drop the old links first
    store.execute(
        f"MATCH (r:{ident(REVIEW_CLASS)} {{id: $id}})-[x:{ident(onto.relation('reviews').type)}]->() DELETE x",
        {"id": node.id},
    )
    store.upsert_nodes([node])
    store.upsert_relationships(rels)
    return dict(node.props)


def read_reviews(store: GraphStore) -> dict[str, dict[str, Any]]:
    """Every decision in the store, by reviewed id."""
    keys = ", ".join(f"r.{k}" for k in ("id", "reviewOf", *REVIEW_KEYS))
    rows = store.query(f"MATCH (r:{ident(REVIEW_CLASS)}) RETURN {keys} ORDER BY r.id").rows
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        rid, subject, *vals = row
        if subject:
            out[str(subject)] = {"id": rid, **{k: (str(v) if k == "reviewedAt" else v) for k, v in zip(REVIEW_KEYS, vals, strict=True) if v is not None}}
    return out


def review_match(
    store: GraphStore, source: str, target: str, decision: str, *, reason: str = "", reviewer: str | None = None
) -> dict[str, Any]:
    """Accept or reject the proposed match ``source -> target`` (a ``proposedMatch`` relationship must exist).

    The decision is a ``Review`` node (as for gaps) and the ``status`` of the proposal.
    """
    if decision not in MATCH_DECISIONS:
        raise ConfigError(f"a match is {' or '.join(MATCH_DECISIONS)}, not {decision!r}")
    t = ident(store.ontology.relation("proposedMatch").type)
    e = ident("Entity")
    n = store.query(f"MATCH (a:{e} {{id: $s}})-[p:{t}]->(b:{e} {{id: $t}}) RETURN count(p)", {"s": source, "t": target}).scalar()
    if not n:
        raise ConfigError(f"no proposed match {source} -> {target} in the graph (write proposals with `canal match --write-proposals`)")
    props = record_review(store, match_subject(source, target), decision, anchors=[source, target], reason=reason,
                          reviewer=reviewer, label=f"match {source} -> {target}")
    store.execute(f"MATCH (a:{e} {{id: $s}})-[p:{t}]->(b:{e} {{id: $t}}) SET p.status = $d RETURN count(p)",
                  {"s": source, "t": target, "d": decision})
    return props


def read_absences(store: GraphStore) -> dict[str, list[str]]:
    """Node id -> the absences a source records for it (the ``lacks`` property), for :func:`canal.gaps.find_gaps`."""
    rows = store.query(f"MATCH (n:{ident('Entity')}) WHERE n.lacks IS NOT NULL RETURN n.id, n.lacks").rows
    return {str(i): [str(x) for x in (v if isinstance(v, list) else [v])] for i, v in rows}
