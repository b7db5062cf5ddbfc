"""Whole graphs in and out: RDF (Turtle, JSON-LD), GraphML, GEXF and CSV node/edge lists.

Every exporter takes the networkx graph of :meth:`GraphStore.to_networkx` (a
``MultiDiGraph``: node attributes ``cls``, ``labels`` and properties; edges keyed by their
stable id with ``type``, ``rel`` and properties). Parallel relationships stay separate edges
with their own ids, and list-valued properties (``aliases``, ``field``) are written as
``|``-joined text, which the importers split again for the ontology's multi-valued keys.

- **GEXF 1.3** for Gephi and Gephi Lite: node label = name, ``chain`` and ``stage`` columns
  for partitioning, ``viz`` colour per chain and size by degree; each edge carries
  ``kind`` = relationship type, so Gephi keeps parallel edges of different types apart.
- **GraphML** for yEd, Cytoscape, Gephi and networkx; imported back by :func:`import_graph`.
- **CSV**: ``nodes.csv`` (id, class, chain, stage, name, properties) and ``edges.csv`` (id,
  source_id, type, target_id, properties; ``source`` is the provenance column) for spreadsheets.
- **RDF** under the ontology (:mod:`canal.rdf`).

The formats are a table of writers and readers (:func:`register_format`): :func:`export_graph`,
:func:`import_graph` and ``canal export`` / ``canal import --format`` read it, so a new format is
one module that registers its writer and reader.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("dicp", cls="ResearchInstitute", labels=["Entity"], name="DICP", aliases=["DICP", "大连化物所"])
>>> G.add_node("dmto", cls="Technology", labels=["Entity"], name="DMTO")
>>> _ = G.add_edge("dicp", "dmto", key="dicp-DEVELOPS->dmto", type="DEVELOPS", rel="develops")
>>> nodes, rels = records_from_networkx(nx.read_gexf(io.BytesIO(to_gexf(G).encode())))
>>> nodes[0].id, nodes[0].cls, nodes[0].props["aliases"]
('dicp', 'ResearchInstitute', ['DICP', '大连化物所'])
>>> rels[0].rid
'dicp-DEVELOPS->dmto'
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from xml.etree import ElementTree as ET

import networkx as nx

from canal.errors import ConfigError, LoaderError
from canal.loadlog import migrate, recording
from canal.model import Node, Origin, Relationship, key_of_rid, validate_node, validate_relationship
from canal.ontology import Ontology, load_ontology
from canal.rdf import from_rdf, parse_file, refuse_xml_dtd, serialize, to_rdf
from canal.store.base import GraphStore, most_specific

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "GraphFormat",
    "Reader",
    "Records",
    "canonical",
    "canonical_diff",
    "csv_tables",
    "export_folder",
    "export_formats",
    "export_graph",
    "graph_format",
    "graph_from_records",
    "import_formats",
    "import_graph",
    "import_rdf",
    "read_graph_file",
    "read_neo4j_import",
    "records_from_networkx",
    "register_format",
    "split_list",
    "to_gexf",
    "to_graphml",
    "unregister_format",
    "write_csv",
]

LIST_SEP = "|"
"""Separator of list values in GraphML, GEXF and CSV cells."""

CHAIN_COLOURS = {
    "innovation": (31, 119, 180),
    "industrial": (255, 127, 14),
    "capital": (44, 160, 44),
    "bridge": (127, 127, 127),
}
"""Node colour per chain in GEXF (Gephi shows it as is)."""

_DERIVED_NODE_KEYS = {"cls", "labels", "chain", "stage", "label", "class", "viz", "pid", "start", "end"}
_DERIVED_EDGE_KEYS = {"type", "rel", "kind", "id", "label", "weight", "relationship"}
_GEXF_NS = "http://gexf.net/1.3"
_VIZ_NS = "http://gexf.net/1.3/viz"


def _list_item(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace(LIST_SEP, "\\" + LIST_SEP)


def _flat(value: Any) -> Any:
    r"""A value for one GraphML/GEXF/CSV cell: lists ``|``-joined, a ``|`` or ``\`` inside an item
    escaped with ``\`` (:func:`split_list` reads them back).

    >>> _flat(["a|b", "c\\d", "e"])
    'a\\|b|c\\\\d|e'
    """
    if isinstance(value, (list, tuple, set)):
        return LIST_SEP.join(_list_item(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    return value


def split_list(text: str) -> list[str]:
    r"""The items of a ``|``-joined cell (``\|`` is a ``|`` inside an item, ``\\`` a backslash;
    a backslash before anything else stays as written); empty items are dropped.

    >>> split_list("a\\|b|c\\\\d|e||"), split_list("plain|text")
    (['a|b', 'c\\d', 'e'], ['plain', 'text'])
    """
    items: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in (LIST_SEP, "\\"):
            cur.append(text[i + 1])
            i += 2
            continue
        if ch == LIST_SEP:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    items.append("".join(cur))
    return [x for x in items if x != ""]


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _check_xml_text(G: nx.MultiDiGraph, fmt: str) -> None:
    """Refuse text that XML 1.0 cannot hold (most control characters) instead of writing a file no reader opens."""

    def bad(value: Any) -> str | None:
        for v in value if isinstance(value, (list, tuple, set)) else [value]:
            m = _NOT_IN_XML.search(str(v)) if isinstance(v, str) else None
            if m:
                return f"U+{ord(m.group()):04X}"
        return None

    for n, d in G.nodes(data=True):
        for k, v in [("id", n), *d.items()]:
            ch = bad(v)
            if ch:
                raise ConfigError(f"node {str(n)[:80]!r}: {k} holds the control character {ch}, which {fmt} (XML 1.0) cannot carry; export as ttl, jsonld or csv")
    for _u, _v, k, d in G.edges(keys=True, data=True):
        for a, b in [("id", k), *d.items()]:
            ch = bad(b)
            if ch:
                raise ConfigError(f"relationship {str(k)[:80]!r}: {a} holds the control character {ch}, which {fmt} (XML 1.0) cannot carry; export as ttl, jsonld or csv")


def _flat_attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _flat(v) for k, v in d.items() if v is not None}


def to_graphml(G: nx.MultiDiGraph) -> str:
    """GraphML text: scalars as typed keys, lists ``|``-joined, parallel edges keyed by id."""
    _check_xml_text(G, "GraphML")
    H: nx.MultiDiGraph = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        H.add_node(n, **_flat_attrs(d))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **_flat_attrs(d))
    buf = io.BytesIO()
    nx.write_graphml(H, buf, edge_id_from_attribute=None)
    # a raw carriage return inside text would be read back as a line feed (XML line-end
    # normalisation); the writer puts none in the markup, so each one is content
    return buf.getvalue().decode("utf-8").replace("\r", "&#13;")


def _gexf_type(values: Iterable[Any]) -> str:
    vals = list(values)
    if vals and all(isinstance(v, bool) for v in vals):
        return "boolean"
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "long"
    if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return "double"
    return "string"


def _gexf_value(value: Any, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return str(value)


def _attribute_block(parent: ET.Element, klass: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    keys = sorted({k for r in rows for k in r})
    types = {k: _gexf_type(r[k] for r in rows if k in r) for k in keys}
    block = ET.SubElement(parent, "attributes", {"class": klass, "mode": "static"})
    for k in keys:
        ET.SubElement(block, "attribute", {"id": k, "title": k, "type": types[k]})
    return types


def _attvalues(parent: ET.Element, row: dict[str, Any], types: dict[str, str]) -> None:
    if not row:
        return
    box = ET.SubElement(parent, "attvalues")
    for k in sorted(row):
        ET.SubElement(box, "attvalue", {"for": k, "value": _gexf_value(row[k], types[k])})


def to_gexf(G: nx.MultiDiGraph, *, ontology: Ontology | None = None, title: str = "canal graph") -> str:
    """GEXF 1.3 text for Gephi / Gephi Lite (see the module docstring for what it holds)."""
    onto = ontology or load_ontology()
    _check_xml_text(G, "GEXF")
    ET.register_namespace("", _GEXF_NS)
    ET.register_namespace("viz", _VIZ_NS)
    node_rows: dict[Any, dict[str, Any]] = {}
    for n, d in G.nodes(data=True):
        row = {k: _flat(v) for k, v in d.items() if v is not None and k not in ("label",)}
        cls = str(d.get("cls", ""))
        if cls in onto.classes:
            row["chain"] = onto.chain_of(cls) or ""
            row["stage"] = onto.stage_of(cls) or ""
        node_rows[n] = row
    edge_rows: list[tuple[Any, Any, Any, dict[str, Any]]] = []
    for u, v, k, d in G.edges(keys=True, data=True):
        row = {a: _flat(b) for a, b in d.items() if b is not None and a not in ("id", "label", "weight")}
        edge_rows.append((u, v, k, row))

    root = ET.Element(f"{{{_GEXF_NS}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": date.today().isoformat()})
    ET.SubElement(meta, "creator").text = "canal"
    ET.SubElement(meta, "description").text = title
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    ntypes = _attribute_block(graph, "node", list(node_rows.values()))
    etypes = _attribute_block(graph, "edge", [r for *_, r in edge_rows])
    nodes = ET.SubElement(graph, "nodes")
    for n in sorted(node_rows, key=str):
        row = node_rows[n]
        el = ET.SubElement(nodes, "node", {"id": str(n), "label": str(row.get("name", n))})
        _attvalues(el, row, ntypes)
        r, g, b = CHAIN_COLOURS.get(str(row.get("chain")), CHAIN_COLOURS["bridge"])
        ET.SubElement(el, f"{{{_VIZ_NS}}}color", {"r": str(r), "g": str(g), "b": str(b)})
        ET.SubElement(el, f"{{{_VIZ_NS}}}size", {"value": f"{4 + 2 * math.sqrt(G.degree(n)):.2f}"})
    edges = ET.SubElement(graph, "edges")
    for u, v, k, row in sorted(edge_rows, key=lambda e: str(e[2])):
        kind = str(row.get("type", "")) or "RELATED"
        el = ET.SubElement(edges, "edge", {"id": str(k), "source": str(u), "target": str(v), "label": kind, "kind": kind})
        _attvalues(el, row, etypes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def csv_tables(G: nx.MultiDiGraph, *, ontology: Ontology | None = None) -> tuple[str, str]:
    """``(nodes.csv, edges.csv)`` texts: one row per node and per relationship (parallel ones too)."""
    onto = ontology or load_ontology()
    node_keys = sorted({k for _, d in G.nodes(data=True) for k in d} - {"cls", "labels", "name"})
    nbuf = io.StringIO()
    # RFC 4180 line ends: then every cell holding a line break (\n or \r) is quoted
    w = csv.writer(nbuf, lineterminator="\r\n")
    w.writerow(["id", "class", "chain", "stage", "name", *node_keys])
    for n, d in sorted(G.nodes(data=True), key=lambda x: str(x[0])):
        cls = str(d.get("cls", ""))
        known = cls in onto.classes
        w.writerow([n, cls, onto.chain_of(cls) if known else "", onto.stage_of(cls) if known else "", d.get("name", ""), *[_cell(d.get(k)) for k in node_keys]])
    edge_keys = sorted({k for *_, d in G.edges(keys=True, data=True) for k in d} - {"type", "rel"})
    ebuf = io.StringIO()
    w = csv.writer(ebuf, lineterminator="\r\n")
    w.writerow(["id", "source_id", "type", "target_id", *edge_keys])
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: str(e[2])):
        w.writerow([k, u, d.get("type", ""), v, *[_cell(d.get(a)) for a in edge_keys]])
    return nbuf.getvalue(), ebuf.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return _flat(value)


def write_csv(G: nx.MultiDiGraph, folder: str | Path, *, ontology: Ontology | None = None) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` (UTF-8 with BOM, so spreadsheets read Chinese) into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    nodes, edges = csv_tables(G, ontology=ontology)
    npath, epath = out / "nodes.csv", out / "edges.csv"
    npath.write_text(nodes, encoding="utf-8-sig", newline="")
    epath.write_text(edges, encoding="utf-8-sig", newline="")
    return npath, epath


# -- the table of formats ------------------------------------------------------------

Records = tuple[list[Node], list[Relationship]]
Writer = Callable[[nx.MultiDiGraph, Ontology | None], str]
"""``writer(G, ontology)``: the text of a networkx graph of :meth:`GraphStore.to_networkx`."""
FolderWriter = Callable[[nx.MultiDiGraph, Path, Ontology | None], tuple[Path, Path]]
"""``folder_writer(G, folder, ontology)`` writes files into ``folder``: returns the node and edge files."""


class Reader(Protocol):
    """``reader(path, ontology, **options)``: validated records of a file (or folder); writes nothing."""

    def __call__(self, path: Path, ontology: Ontology, **options: Any) -> Records: ...


@dataclass(frozen=True)
class GraphFormat:
    """One registered format: ``suffixes`` (lower case, with the dot) name its files on import,
    the first one in messages; ``folder`` says what a folder it reads holds ("" = none)."""

    name: str
    writer: Writer | None = None
    reader: Reader | None = None
    suffixes: tuple[str, ...] = ()
    folder_writer: FolderWriter | None = None
    folder: str = ""


_FORMATS: dict[str, GraphFormat] = {}


def register_format(
    name: str,
    *,
    writer: Writer | None = None,
    reader: Reader | None = None,
    suffixes: Iterable[str] = (),
    folder_writer: FolderWriter | None = None,
    folder: str = "",
) -> None:
    """Add a format to the table: a text ``writer`` and/or ``folder_writer`` for ``canal export``,
    a ``reader`` for ``canal import`` (files ending in ``suffixes``, or folders when ``folder``)."""
    sfx = tuple(x.lower() for x in suffixes)
    if name in _FORMATS or name == "auto":
        raise ConfigError(f"format {name!r} is already registered")
    if not (writer or reader or folder_writer):
        raise ConfigError(f"format {name!r} needs a writer or a reader")
    for other in _FORMATS.values():
        taken = sorted(set(sfx) & set(other.suffixes))
        if taken or (folder and other.folder):
            what = ", ".join(taken) if taken else "folders"
            raise ConfigError(f"format {name!r}: {what} already belong to format {other.name!r}")
    _FORMATS[name] = GraphFormat(name, writer, reader, sfx, folder_writer, folder)


def unregister_format(name: str) -> None:
    """Drop a format from the table (tests and plugins that registered one); unknown names are ignored."""
    _FORMATS.pop(name, None)


def graph_format(name: str) -> GraphFormat:
    """The registered format ``name``."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown format {name!r} (use {', '.join(_FORMATS)})") from None


def export_formats() -> list[str]:
    """Formats :func:`export_graph` / :func:`export_folder` (and ``canal export``) write, in table order."""
    return [f.name for f in _FORMATS.values() if f.writer or f.folder_writer]


def import_formats() -> list[str]:
    """Formats :func:`import_graph` (and ``canal import``) read, in table order."""
    return [f.name for f in _FORMATS.values() if f.reader]


def export_graph(G: nx.MultiDiGraph, fmt: str, *, ontology: Ontology | None = None) -> str:
    """Serialise a canal networkx graph as the text of ``fmt`` (``ttl``, ``jsonld``, ``graphml``, ``gexf``...)."""
    f = _FORMATS.get(fmt)
    if f is None or fmt not in export_formats():
        raise ConfigError(f"unknown export format {fmt!r} (use {', '.join(export_formats())})")
    if f.writer is None:
        raise ConfigError(f"{fmt} export writes files into a folder: use export_folder(G, {fmt!r}, folder) (CLI: canal export --format {fmt} -o FOLDER)")
    return f.writer(G, ontology)


def export_folder(G: nx.MultiDiGraph, fmt: str, folder: str | Path, *, ontology: Ontology | None = None) -> tuple[Path, Path]:
    """Write ``G`` into ``folder`` in a folder format (``csv``); returns the node and edge files."""
    f = _FORMATS.get(fmt)
    if f is None or f.folder_writer is None:
        raise ConfigError(f"{fmt!r} is not a folder format (use {', '.join(x.name for x in _FORMATS.values() if x.folder_writer)})")
    return f.folder_writer(G, Path(folder), ontology)


# -- import -----------------------------------------------------------------------


def _split(onto: Ontology, key: str, value: Any) -> Any:
    info = onto.properties.get(key)
    if isinstance(value, str) and info is not None and not info.functional:
        return split_list(value)
    return value


def records_from_networkx(
    H: nx.Graph, ontology: Ontology | None = None, *, source: str = "graph", default_class: str | None = None
) -> tuple[list[Node], list[Relationship]]:
    """Validated records from a graph read from GraphML or GEXF (as canal writes them).

    A node needs a ``cls`` attribute (or ``default_class``); an edge needs ``type`` (the
    Cypher type) or ``rel``; a node without any attribute is a reference to a node already in
    the store (the importers check that it is there). Keys that canal derives (``labels``, ``chain``, ``stage``...) are
    dropped; ``|``-joined text is split for multi-valued properties. Unknown classes,
    relationship types or properties raise :class:`LoaderError` naming the node or edge.
    """
    onto = ontology or load_ontology()
    nodes: list[Node] = []
    classes: dict[str, str] = {}
    for n, d in H.nodes(data=True):
        nid = str(n)
        if not d:
            continue  # a bare endpoint: a node the store already holds (checked before writing)
        cls = d.get("cls") or d.get("class") or default_class
        if not cls:
            raise LoaderError(f"node {nid!r} has no 'cls' attribute (its canal class)", file=source, field="cls")
        props = {k: _split(onto, k, v) for k, v in d.items() if k not in _DERIVED_NODE_KEYS}
        node = validate_node(onto, Node(nid, str(cls), props, Origin(f"{source} (node {nid})")))
        classes[nid] = node.cls
        nodes.append(node)
    rels: list[Relationship] = []
    edges = H.edges(keys=True, data=True) if H.is_multigraph() else ((u, v, d.get("id", ""), d) for u, v, d in H.edges(data=True))
    for u, v, k, d in edges:
        rtype = d.get("type") or d.get("relationship") or d.get("kind") or d.get("rel")
        if not rtype:
            raise LoaderError(f"edge {u!r} -> {v!r} has no 'type' attribute", file=source, field="type")
        info = onto.relation(str(rtype)) if str(rtype) in onto.relationship_types or str(rtype) in onto.relations else None
        if info is None:
            raise LoaderError(f"edge {u!r} -> {v!r}: unknown relationship type {rtype!r}", file=source, field="type")
        rid = str(d.get("id") or k or "")
        key = key_of_rid(rid, str(u), info.type, str(v))
        props = {a: _split(onto, a, b) for a, b in d.items() if a not in _DERIVED_EDGE_KEYS}
        rel = validate_relationship(onto, Relationship(info.name, str(u), str(v), key, props, Origin(f"{source} (edge {rid})")))
        if not onto.allows(rel.type, classes.get(rel.source, ""), classes.get(rel.target, "")) and rel.source in classes and rel.target in classes:
            raise LoaderError(
                f"edge {rid}: {classes[rel.source]} -[{info.type}]-> {classes[rel.target]} is not allowed by the ontology",
                file=source,
                field="type",
            )
        rels.append(rel)
    nodes.sort(key=lambda x: x.id)
    rels.sort(key=lambda r: r.rid)
    return nodes, rels


def _csv_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise LoaderError(f"{path.name} is missing", file=str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise LoaderError(f"lacks the column(s) {', '.join(missing)}", file=str(path), row=1)
            return [dict(r) for r in reader]
    except UnicodeDecodeError as exc:
        raise LoaderError(f"not UTF-8 text (byte {exc.start}; tried UTF-8 with and without BOM): save the file as UTF-8 CSV", file=str(path)) from None
    except csv.Error as exc:
        raise LoaderError(f"not a readable CSV file: {exc}", file=str(path)) from None


def graph_from_csv(path: str | Path) -> nx.MultiDiGraph:
    """The graph of a ``nodes.csv`` / ``edges.csv`` pair as :func:`write_csv` writes them.

    ``path`` is their folder, or either file (the other one is looked for beside it). Empty
    cells are absent values; ``chain`` and ``stage`` are derived and ignored; cells stay text
    (the importer converts them to the ontology's types). Edited in a spreadsheet and saved
    as CSV (UTF-8), the files import back with ``canal import FOLDER``.
    """
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    G: nx.MultiDiGraph = nx.MultiDiGraph()
    nodes_file = folder / "nodes.csv"
    for row in _csv_rows(nodes_file, ("id", "class")):
        nid = row.pop("id")
        attrs = {k: v for k, v in row.items() if k and v not in (None, "") and k not in ("chain", "stage")}
        attrs["cls"] = attrs.pop("class", "")
        G.add_node(nid, **attrs)
    for i, row in enumerate(_csv_rows(folder / "edges.csv", ("id", "source_id", "type", "target_id")), start=2):
        u, v = row.pop("source_id"), row.pop("target_id")
        for end in (u, v):
            if end not in G:
                G.add_node(end)  # an endpoint in the store, not in nodes.csv: checked on import
        key = row.pop("id") or f"{u}-{row.get('type', '')}->{v}#row{i}"
        G.add_edge(u, v, key=key, id=key, **{k: val for k, val in row.items() if k and val not in (None, "")})
    return G


def _format_of(path: Path, fmt: str | None) -> GraphFormat:
    readable = {f.name: f for f in _FORMATS.values() if f.reader}
    if fmt and fmt != "auto":
        if fmt not in readable:
            raise ConfigError(f"cannot import {fmt!r} (use {', '.join(readable)})")
        return readable[fmt]
    found = [f for f in readable.values() if (f.folder if path.is_dir() else path.suffix.lower() in f.suffixes)]
    if not found:
        names = [f.suffixes[0] for f in readable.values() if f.suffixes and not f.folder]
        folders = "".join(f", give {f.folder}" for f in readable.values() if f.folder)
        raise ConfigError(f"cannot tell the format of {path.name} (name it {', '.join(names[:-1])} or {names[-1]}{folders}, or pass a format)")
    return found[0]


def read_graph_file(path: str | Path, ontology: Ontology | None = None, *, fmt: str | None = None, skip_bad: bool = False) -> tuple[list[Node], list[Relationship]]:
    """Validated records from a file (or folder) of a readable format; nothing is written anywhere.

    ``skip_bad``: RDF subjects of classes canal does not know are left out instead of
    stopping the import (the option reaches every reader; the others ignore it)."""
    p = Path(path)
    reader = _format_of(p, fmt).reader
    assert reader is not None  # _format_of returns readable formats only
    return reader(p, ontology or load_ontology(), skip_bad=skip_bad)


def _read_rdf(path: Path, ontology: Ontology, *, skip_bad: bool = False, **_: Any) -> Records:
    return from_rdf(parse_file(path), ontology, source=str(path), skip_bad=skip_bad)


def _read_csv(path: Path, ontology: Ontology, **_: Any) -> Records:
    return records_from_networkx(graph_from_csv(path), ontology, source=str(path))


def _read_graphml(path: Path, ontology: Ontology, **_: Any) -> Records:
    return _read_xml(path, ontology, "graphml")


def _read_gexf(path: Path, ontology: Ontology, **_: Any) -> Records:
    return _read_xml(path, ontology, "gexf")


def _read_xml(path: Path, ontology: Ontology, kind: str) -> Records:
    refuse_xml_dtd(path)
    try:
        H = nx.read_graphml(path, force_multigraph=True) if kind == "graphml" else nx.read_gexf(path)
    except Exception as exc:  # malformed XML and the like
        raise LoaderError(f"cannot read {kind}: {type(exc).__name__}: {exc}", file=str(path)) from None
    return records_from_networkx(H, ontology, source=str(path))


def _write(store: GraphStore, nodes: list[Node], rels: list[Relationship], source: str) -> tuple[int, int]:
    known = {n.id for n in nodes}
    missing = sorted({x for r in rels for x in (r.source, r.target)} - known)
    if missing:
        found = store.existing(missing)
        absent = [m for m in missing if m not in found]
        if absent:
            raise LoaderError(f"relationships point at {len(absent)} node(s) neither in the file nor in the store, e.g. {absent[:3]}", file=source)
    store.ensure_indexes()
    return store.upsert_nodes(nodes), store.upsert_relationships(rels)


def import_graph(store: GraphStore, path: str | Path, *, fmt: str | None = None, skip_bad: bool = False) -> tuple[int, int]:
    """Validate a whole file (RDF, GraphML or GEXF), then upsert it; returns (nodes, relationships).

    Resumable: every write is an upsert by id, so running the same import again after a
    kill or Ctrl-C at any moment ends in the graph one clean import gives. The import is
    recorded in the load log (``import:<file name>``, mode ``import``).
    """
    migrate(store)
    with recording(store, f"import:{Path(path).name}", str(path), mode="import") as run:
        nodes, rels = read_graph_file(path, store.ontology, fmt=fmt, skip_bad=skip_bad)
        n, r = _write(store, nodes, rels, str(path))
        run.finish("done", nodes=n, relationships=r)
    return n, r


def import_rdf(store: GraphStore, path: str | Path, **_: Any) -> tuple[int, int]:
    """Validate RDF instance data, then upsert it into ``store``; returns (nodes, relationships)."""
    nodes, rels = from_rdf(parse_file(path), store.ontology, source=str(path))
    store.ensure_indexes()
    n = store.upsert_nodes(nodes)
    r = store.upsert_relationships(rels)
    return n, r


# -- one canonical form, to compare the paths a graph can take ---------------------


def _canon_value(value: Any, functional: bool) -> Any:
    if isinstance(value, (list, tuple, set)):
        vals = [_canon_value(v, True) for v in value]
        return vals if functional else sorted(vals, key=lambda v: (type(v).__name__, str(v)))
    if isinstance(value, float):
        # FalkorDB stores doubles exactly but prints 15 significant digits
        return float(f"{value:.15g}")
    return value


def _canon_props(onto: Ontology, props: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k in sorted(props):
        v = props[k]
        if v is None or v == [] or v == "":
            continue
        info = onto.properties.get(k)
        out[k] = _canon_value(v, info.functional if info is not None else True)
    return out


def canonical(G: nx.MultiDiGraph, ontology: Ontology | None = None) -> dict[str, list[Any]]:
    """A graph in one canonical, sorted form, to compare two paths the same data took.

    ``{"nodes": [[id, class, labels, properties], ...], "relationships": [[id, source, type,
    target, properties], ...]}``, sorted by id; properties include provenance. The values of
    multi-valued properties are sorted (RDF keeps no order), floats are rounded to the 15
    significant digits FalkorDB returns, empty values are left out. ``G`` has the shape of
    :meth:`GraphStore.to_networkx` (see also :func:`graph_from_records`).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", cls="Enterprise", labels=["Entity", "Enterprise", "Organisation"], name="A", aliases=["z", "b"])
    >>> canonical(G)["nodes"]
    [['a', 'Enterprise', ['Enterprise', 'Entity', 'Organisation'], {'aliases': ['b', 'z'], 'name': 'A'}]]
    """
    onto = ontology or load_ontology()
    nodes: list[list[Any]] = []
    for n, d in G.nodes(data=True):
        props = {k: v for k, v in d.items() if k not in ("cls", "labels")}
        nodes.append([str(n), d.get("cls"), sorted(d.get("labels") or []), _canon_props(onto, props)])
    rels: list[list[Any]] = []
    for u, v, k, d in G.edges(keys=True, data=True):
        props = {a: b for a, b in d.items() if a not in ("type", "rel")}
        rtype = d.get("type") or ""
        rels.append([str(k), str(u), str(rtype), str(v), _canon_props(onto, props)])
    nodes.sort(key=lambda r: str(r[0]))
    rels.sort(key=lambda r: str(r[0]))
    return {"nodes": nodes, "relationships": rels}


def canonical_diff(a: dict[str, list[Any]], b: dict[str, list[Any]], *, limit: int = 10) -> list[str]:
    """What differs between two :func:`canonical` forms, one line per node or relationship (at most ``limit``)."""
    out: list[str] = []
    for part in ("nodes", "relationships"):
        left = {r[0]: r for r in a[part]}
        right = {r[0]: r for r in b[part]}
        for key in sorted(set(left) | set(right)):
            x, y = left.get(key), right.get(key)
            if x == y:
                continue
            if x is None or y is None:
                out.append(f"{part[:-1]} {key!r} only in the {'second' if x is None else 'first'}")
            else:
                fields = [f"{i}: {x[i]!r} != {y[i]!r}" for i in range(1, len(x) - 1) if x[i] != y[i]]
                px, py = x[-1], y[-1]
                fields += [f"{k}: {px.get(k)!r} != {py.get(k)!r}" for k in sorted(set(px) | set(py)) if px.get(k) != py.get(k)]
                out.append(f"{part[:-1]} {key!r}: " + "; ".join(f[:300] for f in fields))
            if len(out) >= limit:
                return out
    return out


def graph_from_records(nodes: Iterable[Node], rels: Iterable[Relationship], ontology: Ontology | None = None) -> nx.MultiDiGraph:
    """The networkx graph a store would give for these records (the shape of :meth:`GraphStore.to_networkx`)."""
    onto = ontology or load_ontology()
    G: nx.MultiDiGraph = nx.MultiDiGraph()
    for n in nodes:
        G.add_node(n.id, cls=n.cls, labels=sorted(onto.labels_for(n.cls)), **n.props)
    for r in rels:
        info = onto.relation(r.type)
        G.add_edge(r.source, r.target, key=r.rid, type=info.type, rel=info.name, **r.props)
    return G


_NEO4J_SCALARS: dict[str, Any] = {
    "string": str,
    "long": int,
    "int": int,
    "double": float,
    "float": float,
    "boolean": lambda t: {"true": True, "false": False}[t.lower()],
    "date": str,
    "datetime": str,
}


def read_neo4j_import(folder: str | Path, ontology: Ontology | None = None, *, array_delimiter: str = "\u241f") -> tuple[list[Node], list[Relationship]]:
    """Read ``neo4j-admin database import`` CSV files back as records, as neo4j-admin would.

    Node files (``id:ID``, ``:LABEL`` and typed ``key:type`` / ``key:type[]`` columns) and
    relationship files (``:START_ID``, ``:END_ID``, ``:TYPE``, ``id``, typed columns) are told
    apart by their header; an empty cell is an absent value, arrays are split on
    ``array_delimiter`` (canal writes U+241F, ``canal.bulk.NEO4J_ARRAY_DELIMITER``), labels on ``;``, and the class is the most specific label. It is how
    canal checks its own import files against the other loading paths; records are validated.
    """
    onto = ontology or load_ontology()
    nodes: list[Node] = []
    rels: list[Relationship] = []
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            cols: list[tuple[str, str, bool]] = []
            for h in header:
                name, _, kind = h.partition(":")
                cols.append((name, kind.removesuffix("[]").lower(), kind.endswith("[]")))
            for row_no, row in enumerate(reader, start=2):
                props: dict[str, Any] = {}
                lead: dict[str, str] = {}
                for (name, kind, many), cell in zip(cols, row, strict=True):
                    if name in ("", "id") and kind in ("id", "label", "start_id", "end_id", "type", ""):
                        lead[kind or name] = cell
                        continue
                    if cell == "":
                        continue
                    conv = _NEO4J_SCALARS.get(kind or "string")
                    if conv is None:
                        raise LoaderError(f"unknown neo4j-admin type {kind!r}", file=str(path), row=1, field=name)
                    props[name] = [conv(x) for x in cell.split(array_delimiter)] if many else conv(cell)
                origin = Origin(str(path), row_no)
                if "label" in lead:
                    nodes.append(validate_node(onto, Node(lead["id"], most_specific(onto, lead["label"].split(";")), props, origin)))
                else:
                    info = onto.relation(lead["type"])
                    rid = lead.get("id", "")
                    key = key_of_rid(rid, lead["start_id"], info.type, lead["end_id"])
                    rels.append(validate_relationship(onto, Relationship(info.name, lead["start_id"], lead["end_id"], key, props, origin)))
    return nodes, rels


# -- the built-in formats -------------------------------------------------------------


def _rdf_writer(fmt: str) -> Writer:
    return lambda G, ontology: serialize(to_rdf(G, ontology), fmt)


register_format("ttl", writer=_rdf_writer("ttl"), reader=_read_rdf, suffixes=(".ttl", ".turtle"))
register_format("jsonld", writer=_rdf_writer("jsonld"), reader=_read_rdf, suffixes=(".jsonld", ".json", ".json-ld"))
register_format("nt", reader=_read_rdf, suffixes=(".nt",))
register_format("graphml", writer=lambda G, ontology: to_graphml(G), reader=_read_graphml, suffixes=(".graphml", ".xml"))
register_format("gexf", writer=lambda G, ontology: to_gexf(G, ontology=ontology), reader=_read_gexf, suffixes=(".gexf",))
register_format(
    "csv",
    folder_writer=lambda G, folder, ontology: write_csv(G, folder, ontology=ontology),
    reader=_read_csv,
    suffixes=(".csv",),
    folder="a folder of nodes.csv and edges.csv",
)

EXPORT_FORMATS = tuple(export_formats())
"""The built-in formats :func:`export_graph` (and ``canal export``) write; ``csv`` is a pair of files
(:func:`export_formats` includes formats registered later)."""

IMPORT_FORMATS = tuple(import_formats())
"""The built-in formats :func:`import_graph` (and ``canal import``) read; ``csv`` is a folder with
``nodes.csv`` and ``edges.csv`` (:func:`import_formats` includes formats registered later)."""
