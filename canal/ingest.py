"""Load a spec into a store: validate, resolve, diff, then write in idempotent batches.

Nothing is written when the input has a bad row (unless ``skip_bad``, which writes the
good rows and puts the bad ones in a reject file). Every write is an upsert keyed on
stable ids, so a re-run after a crash finishes the job without duplicates.

A load is *incremental*: every node and relationship carries ``sources``, the loader
specs that assert it. Loading a changed version of a source adds what is new, updates
what changed and marks what disappeared from it as retracted (``status: retracted``
and ``retractedOn``) when no other source still asserts it; nothing is deleted. Each
load returns (and stores as a ``LoadLog`` record in the database) a diff: added /
changed / retracted per class and relationship type.

Before writing, incoming organisations are resolved against the graph
(:mod:`canal.resolve`): the same identifier, or the same normalised name or alias,
merges the record into the existing node (recorded as a ``MergeRecord``, reversible
with :func:`unmerge`); similar names go to a review report instead.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from canal.errors import CanalError, LoaderError, StoreError
from canal.inflight import InFlight
from canal.load import collect, read_spec
from canal.load.records import Reject
from canal.load.spec import LoaderSpec
from canal.loadlog import LOAD_LOG as LOAD_LOG
from canal.loadlog import MERGE_RECORD, Run, loaded_before, migrate
from canal.loadlog import load_log as load_log
from canal.model import Node, Relationship
from canal.ontology import ROOT_CLASS, Ontology
from canal.store.base import GraphStore, most_specific
from canal.store.cypher import ident
from canal.waiting import wait_until

ProgressHook = Callable[[str, int, int], None]
"""Called as ``hook(stage, done, total)`` after each acknowledged batch."""

RETRACTED = "retracted"


@dataclass
class LoadReport:
    """What a load did (or, with ``dry_run``, would do)."""

    spec: str
    nodes: Counter[str] = field(default_factory=Counter)
    relationships: Counter[str] = field(default_factory=Counter)
    new_nodes: int = 0
    existing_nodes: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_file: str | None = None
    seconds: float = 0.0
    dry_run: bool = False
    name: str = ""
    diff: dict[str, dict[str, dict[str, int]]] = field(default_factory=lambda: {"nodes": {}, "relationships": {}})
    outside: list[Reject] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    review: list[dict[str, Any]] = field(default_factory=list)
    review_file: str | None = None
    load_id: str | None = None
    timing: dict[str, float] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Added / changed / retracted summed over classes and types."""
        out = {"added": 0, "changed": 0, "retracted": 0}
        for kind in ("nodes", "relationships"):
            for counts in self.diff[kind].values():
                for k in out:
                    out[k] += counts.get(k, 0)
        return out

    def diff_rows(self) -> list[list[Any]]:
        """``[kind, class or type, added, changed, retracted]`` rows, sorted."""
        rows = []
        for kind in ("nodes", "relationships"):
            for name, c in sorted(self.diff[kind].items()):
                rows.append([kind[:-1] if kind == "nodes" else "relationship", name, c.get("added", 0), c.get("changed", 0), c.get("retracted", 0)])
        return rows

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "spec": self.spec,
            "name": self.name,
            "dry_run": self.dry_run,
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
            "new_nodes": self.new_nodes,
            "existing_nodes": self.existing_nodes,
            "diff": self.diff,
            "totals": self.totals(),
            "rejected": len(self.rejects),
            "reject_file": self.reject_file,
            "outside": len(self.outside),
            "outside_examples": [f"{o.record.get('source')} -{o.record.get('type')}-> {o.record.get('target')}" for o in self.outside[:10]],
            "merges": self.merges,
            "review": len(self.review),
            "review_file": self.review_file,
            "load_id": self.load_id,
            "seconds": round(self.seconds, 3),
            "timing": {k: round(v, 3) for k, v in self.timing.items()},
        }


def write_rejects(rejects: list[Reject], path: str | Path) -> None:
    """Write rejected rows as CSV: file, row, field, reason, record (JSON)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "field", "reason", "record"])
        for rj in rejects:
            w.writerow([rj.file, rj.row if rj.row is not None else "", rj.field or "", rj.reason, json.dumps(rj.record, ensure_ascii=False, sort_keys=True, default=str)])


# -- Cypher (labels and types from the ontology, values as parameters) -----------------


def _q_nodes() -> str:
    return f"UNWIND $ids AS id MATCH (n:{ROOT_CLASS} {{id: id}}) RETURN n.id, labels(n), properties(n)"


# relationships are found from their endpoints (the node id index, then the few edges
# between two nodes), not through an index on relationship ids: such an index costs
# ~370 bytes per relationship in FalkorDB, more than the relationship's own properties.
# ``$rows`` are ``{id, source, target}`` maps.
def _match_rel(rtype: str) -> str:
    return f"UNWIND $rows AS row MATCH (:{ROOT_CLASS} {{id: row.source}})-[r:{ident(rtype)}]->(:{ROOT_CLASS} {{id: row.target}}) WHERE r.id = row.id"


def _q_rels(rtype: str) -> str:
    return f"{_match_rel(rtype)} RETURN r.id, properties(r)"


def _q_asserted_nodes() -> str:
    # the sources other than this one (usually none: less to send back on a reload)
    return (
        f"MATCH (n:{ROOT_CLASS}) WHERE $s IN n.sources AND (n.status IS NULL OR n.status <> $retracted) "
        "RETURN n.id, labels(n), [x IN n.sources WHERE x <> $s]"
    )


def _q_asserted_rels(rtype: str) -> str:
    return (
        f"MATCH (a)-[r:{ident(rtype)}]->(b) WHERE $s IN r.sources AND (r.status IS NULL OR r.status <> $retracted) "
        "RETURN r.id, [x IN r.sources WHERE x <> $s], a.id, b.id"
    )


def _q_retract_nodes() -> str:
    return (
        f"UNWIND $ids AS id MATCH (n:{ROOT_CLASS} {{id: id}}) "
        "SET n.status = $retracted, n.retractedOn = $today RETURN count(n)"
    )


def _q_drop_source_nodes() -> str:
    return f"UNWIND $ids AS id MATCH (n:{ROOT_CLASS} {{id: id}}) SET n.sources = [x IN n.sources WHERE x <> $s] RETURN count(n)"


def _q_retract_rels(rtype: str) -> str:
    return f"{_match_rel(rtype)} SET r.status = $retracted, r.retractedOn = $today RETURN count(r)"


def _q_drop_source_rels(rtype: str) -> str:
    return f"{_match_rel(rtype)} SET r.sources = [x IN r.sources WHERE x <> $s] RETURN count(r)"


def _q_reinstate_nodes() -> str:
    return f"UNWIND $ids AS id MATCH (n:{ROOT_CLASS} {{id: id}}) SET n.status = NULL, n.retractedOn = NULL RETURN count(n)"


def _q_reinstate_rels(rtype: str) -> str:
    return f"{_match_rel(rtype)} SET r.status = NULL, r.retractedOn = NULL RETURN count(r)"


def _q_merge_record() -> str:
    return (
        f"UNWIND $rows AS row MERGE (m:{ident(MERGE_RECORD)} {{id: row.id}}) "
        "ON CREATE SET m += row.props RETURN count(m)"
    )


def _q_merge_records() -> str:
    return f"MATCH (m:{ident(MERGE_RECORD)}) WHERE m.spec = $s RETURN m.absorbed, m.into, m.status"


def _q_known(cls: str) -> str:
    return f"MATCH (n:{ident(cls)}) RETURN n.id, labels(n), properties(n)"


def _batches(items: Sequence[Any], size: int = 5000) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- the load ---------------------------------------------------------------------------


def load_spec(
    store: GraphStore,
    spec_path: str | Path,
    *,
    skip_bad: bool = False,
    reject_file: str | Path | None = None,
    dry_run: bool = False,
    progress: ProgressHook | None = None,
    resolve: bool = True,
    review_file: str | Path | None = None,
    today: date | str | None = None,
    allow_retract: bool = False,
) -> LoadReport:
    """Validate, resolve, diff and load one loader spec into ``store``; returns a :class:`LoadReport`.

    ``resolve=False`` skips entity resolution. ``review_file`` (CSV; an ``.html`` twin
    is written next to it) receives uncertain pairs and ``reject_file`` the rows set aside by
    ``skip_bad``, when there are any; without a path nothing is written (both lists stay in
    the report; the CLI defaults to ``<spec stem>.review.csv`` / ``.rejects.csv``). ``today`` is the retraction date (default: today, UTC).

    Retraction is never silent: a load that would retract more than
    ``settings.retract_share`` (default half) of the nodes, or of the relationships, its
    source asserted before stops with the numbers, before writing, unless
    ``allow_retract``; so does a ``skip_bad`` load that rejected every row. The load log
    records the load as ``done``, ``failed`` or ``interrupted``.
    """
    migrate(store)
    run = Run(store)
    try:
        return _load_spec(store, spec_path, run, skip_bad=skip_bad, reject_file=reject_file, dry_run=dry_run, progress=progress, resolve=resolve, review_file=review_file, today=today, allow_retract=allow_retract)
    except BaseException as exc:
        run.abort(exc)
        raise


def check_retraction(name: str, asserted: dict[str, int], retracted: dict[str, int], share: float) -> None:
    """Stop a load that retracts more than ``share`` of the nodes or of the relationships
    its source asserted before (``asserted`` / ``retracted``: counts per kind).

    >>> check_retraction("s", {"nodes": 10, "relationships": 4}, {"nodes": 5, "relationships": 0}, 0.5)
    >>> check_retraction("s", {"nodes": 10, "relationships": 4}, {"nodes": 6, "relationships": 0}, 0.5)
    Traceback (most recent call last):
    canal.errors.LoaderError: source 's': this load would retract 6 of the 10 nodes it asserted before (60 %, more than the 50 % allowed), ...
    """
    over = [(k, retracted.get(k, 0), n) for k, n in sorted(asserted.items(), reverse=True) if n and retracted.get(k, 0) > share * n]
    if over:
        what = "; ".join(f"{r} of the {n} {k} it asserted before ({100 * r / n:.0f} %, more than the {100 * share:.0f} % allowed)" for k, r, n in over)
        raise LoaderError(
            f"source {name!r}: this load would retract {what}, "
            f"{sum(retracted.values())} facts in all. An empty or truncated source file? "
            "Nothing was written; to retract them, load again with --allow-retract (library: allow_retract=True)"
        )


@dataclass
class _Plan:
    """What the steps of one load share: the input, what the store holds of it, and the diff."""

    spec: LoaderSpec
    onto: Ontology
    data: Any
    report: LoadReport
    day: str
    nodes: dict[str, Node]
    rels: list[Relationship]
    stored: dict[str, tuple[str, dict[str, Any]]]
    merge_rows: list[dict[str, Any]] = field(default_factory=list)
    only_this: list[str] = field(default_factory=list)
    final_nodes: list[Node] = field(default_factory=list)
    final_rels: list[Relationship] = field(default_factory=list)
    stored_rels: dict[str, dict[str, Any]] = field(default_factory=dict)
    diff_nodes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    diff_rels: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    changed_nodes: set[str] = field(default_factory=set)
    changed_rels: set[str] = field(default_factory=set)
    reinstate_nodes: list[str] = field(default_factory=list)
    reinstate_rels: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    retract_nodes: list[str] = field(default_factory=list)
    drop_nodes: list[str] = field(default_factory=list)
    retract_rels: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    drop_rels: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))

    @property
    def name(self) -> str:
        return self.spec.name


def _load_spec(
    store: GraphStore,
    spec_path: str | Path,
    run: Run,
    *,
    skip_bad: bool,
    reject_file: str | Path | None,
    dry_run: bool,
    progress: ProgressHook | None,
    resolve: bool,
    review_file: str | Path | None,
    today: date | str | None,
    allow_retract: bool,
) -> LoadReport:
    t0 = time.perf_counter()
    onto = store.ontology
    spec = read_spec(spec_path, onto)
    # a source never loaded before (no log record, not even an interrupted or failed one)
    # has nothing to retract: the scans for what it asserted are skipped
    was_loaded = loaded_before(store, spec.name)
    if not dry_run:
        run.start(spec.name, str(spec_path))  # from here a failure is logged as failed
    if not dry_run:
        store.ensure_indexes()
    wait_for_indexes(store)
    from canal.bulk import fast_records

    data = fast_records(spec, onto, skip_bad=skip_bad) or collect(spec, onto, skip_bad=skip_bad, known=store.existing)
    t_collect = time.perf_counter()
    if skip_bad and data.rejects and not data.nodes and not data.relationships:
        first = data.rejects[0]
        raise LoaderError(f"every row was rejected ({len(data.rejects)}), e.g. {first.reason}; nothing was loaded", file=first.file, row=first.row, field=first.field)
    report = LoadReport(spec=str(spec_path), dry_run=dry_run, rejects=data.rejects, name=spec.name, outside=data.outside)
    day = today.isoformat() if isinstance(today, date) else (today or datetime.now(UTC).date().isoformat())
    nodes = {n.id: n for n in data.nodes}
    plan = _Plan(spec=spec, onto=onto, data=data, report=report, day=day, nodes=nodes, rels=list(data.relationships), stored=_fetch_nodes(store, list(nodes)))

    if resolve and not spec.resolve.get("off"):
        _resolve_step(store, plan, review_file)
    t_resolve = time.perf_counter()

    _add_sources(store, plan)
    asserted = _diff(store, plan, was_loaded)
    report.diff = {
        "nodes": {k: dict(v) for k, v in sorted(plan.diff_nodes.items())},
        "relationships": {k: dict(v) for k, v in sorted(plan.diff_rels.items())},
    }
    if was_loaded and not dry_run and not allow_retract:
        check_retraction(
            plan.name,
            asserted,
            {"nodes": len(plan.retract_nodes), "relationships": sum(len(v) for v in plan.retract_rels.values())},
            store.settings.retract_share,
        )
    report.nodes = Counter(n.cls for n in plan.final_nodes)
    report.relationships = Counter(onto.relation(r.type).type for r in plan.final_rels)
    report.existing_nodes = sum(1 for n in plan.final_nodes if n.id in plan.stored)
    report.new_nodes = len(plan.final_nodes) - report.existing_nodes
    if data.rejects and reject_file is not None:
        write_rejects(data.rejects, reject_file)
        report.reject_file = str(reject_file)
    t_diff = time.perf_counter()

    if not dry_run:
        _write(store, plan, run, progress, t0)
    t_end = time.perf_counter()
    report.seconds = t_end - t0
    report.timing = {"read_validate": t_collect - t0, "resolve": t_resolve - t_collect, "diff": t_diff - t_resolve, "write": t_end - t_diff}
    return report


# -- entity resolution ------------------------------------------------------------------


def _resolve_step(store: GraphStore, plan: _Plan, review_file: str | Path | None) -> None:
    """Merge incoming organisations into the graph's (``plan.nodes`` / ``rels`` rewritten),
    fetch the nodes merged into, and report the merges and the pairs left for review."""
    report = plan.report
    plan.nodes, plan.rels, plan.merge_rows, pairs = _resolve(store, plan.spec, plan.onto, plan.nodes, plan.rels, plan.stored, plan.day)
    plan.stored.update(_fetch_nodes(store, [i for i in plan.nodes if i not in plan.stored]))
    report.merges = [{k: r[k] for k in ("absorbed", "into", "reason", "score", "evidence")} for r in plan.merge_rows]
    report.review = [p.as_dict() for p in pairs]
    if pairs and review_file is not None:
        from canal.resolve import write_review

        out = Path(review_file)
        write_review(pairs, out, out.with_suffix(".html"))
        report.review_file = str(out)


# -- sources and multi-source merging of stored values ------------------------------------


def _add_sources(store: GraphStore, plan: _Plan) -> None:
    """Give every node and relationship its ``sources`` (the stored ones plus this source) and
    merge the values other sources stored into the nodes: ``plan.final_nodes`` / ``final_rels``."""
    S, onto, stored = plan.name, plan.onto, plan.stored
    only_this = [S]  # shared by every fact no other source asserts (never changed in place)
    final_nodes: list[Node] = []
    for n in plan.nodes.values():
        props = n.props
        old = stored.get(n.id)
        old_props = old[1] if old else {}
        if n.id in plan.data.stubs and old:
            props = {k: v for k, v in old_props.items() if not (old_props.get("status") == RETRACTED and k in ("status", "retractedOn"))}
        srcs = list(old_props.get("sources") or [])
        others = [x for x in srcs if x != S]
        if others and old:
            for k, v in list(props.items()):
                info = onto.properties.get(k)
                if info is not None and not info.functional and isinstance(old_props.get(k), list):
                    props[k] = list(old_props[k]) + [x for x in (v if isinstance(v, list) else [v]) if x not in old_props[k]]
            for k in ("source", "sourceTitle", "publisher", "published"):
                if k in old_props:
                    props[k] = old_props[k]
        props["sources"] = only_this if not srcs else srcs if S in srcs else [*srcs, S]
        cls = n.cls
        if old and old[0] != cls and onto.is_a(old[0], cls):
            cls = old[0]  # the store knows a more specific class
        final_nodes.append(n if cls == n.cls and props is n.props else Node(n.id, cls, props, n.origin))
    final_nodes.sort(key=lambda n: n.id)
    plan.final_nodes = final_nodes

    by_rid: dict[str, Relationship] = {}
    for r in plan.rels:
        by_rid.setdefault(r.rid, r)
    # a relationship can only be stored already if both its endpoints are (an endpoint
    # this load creates is not; one the load does not name is in the store)
    fresh = {i for i in plan.nodes if i not in stored}
    plan.stored_rels = _fetch_rels(store, onto, [r for r in by_rid.values() if r.source not in fresh and r.target not in fresh])
    # the records are this load's own: they get their sources in place (no copies of
    # hundreds of thousands of property maps)
    for r in by_rid.values():
        old_r = plan.stored_rels.get(r.rid)
        srcs = list(old_r.get("sources") or []) if old_r else []
        r.props["sources"] = only_this if not srcs else srcs if S in srcs else [*srcs, S]
        plan.final_rels.append(r)


# -- diff -------------------------------------------------------------------------------


def _diff(store: GraphStore, plan: _Plan, was_loaded: bool) -> dict[str, int]:
    """Count what is added, changed (reinstated included) and retracted per class and type, and
    sort the facts this source no longer asserts into retracted and dropped (another source
    still asserts them). Returns how many nodes and relationships the source asserted before."""
    onto, stored, diff_nodes, diff_rels = plan.onto, plan.stored, plan.diff_nodes, plan.diff_rels
    for n in plan.final_nodes:
        old = stored.get(n.id)
        if old is None:
            diff_nodes[n.cls]["added"] += 1
            continue
        old_cls, old_props = old
        if old_props.get("status") == RETRACTED:
            plan.reinstate_nodes.append(n.id)
            diff_nodes[n.cls]["changed"] += 1
            plan.changed_nodes.add(n.id)
        elif old_cls != n.cls or any(not _same(old_props.get(k), v) for k, v in n.props.items()):
            diff_nodes[n.cls]["changed"] += 1
            plan.changed_nodes.add(n.id)
    for r in plan.final_rels:
        t = onto.relation(r.type).type
        found_r = plan.stored_rels.get(r.rid)
        if found_r is None:
            diff_rels[t]["added"] += 1
        elif found_r.get("status") == RETRACTED:
            plan.reinstate_rels[t].append(_ref(r))
            diff_rels[t]["changed"] += 1
            plan.changed_rels.add(r.rid)
        elif any(not _same(found_r.get(k), v) for k, v in r.props.items()):
            diff_rels[t]["changed"] += 1
            plan.changed_rels.add(r.rid)
    return _retractions(store, plan, was_loaded)


def _retractions(store: GraphStore, plan: _Plan, was_loaded: bool) -> dict[str, int]:
    """The part of :func:`_diff` that scans what the source asserted before (only when it was loaded before)."""
    S, onto = plan.name, plan.onto
    new_ids = {n.id for n in plan.final_nodes}
    asserted_nodes = store.query(_q_asserted_nodes(), {"s": S, "retracted": RETRACTED}).rows if was_loaded else []
    for nid, labels, srcs in asserted_nodes:
        if nid in new_ids:
            continue
        if [x for x in (srcs or []) if x != S]:
            plan.drop_nodes.append(nid)
        else:
            plan.retract_nodes.append(nid)
            plan.diff_nodes[most_specific(onto, labels)]["retracted"] += 1
    new_rids = {r.rid for r in plan.final_rels}
    asserted_rel_count = 0
    for t in onto.relationship_types if was_loaded else []:
        for rid, srcs, a, b in store.query(_q_asserted_rels(t), {"s": S, "retracted": RETRACTED}).rows:
            asserted_rel_count += 1
            if rid in new_rids:
                continue
            if [x for x in (srcs or []) if x != S]:
                plan.drop_rels[t].append({"id": rid, "source": a, "target": b})
            else:
                plan.retract_rels[t].append({"id": rid, "source": a, "target": b})
                plan.diff_rels[t]["retracted"] += 1
    return {"nodes": len(asserted_nodes), "relationships": asserted_rel_count}


# -- write ------------------------------------------------------------------------------


def _write(store: GraphStore, plan: _Plan, run: Run, progress: ProgressHook | None, t0: float) -> None:
    """Write the diff (merge records, reinstatements, new and changed facts, retractions,
    dropped sources, in that order) and finish the load log record."""
    S, day, report = plan.name, plan.day, plan.report
    final_nodes, final_rels, stored, stored_rels = plan.final_nodes, plan.final_rels, plan.stored, plan.stored_rels
    changed_nodes, changed_rels = plan.changed_nodes, plan.changed_rels
    store.ensure_indexes()
    report.load_id = run.id
    if plan.merge_rows:
        store.meta_execute(_q_merge_record(), {"rows": [{"id": r["id"], "props": _merge_record_props(r)} for r in plan.merge_rows]})
    total = sum(1 for n in final_nodes if n.id not in stored or n.id in changed_nodes)
    total += sum(1 for r in final_rels if r.rid not in stored_rels or r.rid in changed_rels)
    done = 0

    def tick(stage: str) -> Callable[[int], None]:
        def hook(k: int) -> None:
            nonlocal done
            done += k
            if progress:
                progress(stage, done, total)

        return hook

    # reinstated facts lose their retraction first; the upsert then sets what the source says
    for batch in _batches(plan.reinstate_nodes):
        store.execute(_q_reinstate_nodes(), {"ids": list(batch)})
    for t, ids in plan.reinstate_rels.items():
        for batch in _batches(ids):
            store.execute(_q_reinstate_rels(t), {"rows": list(batch)})
    # only what the diff says is new or changed is written: new facts with CREATE
    # (faster than MERGE; a re-run after a crash sees them as existing), changed ones
    # with the store's upsert; unchanged facts are not touched
    with InFlight(name="canal-write") as pipe:
        _create_nodes(store, pipe, [n for n in final_nodes if n.id not in stored], tick("nodes"))
    store.upsert_nodes([n for n in final_nodes if n.id in changed_nodes], progress=tick("nodes"))
    with InFlight(name="canal-write") as pipe:
        _create_rels(store, pipe, [r for r in final_rels if r.rid not in stored_rels], tick("relationships"))
    store.upsert_relationships([r for r in final_rels if r.rid in changed_rels], progress=tick("relationships"))
    for batch in _batches(plan.retract_nodes):
        store.execute(_q_retract_nodes(), {"ids": list(batch), "retracted": RETRACTED, "today": day})
    for batch in _batches(plan.drop_nodes):
        store.execute(_q_drop_source_nodes(), {"ids": list(batch), "s": S})
    for t, ids in plan.retract_rels.items():
        for batch in _batches(ids):
            store.execute(_q_retract_rels(t), {"rows": list(batch), "retracted": RETRACTED, "today": day})
    for t, refs in plan.drop_rels.items():
        for batch in _batches(refs):
            store.execute(_q_drop_source_rels(t), {"rows": list(batch), "s": S})
    report.seconds = time.perf_counter() - t0
    run.finish(
        "done",
        seconds=round(report.seconds, 3),
        diff=json.dumps(report.diff, ensure_ascii=False, sort_keys=True),
        totals=json.dumps(report.totals(), sort_keys=True),
        nodes=len(final_nodes),
        relationships=len(final_rels),
        rejected=len(report.rejects),
        outside=len(report.outside),
        merged=len(plan.merge_rows),
        review=len(report.review),
        touched=_touched(final_nodes, stored, plan.changed_nodes, plan.retract_nodes, final_rels, stored_rels, plan.changed_rels, plan.retract_rels),
    )


TOUCHED_MAX = 20_000
"""The load log names at most this many added, changed or retracted facts of each kind (maps highlight them)."""


def _touched(
    final_nodes: Sequence[Node], stored: Mapping[str, Any], changed_nodes: set[str], retract_nodes: list[str],
    final_rels: Sequence[Relationship], stored_rels: Mapping[str, Any], changed_rels: set[str], retract_rels: Mapping[str, list[dict[str, str]]],
) -> str:
    """JSON of the ids a load added, changed and retracted (at most :data:`TOUCHED_MAX` of each)."""
    nodes = {
        "added": sorted(n.id for n in final_nodes if n.id not in stored),
        "changed": sorted(changed_nodes),
        "retracted": sorted(retract_nodes),
    }
    rels = {
        "added": sorted(r.rid for r in final_rels if r.rid not in stored_rels),
        "changed": sorted(changed_rels),
        "retracted": sorted(x["id"] for refs in retract_rels.values() for x in refs),
    }
    out: dict[str, Any] = {"nodes": {k: v[:TOUCHED_MAX] for k, v in nodes.items()}, "relationships": {k: v[:TOUCHED_MAX] for k, v in rels.items()}}
    out["complete"] = all(len(v) <= TOUCHED_MAX for d in (nodes, rels) for v in d.values())
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def wait_for_indexes(store: GraphStore, *, timeout: float = 3600.0) -> None:
    """Wait until the engine's indexes are usable (FalkorDB builds them in the background,
    also after opening a file; a lookup by id without its index scans everything)."""
    if not store.indexes_build_in_background:
        return

    def operational() -> bool:
        try:
            rows = store.query("CALL db.indexes() YIELD status RETURN status", {}).rows
        except CanalError:
            return True  # no index listing: nothing to wait for
        return all(str(r[0]).upper() == "OPERATIONAL" for r in rows)

    wait_until(operational, timeout=timeout, pause=0.05)  # after the timeout the load goes on


def _write_counted(pipe: InFlight, store: GraphStore, query: str, params: dict[str, Any], expect: int, what: str, done: Callable[[int], None]) -> None:
    """Queue a write whose ``RETURN count(..)`` must equal ``expect``, then report progress."""

    def check(res: Any) -> None:
        got = int(res.scalar() or 0)
        if got != expect:
            raise StoreError(f"{what} wrote {got} of {expect}")
        done(expect)

    pipe.submit(lambda: store.execute(query, params), check=check)


def _create_nodes(store: GraphStore, pipe: InFlight, nodes: Sequence[Node], progress: Callable[[int], None]) -> None:
    """CREATE nodes known to be new (per class, in batches), with their labels."""
    onto = store.ontology
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        by_class[n.cls].append({"id": n.id, "props": dict(n.props)})
    size = store.settings.batch_size
    for cls in sorted(by_class):
        labels = ":".join(ident(x) for x in onto.labels_for(cls))
        q = f"UNWIND $rows AS row CREATE (n:{labels} {{id: row.id}}) SET n += $shared SET n += row.props RETURN count(n)"
        for batch in _batches(by_class[cls], size):
            shared, rows = _shared(batch)
            _write_counted(pipe, store, q, {"rows": rows, "shared": shared}, len(batch), f"creating {cls} nodes", progress)


def _create_rels(store: GraphStore, pipe: InFlight, rels: Sequence[Relationship], progress: Callable[[int], None]) -> None:
    """CREATE relationships known to be new (per type, in batches)."""
    onto = store.ontology
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rels:
        by_type[onto.relation(r.type).type].append({"id": r.rid, "source": r.source, "target": r.target, "props": dict(r.props)})
    size = store.settings.batch_size
    for t in sorted(by_type):
        q = (
            f"UNWIND $rows AS row MATCH (a:{ROOT_CLASS} {{id: row.source}}) MATCH (b:{ROOT_CLASS} {{id: row.target}}) "
            f"CREATE (a)-[r:{ident(t)} {{id: row.id}}]->(b) SET r += $shared SET r += row.props RETURN count(r)"
        )
        for batch in _batches(by_type[t], size):
            shared, rows = _shared(batch)
            _write_counted(pipe, store, q, {"rows": rows, "shared": shared}, len(batch), f"creating {t} relationships (missing endpoints?)", progress)


def _shared(batch: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Split a batch's properties into those every row has with the same value (sent
    once, e.g. the provenance of a load) and the rest (sent per row).

    >>> _shared([{"id": "a", "props": {"s": "x", "n": 1}}, {"id": "b", "props": {"s": "x", "n": 2}}])
    ({'s': 'x'}, [{'id': 'a', 'props': {'n': 1}}, {'id': 'b', 'props': {'n': 2}}])
    """
    if not batch:
        return {}, []
    common = dict(batch[0]["props"])
    for row in batch[1:]:
        props = row["props"]
        for k in [k for k, v in common.items() if k not in props or props[k] != v or type(props[k]) is not type(v)]:
            del common[k]
        if not common:
            return {}, list(batch)
    return common, [{**row, "props": {k: v for k, v in row["props"].items() if k not in common}} for row in batch]


def _same(a: Any, b: Any) -> bool:
    if type(a) is type(b) and a == b:  # the common case of a reload: nothing changed
        return True
    if isinstance(a, float) or isinstance(b, float):
        # FalkorDB stores doubles exactly but prints them with 15 significant digits
        # (19.443689852949927 is read back as 19.4436898529499): compare at that precision
        try:
            return a is not None and b is not None and f"{float(a):.15g}" == f"{float(b):.15g}"
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or []) == list(b or [])
    return bool(a == b)


def _fetch_nodes(store: GraphStore, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for batch in _batches(sorted(ids)):
        for nid, labels, props in store.query(_q_nodes(), {"ids": list(batch)}).rows:
            out[nid] = (most_specific(store.ontology, labels), {k: v for k, v in dict(props).items() if k != "id"})
    return out


def _q_rels_from(rtype: str, out: bool) -> str:
    """The relationships of a type out of (or into) some nodes that this load names
    (``$expect``: relationship id -> the properties the load gives it): one walk over
    each node's edges, however many of them the load names (a hub's edges are walked once,
    not once per relationship). The server compares the properties (``$shared``: those
    every relationship of the batch has, sent once), so only the stored ``sources``,
    ``status`` and whether every given property is equal come back."""
    pattern = f"(:{ROOT_CLASS} {{id: i}})-[r:{ident(rtype)}]->()" if out else f"()-[r:{ident(rtype)}]->(:{ROOT_CLASS} {{id: i}})"
    return (
        f"UNWIND $ids AS i MATCH {pattern} WITH r, $expect[r.id] AS e WHERE e IS NOT NULL "
        "RETURN r.id, r.sources, r.status, all(k IN keys(e) WHERE r[k] = e[k]) AND all(k IN keys($shared) WHERE r[k] = $shared[k])"
    )


def _fetch_rels(store: GraphStore, onto: Ontology, rels: Sequence[Relationship]) -> dict[str, dict[str, Any]]:
    """What the diff needs of the stored ``rels`` (those that exist), by relationship id:
    ``sources``, ``status`` and, when every property the load gives is stored as given,
    those properties (else only the first two, so the diff sees a change).

    Each relationship is looked up from the endpoint that fewer of this load's
    relationships of its type share, walking that node's edges of the type: never through
    a hub, whose edges would be walked (and looked up in the map of expected properties,
    which FalkorDB scans) once per batch."""
    by_type: dict[str, list[Relationship]] = defaultdict(list)
    for r in rels:
        by_type[onto.relation(r.type).type].append(r)
    out: dict[str, dict[str, Any]] = {}
    for t, rs in by_type.items():
        n_src, n_tgt = Counter(r.source for r in rs), Counter(r.target for r in rs)
        sides: tuple[dict[str, list[Relationship]], dict[str, list[Relationship]]] = (defaultdict(list), defaultdict(list))
        for r in rs:
            if n_src[r.source] <= n_tgt[r.target]:
                sides[0][r.source].append(r)
            else:
                sides[1][r.target].append(r)
        for forward, by_node in zip((True, False), sides, strict=True):
            for batch, expect in _groups(by_node):
                shared, rows = _shared([{"id": rid, "props": {k: v for k, v in r.props.items() if k != "sources"}} for rid, r in expect.items()])
                params = {"ids": list(batch), "shared": shared, "expect": {row["id"]: row["props"] for row in rows}}
                for rid, srcs, status, same in store.query(_q_rels_from(t, forward), params).rows:
                    old: dict[str, Any] = {k: v for k, v in expect[rid].props.items() if k != "sources"} if same is True else {}
                    old.update({"sources": srcs, "status": status})
                    out[rid] = old
    return out


def _groups(by_node: dict[str, list[Relationship]], size: int = 200) -> Iterable[tuple[list[str], dict[str, Relationship]]]:
    """Batches of nodes with the relationships expected from them, each naming about
    ``size`` relationships: FalkorDB looks a map key up by scanning the map, so the map of
    expected properties stays small."""
    ids: list[str] = []
    expect: dict[str, Relationship] = {}
    for node in sorted(by_node):
        rs = by_node[node]
        for i in range(0, len(rs), size):
            if expect and len(expect) + len(rs[i : i + size]) > size:
                yield ids, expect
                ids, expect = [], {}
            if not ids or ids[-1] != node:
                ids.append(node)
            expect.update((r.rid, r) for r in rs[i : i + size])
    if expect:
        yield ids, expect


def _ref(r: Relationship) -> dict[str, str]:
    """How the Cypher above finds a relationship: its id and its endpoints' ids."""
    return {"id": r.rid, "source": r.source, "target": r.target}


def _merge_record_props(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "spec": r["spec"],
        "absorbed": r["absorbed"],
        "into": r["into"],
        "reason": r["reason"],
        "score": r["score"],
        "evidence": r["evidence"],
        "status": "active",
        "date": r["date"],
        "absorbedClass": r["absorbed_class"],
        "absorbedProps": json.dumps(r["absorbed_props"], ensure_ascii=False, sort_keys=True, default=str),
        "added": json.dumps(r["added"], ensure_ascii=False, sort_keys=True, default=str),
        "rewired": json.dumps(r["rewired"], ensure_ascii=False, sort_keys=True, default=str),
    }


def _resolve(
    store: GraphStore,
    spec: LoaderSpec,
    onto: Ontology,
    nodes: dict[str, Node],
    rels: list[Relationship],
    stored: dict[str, tuple[str, dict[str, Any]]],
    day: str,
) -> tuple[dict[str, Node], list[Relationship], list[dict[str, Any]], list[Any]]:
    from canal.resolve import merge_props, read_alias_groups, resolve

    S = spec.name
    classes = spec.resolve.get("classes") or ["Organisation"]
    records = store.meta_query(_q_merge_records(), {"s": S}).rows
    active = {a: t for a, t, st in records if st == "active"}
    blocked = {(a, t) for a, t, st in records if st == "undone"}
    known: dict[str, Node] = {}
    for cls in classes:
        if cls not in onto.classes:
            continue
        for nid, labels, props in store.query(_q_known(cls), {}).rows:
            p = {k: v for k, v in dict(props).items() if k != "id"}
            if p.get("status") == RETRACTED:
                continue
            known[nid] = Node(nid, most_specific(onto, labels), p)
    mapping: dict[str, tuple[str, str, float, str]] = {}
    for nid in nodes:
        if nid in active and active[nid] in known and nid not in stored:
            mapping[nid] = (active[nid], "recorded", 1.0, "earlier merge")
    rest = [n for i, n in nodes.items() if i not in mapping and i not in stored]
    groups = read_alias_groups(spec.resolve.get("aliases", []))
    res = resolve(rest, list(known.values()), onto=onto, alias_groups=groups, review=float(spec.resolve.get("review", 0.85)), blocked=blocked, classes=classes)
    for nid, m in res.merges.items():
        mapping[nid] = (m.target, m.reason, m.score, m.evidence)
    if not mapping:
        return nodes, rels, [], res.review
    # rewrite relationships
    rewired: dict[str, list[dict[str, Any]]] = defaultdict(list)
    new_rels: list[Relationship] = []
    for r in rels:
        s2 = mapping.get(r.source, (r.source,))[0]
        t2 = mapping.get(r.target, (r.target,))[0]
        if (s2, t2) != (r.source, r.target):
            nr = Relationship(r.type, s2, t2, r.key, dict(r.props), r.origin)
            for x in {r.source, r.target} & set(mapping):
                rewired[x].append({"old": r.rid, "new": nr.rid, "type": r.type, "source": r.source, "target": r.target, "key": r.key, "newSource": s2, "newTarget": t2})
            new_rels.append(nr)
        else:
            new_rels.append(r)
    out_nodes = dict(nodes)
    merge_rows = []
    for nid in sorted(mapping):
        target, reason, score, evidence = mapping[nid]
        incoming = out_nodes.pop(nid)
        inc_props = {**incoming.props, "sources": [S]}
        if target in out_nodes:
            base_cls, base_props = out_nodes[target].cls, dict(out_nodes[target].props)
        else:
            base_cls, base_props = known[target].cls, dict(known[target].props)
        merged, added = merge_props(onto, base_props, inc_props)
        cls = incoming.cls if onto.is_a(incoming.cls, base_cls) and incoming.cls != base_cls else base_cls
        out_nodes[target] = Node(target, cls, {k: v for k, v in merged.items() if k not in ("status", "retractedOn")}, incoming.origin)
        merge_rows.append(
            {
                "id": f"merge:{S}:{nid}",
                "spec": S,
                "absorbed": nid,
                "into": target,
                "reason": reason,
                "score": score,
                "evidence": evidence,
                "date": day,
                "absorbed_class": incoming.cls,
                "absorbed_props": incoming.props,
                "added": added,
                "rewired": rewired.get(nid, []),
            }
        )
    return out_nodes, new_rels, merge_rows, res.review


# -- undoing a merge ---------------------------------------------------------------------


def _q_get_merge() -> str:
    return f"MATCH (m:{ident(MERGE_RECORD)} {{id: $id}}) RETURN properties(m)"


def _q_set_merge_status() -> str:
    return f"MATCH (m:{ident(MERGE_RECORD)} {{id: $id}}) SET m.status = $status RETURN m.id"


def _q_delete_rel(rtype: str) -> str:
    return f"{_match_rel(rtype)} DELETE r RETURN count(r)"


def list_merges(store: GraphStore) -> list[dict[str, Any]]:
    """Every merge record: id, spec, absorbed, into, reason, score, status, date."""
    q = f"MATCH (m:{ident(MERGE_RECORD)}) RETURN m.id, m.spec, m.absorbed, m.into, m.reason, m.score, m.status, m.date ORDER BY m.id"
    cols = ["id", "spec", "absorbed", "into", "reason", "score", "status", "date"]
    migrate(store)
    return [dict(zip(cols, row, strict=True)) for row in store.meta_query(q, {}).rows]


def unmerge(store: GraphStore, merge_id: str) -> dict[str, Any]:
    """Undo a merge: restore the absorbed node and its relationships, take back what the
    merge added to the surviving node, and block the pair from being merged again."""
    rows = store.meta_query(_q_get_merge(), {"id": merge_id}).rows
    if not rows:
        raise CanalError(f"no merge record {merge_id!r}")
    m = dict(rows[0][0])
    if m.get("status") != "active":
        raise CanalError(f"merge {merge_id!r} is {m.get('status')}, not active")
    onto = store.ontology
    S, absorbed, into = m["spec"], m["absorbed"], m["into"]
    added = json.loads(m["added"])
    node = _fetch_nodes(store, [into]).get(into)
    if node is None:
        raise StoreError(f"the node {into!r} of merge {merge_id!r} is gone")
    cls, props = node
    for k in added.get("keys", []):
        props.pop(k, None)
    for k, vals in added.get("values", {}).items():
        if isinstance(props.get(k), list):
            props[k] = [x for x in props[k] if x not in vals]
    remove = [k for k in added.get("keys", [])]
    if remove:
        q = f"MATCH (n:{ROOT_CLASS} {{id: $id}}) SET " + ", ".join(f"n.{ident(k)} = NULL" for k in remove) + " RETURN n.id"
        store.execute(q, {"id": into})
    keep = {k: v for k, v in props.items() if k not in remove}
    store.upsert_nodes([Node(into, cls, keep)])
    ab_props = json.loads(m["absorbedProps"])
    ab_props["sources"] = [S]
    store.upsert_nodes([Node(absorbed, str(m["absorbedClass"]), ab_props)])
    for w in json.loads(m["rewired"]):
        t = onto.relation(w["type"]).type
        # where the merge put it (records written before newSource/newTarget existed: the
        # absorbed endpoint replaced by the surviving node)
        ns = w.get("newSource") or (into if w["source"] == absorbed else w["source"])
        nt = w.get("newTarget") or (into if w["target"] == absorbed else w["target"])
        ref = {"id": w["new"], "source": ns, "target": nt}
        cur = store.query(_q_rels(t), {"rows": [ref]}).rows
        if cur:
            rprops = dict(cur[0][1])
            rprops.pop("id", None)
            srcs = [x for x in (rprops.get("sources") or []) if x != S]
            if srcs:
                store.execute(_q_drop_source_rels(t), {"rows": [ref], "s": S})
            else:
                store.execute(_q_delete_rel(t), {"rows": [ref]})
            rprops["sources"] = [S]
            store.upsert_relationships([Relationship(w["type"], w["source"], w["target"], w["key"], rprops)])
    store.meta_execute(_q_set_merge_status(), {"id": merge_id, "status": "undone"})
    return {"merge": merge_id, "restored": absorbed, "from": into}
