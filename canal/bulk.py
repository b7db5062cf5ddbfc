"""The bulk path: large first loads into an empty graph.

* FalkorDB (embedded or server): :func:`bulk_load` checks every row of the spec's
  sources against the ontology and encodes the good ones straight into ``GRAPH.BULK``
  buffers (canal speaks the format itself), sent from a second thread while the next
  are prepared; large relationship files are split over forked worker processes. All
  or nothing; the indexes are created afterwards. The graph must be empty.
* :func:`write_bulk_files` writes the same rows as typed CSV files for
  ``falkordb-bulk-loader`` (the benchmark's comparison) or, with ``style="neo4j"``,
  :func:`write_neo4j_import` writes ``neo4j-admin database import`` files and returns
  the command to run (the database must be stopped and new).

For plain CSV/TSV mappings (columns, constants, ``split``, ``prefix``, ``default``) a
streaming converter checks every row (id, class, property types and domains,
relationship type, endpoints and their classes) without building record objects; other
specs go through :func:`canal.load.collect`.
"""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import os
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Protocol

from canal.errors import BadRows, CanalError, LoaderError, SchemaError, StoreError
from canal.inflight import InFlight
from canal.load import collect, read_spec
from canal.load.readers import csv_rows, format_of, header_of, row_shape_error
from canal.load.records import Collected, Reject, column_named, source_details
from canal.load.spec import LoaderSpec, Mapping_, Value, check_columns
from canal.loadlog import DeferredInterrupts, Run, load_log, migrate
from canal.model import Node, Origin, Relationship, check_id
from canal.ontology import ROOT_CLASS, Ontology, load_ontology
from canal.store.base import GraphStore
from canal.store.graphbulk import GraphBulkEncoder, NodeEmit, RelEmit, no_nul

_FALKOR_TYPES = {"string": "STRING", "uri": "STRING", "date": "STRING", "datetime": "STRING", "integer": "INT", "float": "DOUBLE", "boolean": "BOOL"}
_NEO4J_TYPES = {"string": "string", "uri": "string", "date": "date", "datetime": "datetime", "integer": "long", "float": "double", "boolean": "boolean"}


@dataclass
class BulkFiles:
    """Typed CSV files for a bulk loader, with what they hold."""

    folder: Path
    node_files: dict[str, Path] = field(default_factory=dict)  # "Class.n" -> file
    rel_files: dict[str, Path] = field(default_factory=dict)  # "TYPE.n" -> file
    nodes: Counter[str] = field(default_factory=Counter)
    relationships: Counter[str] = field(default_factory=Counter)
    rejects: list[Reject] = field(default_factory=list)
    seconds: float = 0.0


def _simple_value(v: Value) -> bool:
    return v.template is None and v.map is None and not v.transform and v.number is None


def _simple(m: Mapping_) -> bool:
    if m.reader or m.explode or m.where or m.hierarchy or m.missing != "error" or m.undirected or m.records:
        return False
    if m.fmt not in (None, "csv", "tsv", "jsonl"):
        return False
    return all(_simple_value(v) for v in (*m.values.values(), *m.properties.values(), *m.provenance.values()))


NEO4J_ARRAY_DELIMITER = "\u241f"
"""Array delimiter of the neo4j-admin import files (U+241F, the printable symbol for the unit
separator): neo4j-admin cannot escape it, so it must be a character that real text does not hold
(with ``;``, the default, a list value "a;b" would come back as two values)."""


def _cell(value: Any, functional: bool, style: str) -> str:
    if value is None or value == [] or value == "":
        return ""
    if not functional:
        vals = value if isinstance(value, list) else [value]
        if style == "falkordb":
            return repr([str(x) for x in vals])
        texts = [str(x) for x in vals]
        for t in texts:
            if NEO4J_ARRAY_DELIMITER in t:
                raise LoaderError(f"list value {t[:80]!r} holds {NEO4J_ARRAY_DELIMITER!r}, the array delimiter of the neo4j-admin import files, which cannot be escaped there")
        return NEO4J_ARRAY_DELIMITER.join(texts)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Sink(Protocol):
    """Where checked rows go: typed CSV files (:class:`_CsvSink`), or GRAPH.BULK buffers
    (:class:`canal.store.graphbulk.GraphBulkEncoder`).

    ``keys`` are the per-row columns (values given to each ``emit``), ``fixed`` the
    columns whose value is the same on every row (``fixed_values``, given once).
    ``numbers`` maps node ids to the numbers relationships refer to (``classes[number]``
    is the node's class); they are final after :meth:`nodes_done`.
    """

    numbers: dict[str, int]
    classes: list[str]

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit: ...

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit: ...

    def nodes_done(self) -> None:
        """Every node has been emitted; relationships follow."""

    def close(self) -> None:
        """Every row has been emitted."""


class _CsvSink:
    """One CSV file per class / relationship type and column layout, with a typed header
    (``style`` falkordb: falkordb-bulk-loader; neo4j: neo4j-admin database import)."""

    def __init__(self, out: BulkFiles, onto: Ontology, style: str) -> None:
        self.numbers: dict[str, int] = {}
        self.classes: list[str] = []
        self.out, self.onto, self.style = out, onto, style
        self.handles: list[IO[str]] = []
        self.layouts: dict[tuple[str, tuple[str, ...]], str] = {}
        self.writers: dict[str, Any] = {}

    def _header(self, key: str) -> str:
        info = self.onto.prop(key)
        if self.style == "falkordb":
            return f"{key}:{'ARRAY' if not info.functional else _FALKOR_TYPES[info.kind]}"
        return f"{key}:{_NEO4J_TYPES[info.kind]}{'' if info.functional else '[]'}"

    def _open(self, base: str, lead: list[str], keys: list[str]) -> tuple[Any, str]:
        layout = (base, tuple(keys))
        if layout not in self.layouts:
            self.layouts[layout] = f"{base}.{sum(1 for b, _ in self.layouts if b == base)}"
            name = self.layouts[layout]
            path = self.out.folder / f"{name}.csv"
            fh = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self.handles.append(fh)
            w = csv.writer(fh)
            w.writerow([*lead, *(self._header(k) for k in keys)])
            kind, _, rest = name.partition("_")
            (self.out.node_files if kind == "nodes" else self.out.rel_files)[rest] = path
            self.writers[name] = w
        name = self.layouts[layout]
        return self.writers[name], name

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit:
        falkor = self.style == "falkordb"
        lead_cols = ["id:ID(Entity)"] if falkor else ["id:ID", ":LABEL"]
        w, _ = self._open(f"nodes_{cls}", lead_cols, [*keys, *fixed])
        funcs = [self.onto.properties[k].functional for k in keys]
        tail = [_cell(v, self.onto.properties[k].functional, self.style) for k, v in zip(fixed, fixed_values, strict=True)]
        labels = ";".join(self.onto.labels_for(cls))
        style, writerow, counts = self.style, w.writerow, self.out.nodes
        numbers, classes = self.numbers, self.classes

        def emit(nid: str, values: list[Any]) -> None:
            numbers[nid] = len(classes)
            classes.append(cls)
            lead = [nid] if falkor else [nid, labels]
            writerow([*lead, *[_cell(v, f, style) for v, f in zip(values, funcs, strict=True)], *tail])
            counts[cls] += 1

        return emit

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit:
        falkor = self.style == "falkordb"
        lead_cols = [f":START_ID({ROOT_CLASS})", f":END_ID({ROOT_CLASS})", "id:STRING"] if falkor else [":START_ID", ":END_ID", ":TYPE", "id"]
        w, _ = self._open(f"rels_{rtype}", lead_cols, [*keys, *fixed])
        funcs = [self.onto.properties[k].functional for k in keys]
        tail = [_cell(v, self.onto.properties[k].functional, self.style) for k, v in zip(fixed, fixed_values, strict=True)]
        style, writerow, counts = self.style, w.writerow, self.out.relationships

        def emit(src: str, dst: str, s_no: int, d_no: int, rid: str, values: list[Any]) -> None:
            lead = [src, dst, rid] if falkor else [src, dst, rtype, rid]
            writerow([*lead, *[_cell(v, f, style) for v, f in zip(values, funcs, strict=True)], *tail])
            counts[rtype] += 1

        return emit

    def nodes_done(self) -> None:
        pass

    def close(self) -> None:
        for fh in self.handles:
            fh.close()


class _RecordSink:
    """Checked rows as model records, for an incremental load's diff (the same converter
    and checker as the bulk path; only the writer differs)."""

    def __init__(self, onto: Ontology) -> None:
        self.onto = onto
        self.numbers: dict[str, int] = {}
        self.classes: list[str] = []
        self.nodes: list[Node] = []
        self.relationships: list[Relationship] = []

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit:
        const = {k: v for k, v in zip(fixed, fixed_values, strict=True) if v is not None and k != "sources"}
        numbers, classes, nodes = self.numbers, self.classes, self.nodes

        def emit(nid: str, values: list[Any]) -> None:
            numbers[nid] = len(classes)
            classes.append(cls)
            props = dict(const)
            props.update((k, v) for k, v in zip(keys, values, strict=True) if v is not None)
            nodes.append(Node(nid, cls, props))

        return emit

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit:
        const = {k: v for k, v in zip(fixed, fixed_values, strict=True) if v is not None and k != "sources"}
        name, rels = self.onto.relation(rtype).name, self.relationships

        def emit(src: str, dst: str, s_no: int, d_no: int, rid: str, values: list[Any]) -> None:
            head = len(src) + len(rtype) + len(dst) + 3  # "src-TYPE->dst", then "#key"
            props = dict(const)
            props.update((k, v) for k, v in zip(keys, values, strict=True) if v is not None)
            rels.append(Relationship(name, src, dst, rid[head + 1 :] if len(rid) > head else "", props))

        return emit

    def nodes_done(self) -> None:
        pass

    def close(self) -> None:
        pass


def fast_records(spec: LoaderSpec, onto: Ontology, *, skip_bad: bool = False) -> Collected | None:
    """The records of a plain CSV/TSV spec through the streaming converter (several times
    faster than :func:`canal.load.collect`, with the same checks), or ``None`` when the spec
    needs ``collect`` (templates, maps, transforms, ``where``...) or a relationship names a
    node outside the load (which ``collect`` looks up in the store)."""
    if not all(_simple(m) for m in (*spec.nodes, *spec.relationships)):
        return None
    out = BulkFiles(Path("."))
    sink = _RecordSink(onto)
    _fast(spec, onto, out, sink, True, None)
    if any(r.reason.startswith("dangling endpoint") for r in out.rejects):
        return None
    if out.rejects and not skip_bad:
        raise BadRows([(r.file or None, r.row, r.field, r.reason) for r in out.rejects])
    return Collected(sorted(sink.nodes, key=lambda n: n.id), sink.relationships, out.rejects)


def write_bulk_files(
    spec_path: str | Path,
    folder: str | Path,
    *,
    ontology: Ontology | None = None,
    style: str = "falkordb",
    skip_bad: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> BulkFiles:
    """Validate a spec's sources and write bulk-loader files (``style`` falkordb or neo4j)."""
    t0 = time.perf_counter()
    onto = ontology or load_ontology()
    out = BulkFiles(Path(folder))
    out.folder.mkdir(parents=True, exist_ok=True)
    sink = _CsvSink(out, onto, style)
    try:
        convert(spec_path, onto, out, sink, skip_bad=skip_bad, progress=progress)
    finally:
        sink.close()
    out.seconds = time.perf_counter() - t0
    return out


def convert(spec: LoaderSpec | str | Path, onto: Ontology, out: BulkFiles, sink: _Sink, *, skip_bad: bool = False, progress: Callable[[str, int], None] | None = None) -> None:
    """Read and check every row of a spec's sources (a parsed spec, or its path), handing
    each good one to ``sink``."""
    if not isinstance(spec, LoaderSpec):
        spec = read_spec(spec, onto)
    if all(_simple(m) for m in (*spec.nodes, *spec.relationships)):
        _fast(spec, onto, out, sink, skip_bad, progress)
    else:
        data = collect(spec, onto, skip_bad=skip_bad)
        out.rejects = data.rejects
        _emit_records(spec, onto, sink, data.nodes, [])
        sink.nodes_done()
        _emit_records(spec, onto, sink, [], data.relationships)


def _node_keys(onto: Ontology, spec: LoaderSpec) -> list[str]:
    keys = {"sources", *spec.defaults}
    for m in spec.nodes:
        keys |= set(m.properties) | set(m.provenance)
    return sorted(k for k in keys if k in onto.properties and k != "id")


def _rel_keys(onto: Ontology, spec: LoaderSpec) -> list[str]:
    keys = {"sources", *spec.defaults}
    for m in spec.relationships:
        keys |= set(m.properties) | set(m.provenance)
    return sorted(k for k in keys if k in onto.properties and k != "id")


def _emit_records(spec: LoaderSpec, onto: Ontology, sink: _Sink, nodes: list[Node], rels: list[Relationship]) -> None:
    nkeys, rkeys = _node_keys(onto, spec), _rel_keys(onto, spec)
    recs: list[tuple[str, dict[str, Any], Any]] = [(n.id, n.props, n.origin) for n in nodes] + [(r.rid, r.props, r.origin) for r in rels]
    for rid, props, o in recs:
        for k, v in (("id", rid), *props.items()):
            if not no_nul(v):
                raise LoaderError("a text value contains a NUL character", file=o.file if o else None, row=o.row if o else None, field=k)
    node_emit: dict[str, NodeEmit] = {}
    rel_emit: dict[str, RelEmit] = {}
    for n in nodes:
        props = {**n.props, "sources": [spec.name]}
        if n.cls not in node_emit:
            node_emit[n.cls] = sink.node_emitter(n.cls, nkeys, [], [])
        node_emit[n.cls](n.id, [props.get(k) for k in nkeys])
    for r in rels:
        t = onto.relation(r.type).type
        props = {**r.props, "sources": [spec.name]}
        if t not in rel_emit:
            rel_emit[t] = sink.rel_emitter(t, rkeys, [], [])
        rel_emit[t](r.source, r.target, sink.numbers[r.source], sink.numbers[r.target], r.rid, [props.get(k) for k in rkeys])


def _open_rows(m: Mapping_, path: Path) -> Iterator[tuple[int, list[str]]] | None:
    """``(row number, cells)`` of a CSV/TSV file (header first, through the one reader
    :func:`canal.load.readers.csv_rows`), or None for other formats."""
    fmt = format_of(path, m.fmt)
    if fmt not in ("csv", "tsv"):
        return None
    return csv_rows(path, fmt, m.encoding)


Getter = Callable[[list[str]], Any]


def _getter(v: Value, index: dict[str, int]) -> Getter:
    """A fast accessor for a plain Value over csv rows (column, constant, split, default, prefix)."""
    if v.column is None:
        const = v.constant
        return lambda row: const
    if v.column not in index:
        return lambda row: v.default
    i = index[v.column]
    dflt, sep, pre = v.default, v.split, v.prefix
    if dflt is None and not sep and not pre:

        def plain(row: list[str]) -> Any:
            x = row[i].strip()
            return x if x else None

        return plain

    def get(row: list[str]) -> Any:
        x: Any = row[i].strip() if i < len(row) else ""
        if x == "":
            x = dflt
            if x is None or x == "":
                return None
        if sep and isinstance(x, str):
            parts = [p.strip() for p in x.split(sep)]
            x = [p for p in parts if p] or None
            if x is None:
                return None
            return [pre + p for p in x] if pre else x
        return pre + str(x) if pre else x

    return get


def _fetch4(values: tuple[Value, Value, Value, Value | None], index: dict[str, int]) -> Callable[[list[str]], tuple[Any, Any, Any, Any]]:
    """Read a relationship row's type, source, target and key (``None`` when empty) at
    once: one call per row, and no Python-level getter when all four are plain columns."""

    def col(v: Value | None) -> int | None:
        if v is None or v.column is None or not _simple_value(v) or v.default is not None or v.split or v.prefix:
            return None
        return index.get(v.column)

    cols = [col(v) for v in values]
    if all(c is not None for c in cols[:3]) and (values[3] is None or cols[3] is not None):
        if values[3] is None:
            pick3 = itemgetter(*cols[:3])

            def plain3(row: list[str]) -> tuple[Any, Any, Any, Any]:
                a, b, c = pick3(row)
                return a.strip() or None, b.strip() or None, c.strip() or None, None

            return plain3
        pick4 = itemgetter(*cols)

        def plain4(row: list[str]) -> tuple[Any, Any, Any, Any]:
            a, b, c, d = pick4(row)
            return a.strip() or None, b.strip() or None, c.strip() or None, d.strip() or None

        return plain4
    ga, gb, gc = (_getter(v, index) for v in values[:3])
    v3 = values[3]
    gd = _getter(v3, index) if v3 is not None else (lambda row: None)
    return lambda row: (ga(row), gb(row), gc(row), gd(row))


class _RelCheck:
    """Checks a relationship row's type and endpoint classes once per combination (in
    one file), and keeps the emitter for its type."""

    def __init__(self, onto: Ontology, sink: _Sink, rel_cache: dict[Any, Any], fname: str, cols: tuple[str, str, str], layout: tuple[list[str], list[str], list[Any]]) -> None:
        self.onto, self.sink, self.rel_cache, self.fname, self.cols, self.layout = onto, sink, rel_cache, fname, cols, layout
        self.emitters: dict[str, RelEmit] = {}
        self.checked: dict[tuple[Any, str | None, str | None], tuple[str, RelEmit]] = {}

    def check(self, t: Any, src: Any, dst: Any, cs: str | None, cd: str | None, rownum: int) -> tuple[str, RelEmit]:
        tcol, scol, dcol = self.cols
        info = self.rel_cache.get(t)
        if info is None:
            try:
                info = self.rel_cache[t] = self.onto.relation(str(t))
            except SchemaError as exc:
                raise LoaderError(str(exc), file=self.fname, row=rownum, field=tcol) from None
        if cs is None or cd is None:
            end, endcol = (src, scol) if cs is None else (dst, dcol)
            raise LoaderError(f"dangling endpoint: {end!r} is not in this load", file=self.fname, row=rownum, field=endcol)
        if not self.onto.allows(info.name, cs, cd):
            raise LoaderError(f"{info.name} cannot go from a {cs} to a {cd}", file=self.fname, row=rownum, field="type")
        emit = self.emitters.get(info.type)
        if emit is None:
            emit = self.emitters[info.type] = self.sink.rel_emitter(info.type, *self.layout)
        self.checked[(t, cs, cd)] = (info.type, emit)
        return info.type, emit


class _Fast:
    """The streaming converter's state for one spec: node numbers live in the sink, bad
    rows in ``out.rejects`` (reported all at once at the end of a phase)."""

    def __init__(self, spec: LoaderSpec, onto: Ontology, out: BulkFiles, sink: _Sink, skip_bad: bool, progress: Callable[[str, int], None] | None) -> None:
        self.spec, self.onto, self.out, self.sink, self.skip_bad, self.progress = spec, onto, out, sink, skip_bad, progress
        self.props_info = onto.properties
        self.consts = {**spec.defaults, "sources": [spec.name]}
        self.base = {k: v for k, v in spec.defaults.items() if v is not None}
        self.allowed_props: set[tuple[str, str]] = set()
        self.rel_cache: dict[str, Any] = {}
        self.digests: dict[str, tuple[int, str, int]] = {}  # node id -> (row, class, digest of its values)
        self.joined = sorted({k for d in spec.sources.values() for k in d if k in onto.properties})
        self.count = 0

    def bad(self, exc: LoaderError, rec: Any) -> None:
        self.out.rejects.append(Reject(exc.file or "", exc.row, exc.field, exc.message, {"row": rec}))

    def done(self) -> None:
        """Without ``skip_bad`` the bad rows of a phase stop the load (all reported)."""
        if self.out.rejects and not self.skip_bad:
            raise BadRows([(r.file or None, r.row, r.field, r.reason) for r in self.out.rejects])

    def typed(self, key: str, value: Any, fname: str, row: int) -> Any:
        """A cell as its ontology type (the one checker: :meth:`Ontology.coerce`)."""
        try:
            out = self.onto.coerce(key, value)
        except SchemaError as exc:
            raise LoaderError(str(exc), file=fname, row=row, field=key) from None
        if key == "confidence" and not 0.0 <= out <= 1.0:
            raise LoaderError("confidence must lie between 0 and 1", file=fname, row=row, field=key)
        return out

    def plain_text(self, key: str) -> bool:
        """True for a single-valued text property (a string or URI is checked by
        :func:`canal.ontology.coerce_value`; a short ASCII text passes that check as it is)."""
        info = self.props_info[key]
        return info.functional and info.kind == "string"

    def layout(self, keys: list[str], consts: dict[str, Any]) -> tuple[list[str], list[str], list[Any]]:
        """Column order: per-row keys first, then the keys whose value is a constant."""
        varying = [k for k in keys if k not in consts]
        fixed = [k for k in keys if k in consts]
        return varying, fixed, [consts[k] for k in fixed]

    def join_sources(self, values: list[Any], vpos: dict[str, int], src: Any) -> None:
        """Per-row provenance from the spec's ``sources`` table (keys the row lacks)."""
        if src is None:
            src = self.base.get("source")
        have = {k for k in self.joined if values[vpos[k]] is not None} | set(self.base)
        for k, v in source_details(self.spec, src, have).items():
            if k in vpos:
                values[vpos[k]] = self.onto.coerce(k, v)

    def tick(self, stage: str) -> None:
        self.count += 1
        if self.progress and self.count % 100_000 == 0:
            self.progress(stage, self.count)


def _fast(
    spec: LoaderSpec,
    onto: Ontology,
    out: BulkFiles,
    sink: _Sink,
    skip_bad: bool,
    progress: Callable[[str, int], None] | None,
    *,
    phase: str = "both",
    part: tuple[frozenset[int], int] | None = None,
) -> None:
    """The streaming converter: ``phase`` nodes, rels (the nodes are in ``sink``) or both;
    ``part=(slots, n)`` keeps the relationships whose source id hashes to one of ``slots`` modulo ``n``
    (duplicates share their source, so each part removes its own)."""
    if phase != "rels":
        check_columns(spec)
    run = _Fast(spec, onto, out, sink, skip_bad, progress)
    if phase != "rels":
        for m in spec.nodes:
            for path in m.files:
                _fast_nodes(run, m, path)
        run.done()
        sink.nodes_done()
    if phase == "nodes":
        return
    seen: set[str] = set()
    for m in spec.relationships:
        for path in m.files:
            _fast_rels(run, m, path, seen, part or (frozenset([0]), 1))
    run.done()


def _fast_other_nodes(run: _Fast, m: Mapping_, path: Path) -> None:
    """Node rows of a non-CSV file (JSON...): through :func:`collect`."""
    spec = run.spec
    data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [m], []), run.onto, skip_bad=True)
    run.out.rejects.extend(data.rejects)
    fresh: list[Node] = []
    for n in data.nodes:
        if n.id in run.sink.numbers:
            run.bad(LoaderError(f"id {n.id!r} appears in two files", file=str(path), row=n.origin.row if n.origin else None, field="id"), n.id)
            continue
        fresh.append(n)
    _emit_records(spec, run.onto, run.sink, fresh, [])


def _fast_nodes(run: _Fast, m: Mapping_, path: Path) -> None:
    """Check and emit the node rows of one CSV/TSV file."""
    onto, props_info, sink = run.onto, run.props_info, run.sink
    fname = str(path)
    rows = _open_rows(m, path)
    if rows is None:
        _fast_other_nodes(run, m, path)
        return
    header = header_of(next(rows, (1, []))[1], path)
    index = {h: i for i, h in enumerate(header)}
    gid, gcls = _getter(m.values["id"], index), _getter(m.values["class"], index)
    items = [(k, _getter(v, index), v.column or k) for k, v in (*m.properties.items(), *m.provenance.items()) if k != "id"]
    own = {k for k, _, _ in items} | set(run.joined)
    varying, fixed_keys, fixed_vals = run.layout(sorted(own | {k for k in run.consts if k in props_info and k != "id"}), {k: v for k, v in run.consts.items() if k not in own})
    emitters: dict[str, NodeEmit] = {}
    idcol, clscol = m.values["id"].column or "id", m.values["class"].column or "class"
    vpos = {k: i for i, k in enumerate(varying)}
    nslots = [(vpos[k], k, g, col, run.plain_text(k)) for k, g, col in items if k in vpos]
    src_slot = vpos.get("source")
    numbers, digests, nvar = sink.numbers, run.digests, len(varying)
    fixed_items = [(k, v) for k, v in zip(fixed_keys, fixed_vals, strict=True) if v is not None]

    def sig(values: list[Any]) -> int:
        """A digest of a node's values, comparable across this spec's node mappings."""
        if len(run.spec.nodes) == 1:
            return hash(repr(values))
        props = dict(fixed_items)
        props.update((k, v) for k, v in zip(varying, values, strict=True) if v is not None)
        return hash(repr(sorted(props.items())))

    for rownum, row in rows:
        try:
            shape = row_shape_error(row, header, path, rownum, m.short_rows)
            if shape is not None:
                raise shape
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            nid = check_id(gid(row), Origin(fname, rownum), idcol)
            cls = gcls(row)
            node_emit = emitters.get(cls)
            if node_emit is None:
                try:
                    onto.labels_for(str(cls))
                except SchemaError as exc:
                    raise LoaderError(str(exc), file=fname, row=rownum, field=clscol) from None
                node_emit = emitters[cls] = sink.node_emitter(cls, varying, fixed_keys, fixed_vals)
            nvalues: list[Any] = [None] * nvar
            for i, k, g, col, text in nslots:
                x = g(row)
                if x is not None:
                    if (k, cls) not in run.allowed_props:
                        if not onto.node_property_allowed(k, cls):
                            raise LoaderError(f"property {k!r} does not apply to class {cls}", file=fname, row=rownum, field=col)
                        run.allowed_props.add((k, cls))
                    # a short ASCII text without NUL is stored as it is (what coerce would say)
                    nvalues[i] = x if text and type(x) is str and x.isascii() and len(x) < 4096 and "\x00" not in x else run.typed(k, x, fname, rownum)
            if run.joined:
                run.join_sources(nvalues, vpos, nvalues[src_slot] if src_slot is not None else None)
            if nid in numbers:
                first, first_cls, digest = digests[nid]
                if first_cls != cls or (digest != sig(nvalues) and m.repeats != "first"):
                    raise LoaderError(f"id {nid!r} repeats with other values than at row {first} of the same source", file=fname, row=rownum, field=idcol)
                continue  # the same node again
        except LoaderError as exc:
            run.bad(column_named(exc, m), row)
            continue
        digests[nid] = (rownum, cls, sig(nvalues))
        node_emit(nid, nvalues)
        run.tick("nodes")


def _fast_other_rels(run: _Fast, m: Mapping_, path: Path, seen: set[str], part: tuple[frozenset[int], int]) -> None:
    """Relationship rows of a non-CSV file: through :func:`collect`."""
    spec, sink = run.spec, run.sink
    numbers, classes = sink.numbers, sink.classes
    slots, pn = part
    data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [], [m]), run.onto, skip_bad=True, known=lambda ids: {i: classes[numbers[i]] for i in ids if i in numbers})
    run.out.rejects.extend(data.rejects)
    fresh: list[Relationship] = []
    for r in data.relationships:
        if r.rid in seen or (pn > 1 and hash(r.source) % pn not in slots):
            continue
        if r.source not in numbers or r.target not in numbers:
            end = r.source if r.source not in numbers else r.target
            run.bad(LoaderError(f"dangling endpoint: {end!r} is not in this load", file=str(path), row=r.origin.row if r.origin else None, field="source"), r.rid)
            continue
        seen.add(r.rid)
        fresh.append(r)
    _emit_records(spec, run.onto, sink, [], fresh)


def _fast_rels(run: _Fast, m: Mapping_, path: Path, seen: set[str], part: tuple[frozenset[int], int]) -> None:
    """Check and emit the relationship rows of one CSV/TSV file."""
    onto, props_info, sink = run.onto, run.props_info, run.sink
    fname = str(path)
    rows = _open_rows(m, path)
    if rows is None:
        _fast_other_rels(run, m, path, seen, part)
        return
    slots, pn = part
    skip = [i not in slots for i in range(pn)]
    numbers, classes = sink.numbers, sink.classes
    header = header_of(next(rows, (1, []))[1], path)
    index = {h: i for i, h in enumerate(header)}
    ritems = [(k, _getter(v, index)) for k, v in (*m.properties.items(), *m.provenance.items()) if k != "id"]
    own = {k for k, _ in ritems} | set(run.joined)
    varying, fixed_keys, fixed_vals = run.layout(sorted(own | {k for k in run.consts if k in props_info and k != "id"}), {k: v for k, v in run.consts.items() if k not in own})
    vpos = {k: i for i, k in enumerate(varying)}
    rslots = [(vpos[k], k, g, run.plain_text(k)) for k, g in ritems if k in vpos]
    src_slot = vpos.get("source")
    nvar = len(varying)
    tcol = m.values["type"].column or "type"
    scol, dcol = m.values["source"].column or "source", m.values["target"].column or "target"
    kcol = m.values["key"].column or "key" if "key" in m.values else "key"
    rel_check = _RelCheck(onto, sink, run.rel_cache, fname, (tcol, scol, dcol), (varying, fixed_keys, fixed_vals))
    checked, check = rel_check.checked, rel_check.check
    fetch = _fetch4((m.values["type"], m.values["source"], m.values["target"], m.values.get("key")), index)
    width, short_ok = len(header), m.short_rows
    for rownum, row in rows:
        try:
            if len(row) != width:
                shape = row_shape_error(row, header, path, rownum, short_ok)
                if shape is not None:
                    raise shape
                row = row + [""] * (width - len(row))
            t, src, dst, key = fetch(row)
            if pn > 1 and skip[hash(src) % pn]:
                continue
            s_no, d_no = numbers.get(src), numbers.get(dst)
            cs = classes[s_no] if s_no is not None else None
            cd = classes[d_no] if d_no is not None else None
            hit = checked.get((t, cs, cd))
            rtype, emit = hit if hit is not None else check(t, src, dst, cs, cd, rownum)
            rid = f"{src}-{rtype}->{dst}#{key}" if key else f"{src}-{rtype}->{dst}"
            if key:
                check_id(key, Origin(fname, rownum), kcol)
            values: list[Any] = [None] * nvar
            for i, k, g, text in rslots:
                x = g(row)
                if x is not None:
                    values[i] = x if text and type(x) is str and x.isascii() and len(x) < 4096 and "\x00" not in x else run.typed(k, x, fname, rownum)
            if run.joined:
                run.join_sources(values, vpos, values[src_slot] if src_slot is not None else None)
        except LoaderError as exc:
            run.bad(column_named(exc, m), row)
            continue
        n_seen = len(seen)
        seen.add(rid)  # one hash lookup: a repeated relationship leaves the size as it was
        if len(seen) == n_seen:
            continue
        emit(src, dst, s_no, d_no, rid, values)  # type: ignore[arg-type]  # checked: both exist
        run.tick("relationships")


def falkordb_bulk_command(files: BulkFiles, graph: str, server_url: str, onto: Ontology | None = None) -> list[str]:
    """The ``falkordb-bulk-loader`` command line for ``files``."""
    onto = onto or load_ontology()
    # the loader's client keeps redis-py's 5 s socket timeout, which a busy server exceeds
    # while it digests a buffer ("Timeout writing to socket"): give it a day
    if "socket_timeout=" not in server_url:
        server_url += ("&" if "?" in server_url else "?") + "socket_timeout=86400"
    cmd = [sys.executable, "-m", "falkordb_bulk_loader.bulk_insert", graph, "--server-url", server_url, "--enforce-schema", "--max-token-count", "4096", "--max-buffer-size", "64"]
    for name, path in sorted(files.node_files.items()):
        cmd += ["--nodes-with-label", ":".join(onto.labels_for(name.split(".")[0])), str(path)]
    for name, path in sorted(files.rel_files.items()):
        cmd += ["--relations-with-type", name.split(".")[0], str(path)]
    return cmd


def server_url_of(store: GraphStore) -> str:
    """A redis URL that reaches the store's FalkorDB server (embedded: its unix socket)."""
    server = getattr(store, "server", None)
    if server is not None and getattr(server, "socket", None):
        return f"unix://{server.socket}"
    if store.supports_bulk and not store.is_embedded:
        return store.settings.db
    raise CanalError("the bulk path needs FalkorDB; for Neo4j use write_neo4j_import (canal load --neo4j-import DIR)")


def run_bulk_loader(cmd: list[str]) -> float:
    """Run a bulk-loader command; returns its wall time in seconds."""
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
        raise StoreError("falkordb-bulk-loader failed: " + " | ".join(tail))
    return time.perf_counter() - t0


class _Pipeline(InFlight):
    """GRAPH.BULK calls sent from a second thread, so the server digests one buffer while
    this thread reads, checks and encodes the next; the first call of a load says BEGIN."""

    def __init__(self, insert: Callable[..., tuple[int, int]], *, begin: bool = True) -> None:
        super().__init__(name="canal-bulk")
        self.insert = insert
        self.begin = begin

    def send(self, node_tokens: list[bytes], rel_tokens: list[bytes], nodes: int, rels: int) -> None:
        begin, self.begin = self.begin, False

        def check(got: tuple[int, int]) -> None:
            if got != (nodes, rels):
                raise StoreError(f"GRAPH.BULK created {got[0]} nodes and {got[1]} relationships, not {nodes} and {rels}")

        self.submit(lambda: self.insert(node_tokens, rel_tokens, nodes, rels, begin=begin), check=check)


def _node_table(spec: LoaderSpec) -> tuple[dict[str, int], list[str]]:
    """Node numbers and classes as the node phase assigns them when every row is good and
    the classes do not interleave (the parent checks ``in_row_order`` before it lets a
    worker that counted them send): one per node row, in the order of the spec's
    mappings, files and rows; a repeated id keeps its first number."""
    numbers: dict[str, int] = {}
    classes: list[str] = []
    for m in spec.nodes:
        for path in m.files:
            rows = _open_rows(m, path)
            if rows is None:
                raise CanalError(f"{path}: not a CSV/TSV file")
            header = header_of(next(rows, (1, []))[1], path)
            index = {h: i for i, h in enumerate(header)}
            gid, gcls = _getter(m.values["id"], index), _getter(m.values["class"], index)
            for _n, row in rows:
                nid = str(gid(row))
                if nid not in numbers:
                    numbers[nid] = len(classes)
                    classes.append(gcls(row))
    return numbers, classes


class _Workers:
    """Forked processes that convert and send the relationships, each its share (by
    source id). Started after the node phase they share its node table (copy-on-write);
    started *with* it (``early``) each reads the node ids itself and waits for the nodes
    to be in the graph before its first GRAPH.BULK call."""

    def __init__(
        self,
        spec: LoaderSpec,
        onto: Ontology,
        nodes: GraphBulkEncoder | None,
        insert: Callable[..., tuple[int, int]],
        skip_bad: bool,
        parts: tuple[list[frozenset[int]], int],
        token_bytes: int,
        buffer_bytes: int,
        done: Any,
    ) -> None:
        ctx = multiprocessing.get_context("fork")
        self.go = ctx.Event()
        self.node_count = ctx.Value("q", -1)
        self.done = done  # relationships converted by all workers, for progress
        self.procs = []
        shares, n = parts
        for slots in shares:
            recv, send = ctx.Pipe(duplex=False)
            p = ctx.Process(
                target=_relationship_worker,
                args=(slots, n, send, spec, onto, nodes, insert, skip_bad, token_bytes, buffer_bytes, self.go, self.node_count, self.done, os.getpid()),
                daemon=True,
            )
            with warnings.catch_warnings():
                # Python warns when a process with other OS threads forks; the only others
                # here are idle native pools of libraries the workers never call (BLAS
                # threads from numpy, imported elsewhere): canal's own threads are joined
                # before any fork
                warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded", category=DeprecationWarning)
                p.start()
            send.close()
            self.procs.append((p, recv))

    def release(self, node_count: int) -> None:
        """The nodes are in the graph: the workers may send."""
        self.node_count.value = node_count
        self.go.set()

    def stop(self) -> None:
        """Stop the workers (after a failure elsewhere)."""
        for p, recv in self.procs:
            if p.is_alive():
                p.terminate()
            p.join()
            recv.close()

    def results(self, progress: Callable[[str, int], None] | None = None) -> list[tuple[Any, ...]]:
        """Wait for every worker (reporting progress); returns what each reported."""
        results: list[tuple[Any, ...]] = []
        try:
            # every worker stops at its first bad row: waiting for all of them reports
            # the first bad row of the source, whichever worker met it
            for p, recv in self.procs:
                while not recv.poll(0.5):
                    if progress:
                        progress("relationships", self.done.value)
                    if not p.is_alive() and not recv.poll(0):
                        break
                try:
                    msg = recv.recv()
                except EOFError:
                    p.join()
                    msg = ("error", f"a relationship worker stopped (exit code {p.exitcode})")
                results.append(msg)
        finally:
            self.stop()
        return results


def _merge_results(results: list[tuple[Any, ...]], out: BulkFiles) -> tuple[int, float]:
    """Raise the first bad row any worker met, else add up their counts; returns
    (GRAPH.BULK calls, seconds waited on the server)."""
    errors = sorted((e for m in results if m[0] == "loader" for e in m[1]), key=lambda e: (e[0] or "", e[1] or 0))
    if errors:
        raise BadRows(errors)
    for m in results:
        if m[0] != "ok":
            raise StoreError(str(m[1]))
    calls, waited = 0, 0.0
    for _, counts, rejects, c, w in results:
        out.relationships.update(counts)
        out.rejects.extend(rejects)
        calls += c
        waited += w
    out.rejects.sort(key=lambda r: (r.file, r.row or 0))
    return calls, waited


def _die_with_parent(parent: int) -> None:
    """Have the kernel stop this process when the load's process dies (Linux), even by
    SIGKILL: a worker must not outlive the load, waiting or sending."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)


def _relationship_worker(
    slots: frozenset[int],
    n: int,
    conn: Any,
    spec: LoaderSpec,
    onto: Ontology,
    nodes: GraphBulkEncoder | None,
    insert: Callable[..., tuple[int, int]],
    skip_bad: bool,
    token_bytes: int,
    buffer_bytes: int,
    go: Any,
    node_count: Any,
    done: Any,
    parent: int,
) -> None:
    """One forked process: the relationships whose source id hashes to ``slots`` (modulo
    ``n``), sent to the server."""
    _die_with_parent(parent)
    try:
        numbers, classes = (nodes.numbers, nodes.classes) if nodes is not None else _node_table(spec)

        def gated(*args: Any, **kwargs: Any) -> tuple[int, int]:
            go.wait()
            if node_count.value != len(classes):
                raise StoreError(f"node numbering differs: {node_count.value} nodes loaded, {len(classes)} counted")
            return insert(*args, **kwargs)

        out = BulkFiles(Path("."))
        pipe = _Pipeline(gated, begin=False)
        sink = GraphBulkEncoder(onto, pipe.send, nodes=out.nodes, relationships=out.relationships, token_bytes=token_bytes, buffer_bytes=buffer_bytes)
        sink.numbers, sink.classes = numbers, classes
        try:
            last = [0]

            def tick(stage: str, count: int) -> None:
                with done.get_lock():
                    done.value += count - last[0]
                last[0] = count

            _fast(spec, onto, out, sink, skip_bad, tick, phase="rels", part=(slots, n))
            sink.close()
            pipe.finish()
        except BaseException:
            pipe.abort()
            raise
        conn.send(("ok", dict(out.relationships), out.rejects, pipe.calls, pipe.waited))
    except BadRows as exc:
        conn.send(("loader", exc.rejects))
    except LoaderError as exc:
        conn.send(("loader", [(exc.file, exc.row, exc.field, exc.message)]))
    except BaseException as exc:  # reported to the parent, which raises
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


@contextlib.contextmanager
def _committing(run: Run, deferred: DeferredInterrupts) -> Iterator[None]:
    """Around a bulk session: once it has ended well, the load is committed; then the
    signals held back during the switch are delivered."""
    try:
        yield
        run.committed = True
    finally:
        deferred.stop()


def bulk_load(
    store: GraphStore,
    spec_path: str | Path,
    *,
    skip_bad: bool = False,
    reject_file: str | Path | None = None,
    progress: Callable[[str, int], None] | None = None,
    token_bytes: int = 16 << 20,
    buffer_bytes: int = 48 << 20,
    workers: int | None = None,
) -> dict[str, Any]:
    """Bulk-load a spec into an empty FalkorDB graph with ``GRAPH.BULK``; returns figures.

    Rows are read, checked against the ontology (as an incremental load checks them) and
    encoded straight into GRAPH.BULK buffers, which a second thread sends while the next
    ones are prepared. With ``workers`` > 1 (default: 2 on a machine with two cores or
    more, for relationship files over 32 MB) the relationships are split by source id
    among that many forked processes, each sending its own buffers. All or nothing: a
    bad row (without ``skip_bad``) or a failure leaves the graph empty, as it was. The
    indexes are built afterwards.
    """
    migrate(store)
    run = Run(store)
    try:
        return _bulk_load(store, spec_path, run, skip_bad=skip_bad, reject_file=reject_file, progress=progress, token_bytes=token_bytes, buffer_bytes=buffer_bytes, workers=workers)
    except BaseException as exc:
        run.abort(exc)
        raise


def _bulk_load(
    store: GraphStore,
    spec_path: str | Path,
    run: Run,
    *,
    skip_bad: bool,
    reject_file: str | Path | None,
    progress: Callable[[str, int], None] | None,
    token_bytes: int,
    buffer_bytes: int,
    workers: int | None,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    onto = store.ontology
    spec = read_spec(spec_path, onto)
    if store.counts().total_nodes:
        return _already_loaded(store, spec, spec_path)
    out = BulkFiles(Path("."))
    fast = all(_simple(m) for m in (*spec.nodes, *spec.relationships))
    if workers is None:
        workers = _default_workers(spec)
    calls, waited = 0, 0.0
    nodes_seconds = None
    parallel = fast and workers > 1
    # strict loads of CSV nodes start the relationship workers with the node phase (a bad
    # row stops everything, so every node row gets the number of its position)
    early = parallel and not skip_bad and all(_open_rows(m, p) is not None for m in spec.nodes for p in m.files)
    run.start(spec.name, str(spec_path), mode="bulk")
    deferred = DeferredInterrupts()
    with _committing(run, deferred), store.bulk_session() as insert:
        n_slots, shares = _slots(workers, early)
        done = multiprocessing.get_context("fork").Value("q", 0) if parallel else None
        first = _Workers(spec, onto, None, insert, skip_bad, (shares[:1], n_slots), token_bytes, buffer_bytes, done) if early else None
        crew = None
        pipe = _Pipeline(insert)
        sink = GraphBulkEncoder(onto, pipe.send, nodes=out.nodes, relationships=out.relationships, token_bytes=token_bytes, buffer_bytes=buffer_bytes)
        try:
            if parallel:
                _fast(spec, onto, out, sink, skip_bad, progress, phase="nodes")
                sink.flush()
                pipe.finish()  # every node is in (and no thread is left if workers fork now)
                nodes_seconds = time.perf_counter() - t0
                if first is not None and not sink.in_row_order:
                    # the node files mix classes: the server's numbers are not the row order
                    # the early worker counted; every worker shares the node phase's numbers
                    first.stop()
                    first = None
                crew = _Workers(spec, onto, sink, insert, skip_bad, (shares[1:] if first else shares, n_slots), token_bytes, buffer_bytes, done)
                for c in (first, crew):
                    if c is not None:
                        c.release(len(sink.classes))
                calls, waited = _merge_results([m for c in (first, crew) if c is not None for m in c.results(progress)], out)
            else:
                convert(spec, onto, out, sink, skip_bad=skip_bad, progress=progress)  # parsed once
                sink.close()
                pipe.finish()
        except BaseException:
            pipe.abort()
            for c in (first, crew):
                if c is not None:
                    c.stop()
            raise
        # recorded before the session ends: the log and the graph reach the journal together
        _log_done(run, out)
        deferred.start()  # from here until the switch is journaled, Ctrl-C and SIGTERM wait
    calls += pipe.calls
    waited += pipe.waited
    loaded = time.perf_counter() - t0
    from canal.ingest import wait_for_indexes, write_rejects

    if out.rejects and reject_file is not None:
        write_rejects(out.rejects, reject_file)

    wait_for_indexes(store)
    seconds = time.perf_counter() - t0
    run.update(seconds=round(seconds, 3))
    return _summary(spec_path, out, reject_file, calls=calls, workers=workers if fast else 1, waited=waited, nodes_seconds=nodes_seconds, loaded=loaded, seconds=seconds)


# -- the steps of a bulk load ---------------------------------------------------------------


def _default_workers(spec: LoaderSpec) -> int:
    """Relationship workers when none are asked for: two (on a machine with two cores or
    more) once the relationship files pass 32 MiB, else one."""
    size = sum(p.stat().st_size for m in spec.relationships for p in m.files)
    return min(2, os.cpu_count() or 1) if size > 32 << 20 else 1


def _slots(workers: int, early: bool) -> tuple[int, list[frozenset[int]]]:
    """The number of hash slots and each worker's share of them.

    With ``early``, one worker starts with the node phase (it reads the node ids itself), on
    the core the node phase leaves idle; the others fork after it and share its node table
    (it gets 3 of 2n+1 hash slots, the others 2 each: it has had a head start).
    """
    n_slots = 2 * workers + 1 if early else workers
    shares = [frozenset({0, 1, 2})] + [frozenset({2 * i + 1, 2 * i + 2}) for i in range(1, workers)] if early else [frozenset({i}) for i in range(workers)]
    return n_slots, shares


def _already_loaded(store: GraphStore, spec: LoaderSpec, spec_path: str | Path) -> dict[str, Any]:
    """The result of a bulk load into a graph that is not empty: what the last load did when
    it was this very bulk load, done (a rerun after a kill that came once the load was in, or
    simply a second run); otherwise the load stops."""
    last = load_log(store)[-1:]
    if last and last[0].get("mode") == "bulk" and last[0].get("name") == spec.name and last[0].get("status") == "done":
        # a rerun after a kill that came once the load was in (or simply a second run)
        return {"spec": str(spec_path), "already_loaded": last[0].get("started"), "nodes": {}, "relationships": {}, "records": int(last[0].get("nodes", 0)) + int(last[0].get("relationships", 0))}
    raise CanalError("the bulk path loads into an empty graph only; use an incremental load (canal load SPEC) instead")


def _log_done(run: Run, out: BulkFiles) -> None:
    """Record the finished bulk load (everything added) in the load log, without committing."""
    diff = {
        "nodes": {k: {"added": v} for k, v in sorted(out.nodes.items())},
        "relationships": {k: {"added": v} for k, v in sorted(out.relationships.items())},
    }
    added = sum(out.nodes.values()) + sum(out.relationships.values())
    run.finish(
        "done",
        diff=json.dumps(diff, sort_keys=True),
        totals=json.dumps({"added": added, "changed": 0, "retracted": 0}, sort_keys=True),
        nodes=sum(out.nodes.values()),
        relationships=sum(out.relationships.values()),
        rejected=len(out.rejects),
        commit=False,
    )


def _summary(
    spec_path: str | Path,
    out: BulkFiles,
    reject_file: str | Path | None,
    *,
    calls: int,
    workers: int,
    waited: float,
    nodes_seconds: float | None,
    loaded: float,
    seconds: float,
) -> dict[str, Any]:
    """What :func:`bulk_load` returns: counts per class and type, rejects and timings."""
    records = sum(out.nodes.values()) + sum(out.relationships.values())
    return {
        "spec": str(spec_path),
        "nodes": dict(sorted(out.nodes.items())),
        "relationships": dict(sorted(out.relationships.items())),
        "records": records,
        "rejected": len(out.rejects),
        "reject_file": str(reject_file) if out.rejects and reject_file is not None else None,
        "calls": calls,
        "workers": workers,
        "waited_for_server_seconds": round(waited, 3),
        "nodes_seconds": round(nodes_seconds, 3) if nodes_seconds is not None else None,
        "loaded_seconds": round(loaded, 3),
        "index_seconds": round(seconds - loaded, 3),
        "seconds": round(seconds, 3),
        "records_per_second": records / loaded if loaded else 0.0,
    }


def write_neo4j_import(spec_path: str | Path, folder: str | Path, *, skip_bad: bool = False, database: str = "neo4j") -> dict[str, Any]:
    """Write ``neo4j-admin database import`` files for a spec; returns the files and the command."""
    files = write_bulk_files(spec_path, folder, style="neo4j", skip_bad=skip_bad)
    parts = ["neo4j-admin", "database", "import", "full", f"--array-delimiter={NEO4J_ARRAY_DELIMITER}", "--multiline-fields=true", "--id-type=string"]
    parts += [f"--nodes={p}" for _, p in sorted(files.node_files.items())]
    parts += [f"--relationships={p}" for _, p in sorted(files.rel_files.items())]
    parts.append(database)
    return {
        "folder": str(folder),
        "files": len(files.node_files) + len(files.rel_files),
        "nodes": dict(files.nodes),
        "relationships": dict(files.relationships),
        "rejected": len(files.rejects),
        "command": " ".join(parts),
        "note": "stop Neo4j first: the import creates a new database; afterwards GraphStore.ensure_indexes() (run by every canal load) creates the indexes",
    }


__all__ = ["BulkFiles", "bulk_load", "falkordb_bulk_command", "run_bulk_loader", "server_url_of", "write_bulk_files", "write_neo4j_import"]
