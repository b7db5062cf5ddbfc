"""RDF in and out under the ontology, and SHACL validation.

Each graph node becomes an IRI under ``https://w3id.org/canal/id/`` typed with its
class; each relationship becomes a direct triple *and* a ``canal:Link`` resource that
carries its key, properties and provenance. All IRIs are minted from stable ids, so an
export is deterministic and export -> import -> export is isomorphic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from canal.errors import LoaderError, SchemaError, ValidationError
from canal.model import Node, Origin, Relationship, key_of_rid, validate_node, validate_relationship
from canal.ontology import CANAL, ID, Ontology, load_ontology
from canal.resources import shapes_file

LINK_NS = str(ID) + "_link/"

_FORMATS = {"ttl": "turtle", "turtle": "turtle", "jsonld": "json-ld", "json-ld": "json-ld", "nt": "nt", "xml": "xml"}


def node_iri(node_id: str) -> URIRef:
    """The IRI of a graph node.

    >>> str(node_iri("cas holdings"))
    'https://w3id.org/canal/id/cas%20holdings'
    """
    return URIRef(str(ID) + quote(node_id, safe=""))


def link_iri(rid: str) -> URIRef:
    """The IRI of the Link resource of a relationship."""
    return URIRef(LINK_NS + quote(rid, safe=""))


def _literal(onto: Ontology, key: str, value: Any) -> Literal:
    info = onto.prop(key)
    if info.kind in ("string",):
        return Literal(str(value))
    if info.kind == "float":
        return Literal(Decimal(repr(float(value))), datatype=XSD.decimal) if info.datatype == XSD.decimal else Literal(float(value), datatype=info.datatype)
    return Literal(value, datatype=info.datatype)


def _add_props(g: Graph, onto: Ontology, subject: URIRef, props: dict[str, Any]) -> None:
    order: dict[str, list[Any]] = {}
    for key in sorted(props):
        if key not in onto.properties:
            continue  # technical keys (e.g. id) are not exported
        value = props[key]
        for v in value if isinstance(value, list) else [value]:
            if v is not None:
                g.add((subject, onto.properties[key].iri, _literal(onto, key, v)))
        if isinstance(value, list) and [str(x) for x in value] != sorted(str(x) for x in value):
            order[key] = [x for x in value if x is not None]
    if order:  # RDF keeps no order: say it, so an import gives the lists back as stored
        g.add((subject, CANAL.valueOrder, Literal(json.dumps(order, ensure_ascii=False, sort_keys=True, default=str))))


def _ordered(props: dict[str, Any], order_text: Any) -> None:
    """Put list values back in the order a ``canal:valueOrder`` literal gives (when it
    names the same values; an edited list keeps the sorted order)."""
    try:
        order = json.loads(str(order_text))
    except ValueError:
        return
    if not isinstance(order, dict):
        return
    for key, listed in order.items():
        have = props.get(key)
        if not isinstance(have, list) or not isinstance(listed, list):
            continue
        by_text: dict[str, list[Any]] = {}
        for v in have:
            by_text.setdefault(str(v), []).append(v)
        if sorted(by_text) != sorted({str(x) for x in listed}) or len(listed) != len(have):
            continue
        props[key] = [by_text[str(x)].pop(0) if by_text[str(x)] else x for x in listed]


def to_rdf(G: nx.MultiDiGraph, ontology: Ontology | None = None) -> Graph:
    """The RDF graph of a canal networkx graph (as :meth:`GraphStore.to_networkx` gives)."""
    onto = ontology or load_ontology()
    g = Graph()
    g.bind("canal", CANAL)
    g.bind("id", ID)
    for nid, data in G.nodes(data=True):
        s = node_iri(nid)
        g.add((s, RDF.type, onto.classes[data["cls"]].iri))
        _add_props(g, onto, s, {k: v for k, v in data.items() if k not in ("cls", "labels")})
    for u, v, key, data in G.edges(keys=True, data=True):
        rel = onto.relation(data["type"])
        g.add((node_iri(u), rel.iri, node_iri(v)))
        link = link_iri(str(key))
        g.add((link, RDF.type, CANAL.Link))
        g.add((link, CANAL.linkSource, node_iri(u)))
        g.add((link, CANAL.linkTarget, node_iri(v)))
        g.add((link, CANAL.linkType, rel.iri))
        rkey = key_of_rid(str(key), str(u), rel.type, str(v))
        g.add((link, CANAL.linkKey, Literal(rkey)))
        _add_props(g, onto, link, {k: val for k, val in data.items() if k not in ("type", "rel")})
    return g


def serialize(g: Graph, fmt: str = "ttl") -> str:
    """Serialise to Turtle or JSON-LD (or N-Triples / RDF-XML)."""
    try:
        rfmt = _FORMATS[fmt]
    except KeyError:
        raise SchemaError(f"unknown RDF format {fmt!r} (use ttl or jsonld)") from None
    if rfmt == "json-ld":
        return g.serialize(format="json-ld", context={"canal": str(CANAL), "id": str(ID)}, sort_keys=True)
    return g.serialize(format=rfmt)


def _id_of(iri: Any) -> str:
    text = str(iri)
    return unquote(text[len(str(ID)) :]) if text.startswith(str(ID)) else text


def _untyped_subjects(g: Graph, known: set[Any]) -> list[tuple[str, str]]:
    """Subjects with an ``rdf:type`` but no canal class: ``(subject, one of its types)``."""
    skip = (str(RDF), "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/shacl#")
    types: dict[Any, list[Any]] = {}
    for s, o in g.subject_objects(RDF.type):
        types.setdefault(s, []).append(o)
    out = []
    for s, ts in types.items():
        if any(t in known or t == CANAL.Link or str(t).startswith(skip) for t in ts):
            continue
        out.append((str(s), str(sorted(ts)[0])))
    return sorted(out)


def from_rdf(g: Graph, ontology: Ontology | None = None, *, source: str = "rdf", skip_bad: bool = False) -> tuple[list[Node], list[Relationship]]:
    """Read canal instance data from RDF into validated records.

    Nodes are the subjects typed with a canal graph-node class; relationships come from
    ``canal:Link`` resources, and from bare object-property triples without one. Subjects
    typed only with classes canal does not know are an error that counts them and names
    the first ones, unless ``skip_bad`` (then they are left out).
    """
    onto = ontology or load_ontology()
    by_iri = {c.iri: c.name for c in onto.classes.values() if c.graph_node and not c.abstract}
    prop_by_iri = {p.iri: p for p in onto.properties.values()}
    rel_by_iri = {r.iri: r for r in onto.relations.values()}

    def props_of(s: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p, o in g.predicate_objects(s):
            info = prop_by_iri.get(p)  # type: ignore[call-overload]
            if info is None or not isinstance(o, Literal) or info.name.startswith("link"):
                continue
            val = o.toPython()
            if isinstance(val, Decimal):
                val = float(val)
            elif hasattr(val, "isoformat"):
                val = val.isoformat()
            if info.functional:
                out[info.name] = val
            else:
                out.setdefault(info.name, []).append(val)
        for v in out.values():
            if isinstance(v, list):
                v.sort(key=str)
        order = g.value(s, CANAL.valueOrder)
        if order is not None:
            _ordered(out, order)
        return out

    unknown = _untyped_subjects(g, set(by_iri))
    if unknown and not skip_bad:
        examples = "; ".join(f"<{s}> a <{t}>" for s, t in unknown[:3])
        raise LoaderError(
            f"{len(unknown)} subject(s) have no canal class and would be dropped, e.g. {examples}; "
            "type them with a class of the canal ontology, or pass --skip-bad to import the rest",
            file=source,
        )
    nodes: list[Node] = []
    classes: dict[str, str] = {}
    for s, o in sorted(g.subject_objects(RDF.type)):
        cls = by_iri.get(o)  # type: ignore[call-overload]
        if cls is None:
            continue
        nid = _id_of(s)
        if nid in classes:
            # keep the most specific of several types
            if onto.is_a(cls, classes[nid]):
                classes[nid] = cls
            continue
        classes[nid] = cls
    for nid in sorted(classes):
        nodes.append(validate_node(onto, Node(nid, classes[nid], props_of(node_iri(nid) if not nid.startswith("http") else URIRef(nid)), Origin(source))))

    rels: list[Relationship] = []
    linked: set[tuple[str, str, str]] = set()
    for link in sorted(g.subjects(RDF.type, CANAL.Link), key=str):
        ls, lo, lt = g.value(link, CANAL.linkSource), g.value(link, CANAL.linkTarget), g.value(link, CANAL.linkType)
        if ls is None or lo is None or lt not in rel_by_iri:
            raise LoaderError(f"Link {link} lacks linkSource, linkTarget or a known linkType", file=source)
        rel = rel_by_iri[lt]  # type: ignore[index]
        key = g.value(link, CANAL.linkKey)
        rels.append(validate_relationship(onto, Relationship(rel.name, _id_of(ls), _id_of(lo), str(key or ""), props_of(link), Origin(source))))
        linked.add((_id_of(ls), rel.name, _id_of(lo)))
    for p, rel in sorted(rel_by_iri.items()):
        for s, o in sorted(g.subject_objects(p)):
            if (_id_of(s), rel.name, _id_of(o)) not in linked:
                rels.append(validate_relationship(onto, Relationship(rel.name, _id_of(s), _id_of(o), "", {"source": source, "method": "rdf-import"}, Origin(source))))
    return nodes, rels


def _outside_references(doc: Any) -> list[str]:
    """JSON-LD keys that would make a parser read something the user did not name: a
    ``@context`` given as (or holding) a URL or path, and ``@import``."""
    found: list[str] = []
    stack = [doc]
    while stack and len(found) < 5:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k == "@import":
                    found.append(f"@import {v!r}")
                elif k == "@context":
                    for c in v if isinstance(v, list) else [v]:
                        if isinstance(c, str):
                            found.append(f"@context {c!r}")
                        else:
                            stack.append(c)
                else:
                    stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def refuse_xml_dtd(path: Path) -> None:
    """Refuse an XML file with a document type declaration (``<!DOCTYPE``): its entities
    could expand without bound or read other files, and no format canal reads needs one.

    Parsers bound this too (expat's amplification limit), but rdflib's RDF/XML reader spent
    90 s on a nine-level entity bomb before giving up; this check answers at once.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
    except OSError:
        return  # the parser reports it
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    first = re.search(rb"<(!DOCTYPE|[A-Za-z_])", head)
    if first and first.group(1) == b"!DOCTYPE":
        raise LoaderError("XML document type declarations (DTD, entities) are refused: remove the <!DOCTYPE ...> block", file=str(path))


def parse_file(path: str | Path) -> Graph:
    """Parse an RDF file (format from its extension).

    Nothing outside the file is read: a JSON-LD ``@context`` that names a URL or a file,
    and ``@import``, are refused (give the context inline); XML entities are not expanded.
    """
    p = Path(path)
    fmt = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt", ".rdf": "xml", ".xml": "xml"}.get(p.suffix.lower(), "turtle")
    g = Graph()
    try:
        if fmt == "json-ld":
            text = p.read_text(encoding="utf-8-sig")
            refs = _outside_references(json.loads(text))
            if refs:
                raise LoaderError(
                    f"the JSON-LD names a context outside the file ({', '.join(refs)}); canal never fetches or reads "
                    "one on an import: put the context inline (or use Turtle)",
                    file=str(p),
                )
            g.parse(data=text, format=fmt, base=p.resolve().as_uri())
        else:
            if fmt == "xml":
                refuse_xml_dtd(p)
            g.parse(str(p), format=fmt)
    except LoaderError:
        raise
    except RecursionError:
        raise LoaderError("cannot parse RDF: nested too deeply", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise LoaderError(f"cannot parse RDF: not UTF-8 text (byte {exc.start})", file=str(p)) from None
    except Exception as exc:
        raise LoaderError(f"cannot parse RDF: {type(exc).__name__}: {exc}", file=str(p)) from None
    return g


@dataclass(frozen=True)
class Violation:
    """One SHACL result with its messages in English and Chinese."""

    focus: str
    path: str
    severity: str
    message_en: str
    message_zh: str
    value: str


@dataclass
class ValidationReport:
    """The outcome of SHACL validation."""

    conforms: bool
    violations: list[Violation]

    def raise_for_violations(self) -> None:
        """Raise :class:`ValidationError` when the data does not conform."""
        if not self.conforms:
            first = self.violations[0] if self.violations else None
            detail = f": {first.focus} {first.path}: {first.message_en}" if first else ""
            raise ValidationError(f"{len(self.violations)} SHACL violation(s){detail}")


def validate_rdf(data: Graph, ontology: Ontology | None = None, shapes: str | Path | None = None) -> ValidationReport:
    """Validate instance RDF against the SHACL shapes.

    The ontology is mixed in so class targets follow ``rdfs:subClassOf``; no RDFS inference
    is run (it is quadratic in the number of literals and adds nothing the shapes need).
    """
    import pyshacl
    from rdflib.namespace import SH

    onto = ontology or load_ontology()
    sg = Graph().parse(str(shapes or shapes_file()), format="turtle")
    conforms, results, _text = pyshacl.validate(data, shacl_graph=sg, ont_graph=onto.graph, inference="none", advanced=True)
    out: list[Violation] = []
    for r in sorted(set(results.subjects(RDF.type, SH.ValidationResult))):
        msgs = {m.language: str(m) for m in results.objects(r, SH.resultMessage) if isinstance(m, Literal)}
        sev = results.value(r, SH.resultSeverity)
        out.append(
            Violation(
                focus=_id_of(results.value(r, SH.focusNode)),
                path=str(results.value(r, SH.resultPath) or "").replace(str(CANAL), "canal:"),
                severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
                message_en=msgs.get("en") or msgs.get(None) or next(iter(msgs.values()), ""),  # type: ignore[arg-type]
                message_zh=msgs.get("zh", ""),
                value=str(results.value(r, SH.value) or ""),
            )
        )
    out.sort(key=lambda v: (v.focus, v.path, v.message_en))
    return ValidationReport(bool(conforms), out)


def isomorphic(a: Graph, b: Graph) -> bool:
    """True if two RDF graphs are isomorphic."""
    from rdflib.compare import isomorphic as iso

    return bool(iso(a, b))


__all__ = [
    "ValidationReport", "Violation", "from_rdf", "isomorphic", "link_iri", "node_iri",
    "parse_file", "serialize", "to_rdf", "validate_rdf",
]
