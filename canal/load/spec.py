"""Loader specs: one YAML file per data source, checked against the ontology before loading.

A spec maps columns to classes, properties and relationships. A *value* is a column
name, or a mapping with ``column`` (plus optional ``split`` and ``default``) or a
constant ``value``::

    name: canal-demo
    retrieved: 2026-11-21
    method: curated
    nodes:
      - file: demo/entities.csv
        id: id
        class: {column: class}
        properties: {name: name, aliases: {column: aliases, split: "|"}}
        provenance: {source: {column: source}, evidence: {column: evidence}}
      - id: {value: "programme:h2020"}          # no file: one fixed node, every value a constant
        class: {value: Programme}
        properties: {name: {value: Horizon 2020}}
    relationships:
      - file: demo/relationships.csv
        type: {column: type}
        source: source_id
        target: target_id
        key: key
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from canal.errors import LoaderError, SchemaError, SpecError
from canal.model import PROVENANCE_KEYS
from canal.ontology import NumberFormat, Ontology, coerce_value

MAX_YAML_NODES = 200_000
"""A spec is small: more YAML nodes than this, counting each alias as a copy of what it
names, is refused while the document is composed (an alias bomb never expands)."""


class _TooBig(yaml.YAMLError):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def _expanded(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once every alias in it is copied out."""
    key = id(node)
    if key not in sizes:
        sizes[key] = 1  # a node that contains itself counts once
        if isinstance(node, yaml.SequenceNode):
            sizes[key] = 1 + sum(_expanded(c, sizes) for c in node.value)
        elif isinstance(node, yaml.MappingNode):
            sizes[key] = 1 + sum(_expanded(k, sizes) + _expanded(v, sizes) for k, v in node.value)
    return sizes[key]


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key, with bounded aliases."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._total = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor  # type: ignore[no-untyped-call]
            if anchor in self.anchors:
                self._total += _expanded(self.anchors[anchor], self._sizes)
        else:
            self._total += 1
        if self._total > MAX_YAML_NODES:
            raise _TooBig(f"the spec expands to more than {MAX_YAML_NODES:,} YAML nodes (aliases counted as copies): an alias bomb?")
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]


class LineDict(dict[str, Any]):
    """A dict that knows the YAML line of itself and of each key."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}
        self.line: int = 0

    def line_of(self, key: str) -> int:
        """Line of ``key`` (or of the mapping when the key is absent)."""
        return self.lines.get(key, self.line)


@dataclass(frozen=True)
class Value:
    """Where one value comes from: a column (maybe split), a template or a constant.

    Then, in order: ``split`` a text into a list, named ``transform`` functions,
    ``map`` (a list gives the value of the first ``map`` key found in it, in the
    order of ``map``; ``"*"`` maps anything else), and ``prefix``.

    >>> Value(column="p", split=",", prefix="x:").get({"p": "a, b"})
    ['x:a', 'x:b']
    >>> Value(column="t", map={"education": "University", "*": "Organisation"}).get({"t": ["funder", "education"]})
    'University'
    >>> Value(template="{a}-{b}").get({"a": 1, "b": "z"})
    '1-z'
    """

    column: str | None = None
    constant: Any = None
    split: str | None = None
    default: Any = None
    template: str | None = None
    map: dict[str, Any] | None = field(default=None, hash=False)
    transform: tuple[str, ...] = ()
    prefix: str = ""
    number: NumberFormat | None = None

    def raw(self, rec: dict[str, Any]) -> Any:
        """The value before ``prefix`` (``None`` when empty)."""
        if self.template is not None:
            v: Any = _fill(self.template, rec)
        elif self.column is None:
            return self.constant
        else:
            v = _dig(rec, self.column)
        if v is None or v == "" or v == []:
            v = self.default
        if v is None or v == "" or v == []:
            return None
        if self.split and isinstance(v, str):
            parts = [p.strip() for p in v.split(self.split)]
            v = [p for p in parts if p] or None
        if self.transform:
            from canal.load.transforms import apply_transforms

            v = apply_transforms(self.transform, v)
        if self.map is not None and v is not None:
            v = _mapped(self.map, v)
        if self.number is not None and v is not None:
            v = [self.number.parse(x) for x in v] if isinstance(v, list) else self.number.parse(v)
        return v

    def columns(self) -> list[str]:
        """The source columns this value reads (its column, or a template's placeholders)."""
        if self.template is not None:
            return _PLACEHOLDER.findall(self.template)
        return [self.column] if self.column is not None else []

    def get(self, rec: dict[str, Any]) -> Any:
        """The value for one source record (``None`` when empty); a cell that does not
        read as its ``number`` format raises :class:`SchemaError`."""
        v = self.raw(rec)
        if self.prefix and v is not None:
            if isinstance(v, list):
                return [f"{self.prefix}{x}" for x in v]
            return f"{self.prefix}{v}"
        return v


def _mapped(table: dict[str, Any], v: Any) -> Any:
    if isinstance(v, list):
        present = {str(x) for x in v}
        for key, out in table.items():
            if key != "*" and key in present:
                return out
        return table.get("*") if v else None
    return table.get(str(v), table.get("*"))


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def _fill(template: str, rec: dict[str, Any]) -> str | None:
    missing = False

    def sub(m: re.Match[str]) -> str:
        nonlocal missing
        v = _dig(rec, m.group(1))
        if v is None or v == "":
            missing = True
            return ""
        return str(v)

    out = _PLACEHOLDER.sub(sub, template)
    return None if missing else out


def _dig(rec: dict[str, Any], column: str) -> Any:
    if column in rec:
        return rec[column]
    cur: Any = rec
    for part in column.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


CONSTANT = "constant"
"""The ``fmt`` of a node mapping without a file: one fixed node whose values are all constants."""


@dataclass
class Mapping_:
    """One file (or glob) mapped to nodes or relationships."""

    kind: str  # "nodes" | "relationships"
    files: list[Path]
    pattern: str
    fmt: str | None
    encoding: str
    values: dict[str, Value]  # id/class or type/source/target/key
    properties: dict[str, Value]
    provenance: dict[str, Value]
    line: int
    reader: str | None = None
    records: str | None = None
    sheet: str | None = None
    explode: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    hierarchy: dict[str, Any] | None = None
    missing: str = "error"
    missing_class: str | None = None
    undirected: bool = False
    short_rows: bool = False
    repeats: str = "error"
    lines: dict[str, int] = field(default_factory=dict)

    def named_columns(self) -> list[tuple[str, str, int]]:
        """``(entry, column, spec line)`` for every source column the mapping names: id,
        class, type, endpoints, key, properties, provenance and ``where``."""
        out: list[tuple[str, str, int]] = []
        for group, values in (("", self.values), ("properties.", self.properties), ("provenance.", self.provenance)):
            for key, v in values.items():
                out += [(f"{group}{key}", c, self.lines.get(f"{group}{key}", self.line)) for c in v.columns()]
        out += [(f"where.{c}", c, self.lines.get("where", self.line)) for c in self.where]
        return out

    def rows(self, path: Path, bad: Callable[[LoaderError], None] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
        """The records of one file after reader, ``explode`` and ``where`` (a record
        whose cells do not fit the header goes to ``bad``, or raises)."""
        from canal.load.readers import read_table
        from canal.load.transforms import READERS

        if self.fmt == CONSTANT:  # a fixed node declared in the spec itself: one empty record
            yield self.line, {}
            return

        rows: Iterator[tuple[int, dict[str, Any]]] = read_table(path, self.fmt, self.encoding, records=self.records, sheet=self.sheet, allow_short=self.short_rows, bad=bad)
        if self.reader:
            rows = READERS[self.reader](rows)
        for row, rec in rows:
            if self.explode:
                items = _dig(rec, self.explode)
                if isinstance(items, dict):
                    items = [{"key": k, "value": v} for k, v in items.items()]
                for item in items if isinstance(items, list) else []:
                    sub = {**rec, "item": item}
                    if self._keep(sub):
                        yield row, sub
            elif self._keep(rec):
                yield row, rec

    def _keep(self, rec: dict[str, Any]) -> bool:
        for col, want in self.where.items():
            v = _dig(rec, col)
            if isinstance(want, list):
                if v not in want:
                    return False
            elif v != want:
                return False
        return True


@dataclass
class LoaderSpec:
    """A parsed and checked loader spec."""

    path: Path
    name: str
    title: str
    licence: str
    defaults: dict[str, Any]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    resolve: dict[str, Any] = field(default_factory=dict)
    nodes: list[Mapping_] = field(default_factory=list)
    relationships: list[Mapping_] = field(default_factory=list)


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_vars(text: str) -> str:
    """Expand ``${VAR}`` and ``${VAR:-default}`` from the environment (for data paths).

    A variable that is unset (or empty) and has no default is an error naming it.

    >>> expand_vars("${CANAL_NO_SUCH_VAR:-data}/x.jsonl")
    'data/x.jsonl'
    >>> expand_vars("${CANAL_NO_SUCH_VAR}/x.jsonl")
    Traceback (most recent call last):
    canal.errors.LoaderError: the environment variable CANAL_NO_SUCH_VAR is not set, so '${CANAL_NO_SUCH_VAR}/x.jsonl' would become '/x.jsonl'; set it, or give a default: ${CANAL_NO_SUCH_VAR:-folder}
    """
    import os

    unset = [m.group(1) for m in _VAR.finditer(text) if not os.environ.get(m.group(1)) and m.group(2) is None]
    result = _VAR.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), text)
    if unset:
        names = ", ".join(dict.fromkeys(unset))
        raise LoaderError(
            f"the environment variable {names} {'is' if len(set(unset)) == 1 else 'are'} not set, so {text!r} would become {result!r}; "
            f"set it, or give a default: ${{{unset[0]}:-folder}}"
        )
    return result


def _err(spec: Path, line: int, msg: str) -> LoaderError:
    return LoaderError(msg, file=str(spec), line=line)


def _value(spec: Path, raw: Any, line: int, what: str) -> Value:
    if isinstance(raw, str):
        return Value(column=raw)
    if isinstance(raw, dict):
        unknown = set(raw) - {"column", "value", "template", "split", "default", "map", "transform", "prefix", "number"}
        if unknown:
            raise _err(spec, line, f"{what}: unknown key(s) {sorted(unknown)}")
        if sum(k in raw for k in ("column", "value", "template")) != 1:
            raise _err(spec, line, f"{what}: give exactly one of 'column', 'template' or 'value'")
        names = raw.get("transform") or []
        names = [names] if isinstance(names, str) else list(names)
        from canal.load.transforms import TRANSFORMS

        for n in names:
            if n not in TRANSFORMS:
                raise _err(spec, line, f"{what}: unknown transform {n!r} (known: {', '.join(sorted(TRANSFORMS))})")
        table = raw.get("map")
        if table is not None and not isinstance(table, dict):
            raise _err(spec, line, f"{what}: 'map' must be a mapping")
        return Value(
            column=raw.get("column"),
            constant=raw.get("value"),
            split=raw.get("split"),
            default=raw.get("default"),
            template=raw.get("template"),
            map={str(k): v for k, v in table.items()} if table is not None else None,
            transform=tuple(str(n) for n in names),
            prefix=str(raw.get("prefix", "")),
            number=_number_format(spec, raw.get("number"), line, what) if "number" in raw else None,
        )
    if isinstance(raw, (int, float, bool)):
        return Value(constant=raw)
    raise _err(spec, line, f"{what}: expected a column name or a mapping")


def check_columns(spec: LoaderSpec) -> None:
    """Stop (:class:`SpecError`, before any row is read) when a mapping names a column its
    table does not have, listing the table's columns and the closest names. Tables are
    CSV, TSV and Excel sources read without a ``reader`` (JSON records have no header)."""
    from canal.load.readers import header

    for kind, mappings in (("nodes", spec.nodes), ("relationships", spec.relationships)):
        for i, m in enumerate(mappings):
            if m.reader or m.records:
                continue
            named = [(e, c, ln) for e, c, ln in m.named_columns() if not (m.explode and c.split(".")[0] == "item")]
            for path in m.files:
                cols = header(path, m.fmt, m.encoding, m.sheet)
                if cols is None:
                    continue
                for entry, col, line in named:
                    if col not in cols:
                        raise _missing_column(spec.path, line, f"{kind}[{i}] {entry}", col, path, cols)


def _missing_column(spec: Path, line: int, entry: str, col: str, path: Path, cols: list[str]) -> SpecError:
    import difflib

    close = difflib.get_close_matches(col, cols, n=3, cutoff=0.5) or [c for c in cols if c.lower() == col.lower()]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(cols[:60]) + (f", ... ({len(cols)} in all)" if len(cols) > 60 else "")
    return SpecError(f"{entry} names column {col!r}, which {path.name} does not have{hint} (its columns: {shown})", file=str(spec), line=line)


def _number_format(spec: Path, raw: Any, line: int, what: str) -> NumberFormat:
    """``number: {decimal, thousands, percent, unit}`` of a value."""
    if not isinstance(raw, dict):
        raise _err(spec, line, f"{what}: 'number' must be a mapping (decimal, thousands, percent, unit)")
    unknown = set(raw) - {"decimal", "thousands", "percent", "unit"}
    if unknown:
        raise _err(spec, line, f"{what}: number: unknown key(s) {sorted(unknown)} (known: decimal, thousands, percent, unit)")
    try:
        return NumberFormat(
            decimal=str(raw.get("decimal", ".")),
            thousands=None if raw.get("thousands") is None else str(raw["thousands"]),
            percent=bool(raw.get("percent", False)),
            unit=None if raw.get("unit") is None else str(raw["unit"]),
        )
    except SchemaError as exc:
        raise _err(spec, line, f"{what}: {exc}") from None


def read_spec(path: str | Path, onto: Ontology) -> LoaderSpec:
    """Parse a YAML spec and check it against the ontology; errors name the spec line."""
    spec_path = Path(path)
    try:
        doc = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except OSError as exc:
        raise LoaderError(f"cannot read spec: {exc.strerror}", file=str(spec_path)) from None
    except RecursionError:
        raise LoaderError("the spec is nested too deeply", file=str(spec_path)) from None
    except UnicodeDecodeError as exc:
        raise LoaderError(f"the spec is not UTF-8 text (byte {exc.start})", file=str(spec_path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoaderError(f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(spec_path), line=mark.line + 1 if mark else None) from None
    if not isinstance(doc, LineDict):
        raise _err(spec_path, 1, "a loader spec must be a mapping")
    known = {"name", "title", "description", "licence", "license", "retrieved", "method", "confidence", "source", "sources", "nodes", "relationships", "homepage", "resolve", "publisher"}
    for k in doc:
        if k not in known:
            raise _err(spec_path, doc.line_of(k), f"unknown key {k!r}")
    if "name" not in doc:
        raise _err(spec_path, 1, "the spec needs a 'name'")
    base = spec_path.parent
    defaults: dict[str, Any] = {
        "method": str(doc.get("method", "loader")),
        "confidence": doc.get("confidence", 1.0),
        "source": str(doc.get("source", doc["name"])),
    }
    licence = doc.get("licence", doc.get("license"))
    if licence:
        defaults["licence"] = str(licence)
    if "publisher" in doc:
        defaults["publisher"] = str(doc["publisher"])
    if "retrieved" in doc:
        try:
            defaults["retrieved"] = coerce_value("date", doc["retrieved"])
        except SchemaError as exc:
            raise _err(spec_path, doc.line_of("retrieved"), f"retrieved: {exc}") from None
    spec = LoaderSpec(
        path=spec_path,
        name=str(doc["name"]),
        title=str(doc.get("title", doc["name"])),
        licence=str(doc.get("licence", doc.get("license", ""))),
        defaults=defaults,
    )
    if "sources" in doc:
        spec.sources = _read_sources(spec_path, base, doc["sources"], doc.line_of("sources"))
    if "resolve" in doc:
        spec.resolve = _read_resolve(spec_path, base, doc["resolve"], doc.line_of("resolve"))
    for kind in ("nodes", "relationships"):
        entries = doc.get(kind, [])
        if not isinstance(entries, list):
            raise _err(spec_path, doc.line_of(kind), f"'{kind}' must be a list")
        for entry in entries:
            if not isinstance(entry, LineDict):
                raise _err(spec_path, doc.line_of(kind), f"each entry of '{kind}' must be a mapping")
            m = _mapping(spec_path, base, kind, entry, onto)
            (spec.nodes if kind == "nodes" else spec.relationships).append(m)
    if not spec.nodes and not spec.relationships:
        raise _err(spec_path, 1, "the spec maps no nodes and no relationships")
    return spec


def _read_resolve(spec: Path, base: Path, raw: Any, line: int) -> dict[str, Any]:
    """Entity-resolution options: ``aliases`` (CSV of equal names), ``review`` threshold, ``off``."""
    if raw is False:
        return {"off": True}
    if not isinstance(raw, dict):
        raise _err(spec, line, "'resolve' must be a mapping (aliases, review, classes) or false")
    unknown = set(raw) - {"aliases", "review", "classes"}
    if unknown:
        raise _err(spec, line, f"resolve: unknown key(s) {sorted(unknown)}")
    out: dict[str, Any] = {}
    if "aliases" in raw:
        files = raw["aliases"] if isinstance(raw["aliases"], list) else [raw["aliases"]]
        paths = []
        for f in files:
            p = base / str(f)
            if not p.is_file():
                raise _err(spec, line, f"resolve: alias file {f!r} not found")
            paths.append(p)
        out["aliases"] = paths
    if "review" in raw:
        try:
            out["review"] = float(raw["review"])
        except (TypeError, ValueError):
            raise _err(spec, line, "resolve: 'review' must be a number between 0 and 1") from None
    if "classes" in raw:
        out["classes"] = [str(c) for c in raw["classes"]]
    return out


def _read_sources(spec: Path, base: Path, raw: Any, line: int) -> dict[str, dict[str, Any]]:
    from canal.load.readers import read_table

    if not isinstance(raw, LineDict) or "file" not in raw:
        raise _err(spec, line, "'sources' needs a 'file' (a table of source documents)")
    idcol = str(raw.get("id", "id"))
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise _err(spec, raw.line_of("columns"), "'columns' must map provenance keys to columns")
    for key in columns:
        if key not in PROVENANCE_KEYS:
            raise _err(spec, raw.line_of("columns"), f"{key!r} is not a provenance key ({', '.join(PROVENANCE_KEYS)})")
    from canal.load.readers import header

    out: dict[str, dict[str, Any]] = {}
    path = base / str(raw["file"])
    if not path.is_file():
        raise _err(spec, raw.line_of("file"), f"sources: no file {raw['file']!r}")
    cols = header(path, raw.get("format"), str(raw.get("encoding", "auto")))
    for key, col in (("id", idcol), *((f"columns.{k}", str(c)) for k, c in columns.items())):
        if cols is not None and col not in cols:
            raise _missing_column(spec, raw.line_of("columns" if key != "id" else "id"), f"sources {key}", col, path, cols)
    for _row, rec in read_table(path, raw.get("format"), str(raw.get("encoding", "auto"))):
        sid = str(rec.get(idcol) or "")
        if sid:
            out[sid] = {k: rec.get(c) for k, c in columns.items() if rec.get(c) not in (None, "")}
    return out


def _check_constant_node(spec: Path, entry: LineDict) -> None:
    """A node mapping without a file declares one fixed node: id, class and every value are constants."""
    for key in ("format", "encoding", "reader", "records", "sheet", "explode", "where", "hierarchy"):
        if key in entry:
            raise _err(spec, entry.line_of(key), f"{key!r} needs a 'file' (a node mapping without a file declares one fixed node)")
    values = [("id", entry.get("id"), entry.line_of("id")), ("class", entry.get("class"), entry.line_of("class"))]
    for group in ("properties", "provenance"):
        raw = entry.get(group)
        if isinstance(raw, LineDict):
            values += [(k, v, raw.line_of(k)) for k, v in raw.items()]
    for what, raw, line in values:
        if raw is not None and not (isinstance(raw, (int, float, bool)) or (isinstance(raw, dict) and "value" in raw)):
            raise _err(spec, line, f"{what}: a node mapping without a 'file' declares one fixed node, so every value must be a constant ({{value: ...}})")


def _mapping(spec: Path, base: Path, kind: str, entry: LineDict, onto: Ontology) -> Mapping_:
    fixed = ("id", "class") if kind == "nodes" else ("type", "source", "target", "key")
    allowed = {"file", "format", "encoding", "properties", "provenance", "reader", "records", "sheet", "explode", "where", "short_rows", *fixed}
    allowed |= {"hierarchy", "repeats"} if kind == "nodes" else {"missing", "missing_class", "undirected"}
    for k in entry:
        if k not in allowed:
            raise _err(spec, entry.line_of(k), f"unknown key {k!r} in a {kind} mapping")
    pattern, files = _mapping_files(spec, base, kind, entry)
    values = _mapping_values(spec, kind, fixed, entry, onto)
    raw_props = entry.get("properties") or LineDict()
    props = _mapping_properties(spec, kind, entry, raw_props, values, onto)
    raw_prov = entry.get("provenance") or LineDict()
    prov = _mapping_provenance(spec, entry, raw_prov)
    fmt = CONSTANT if "file" not in entry else entry.get("format")
    m = Mapping_(kind, files, pattern, fmt, str(entry.get("encoding", "auto")), values, props, prov, entry.line)
    m.lines = {k: entry.line_of(k) for k in (*fixed, "where")}
    m.lines.update({f"properties.{k}": raw_props.line_of(k) for k in props})
    m.lines.update({f"provenance.{k}": raw_prov.line_of(k) for k in prov})
    _mapping_options(spec, entry, onto, m)
    m.undirected = bool(entry.get("undirected", False))
    return m


def _mapping_files(spec: Path, base: Path, kind: str, entry: LineDict) -> tuple[str, list[Path]]:
    """The ``file`` pattern of a mapping and the files it matches (constant nodes, without a file: no pattern, the spec itself)."""
    if "file" in entry:
        try:
            pattern = expand_vars(str(entry["file"]))
        except LoaderError as exc:
            raise _err(spec, entry.line_of("file"), exc.message) from None
        files = sorted(Path(p) for p in glob.glob(str(base / pattern)))
        if not files:
            raise _err(spec, entry.line_of("file"), f"no file matches {pattern!r}")
    elif kind == "nodes":
        _check_constant_node(spec, entry)
        pattern, files = "", [spec]
    else:
        raise _err(spec, entry.line, f"a {kind} mapping needs a 'file'")
    return pattern, files


def _mapping_values(spec: Path, kind: str, fixed: tuple[str, ...], entry: LineDict, onto: Ontology) -> dict[str, Value]:
    """The fixed values of a mapping (id and class, or type, source, target and key); constant
    classes and types, and those a ``map`` gives, are checked against the ontology."""
    values: dict[str, Value] = {}
    for k in fixed:
        if k in entry:
            values[k] = _value(spec, entry[k], entry.line_of(k), k)
        elif k != "key":
            raise _err(spec, entry.line, f"a {kind} mapping needs {k!r}")
    # constants are checked against the ontology now
    if kind == "nodes" and values["class"].column is None and values["class"].template is None and values["class"].map is None:
        try:
            onto.cls(str(values["class"].constant))
        except SchemaError as exc:
            raise _err(spec, entry.line_of("class"), str(exc)) from None
    for v in (values.get("class"), values.get("type")):
        for target in (v.map or {}).values() if v is not None else ():
            try:
                onto.cls(str(target)) if kind == "nodes" else onto.relation(str(target))
            except SchemaError as exc:
                raise _err(spec, entry.line_of("class" if kind == "nodes" else "type"), str(exc)) from None
    if kind == "relationships" and values["type"].column is None and values["type"].template is None and values["type"].map is None:
        try:
            onto.relation(str(values["type"].constant))
        except SchemaError as exc:
            raise _err(spec, entry.line_of("type"), str(exc)) from None
    return values


def _mapping_properties(spec: Path, kind: str, entry: LineDict, raw_props: Any, values: dict[str, Value], onto: Ontology) -> dict[str, Value]:
    """The ``properties`` of a mapping, each checked against the ontology (and the constant class)."""
    props: dict[str, Value] = {}
    if not isinstance(raw_props, LineDict):
        raise _err(spec, entry.line_of("properties"), "'properties' must be a mapping")
    for key, raw in raw_props.items():
        line = raw_props.line_of(key)
        try:
            onto.prop(key)
            if kind == "relationships" and not onto.relationship_property_allowed(key):
                raise SchemaError(f"{key!r} is a node property and cannot go on a relationship")
            if kind == "nodes" and values["class"].constant is not None and not onto.node_property_allowed(key, str(values["class"].constant)):
                raise SchemaError(f"{key!r} does not apply to class {values['class'].constant}")
        except SchemaError as exc:
            raise _err(spec, line, str(exc)) from None
        props[key] = _value(spec, raw, line, key)
    return props


def _mapping_provenance(spec: Path, entry: LineDict, raw_prov: Any) -> dict[str, Value]:
    """The ``provenance`` of a mapping (only the known provenance keys)."""
    prov: dict[str, Value] = {}
    if not isinstance(raw_prov, LineDict):
        raise _err(spec, entry.line_of("provenance"), "'provenance' must be a mapping")
    for key, raw in raw_prov.items():
        if key not in PROVENANCE_KEYS:
            raise _err(spec, raw_prov.line_of(key), f"{key!r} is not a provenance key ({', '.join(PROVENANCE_KEYS)})")
        prov[key] = _value(spec, raw, raw_prov.line_of(key), key)
    return prov


def _mapping_options(spec: Path, entry: LineDict, onto: Ontology, m: Mapping_) -> None:
    """Set the optional keys of a mapping on ``m``: short_rows, repeats, reader, records, sheet,
    explode, where, hierarchy and missing (checked in that order)."""
    if "short_rows" in entry:
        if entry["short_rows"] not in ("allow", "error"):
            raise _err(spec, entry.line_of("short_rows"), "'short_rows' is 'allow' (missing cells are empty) or 'error' (the default)")
        m.short_rows = entry["short_rows"] == "allow"
    if "repeats" in entry:
        if entry["repeats"] not in ("error", "first"):
            raise _err(spec, entry.line_of("repeats"), "'repeats' is 'error' (the default: an id repeated with other values is a bad row) or 'first' (the first row's values stand)")
        m.repeats = str(entry["repeats"])
    from canal.load.transforms import READERS

    if "reader" in entry:
        if str(entry["reader"]) not in READERS:
            raise _err(spec, entry.line_of("reader"), f"unknown reader {entry['reader']!r} (known: {', '.join(sorted(READERS))})")
        m.reader = str(entry["reader"])
    m.records = str(entry["records"]) if "records" in entry else None
    m.sheet = str(entry["sheet"]) if "sheet" in entry else None
    m.explode = str(entry["explode"]) if "explode" in entry else None
    if "where" in entry:
        if not isinstance(entry["where"], dict):
            raise _err(spec, entry.line_of("where"), "'where' must map columns to values")
        m.where = dict(entry["where"])
    if "hierarchy" in entry:
        h = entry["hierarchy"]
        if not isinstance(h, dict) or "separator" not in h:
            raise _err(spec, entry.line_of("hierarchy"), "'hierarchy' needs a 'separator' (and optionally 'link')")
        if h.get("link") is not None:
            try:
                onto.relation(str(h["link"]))
            except SchemaError as exc:
                raise _err(spec, entry.line_of("hierarchy"), str(exc)) from None
        m.hierarchy = {"separator": str(h["separator"]), "link": h.get("link")}
    if "missing" in entry:
        if entry["missing"] not in ("error", "report", "create"):
            raise _err(spec, entry.line_of("missing"), "'missing' is one of error, report, create")
        m.missing = str(entry["missing"])
        if m.missing == "create":
            if "missing_class" not in entry:
                raise _err(spec, entry.line_of("missing"), "missing: create needs 'missing_class'")
            try:
                onto.cls(str(entry["missing_class"]))
            except SchemaError as exc:
                raise _err(spec, entry.line_of("missing_class"), str(exc)) from None
            m.missing_class = str(entry["missing_class"])
