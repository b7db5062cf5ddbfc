"""Turn a checked spec's source rows into validated records (no store involved)."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canal.errors import BadRows, LoaderError, SchemaError
from canal.load.spec import LoaderSpec, Mapping_, Value, check_columns
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


def source_details(spec: LoaderSpec, src: Any, have: Container[str]) -> dict[str, Any]:
    """What the spec's ``sources`` table says about source document ``src`` (title,
    publisher, published...), for the keys a row does not already have (``have``)."""
    if not isinstance(src, str) or src not in spec.sources:
        return {}
    return {k: v for k, v in spec.sources[src].items() if k not in have}


def _row_provenance(spec: LoaderSpec, m: Mapping_, rec: dict[str, Any], base: dict[str, Any], origin: Origin) -> dict[str, Any]:
    """Provenance of one row: its mapped columns, then its source document's details
    (only keys neither the row nor the spec sets; the spec-wide values are added after)."""
    out = _values(m.provenance, rec, origin)
    joined = source_details(spec, out.get("source", base.get("source")), {*out, *base})
    out.update(joined)
    return out


def _values(values: dict[str, Value], rec: dict[str, Any], origin: Origin) -> dict[str, Any]:
    """The values of one row (a cell that does not read as its ``number`` format is a bad row)."""
    out: dict[str, Any] = {}
    for key, val in values.items():
        try:
            v = val.get(rec)
        except SchemaError as exc:
            raise LoaderError(str(exc), file=origin.file, row=origin.row, field=val.column or key) from None
        if v is not None:
            out[key] = v
    return out


class _Run:
    """The state of one :func:`collect`: records so far and the bad rows met."""

    def __init__(self, spec: LoaderSpec, onto: Ontology, skip_bad: bool) -> None:
        self.spec, self.onto, self.skip_bad = spec, onto, skip_bad
        self.rejects: list[Reject] = []
        self.outside: list[Reject] = []
        self.nodes: dict[str, Node] = {}
        self.rejected_ids: set[str] = set()
        self.pending: list[tuple[Relationship, Mapping_]] = []
        self.stubs: set[str] = set()
        try:  # spec-wide provenance, checked once
            self.base = {k: onto.coerce(k, v) for k, v in spec.defaults.items() if v is not None}
        except SchemaError as exc:
            raise LoaderError(f"spec provenance: {exc}", file=str(spec.path)) from None

    def fail(self, exc: LoaderError, rec: dict[str, Any]) -> None:
        """A bad row: set aside (every one is reported; the load stops after reading all)."""
        self.rejects.append(Reject(exc.file or "", exc.row, exc.field, exc.message, rec))

    def done(self) -> None:
        """Without ``skip_bad``, any bad row stops the load: raise them all at once."""
        if self.rejects and not self.skip_bad:
            raise BadRows([(r.file or None, r.row, r.field, r.reason) for r in self.rejects])


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
    A spec that names a column its table lacks stops before any row is read
    (:class:`~canal.errors.SpecError`). Without ``skip_bad`` bad rows raise
    :class:`~canal.errors.BadRows` (all of them, after every row was read); with it, bad
    rows (and relationships that depend on them) become :class:`Reject` entries.
    """
    check_columns(spec)
    run = _Run(spec, onto, skip_bad)
    for m in spec.nodes:
        for path in m.files:
            for row, rec in m.rows(path, bad=lambda e: run.fail(e, {})):
                _node_row(run, m, path, row, rec)
    for m in spec.relationships:
        for path in m.files:
            for row, rec in m.rows(path, bad=lambda e: run.fail(e, {})):
                _rel_row(run, m, path, row, rec)
    rels = _check_endpoints(run, known)
    run.done()
    return Collected(sorted(run.nodes.values(), key=lambda n: n.id), rels, run.rejects, run.outside, run.stubs)


def _node_row(run: _Run, m: Mapping_, path: Path, row: int, rec: dict[str, Any]) -> None:
    """Check one node row (and the ancestors of a hierarchical id)."""
    onto, base, origin = run.onto, run.base, Origin(str(path), row)
    try:
        idv, clsv = m.values["id"], m.values["class"]
        fixed = _values({"id": idv, "class": clsv}, rec, origin)
        raw_id, cls = fixed.get("id"), fixed.get("class")
        if raw_id is None:
            raise LoaderError("missing id", file=str(path), row=row, field=idv.column or "id")
        if cls is None:
            raise LoaderError("missing class", file=str(path), row=row, field=clsv.column or "class")
        props = _values(m.properties, rec, origin)
        row_prov = _row_provenance(run.spec, m, rec, base, origin)
        props.update(row_prov)
        node = validate_node(onto, Node(str(raw_id), str(cls), props, origin))
        for k, v in base.items():
            node.props.setdefault(k, v)
        prov = {**base, **{k: node.props[k] for k in row_prov if k in node.props}}
        _add_node(run.nodes, node, m, path, row)
        if m.hierarchy:
            _hierarchy(run, m, node, prov, origin)
    except LoaderError as exc:
        try:
            bad_id = m.values["id"].get(rec)
        except SchemaError:
            bad_id = None
        if bad_id is not None:
            run.rejected_ids.add(str(bad_id))
        run.fail(column_named(exc, m), rec)


def _hierarchy(run: _Run, m: Mapping_, node: Node, prov: dict[str, Any], origin: Origin) -> None:
    assert m.hierarchy is not None
    for anc, link_to in _ancestors(m, node.id):
        name = anc[len(m.values["id"].prefix) :].rsplit(m.hierarchy["separator"], 1)[-1]
        parent = validate_node(run.onto, Node(anc, node.cls, {"name": name, **prov}, origin))
        if parent.id not in run.nodes:
            run.nodes[parent.id] = parent
        if m.hierarchy.get("link"):
            rel = validate_relationship(run.onto, Relationship(str(m.hierarchy["link"]), link_to, anc, "", dict(prov), origin))
            run.pending.append((rel, m))


def _rel_row(run: _Run, m: Mapping_, path: Path, row: int, rec: dict[str, Any]) -> None:
    """Check one relationship row (one relationship per source and target it names)."""
    origin = Origin(str(path), row)
    try:
        t = _values({"type": m.values["type"]}, rec, origin).get("type")
        if t is None:
            if m.values["type"].map is not None:
                return  # a value the map leaves out: not a relationship of this mapping
            raise LoaderError("missing relationship type", file=str(path), row=row, field=m.values["type"].column or "type")
        ends = _values({k: m.values[k] for k in ("source", "target", "key") if k in m.values}, rec, origin)
        srcs, tgts = _many(ends.get("source")), _many(ends.get("target"))
        if m.missing != "error" and (None in srcs or None in tgts):
            return  # an optional link left empty in this row
        key = ends.get("key")
        props = _values(m.properties, rec, origin)
        props.update(_row_provenance(run.spec, m, rec, run.base, origin))
        for src in srcs:
            for tgt in tgts:
                a, b = (src, tgt)
                if m.undirected and a is not None and b is not None and str(b) < str(a):
                    a, b = b, a
                rel = validate_relationship(run.onto, Relationship(str(t), _s(a), _s(b), "" if key is None else str(key), dict(props), origin))
                for k, v in run.base.items():
                    rel.props.setdefault(k, v)
                run.pending.append((rel, m))
    except LoaderError as exc:
        run.fail(column_named(exc, m), rec)


def _check_endpoints(run: _Run, known: Callable[[set[str]], Mapping[str, str]] | None) -> list[Relationship]:
    """Endpoints are in this load or known elsewhere (the store), of classes the type allows."""
    nodes = run.nodes
    elsewhere = {e for r, _ in run.pending for e in (r.source, r.target) if e not in nodes}
    found = dict(known(elsewhere)) if (known and elsewhere) else {}
    seen: dict[str, Relationship] = {}
    allowed: dict[tuple[str, str, str], bool] = {}
    rels: list[Relationship] = []
    for rel, m in run.pending:
        try:
            classes = [_end_class(run, rel, m, end, fname, found) for end, fname in ((rel.source, "source"), (rel.target, "target"))]
            ck = (rel.type, classes[0], classes[1])
            ok = allowed.get(ck)
            if ok is None:
                ok = allowed[ck] = run.onto.allows(rel.type, classes[0], classes[1])
            if not ok:
                info = run.onto.relation(rel.type)
                raise LoaderError(
                    f"{rel.type} cannot go from a {classes[0]} to a {classes[1]} "
                    f"(allowed: {' | '.join(sorted(info.domain)) or 'any'} -> {' | '.join(sorted(info.range)) or 'any'})",
                    file=_f(rel), row=_r(rel), field=m.values["type"].column or "type" if m.kind == "relationships" else "type",
                )
            if rel.rid in seen:
                continue  # a repeated relationship: its first row stands (as on every path)
            seen[rel.rid] = rel
            rels.append(rel)
        except _Outside as out:
            err = out.error
            run.outside.append(Reject(err.file or "", err.row, err.field, err.message, _rel_record(rel)))
        except LoaderError as exc:
            run.fail(exc, _rel_record(rel))
    return rels


def _end_class(run: _Run, rel: Relationship, m: Mapping_, end: str, fname: str, found: dict[str, str]) -> str:
    """The class of one endpoint (creating a stub for ``missing: create``)."""
    nodes = run.nodes
    if end in nodes:
        return nodes[end].cls
    rule, stub_cls = (m.missing, m.missing_class) if m.kind == "relationships" else ("error", None)
    if end in found:
        if rule == "create" and stub_cls:
            # this source still names it: re-assert the stub (the store keeps its properties)
            nodes[end] = Node(end, found[end], {}, rel.origin)
            run.stubs.add(end)
        return found[end]
    if rule == "create" and stub_cls and end not in run.rejected_ids:
        stub = validate_node(run.onto, Node(end, stub_cls, {"name": _stub_name(end), **{k: v for k, v in rel.props.items() if k in PROVENANCE_KEYS}}, rel.origin))
        nodes[end] = stub
        return stub_cls
    why = "was rejected" if end in run.rejected_ids else "is neither in this load nor in the store"
    field_name = _end_field(m, fname)
    err = LoaderError(f"dangling endpoint: {end!r} {why}", file=_f(rel), row=_r(rel), field=field_name)
    if rule == "report" and end not in run.rejected_ids:
        raise _Outside(err)
    raise err


def _end_field(m: Mapping_, end: str) -> str:
    """The spec field that gave an endpoint: its column, else the template or constant."""
    if m.kind != "relationships":
        return m.values["id"].column or "id"
    v = m.values[end]
    if v.column:
        return v.column
    cols = v.columns()
    return ", ".join(cols) if cols else end


def _rel_record(rel: Relationship) -> dict[str, Any]:
    return {"source": rel.source, "type": rel.type, "target": rel.target, "key": rel.key}


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
    """Add a node; a repeated id is fine when the rows agree, and a bad row naming both
    rows when any value differs (every path writes a node once, as its rows give it),
    unless the mapping says ``repeats: first`` (the first row's values stand)."""
    prev = nodes.get(node.id)
    if prev is None:
        nodes[node.id] = node
        return
    where = f"{prev.origin.file if prev.origin else '?'} row {prev.origin.row if prev.origin else '?'}"
    idcol = m.values["id"].column or "id"
    if prev.cls != node.cls:
        raise LoaderError(f"id {node.id!r} is a {prev.cls} at {where} and a {node.cls} here", file=str(path), row=row, field=idcol)
    for k in sorted({*node.props, *prev.props}):
        v, old = node.props.get(k), prev.props.get(k)
        if v != old:
            if m.repeats == "first":
                return  # declared in the spec: the first row of an id gives its values
            col = (m.properties.get(k) or m.provenance.get(k) or Value()).column or k
            raise LoaderError(f"id {node.id!r} repeats with {k} {v!r} here and {old!r} at {where}", file=str(path), row=row, field=col)


def _ancestors(m: Mapping_, node_id: str) -> list[tuple[str, str]]:
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


def column_named(exc: LoaderError, m: Mapping_) -> LoaderError:
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
