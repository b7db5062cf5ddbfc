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
import struct
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from canal.errors import CanalError, LoaderError, SchemaError, StoreError
from canal.inflight import InFlight
from canal.load import collect, read_spec
from canal.load.records import Reject
from canal.load.spec import LoaderSpec, Mapping_, Value
from canal.loadlog import DeferredInterrupts, Run, load_log, migrate
from canal.model import Node, Relationship
from canal.ontology import ROOT_CLASS, Ontology, coerce_value, load_ontology
from canal.store.base import GraphStore

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
    return v.template is None and v.map is None and not v.transform


def _simple(m: Mapping_) -> bool:
    if m.reader or m.explode or m.where or m.hierarchy or m.missing != "error" or m.undirected or m.records:
        return False
    if m.fmt not in (None, "csv", "tsv", "jsonl"):
        return False
    return all(_simple_value(v) for v in (*m.values.values(), *m.properties.values(), *m.provenance.values()))


def _cell(value: Any, functional: bool, style: str) -> str:
    if value is None or value == [] or value == "":
        return ""
    if not functional:
        vals = value if isinstance(value, list) else [value]
        if style == "falkordb":
            return repr([str(x) for x in vals])
        return ";".join(str(x).replace(";", ",") for x in vals)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


NodeEmit = Callable[[str, list[Any]], None]
"""``emit(node_id, values)``: one node, its values in the emitter's column order."""
RelEmit = Callable[[str, str, int, int, str, list[Any]], None]
"""``emit(source_id, target_id, source_no, target_no, relationship_id, values)``: one
relationship (``*_no``: the endpoints' numbers in :attr:`_Sink.numbers`)."""


class _Sink:
    """Where validated rows go: typed CSV files, or GRAPH.BULK buffers.

    ``keys`` are the per-row columns (values given to each ``emit``), ``fixed`` the
    columns whose value is the same on every row (``fixed_values``, given once).
    Nodes are numbered 0, 1, ... in the order they are emitted (``numbers``, with their
    classes in ``classes``): GRAPH.BULK refers to relationship endpoints by these numbers.
    """

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.classes: list[str] = []

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit:
        raise NotImplementedError

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit:
        raise NotImplementedError

    def nodes_done(self) -> None:
        """Every node has been emitted; relationships follow."""

    def close(self) -> None:
        """Every row has been emitted."""


class _CsvSink(_Sink):
    """One CSV file per class / relationship type and column layout, with a typed header
    (``style`` falkordb: falkordb-bulk-loader; neo4j: neo4j-admin database import)."""

    def __init__(self, out: BulkFiles, onto: Ontology, style: str) -> None:
        super().__init__()
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

    def close(self) -> None:
        for fh in self.handles:
            fh.close()


# -- GRAPH.BULK binary format ---------------------------------------------------------------
# A GRAPH.BULK call carries node tokens, then relationship tokens. A token is a header
# (labels joined by ':' or the relationship type, NUL-terminated; a uint32 property count;
# the property names, NUL-terminated) followed by entities. A node is its property values;
# a relationship two uint64 node numbers (nodes are numbered 0, 1, ... in the order the
# new graph receives them) then its values. A value is one type byte and its payload:
# 0 null; 1 bool (1 byte); 2 double; 4 int64 (8 bytes, little-endian); 3 string (UTF-8,
# NUL-terminated); 5 array (int64 length, then that many values).

_I64 = struct.Struct("<q").pack
_F64 = struct.Struct("<d").pack
_ENDS = struct.Struct("<QQ").pack
_NULL = b"\x00"


def _enc_str(value: Any) -> bytes:
    # values are checked for NUL characters before they reach an encoder (``_no_nul``)
    return b"\x03" + str(value).encode("utf-8") + b"\x00"


def _no_nul(value: Any) -> bool:
    """True unless ``value`` (a text or a list of texts) holds a NUL character, which the
    GRAPH.BULK format cannot carry (texts there end at the first NUL)."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(not isinstance(x, str) or "\x00" not in x for x in value)
    return True


def _scalar_encoder(kind: str) -> Callable[[Any], bytes]:
    if kind == "integer":
        return lambda v: b"\x04" + _I64(v)
    if kind == "float":
        return lambda v: b"\x02" + _F64(v)
    if kind == "boolean":
        return lambda v: b"\x01\x01" if v else b"\x01\x00"
    return _enc_str


def _value_encoder(kind: str, functional: bool) -> Callable[[Any], bytes]:
    """An encoder of one (already typed) property value; ``None`` is null."""
    one = _scalar_encoder(kind)
    if functional:
        return lambda v: _NULL if v is None else one(v)

    def many(v: Any) -> bytes:
        if v is None:
            return _NULL
        vals = v if isinstance(v, list) else [v]
        return b"\x05" + _I64(len(vals)) + b"".join(one(x) for x in vals)

    return many


def _token_header(name: str, keys: list[str]) -> bytes:
    for k in keys:
        if "\x00" in k:
            raise SchemaError(f"property name {k!r} contains a NUL character")
    return name.encode("utf-8") + b"\x00" + struct.pack("<I", len(keys)) + b"".join(k.encode("utf-8") + b"\x00" for k in keys)


BulkSend = Callable[[list[bytes], list[bytes], int, int], None]
"""``send(node_tokens, relationship_tokens, nodes, relationships)``: one GRAPH.BULK call."""


class _GraphBulkSink(_Sink):
    """Validated rows straight into GRAPH.BULK buffers (no intermediate files).

    Tokens grow to ``token_bytes``; a call is sent when its tokens pass ``buffer_bytes``.
    ``send`` may return before the server has finished (the caller pipelines).
    """

    def __init__(self, out: BulkFiles, onto: Ontology, send: BulkSend, *, token_bytes: int = 16 << 20, buffer_bytes: int = 48 << 20) -> None:
        super().__init__()
        self.out, self.onto, self.send = out, onto, send
        self.token_bytes, self.buffer_bytes = token_bytes, buffer_bytes
        self.node_tokens: list[bytes] = []
        self.rel_tokens: list[bytes] = []
        self.pending_bytes = 0
        self.pending_nodes = 0
        self.pending_rels = 0
        self.finishers: list[Callable[[], None]] = []

    def _pend(self, token: bytes, is_node: bool, count: int) -> None:
        (self.node_tokens if is_node else self.rel_tokens).append(token)
        self.pending_bytes += len(token)
        if is_node:
            self.pending_nodes += count
        else:
            self.pending_rels += count
        if self.pending_bytes >= self.buffer_bytes:
            self.flush()

    def flush(self) -> None:
        if self.node_tokens or self.rel_tokens:
            self.send(self.node_tokens, self.rel_tokens, self.pending_nodes, self.pending_rels)
        self.node_tokens, self.rel_tokens = [], []
        self.pending_bytes = self.pending_nodes = self.pending_rels = 0

    def _emitter_state(self, name: str, keys: list[str], fixed: list[str], fixed_values: list[Any], is_node: bool) -> tuple[bytearray, list[int], Callable[[], None], bytes]:
        header = _token_header(name, ["id", *keys, *fixed])
        for k, v in zip(fixed, fixed_values, strict=True):
            if not _no_nul(v):
                raise SchemaError(f"the value of {k!r} contains a NUL character")
        tail = b"".join(_value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional)(v) for k, v in zip(fixed, fixed_values, strict=True))
        buf = bytearray(header)
        count = [0]

        def finish() -> None:
            if count[0]:
                self._pend(bytes(buf), is_node, count[0])
            del buf[len(header) :]
            count[0] = 0

        self.finishers.append(finish)
        return buf, count, finish, tail

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit:
        buf, count, finish, tail = self._emitter_state(":".join(self.onto.labels_for(cls)), keys, fixed, fixed_values, True)
        encs = [_value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional) for k in keys]
        numbers, classes, counts, limit = self.numbers, self.classes, self.out.nodes, self.token_bytes

        def emit(nid: str, values: list[Any]) -> None:
            numbers[nid] = len(classes)
            classes.append(cls)
            buf.extend(b"".join([b"\x03", nid.encode(), b"\x00", *[e(v) for e, v in zip(encs, values, strict=True)], tail]))
            count[0] += 1
            counts[cls] += 1
            if len(buf) >= limit:
                finish()

        return emit

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit:
        buf, count, finish, tail = self._emitter_state(rtype, keys, fixed, fixed_values, False)
        encs = [_value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional) for k in keys]
        counts, limit = self.out.relationships, self.token_bytes

        one = encs[0] if len(encs) == 1 else None

        def emit(src: str, dst: str, s_no: int, d_no: int, rid: str, values: list[Any]) -> None:
            if one is not None:
                buf.extend(b"".join((_ENDS(s_no, d_no), b"\x03", rid.encode(), b"\x00", one(values[0]), tail)))
            elif values:
                buf.extend(b"".join([_ENDS(s_no, d_no), b"\x03", rid.encode(), b"\x00", *[e(v) for e, v in zip(encs, values, strict=True)], tail]))
            else:
                buf.extend(_ENDS(s_no, d_no) + b"\x03" + rid.encode() + b"\x00" + tail)
            count[0] += 1
            counts[rtype] += 1
            if len(buf) >= limit:
                finish()

        return emit

    def nodes_done(self) -> None:
        for f in self.finishers:
            f()
        self.finishers = []

    def close(self) -> None:
        self.nodes_done()
        self.flush()


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


def convert(spec_path: str | Path, onto: Ontology, out: BulkFiles, sink: _Sink, *, skip_bad: bool = False, progress: Callable[[str, int], None] | None = None) -> None:
    """Read and check every row of a spec's sources, handing each good one to ``sink``."""
    spec = read_spec(spec_path, onto)
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
            if not _no_nul(v):
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


def _open_rows(m: Mapping_, path: Path) -> Iterator[list[str]] | None:
    """A csv.reader over a CSV/TSV file (header first), or None for other formats."""
    from canal.load.readers import decode, format_of

    fmt = format_of(path, m.fmt)
    if fmt not in ("csv", "tsv"):
        return None
    if m.encoding and m.encoding != "auto":
        enc = m.encoding
    else:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        try:
            import codecs

            # final=False: a character cut by the 64 KB boundary is not an error
            codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
            enc = "utf-8-sig"
        except UnicodeDecodeError:
            decode(head, path, "auto")
            enc = "gb18030"

    def gen() -> Iterator[list[str]]:
        with open(path, encoding=enc, newline="") as fh:
            yield from csv.reader(fh, delimiter="," if fmt == "csv" else "\t")

    return gen()


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
    props_info = onto.properties
    src_list = [spec.name]
    node_consts = {**spec.defaults, "sources": src_list}
    rel_consts = {**spec.defaults, "sources": src_list}
    numbers, classes = sink.numbers, sink.classes
    allowed_props: set[tuple[str, str]] = set()
    rel_cache: dict[str, Any] = {}

    def bad(exc: LoaderError, rec: Any) -> None:
        if not skip_bad:
            raise exc
        out.rejects.append(Reject(exc.file or "", exc.row, exc.field, exc.message, {"row": rec}))

    def typed(key: str, value: Any, fname: str, row: int) -> Any:
        info = props_info[key]
        try:
            if info.functional:
                if isinstance(value, list):
                    if len(value) != 1:
                        raise SchemaError(f"{key!r} takes one value, got {len(value)}")
                    value = value[0]
                if info.kind == "string":
                    text = str(value)
                    if "\x00" in text:
                        raise SchemaError("a text value contains a NUL character")
                    return text
                if info.kind == "float" and isinstance(value, str):
                    try:
                        f = float(value.replace(",", ""))
                        if f == f and f not in (float("inf"), float("-inf")):
                            return f
                    except ValueError:
                        pass
                return coerce_value(info.kind, value)
            vals = value if isinstance(value, list) else [value]
            if info.kind == "string":
                vals = [str(x) for x in vals]
                if any("\x00" in x for x in vals):
                    raise SchemaError("a text value contains a NUL character")
                return vals
            return [coerce_value(info.kind, x) for x in vals]
        except SchemaError as exc:
            raise LoaderError(str(exc), file=fname, row=row, field=key) from None

    def layout(keys: list[str], consts: dict[str, Any]) -> tuple[list[str], list[str], list[Any]]:
        """Column order: per-row keys first, then the keys whose value is a constant."""
        varying = [k for k in keys if k not in consts]
        fixed = [k for k in keys if k in consts]
        return varying, fixed, [consts[k] for k in fixed]

    count = 0
    for m in spec.nodes if phase != "rels" else []:
        for path in m.files:
            fname = str(path)
            rows = _open_rows(m, path)
            if rows is None:
                data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [m], []), onto, skip_bad=skip_bad)
                out.rejects.extend(data.rejects)
                fresh_nodes: list[Node] = []
                fresh_ids: set[str] = set()
                for n in data.nodes:
                    if n.id in numbers or n.id in fresh_ids:
                        bad(LoaderError(f"id {n.id!r} appears twice (the bulk path needs unique ids)", file=fname, row=n.origin.row if n.origin else None, field="id"), n.id)
                        continue
                    fresh_nodes.append(n)
                    fresh_ids.add(n.id)
                _emit_records(spec, onto, sink, fresh_nodes, [])
                continue
            header = [h.strip() for h in next(rows, [])]
            index = {h: i for i, h in enumerate(header)}
            gid, gcls = _getter(m.values["id"], index), _getter(m.values["class"], index)
            items = [(k, _getter(v, index), v.column or k) for k, v in (*m.properties.items(), *m.provenance.items()) if k != "id"]
            own = {k for k, _, _ in items}
            varying, fixed_keys, fixed_vals = layout(sorted(own | {k for k in node_consts if k in props_info and k != "id"}), {k: v for k, v in node_consts.items() if k not in own})
            emitters: dict[str, NodeEmit] = {}
            idcol = m.values["id"].column or "id"
            clscol = m.values["class"].column or "class"
            vpos = {k: i for i, k in enumerate(varying)}
            # plain texts need only the NUL check; other values go through typed()
            nslots = [(vpos[k], k, g, col, props_info[k].kind == "string" and props_info[k].functional) for k, g, col in items if k in vpos]
            nvar = len(varying)
            for rownum, row in enumerate(rows, start=2):
                try:
                    nid = gid(row)
                    if nid is None:
                        raise LoaderError("missing id", file=fname, row=rownum, field=idcol)
                    nid = str(nid)
                    cls = gcls(row)
                    node_emit = emitters.get(cls)
                    if node_emit is None:
                        try:
                            onto.labels_for(str(cls))
                        except SchemaError as exc:
                            raise LoaderError(str(exc), file=fname, row=rownum, field=clscol) from None
                        node_emit = emitters[cls] = sink.node_emitter(cls, varying, fixed_keys, fixed_vals)
                    if nid in numbers:
                        raise LoaderError(f"id {nid!r} appears twice (the bulk path needs unique ids)", file=fname, row=rownum, field=idcol)
                    if "\x00" in nid:
                        raise LoaderError("the id contains a NUL character", file=fname, row=rownum, field=idcol)
                    nvalues: list[Any] = [None] * nvar
                    for i, k, g, col, text in nslots:
                        x = g(row)
                        if x is not None:
                            if (k, cls) not in allowed_props:
                                if not onto.node_property_allowed(k, cls):
                                    raise LoaderError(f"property {k!r} does not apply to class {cls}", file=fname, row=rownum, field=col)
                                allowed_props.add((k, cls))
                            nvalues[i] = x if text and type(x) is str and "\x00" not in x else typed(k, x, fname, rownum)
                except LoaderError as exc:
                    bad(exc, row)
                    continue
                except IndexError:
                    bad(LoaderError(f"the row has {len(row)} fields, the header {len(header)}", file=fname, row=rownum, field=None), row)
                    continue
                node_emit(nid, nvalues)
                count += 1
                if progress and count % 100_000 == 0:
                    progress("nodes", count)
    if phase != "rels":
        sink.nodes_done()
    if phase == "nodes":
        return
    seen: set[str] = set()
    slots, pn = part or (frozenset([0]), 1)
    skip = [i not in slots for i in range(pn)]
    for m in spec.relationships:
        for path in m.files:
            fname = str(path)
            rows = _open_rows(m, path)
            if rows is None:
                data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [], [m]), onto, skip_bad=skip_bad, known=lambda ids: {i: classes[numbers[i]] for i in ids if i in numbers})
                out.rejects.extend(data.rejects)
                fresh: list[Relationship] = []
                for r in data.relationships:
                    if r.rid in seen or (pn > 1 and skip[hash(r.source) % pn]):
                        continue
                    if r.source not in numbers or r.target not in numbers:
                        end = r.source if r.source not in numbers else r.target
                        bad(LoaderError(f"dangling endpoint: {end!r} is not in this load", file=fname, row=r.origin.row if r.origin else None, field="source"), r.rid)
                        continue
                    seen.add(r.rid)
                    fresh.append(r)
                _emit_records(spec, onto, sink, [], fresh)
                continue
            header = [h.strip() for h in next(rows, [])]
            index = {h: i for i, h in enumerate(header)}
            ritems = [(k, _getter(v, index)) for k, v in (*m.properties.items(), *m.provenance.items()) if k != "id"]
            own = {k for k, _ in ritems}
            varying, fixed_keys, fixed_vals = layout(sorted(own | {k for k in rel_consts if k in props_info and k != "id"}), {k: v for k, v in rel_consts.items() if k not in own})
            vpos = {k: i for i, k in enumerate(varying)}
            rslots = [(vpos[k], k, g) for k, g in ritems if k in vpos]
            nvar = len(varying)
            tcol = m.values["type"].column or "type"
            scol, dcol = m.values["source"].column or "source", m.values["target"].column or "target"
            kcol = m.values["key"].column or "key" if "key" in m.values else "key"
            rel_check = _RelCheck(onto, sink, rel_cache, fname, (tcol, scol, dcol), (varying, fixed_keys, fixed_vals))
            checked = rel_check.checked
            check = rel_check.check
            fetch = _fetch4((m.values["type"], m.values["source"], m.values["target"], m.values.get("key")), index)
            for rownum, row in enumerate(rows, start=2):
                try:
                    t, src, dst, key = fetch(row)
                    if pn > 1 and skip[hash(src) % pn]:
                        continue
                    s_no, d_no = numbers.get(src), numbers.get(dst)
                    cs = classes[s_no] if s_no is not None else None
                    cd = classes[d_no] if d_no is not None else None
                    hit = checked.get((t, cs, cd))
                    rtype, emit = hit if hit is not None else check(t, src, dst, cs, cd, rownum)
                    rid = f"{src}-{rtype}->{dst}#{key}" if key else f"{src}-{rtype}->{dst}"
                    if key and "\x00" in key:
                        raise LoaderError("the relationship key contains a NUL character", file=fname, row=rownum, field=kcol)
                    values: list[Any] = [None] * nvar
                    for i, k, g in rslots:
                        x = g(row)
                        if x is not None:
                            values[i] = typed(k, x, fname, rownum)
                except LoaderError as exc:
                    bad(exc, row)
                    continue
                except IndexError:
                    bad(LoaderError(f"the row has {len(row)} fields, the header {len(header)}", file=fname, row=rownum, field=None), row)
                    continue
                n_seen = len(seen)
                seen.add(rid)  # one hash lookup: a repeated relationship leaves the size as it was
                if len(seen) == n_seen:
                    continue
                emit(src, dst, s_no, d_no, rid, values)  # type: ignore[arg-type]  # checked: both exist
                count += 1
                if progress and count % 100_000 == 0:
                    progress("relationships", count)


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
    if store.settings.backend == "falkordb":
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
    """Node numbers and classes as the node phase assigns them when every row is good:
    one per node row, in the order of the spec's mappings, files and rows."""
    numbers: dict[str, int] = {}
    classes: list[str] = []
    for m in spec.nodes:
        for path in m.files:
            rows = _open_rows(m, path)
            if rows is None:
                raise CanalError(f"{path}: not a CSV/TSV file")
            header = [h.strip() for h in next(rows, [])]
            index = {h: i for i, h in enumerate(header)}
            gid, gcls = _getter(m.values["id"], index), _getter(m.values["class"], index)
            for row in rows:
                numbers[str(gid(row))] = len(classes)
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
        nodes: _GraphBulkSink | None,
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
    errors = [m for m in results if m[0] == "loader"]
    if errors:
        message, file, row, fieldname = min(errors, key=lambda m: (m[1][2] or 0))[1]
        raise LoaderError(message, file=file, row=row, field=fieldname)
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
    nodes: _GraphBulkSink | None,
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
        sink = _GraphBulkSink(out, onto, pipe.send, token_bytes=token_bytes, buffer_bytes=buffer_bytes)
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
    except LoaderError as exc:
        conn.send(("loader", (exc.message, exc.file, exc.row, exc.field)))
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
        last = load_log(store)[-1:]
        if last and last[0].get("mode") == "bulk" and last[0].get("name") == spec.name and last[0].get("status") == "done":
            # a rerun after a kill that came once the load was in (or simply a second run)
            return {"spec": str(spec_path), "already_loaded": last[0].get("started"), "nodes": {}, "relationships": {}, "records": int(last[0].get("nodes", 0)) + int(last[0].get("relationships", 0))}
        raise CanalError("the bulk path loads into an empty graph only; use an incremental load (canal load SPEC) instead")
    out = BulkFiles(Path("."))
    fast = all(_simple(m) for m in (*spec.nodes, *spec.relationships))
    if workers is None:
        size = sum(p.stat().st_size for m in spec.relationships for p in m.files)
        workers = min(2, os.cpu_count() or 1) if size > 32 << 20 else 1
    calls, waited = 0, 0.0
    nodes_seconds = None
    parallel = fast and workers > 1
    # strict loads of CSV nodes start the relationship workers with the node phase (a bad
    # row stops everything, so every node row gets the number of its position)
    early = parallel and not skip_bad and all(_open_rows(m, p) is not None for m in spec.nodes for p in m.files)
    run.start(spec.name, str(spec_path), mode="bulk")
    deferred = DeferredInterrupts()
    with _committing(run, deferred), store.bulk_session() as insert:
        # one worker starts with the node phase (it reads the node ids itself), on the core
        # the node phase leaves idle; the others fork after it and share its node table
        # (it gets 3 of 2n+1 hash slots, the others 2 each: it has had a head start)
        n_slots = 2 * workers + 1 if early else workers
        shares = [frozenset({0, 1, 2})] + [frozenset({2 * i + 1, 2 * i + 2}) for i in range(1, workers)] if early else [frozenset({i}) for i in range(workers)]
        done = multiprocessing.get_context("fork").Value("q", 0) if parallel else None
        first = _Workers(spec, onto, None, insert, skip_bad, (shares[:1], n_slots), token_bytes, buffer_bytes, done) if early else None
        crew = None
        pipe = _Pipeline(insert)
        sink = _GraphBulkSink(out, onto, pipe.send, token_bytes=token_bytes, buffer_bytes=buffer_bytes)
        try:
            if parallel:
                _fast(spec, onto, out, sink, skip_bad, progress, phase="nodes")
                sink.flush()
                pipe.finish()  # every node is in (and no thread is left if workers fork now)
                nodes_seconds = time.perf_counter() - t0
                crew = _Workers(spec, onto, sink, insert, skip_bad, (shares[1:] if first else shares, n_slots), token_bytes, buffer_bytes, done)
                for c in (first, crew):
                    if c is not None:
                        c.release(len(sink.classes))
                calls, waited = _merge_results([m for c in (first, crew) if c is not None for m in c.results(progress)], out)
            else:
                convert(spec_path, onto, out, sink, skip_bad=skip_bad, progress=progress)
                sink.close()
                pipe.finish()
        except BaseException:
            pipe.abort()
            for c in (first, crew):
                if c is not None:
                    c.stop()
            raise
        # recorded before the session ends: the log and the graph reach the journal together
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
        deferred.start()  # from here until the switch is journaled, Ctrl-C and SIGTERM wait
    calls += pipe.calls
    waited += pipe.waited
    loaded = time.perf_counter() - t0
    from canal.ingest import wait_for_indexes, write_rejects

    if out.rejects and reject_file is not None:
        write_rejects(out.rejects, reject_file)

    wait_for_indexes(store)
    records = sum(out.nodes.values()) + sum(out.relationships.values())
    seconds = time.perf_counter() - t0
    run.update(seconds=round(seconds, 3))
    return {
        "spec": str(spec_path),
        "nodes": dict(sorted(out.nodes.items())),
        "relationships": dict(sorted(out.relationships.items())),
        "records": records,
        "rejected": len(out.rejects),
        "reject_file": str(reject_file) if out.rejects and reject_file is not None else None,
        "calls": calls,
        "workers": workers if fast else 1,
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
    parts = ["neo4j-admin", "database", "import", "full", "--array-delimiter=';'", "--id-type=string"]
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
