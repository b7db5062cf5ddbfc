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
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from canal.errors import ConfigError, LoaderError
from canal.loadlog import migrate, recording
from canal.model import Node, Origin, Relationship, validate_node, validate_relationship
from canal.ontology import Ontology, load_ontology
from canal.rdf import from_rdf, parse_file, refuse_xml_dtd, serialize, to_rdf
from canal.store.base import GraphStore

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "csv_tables",
    "export_graph",
    "import_graph",
    "import_rdf",
    "read_graph_file",
    "records_from_networkx",
    "to_gexf",
    "to_graphml",
    "write_csv",
]

EXPORT_FORMATS = ("ttl", "jsonld", "graphml", "gexf", "csv")
"""Formats :func:`export_graph` (and ``canal export``) write; ``csv`` is a pair of files."""

IMPORT_FORMATS = ("ttl", "jsonld", "nt", "graphml", "gexf", "csv")
"""Formats :func:`import_graph` (and ``canal import``) read; ``csv`` is a folder with ``nodes.csv`` and ``edges.csv``."""

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


def _flat(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return LIST_SEP.join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    return value


def _flat_attrs(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _flat(v) for k, v in d.items() if v is not None}


def to_graphml(G: nx.MultiDiGraph) -> str:
    """GraphML text: scalars as typed keys, lists ``|``-joined, parallel edges keyed by id."""
    H: nx.MultiDiGraph = nx.MultiDiGraph()
    for n, d in G.nodes(data=True):
        H.add_node(n, **_flat_attrs(d))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **_flat_attrs(d))
    buf = io.BytesIO()
    nx.write_graphml(H, buf, edge_id_from_attribute=None)
    return buf.getvalue().decode("utf-8")


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
    w = csv.writer(nbuf, lineterminator="\n")
    w.writerow(["id", "class", "chain", "stage", "name", *node_keys])
    for n, d in sorted(G.nodes(data=True), key=lambda x: str(x[0])):
        cls = str(d.get("cls", ""))
        known = cls in onto.classes
        w.writerow([n, cls, onto.chain_of(cls) if known else "", onto.stage_of(cls) if known else "", d.get("name", ""), *[_cell(d.get(k)) for k in node_keys]])
    edge_keys = sorted({k for *_, d in G.edges(keys=True, data=True) for k in d} - {"type", "rel"})
    ebuf = io.StringIO()
    w = csv.writer(ebuf, lineterminator="\n")
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
    npath.write_text(nodes, encoding="utf-8-sig")
    epath.write_text(edges, encoding="utf-8-sig")
    return npath, epath


def export_graph(G: nx.MultiDiGraph, fmt: str, *, ontology: Ontology | None = None) -> str:
    """Serialise a canal networkx graph as ``ttl``, ``jsonld``, ``graphml`` or ``gexf`` text."""
    if fmt in ("ttl", "jsonld"):
        return serialize(to_rdf(G, ontology), fmt)
    if fmt == "graphml":
        return to_graphml(G)
    if fmt == "gexf":
        return to_gexf(G, ontology=ontology)
    if fmt == "csv":
        raise ConfigError("csv export writes two files: use write_csv(G, folder) (CLI: canal export --format csv -o FOLDER)")
    raise ConfigError(f"unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})")


# -- import -----------------------------------------------------------------------


def _split(onto: Ontology, key: str, value: Any) -> Any:
    info = onto.properties.get(key)
    if isinstance(value, str) and info is not None and not info.functional:
        return [x for x in value.split(LIST_SEP) if x != ""]
    return value


def _key_of(rid: str, source: str, rtype: str, target: str) -> str:
    base = f"{source}-{rtype}->{target}"
    if rid.startswith(base + "#"):
        return rid[len(base) + 1 :]
    return ""


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
        key = _key_of(rid, str(u), info.type, str(v))
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


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt and fmt != "auto":
        if fmt not in IMPORT_FORMATS:
            raise ConfigError(f"cannot import {fmt!r} (use {', '.join(IMPORT_FORMATS)})")
        return fmt
    if path.is_dir():
        return "csv"
    ext = path.suffix.lower().lstrip(".")
    aliases = {"turtle": "ttl", "json": "jsonld", "json-ld": "jsonld", "xml": "graphml"}
    ext = aliases.get(ext, ext)
    if ext not in IMPORT_FORMATS:
        raise ConfigError(f"cannot tell the format of {path.name} (name it .ttl, .jsonld, .nt, .graphml or .gexf, give a folder of nodes.csv and edges.csv, or pass a format)")
    return ext


def read_graph_file(path: str | Path, ontology: Ontology | None = None, *, fmt: str | None = None, skip_bad: bool = False) -> tuple[list[Node], list[Relationship]]:
    """Validated records from an RDF, GraphML or GEXF file; nothing is written anywhere.

    ``skip_bad``: RDF subjects of classes canal does not know are left out instead of
    stopping the import."""
    p = Path(path)
    onto = ontology or load_ontology()
    kind = _format_of(p, fmt)
    if kind in ("ttl", "jsonld", "nt"):
        return from_rdf(parse_file(p), onto, source=str(p), skip_bad=skip_bad)
    if kind == "csv":
        return records_from_networkx(graph_from_csv(p), onto, source=str(p))
    refuse_xml_dtd(p)
    try:
        H = nx.read_graphml(p, force_multigraph=True) if kind == "graphml" else nx.read_gexf(p)
    except Exception as exc:  # malformed XML and the like
        raise LoaderError(f"cannot read {kind}: {type(exc).__name__}: {exc}", file=str(p)) from None
    return records_from_networkx(H, onto, source=str(p))


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
