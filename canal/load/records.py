"""Turn a checked spec's source rows into validated records (no store involved)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from canal.errors import LoaderError, SchemaError
from canal.load.spec import LoaderSpec, Mapping_
from canal.model import PROVENANCE_KEYS, Node, Origin, Relationship, validate_node, validate_relationship
from canal.ontology import Ontology


@dataclass(frozen=True)
class Reject:
    """A source row that was not loaded, with the reason."""

    file: str
    row: int | None
    field: str | None
    reason: str
    record: dict[str, Any]


@dataclass
class Collected:
    """Validated records of one spec, plus the rows rejected with ``skip_bad``.

    ``outside`` lists relationships whose other end is neither in the load nor in the
    store, for mappings with ``missing: report`` (reported, not fatal).
    """

    nodes: list[Node]
    relationships: list[Relationship]
    rejects: list[Reject]
    outside: list[Reject] = field(default_factory=list)
    stubs: set[str] = field(default_factory=set)
    """Ids of endpoints created by ``missing: create`` that the store already holds."""


def _row_provenance(spec: LoaderSpec, m: Mapping_, rec: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Provenance of one row: its mapped columns, then its source document's details
    (only keys neither the row nor the spec sets; the spec-wide values are added after)."""
    out: dict[str, Any] = {}
    for key, val in m.provenance.items():
        v = val.get(rec)
        if v is not None:
            out[key] = v
    src = out.get("source", base.get("source"))
    if isinstance(src, str) and src in spec.sources:
        for k, v in spec.sources[src].items():
            if k not in out and k not in base:
                out[k] = v
    return out


def collect(
    spec: LoaderSpec,
    onto: Ontology,
    *,
    skip_bad: bool = False,
    known: Callable[[set[str]], Mapping[str, str]] | None = None,
) -> Collected:
    """Read and validate every row of ``spec``.

    ``known`` looks up ids that are not in this load (e.g. already in the store) and
    returns their classes; a relationship to an id found nowhere is a dangling endpoint.
    Without ``skip_bad`` the first bad row raises :class:`LoaderError`; with it, bad
    rows (and relationships that depend on them) become :class:`Reject` entries.
    """
    rejects: list[Reject] = []
    outside: list[Reject] = []
    try:  # spec-wide provenance, checked once
        base = {k: onto.coerce(k, v) for k, v in spec.defaults.items() if v is not None}
    except SchemaError as exc:
        raise LoaderError(f"spec provenance: {exc}", file=str(spec.path)) from None
    hier: list[Relationship] = []
    stubs: set[str] = set()
    missing_rule: dict[str, tuple[str, str | None]] = {}

    def fail(exc: LoaderError, rec: dict[str, Any]) -> None:
        if not skip_bad:
            raise exc
        rejects.append(Reject(exc.file or "", exc.row, exc.field, exc.message, rec))

    nodes: dict[str, Node] = {}
    rejected_ids: set[str] = set()
    for m in spec.nodes:
        for path in m.files:
            for row, rec in m.rows(path):
                origin = Origin(str(path), row)
                try:
                    raw_id = m.values["id"].get(rec)
                    cls = m.values["class"].get(rec)
                    if cls is None:
                        raise LoaderError("missing class", file=str(path), row=row, field=m.values["class"].column or "class")
                    props = {k: v.get(rec) for k, v in m.properties.items()}
                    row_prov = _row_provenance(spec, m, rec, base)
                    props.update(row_prov)
                    node = validate_node(onto, Node("" if raw_id is None else str(raw_id), str(cls), props, origin))
                    for k, v in base.items():
                        node.props.setdefault(k, v)
                    prov = {**base, **{k: node.props[k] for k in row_prov if k in node.props}}
                    _add_node(nodes, node, m, path, row)
                    if m.hierarchy:
                        for anc, link_to in _ancestors(m, rec, node.id):
                            parent = validate_node(onto, Node(anc, node.cls, {"name": anc[len(m.values["id"].prefix):].rsplit(m.hierarchy["separator"], 1)[-1], **prov}, origin))
                            if parent.id not in nodes:
                                nodes[parent.id] = parent
                            if m.hierarchy.get("link"):
                                hier.append(validate_relationship(onto, Relationship(str(m.hierarchy["link"]), link_to, anc, "", dict(prov), origin)))
                except LoaderError as exc:
                    bad_id = m.values["id"].get(rec)
                    if bad_id is not None:
                        rejected_ids.add(str(bad_id))
                    fail(_named(exc, m, "id"), rec)

    rels: list[Relationship] = []
    pending: list[Relationship] = list(hier)
    for m in spec.relationships:
        for path in m.files:
            missing_rule[str(path)] = (m.missing, m.missing_class)
            for row, rec in m.rows(path):
                origin = Origin(str(path), row)
                try:
                    t = m.values["type"].get(rec)
                    if t is None:
                        if m.values["type"].map is not None:
                            continue  # a value the map leaves out: not a relationship of this mapping
                        raise LoaderError("missing relationship type", file=str(path), row=row, field=m.values["type"].column or "type")
                    srcs = _many(m.values["source"].get(rec))
                    tgts = _many(m.values["target"].get(rec))
                    if m.missing != "error" and (None in srcs or None in tgts):
                        continue  # an optional link left empty in this row
                    key = m.values["key"].get(rec) if "key" in m.values else ""
                    props = {k: v.get(rec) for k, v in m.properties.items()}
                    props.update(_row_provenance(spec, m, rec, base))
                    for src in srcs:
                        for tgt in tgts:
                            a, b = (src, tgt)
                            if m.undirected and a is not None and b is not None and str(b) < str(a):
                                a, b = b, a
                            rel = validate_relationship(
                                onto,
                                Relationship(str(t), _s(a), _s(b), "" if key is None else str(key), dict(props), origin),
                            )
                            for k, v in base.items():
                                rel.props.setdefault(k, v)
                            pending.append(rel)
                except LoaderError as exc:
                    fail(_named(exc, m, None), rec)

    # endpoints: in this load, or known elsewhere (the store)
    elsewhere = {e for r in pending for e in (r.source, r.target) if e not in nodes}
    found = dict(known(elsewhere)) if (known and elsewhere) else {}
    seen: dict[str, Relationship] = {}
    allowed: dict[tuple[str, str, str], bool] = {}
    for rel in pending:
        try:
            classes = []
            for end, fname in ((rel.source, "source"), (rel.target, "target")):
                if end in nodes:
                    classes.append(nodes[end].cls)
                elif end in found:
                    classes.append(found[end])
                    rule, stub_cls = missing_rule.get(_f(rel) or "", ("error", None))
                    if rule == "create" and stub_cls:
                        # this source still names it: re-assert the stub (the store keeps its properties)
                        nodes[end] = Node(end, found[end], {}, rel.origin)
                        stubs.add(end)
                else:
                    rule, stub_cls = missing_rule.get(_f(rel) or "", ("error", None))
                    if rule == "create" and stub_cls and end not in rejected_ids:
                        stub = validate_node(onto, Node(end, stub_cls, {"name": _stub_name(end), **{k: v for k, v in rel.props.items() if k in PROVENANCE_KEYS}}, rel.origin))
                        nodes[end] = stub
                        classes.append(stub_cls)
                        continue
                    why = "was rejected" if end in rejected_ids else "is neither in this load nor in the store"
                    err = LoaderError(f"dangling endpoint: {end!r} {why}", file=_f(rel), row=_r(rel), field=_col(spec, rel, fname))
                    if rule == "report" and end not in rejected_ids:
                        raise _Outside(err)
                    raise err
            ck = (rel.type, classes[0], classes[1])
            ok = allowed.get(ck)
            if ok is None:
                ok = allowed[ck] = onto.allows(rel.type, classes[0], classes[1])
            if not ok:
                info = onto.relation(rel.type)
                raise LoaderError(
                    f"{rel.type} cannot go from a {classes[0]} to a {classes[1]} "
                    f"(allowed: {' | '.join(sorted(info.domain)) or 'any'} -> {' | '.join(sorted(info.range)) or 'any'})",
                    file=_f(rel), row=_r(rel), field="type",
                )
            dup = seen.get(rel.rid)
            if dup is not None:
                dup.props.update(rel.props)
                continue
            seen[rel.rid] = rel
            rels.append(rel)
        except _Outside as out:
            err = out.error
            outside.append(Reject(err.file or "", err.row, err.field, err.message, {"source": rel.source, "type": rel.type, "target": rel.target, "key": rel.key}))
        except LoaderError as exc:
            fail(exc, {"source": rel.source, "type": rel.type, "target": rel.target, "key": rel.key})
    return Collected(sorted(nodes.values(), key=lambda n: n.id), rels, rejects, outside, stubs)


class _Outside(Exception):
    def __init__(self, error: LoaderError) -> None:
        super().__init__(str(error))
        self.error = error


def _many(v: Any) -> list[Any]:
    if isinstance(v, list):
        return v or [None]
    return [v]


def _stub_name(node_id: str) -> str:
    text = node_id.split(":", 1)[-1] if ":" in node_id else node_id
    return text


def _add_node(nodes: dict[str, Node], node: Node, m: Mapping_, path: Any, row: int) -> None:
    """Add a node; a repeated id merges (multi-valued properties are united)."""
    prev = nodes.get(node.id)
    if prev is None:
        nodes[node.id] = node
        return
    if prev.cls != node.cls:
        raise LoaderError(
            f"id {node.id!r} is a {prev.cls} at {prev.origin.file if prev.origin else '?'} row "
            f"{prev.origin.row if prev.origin else '?'} and a {node.cls} here",
            file=str(path), row=row, field=m.values["id"].column or "id",
        )
    for k, v in node.props.items():
        old = prev.props.get(k)
        if isinstance(v, list) and isinstance(old, list):
            prev.props[k] = old + [x for x in v if x not in old]
        else:
            prev.props[k] = v


def _ancestors(m: Mapping_, rec: dict[str, Any], node_id: str) -> list[tuple[str, str]]:
    """``(ancestor id, child id)`` pairs for a hierarchical id ``a-b-c``: (a-b, a-b-c), (a, a-b)."""
    assert m.hierarchy is not None
    sep = m.hierarchy["separator"]
    prefix = m.values["id"].prefix
    path = node_id[len(prefix):] if prefix and node_id.startswith(prefix) else node_id
    parts = path.split(sep)
    out = []
    child = node_id
    for i in range(len(parts) - 1, 0, -1):
        anc = prefix + sep.join(parts[:i])
        out.append((anc, child))
        child = anc
    return out


def _s(v: Any) -> Any:
    return None if v is None else str(v)


def _f(rel: Relationship) -> str | None:
    return rel.origin.file if rel.origin else None


def _r(rel: Relationship) -> int | None:
    return rel.origin.row if rel.origin else None


def _col(spec: LoaderSpec, rel: Relationship, end: str) -> str:
    for m in spec.relationships:
        if rel.origin and any(str(p) == rel.origin.file for p in m.files):
            return m.values[end].column or end
    return end


def _named(exc: LoaderError, m: Mapping_, default_key: str | None) -> LoaderError:
    """Rename a model-level field (``id``, ``source``...) to the source column."""
    f = exc.field
    col = None
    if f in m.values:
        col = m.values[f].column
    elif f in m.properties:
        col = m.properties[f].column
    elif f in m.provenance:
        col = m.provenance[f].column
    if col and col != f:
        return LoaderError(exc.message + f" (property {f!r})", file=exc.file, row=exc.row, field=col)
    return exc


__all__ = ["Collected", "Reject", "SchemaError", "collect"]
