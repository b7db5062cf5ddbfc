"""The bulk path: large first loads into an empty graph.

* FalkorDB (embedded or server): the spec's sources are validated and written as
  typed CSV files (one per class and per relationship type), which
  ``falkordb-bulk-loader`` sends with ``GRAPH.BULK`` into a new graph; the indexes are
  created afterwards. The graph must be empty.
* Neo4j: :func:`write_neo4j_import` writes ``neo4j-admin database import`` files and
  returns the command to run (the database must be stopped and new).

For plain CSV/TSV/JSON Lines mappings (columns, constants, ``split``, ``prefix``,
``default``) a streaming converter checks every row (id, class, property types,
relationship type, endpoints and their classes against the ontology) without
building record objects; other specs go through :func:`canal.load.collect`.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from canal.errors import CanalError, LoaderError, SchemaError, StoreError
from canal.load import collect, read_spec
from canal.load.records import Reject
from canal.load.spec import LoaderSpec, Mapping_, Value
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


class _Writer:
    """One CSV file per class / type, opened on first use, with a typed header."""

    def __init__(self, folder: Path, onto: Ontology, style: str) -> None:
        self.folder, self.onto, self.style = folder, onto, style
        self.files: dict[str, tuple[IO[str], Any, list[str]]] = {}
        self.paths: dict[str, Path] = {}
        self.layouts: dict[tuple[str, tuple[str, ...]], str] = {}

    def _header(self, key: str, kind: str) -> str:
        info = self.onto.prop(key)
        if self.style == "falkordb":
            return f"{key}:{'ARRAY' if not info.functional else _FALKOR_TYPES[info.kind]}"
        return f"{key}:{_NEO4J_TYPES[info.kind]}{'' if info.functional else '[]'}"

    def name_for(self, base: str, keys: list[str]) -> str:
        """A file name for ``base`` (e.g. nodes_Enterprise) and one column layout."""
        layout = (base, tuple(keys))
        if layout not in self.layouts:
            self.layouts[layout] = f"{base}.{sum(1 for b, _ in self.layouts if b == base)}"
        return self.layouts[layout]

    def open(self, name: str, fixed: list[str], keys: list[str]) -> tuple[Any, list[str]]:
        if name not in self.files:
            path = self.folder / f"{name}.csv"
            fh = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
            w = csv.writer(fh)
            w.writerow([*fixed, *(self._header(k, "") for k in keys)])
            self.files[name] = (fh, w, keys)
            self.paths[name] = path
        _, w, ks = self.files[name]
        return w, ks

    def close(self) -> None:
        for fh, _, _ in self.files.values():
            fh.close()


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
    spec = read_spec(spec_path, onto)
    out = BulkFiles(Path(folder))
    out.folder.mkdir(parents=True, exist_ok=True)
    if all(_simple(m) for m in (*spec.nodes, *spec.relationships)):
        _fast(spec, onto, out, style, skip_bad, progress)
    else:
        data = collect(spec, onto, skip_bad=skip_bad)
        out.rejects = data.rejects
        _write_records(spec, onto, out, style, data.nodes, data.relationships)
    out.seconds = time.perf_counter() - t0
    return out


def _node_keys(onto: Ontology, spec: LoaderSpec) -> list[str]:
    keys = {"sources", *spec.defaults}
    for m in spec.nodes:
        keys |= set(m.properties) | set(m.provenance)
    return sorted(k for k in keys if k in onto.properties)


def _rel_keys(onto: Ontology, spec: LoaderSpec) -> list[str]:
    keys = {"sources", *spec.defaults}
    for m in spec.relationships:
        keys |= set(m.properties) | set(m.provenance)
    return sorted(k for k in keys if k in onto.properties)


def _write_records(spec: LoaderSpec, onto: Ontology, out: BulkFiles, style: str, nodes: list[Node], rels: list[Relationship], writer: _Writer | None = None) -> None:
    w = writer or _Writer(out.folder, onto, style)
    nkeys, rkeys = _node_keys(onto, spec), _rel_keys(onto, spec)
    func = {k: onto.properties[k].functional for k in onto.properties}
    try:
        for n in nodes:
            props = {**n.props, "sources": [spec.name]}
            fixed = ["id:ID(Entity)"] if style == "falkordb" else ["id:ID", ":LABEL"]
            wr, ks = w.open(w.name_for(f"nodes_{n.cls}", nkeys), fixed, nkeys)
            lead = [n.id] if style == "falkordb" else [n.id, ";".join(onto.labels_for(n.cls))]
            wr.writerow([*lead, *(_cell(props.get(k), func[k], style) for k in ks)])
            out.nodes[n.cls] += 1
        for r in rels:
            t = onto.relation(r.type).type
            props = {**r.props, "sources": [spec.name]}
            fixed = [f":START_ID({ROOT_CLASS})", f":END_ID({ROOT_CLASS})", "id:STRING"] if style == "falkordb" else [":START_ID", ":END_ID", ":TYPE", "id"]
            wr, ks = w.open(w.name_for(f"rels_{t}", rkeys), fixed, rkeys)
            lead = [r.source, r.target, r.rid] if style == "falkordb" else [r.source, r.target, t, r.rid]
            wr.writerow([*lead, *(_cell(props.get(k), func[k], style) for k in ks)])
            out.relationships[t] += 1
    finally:
        if writer is None:
            w.close()
    if writer is None:
        _register(out, w)


def _register(out: BulkFiles, w: _Writer) -> None:
    for name, path in w.paths.items():
        kind, _, rest = name.partition("_")
        (out.node_files if kind == "nodes" else out.rel_files)[rest] = path


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
            head.decode("utf-8-sig")
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


def _fast(spec: LoaderSpec, onto: Ontology, out: BulkFiles, style: str, skip_bad: bool, progress: Callable[[str, int], None] | None) -> None:
    w = _Writer(out.folder, onto, style)
    props_info = onto.properties
    src_list = [spec.name]
    node_consts = {**spec.defaults, "sources": src_list}
    rel_consts = {**spec.defaults, "sources": src_list}
    classes: dict[str, str] = {}
    allowed_cache: dict[tuple[str, str, str], bool] = {}
    labels_cache: dict[str, str] = {}
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
                    return str(value)
                if info.kind == "float" and isinstance(value, str):
                    try:
                        f = float(value.replace(",", ""))
                        if f == f and f not in (float("inf"), float("-inf")):
                            return f
                    except ValueError:
                        pass
                return coerce_value(info.kind, value)
            vals = value if isinstance(value, list) else [value]
            return vals if info.kind == "string" else [coerce_value(info.kind, x) for x in vals]
        except SchemaError as exc:
            raise LoaderError(str(exc), file=fname, row=row, field=key) from None

    def layout(keys: list[str], consts: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
        """Column order: per-row keys first, then constant keys with their cells precomputed."""
        varying = [k for k in keys if k not in consts]
        fixed = [k for k in keys if k in consts]
        return varying, fixed, [_cell(consts[k], props_info[k].functional, style) for k in fixed]

    count = 0
    for m in spec.nodes:
        for path in m.files:
            fname = str(path)
            rows = _open_rows(m, path)
            if rows is None:
                data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [m], []), onto, skip_bad=skip_bad)
                for n in data.nodes:
                    classes[n.id] = n.cls
                _write_records(spec, onto, out, style, data.nodes, [], writer=w)
                continue
            header = [h.strip() for h in next(rows, [])]
            index = {h: i for i, h in enumerate(header)}
            gid, gcls = _getter(m.values["id"], index), _getter(m.values["class"], index)
            items = [(k, _getter(v, index), v.column or k) for k, v in (*m.properties.items(), *m.provenance.items())]
            varying, fixed_keys, fixed_cells = layout(sorted({k for k, _, _ in items} | {k for k in node_consts if k in props_info}), {k: v for k, v in node_consts.items() if k not in {k2 for k2, _, _ in items}})
            node_names: dict[str, str] = {}
            vfunc = [(k, props_info[k].functional) for k in varying]
            for rownum, row in enumerate(rows, start=2):
                try:
                    nid = gid(row)
                    if nid is None:
                        raise LoaderError("missing id", file=fname, row=rownum, field=m.values["id"].column or "id")
                    nid = str(nid)
                    cls = gcls(row)
                    if cls not in labels_cache:
                        try:
                            labels_cache[str(cls)] = ";".join(onto.labels_for(str(cls)))
                        except SchemaError as exc:
                            raise LoaderError(str(exc), file=fname, row=rownum, field=m.values["class"].column or "class") from None
                    if nid in classes:
                        raise LoaderError(f"id {nid!r} appears twice (the bulk path needs unique ids)", file=fname, row=rownum, field=m.values["id"].column or "id")
                    vals: dict[str, Any] = {}
                    for k, g, col in items:
                        x = g(row)
                        if x is not None:
                            if not onto.node_property_allowed(k, cls):
                                raise LoaderError(f"property {k!r} does not apply to class {cls}", file=fname, row=rownum, field=col)
                            vals[k] = typed(k, x, fname, rownum)
                except LoaderError as exc:
                    bad(exc, row)
                    continue
                classes[nid] = cls
                name = node_names.get(cls)
                if name is None:
                    name = node_names[cls] = w.name_for(f"nodes_{cls}", [*varying, *fixed_keys])
                if name not in w.files:
                    lead_cols = ["id:ID(Entity)"] if style == "falkordb" else ["id:ID", ":LABEL"]
                    w.open(name, lead_cols, [*varying, *fixed_keys])
                wr = w.files[name][1]
                lead = [nid] if style == "falkordb" else [nid, labels_cache[cls]]
                wr.writerow([*lead, *[_cell(vals.get(k), f, style) for k, f in vfunc], *fixed_cells])
                out.nodes[cls] += 1
                count += 1
                if progress and count % 100_000 == 0:
                    progress("nodes", count)
    seen: set[str] = set()
    for m in spec.relationships:
        for path in m.files:
            fname = str(path)
            rows = _open_rows(m, path)
            if rows is None:
                data = collect(LoaderSpec(spec.path, spec.name, spec.title, spec.licence, spec.defaults, spec.sources, spec.resolve, [], [m]), onto, skip_bad=skip_bad, known=lambda ids: {i: classes[i] for i in ids if i in classes})
                _write_records(spec, onto, out, style, [], [r for r in data.relationships if r.rid not in seen], writer=w)
                seen.update(r.rid for r in data.relationships)
                continue
            header = [h.strip() for h in next(rows, [])]
            index = {h: i for i, h in enumerate(header)}
            gt, gs, gd = _getter(m.values["type"], index), _getter(m.values["source"], index), _getter(m.values["target"], index)
            gk = _getter(m.values["key"], index) if "key" in m.values else (lambda row: None)
            ritems = [(k, _getter(v, index)) for k, v in (*m.properties.items(), *m.provenance.items())]
            own = {k for k, _ in ritems}
            varying, fixed_keys, fixed_cells = layout(sorted(own | {k for k in rel_consts if k in props_info}), {k: v for k, v in rel_consts.items() if k not in own})
            rel_names: dict[str, str] = {}
            rfunc = [(k, props_info[k].functional) for k in varying]
            for rownum, row in enumerate(rows, start=2):
                try:
                    t = gt(row)
                    info = rel_cache.get(t)
                    if info is None:
                        try:
                            info = rel_cache[t] = onto.relation(str(t))
                        except SchemaError as exc:
                            raise LoaderError(str(exc), file=fname, row=rownum, field=m.values["type"].column or "type") from None
                    src, dst = gs(row), gd(row)
                    cs, cd = classes.get(src), classes.get(dst)
                    if cs is None or cd is None:
                        end, endcol = (src, m.values["source"].column) if cs is None else (dst, m.values["target"].column)
                        raise LoaderError(f"dangling endpoint: {end!r} is not in this load", file=fname, row=rownum, field=endcol or "source")
                    ck = (info.name, cs, cd)
                    ok = allowed_cache.get(ck)
                    if ok is None:
                        ok = allowed_cache[ck] = onto.allows(info.name, cs, cd)
                    if not ok:
                        raise LoaderError(f"{info.name} cannot go from a {cs} to a {cd}", file=fname, row=rownum, field="type")
                    key = gk(row)
                    rid = f"{src}-{info.type}->{dst}#{key}" if key else f"{src}-{info.type}->{dst}"
                    if rid in seen:
                        continue
                    vals = {}
                    for k, g in ritems:
                        x = g(row)
                        if x is not None:
                            vals[k] = typed(k, x, fname, rownum)
                except LoaderError as exc:
                    bad(exc, row)
                    continue
                seen.add(rid)
                name = rel_names.get(info.type)
                if name is None:
                    name = rel_names[info.type] = w.name_for(f"rels_{info.type}", [*varying, *fixed_keys])
                if name not in w.files:
                    lead_cols = [f":START_ID({ROOT_CLASS})", f":END_ID({ROOT_CLASS})", "id:STRING"] if style == "falkordb" else [":START_ID", ":END_ID", ":TYPE", "id"]
                    w.open(name, lead_cols, [*varying, *fixed_keys])
                wr = w.files[name][1]
                lead = [src, dst, rid] if style == "falkordb" else [src, dst, info.type, rid]
                wr.writerow([*lead, *[_cell(vals.get(k), f, style) for k, f in rfunc], *fixed_cells])
                out.relationships[info.type] += 1
                count += 1
                if progress and count % 100_000 == 0:
                    progress("relationships", count)
    w.close()
    _register(out, w)


def falkordb_bulk_command(files: BulkFiles, graph: str, server_url: str, onto: Ontology | None = None) -> list[str]:
    """The ``falkordb-bulk-loader`` command line for ``files``."""
    onto = onto or load_ontology()
    cmd = [sys.executable, "-m", "falkordb_bulk_loader.bulk_insert", graph, "--server-url", server_url, "--enforce-schema", "--max-token-count", "4096", "--max-buffer-size", "256"]
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


def bulk_load(
    store: GraphStore,
    spec_path: str | Path,
    *,
    skip_bad: bool = False,
    workdir: str | Path | None = None,
    keep_files: bool = False,
) -> dict[str, Any]:
    """Bulk-load a spec into an empty FalkorDB graph (``GRAPH.BULK``); returns figures."""
    t0 = time.perf_counter()
    if store.counts().total_nodes:
        raise CanalError("the bulk path loads into an empty graph only; use an incremental load (canal load SPEC) instead")
    url = server_url_of(store)
    tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="canal-bulk-"))
    try:
        files = write_bulk_files(spec_path, tmp, ontology=store.ontology, skip_bad=skip_bad)
        graph = getattr(store, "graph", None)
        if graph is not None:
            try:
                graph.delete()  # the (empty) graph key; GRAPH.BULK creates it anew
            except Exception:
                pass
        cmd = falkordb_bulk_command(files, store.settings.graph, url, store.ontology)
        conn = _journal_client(store)
        if conn is not None:
            # GRAPH.BULK must not go to the journal (it cannot be replayed): switch the journal
            # off, load, and switch it on again, which rewrites it from the loaded data
            conn.execute_command("CONFIG", "SET", "appendonly", "no")
        try:
            loader_seconds = run_bulk_loader(cmd)
        finally:
            if conn is not None:
                _journal_on(conn)
        store.ensure_indexes()
        loaded = time.perf_counter() - t0
        from canal.ingest import wait_for_indexes

        wait_for_indexes(store)
    finally:
        if not keep_files and not workdir:
            shutil.rmtree(tmp, ignore_errors=True)
    records = sum(files.nodes.values()) + sum(files.relationships.values())
    seconds = time.perf_counter() - t0
    _log_bulk(store, str(spec_path), files, seconds)
    return {
        "spec": str(spec_path),
        "nodes": dict(files.nodes),
        "relationships": dict(files.relationships),
        "records": records,
        "rejected": len(files.rejects),
        "convert_seconds": round(files.seconds, 3),
        "loader_seconds": round(loader_seconds, 3),
        "loaded_seconds": round(loaded, 3),
        "index_seconds": round(seconds - loaded, 3),
        "seconds": round(seconds, 3),
        "records_per_second": records / seconds if seconds else 0.0,
    }


def _journal_client(store: GraphStore) -> Any:
    """The raw client of an embedded store (whose journal canal manages), else None."""
    if getattr(store, "server", None) is None:
        return None
    db = getattr(store, "db", None)
    return getattr(db, "connection", None)


def _journal_on(conn: Any) -> None:
    conn.execute_command("CONFIG", "SET", "appendonly", "yes")
    for _ in range(60000):
        info = conn.info("persistence")
        if int(info.get("aof_enabled", 0)) == 1 and int(info.get("aof_rewrite_in_progress", 1)) == 0 and int(info.get("aof_rewrite_scheduled", 1)) == 0:
            return
        time.sleep(0.01)
    raise StoreError("the journal did not come back after the bulk load")


def _log_bulk(store: GraphStore, spec: str, files: BulkFiles, seconds: float) -> None:
    from datetime import UTC, datetime

    from canal.ingest import LOAD_LOG
    from canal.store.cypher import ident

    now = datetime.now(UTC).isoformat(timespec="seconds")
    diff = {
        "nodes": {k: {"added": v} for k, v in sorted(files.nodes.items())},
        "relationships": {k: {"added": v} for k, v in sorted(files.relationships.items())},
    }
    store.execute(
        f"CREATE (l:{ident(LOAD_LOG)}) SET l += $props RETURN l.id",
        {
            "props": {
                "id": f"load:{Path(spec).stem}:{now}:bulk",
                "name": read_spec(spec, store.ontology).name,
                "spec": spec,
                "started": now,
                "startedNs": time.time_ns(),
                "finished": now,
                "status": "done",
                "mode": "bulk",
                "seconds": round(seconds, 3),
                "diff": json.dumps(diff, sort_keys=True),
                "totals": json.dumps({"added": sum(files.nodes.values()) + sum(files.relationships.values()), "changed": 0, "retracted": 0}, sort_keys=True),
                "nodes": sum(files.nodes.values()),
                "relationships": sum(files.relationships.values()),
                "rejected": len(files.rejects),
            }
        },
    )


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
