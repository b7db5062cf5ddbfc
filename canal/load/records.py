"""Turn a checked spec's source rows into validated records (no store involved)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from canal.errors import LoaderError, SchemaError
from canal.load.readers import read_table
from canal.load.spec import LoaderSpec, Mapping_
from canal.model import Node, Origin, Relationship, validate_node, validate_relationship
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
    """Validated records of one spec, plus the rows rejected with ``skip_bad``."""

    nodes: list[Node]
    relationships: list[Relationship]
    rejects: list[Reject]


def _provenance(spec: LoaderSpec, m: Mapping_, rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in spec.defaults.items()}
    for key, val in m.provenance.items():
        v = val.get(rec)
        if v is not None:
            out[key] = v
    src = out.get("source")
    if isinstance(src, str) and src in spec.sources:
        for k, v in spec.sources[src].items():
            out.setdefault(k, v)
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

    def fail(exc: LoaderError, rec: dict[str, Any]) -> None:
        if not skip_bad:
            raise exc
        rejects.append(Reject(exc.file or "", exc.row, exc.field, exc.message, rec))

    nodes: dict[str, Node] = {}
    rejected_ids: set[str] = set()
    for m in spec.nodes:
        for path in m.files:
            for row, rec in read_table(path, m.fmt, m.encoding):
                origin = Origin(str(path), row)
                try:
                    raw_id = m.values["id"].get(rec)
                    cls = m.values["class"].get(rec)
                    if cls is None:
                        raise LoaderError("missing class", file=str(path), row=row, field=m.values["class"].column or "class")
                    props = {k: v.get(rec) for k, v in m.properties.items()}
                    props.update(_provenance(spec, m, rec))
                    node = validate_node(onto, Node("" if raw_id is None else str(raw_id), str(cls), props, origin))
                    prev = nodes.get(node.id)
                    if prev is not None:
                        if prev.cls != node.cls:
                            raise LoaderError(
                                f"id {node.id!r} is a {prev.cls} at {prev.origin.file if prev.origin else '?'} row "
                                f"{prev.origin.row if prev.origin else '?'} and a {node.cls} here",
                                file=str(path), row=row, field=m.values["id"].column or "id",
                            )
                        prev.props.update(node.props)
                    else:
                        nodes[node.id] = node
                except LoaderError as exc:
                    bad_id = m.values["id"].get(rec)
                    if bad_id is not None:
                        rejected_ids.add(str(bad_id))
                    fail(_named(exc, m, "id"), rec)

    rels: list[Relationship] = []
    pending: list[Relationship] = []
    for m in spec.relationships:
        for path in m.files:
            for row, rec in read_table(path, m.fmt, m.encoding):
                origin = Origin(str(path), row)
                try:
                    t = m.values["type"].get(rec)
                    if t is None:
                        raise LoaderError("missing relationship type", file=str(path), row=row, field=m.values["type"].column or "type")
                    src = m.values["source"].get(rec)
                    tgt = m.values["target"].get(rec)
                    key = m.values["key"].get(rec) if "key" in m.values else ""
                    props = {k: v.get(rec) for k, v in m.properties.items()}
                    props.update(_provenance(spec, m, rec))
                    rel = validate_relationship(
                        onto,
                        Relationship(str(t), _s(src), _s(tgt), "" if key is None else str(key), props, origin),
                    )
                    pending.append(rel)
                except LoaderError as exc:
                    fail(_named(exc, m, None), rec)

    # endpoints: in this load, or known elsewhere (the store)
    outside = {e for r in pending for e in (r.source, r.target) if e not in nodes}
    found = dict(known(outside)) if (known and outside) else {}
    seen: dict[str, Relationship] = {}
    for rel in pending:
        try:
            classes = []
            for end, fname in ((rel.source, "source"), (rel.target, "target")):
                if end in nodes:
                    classes.append(nodes[end].cls)
                elif end in found:
                    classes.append(found[end])
                else:
                    why = "was rejected" if end in rejected_ids else "is neither in this load nor in the store"
                    raise LoaderError(f"dangling endpoint: {end!r} {why}", file=_f(rel), row=_r(rel), field=_col(spec, rel, fname))
            if not onto.allows(rel.type, classes[0], classes[1]):
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
        except LoaderError as exc:
            fail(exc, {"source": rel.source, "type": rel.type, "target": rel.target, "key": rel.key})
    return Collected(sorted(nodes.values(), key=lambda n: n.id), rels, rejects)


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
