"""The ontology is the single source of truth for the graph's schema.

This module reads ``ontology/canal.ttl`` (OWL in Turtle) and derives what the rest of
canal needs: node labels (a class and its ancestors), relationship types with their
allowed endpoints, property keys with their XSD types, chains and stages. Nothing of
the schema is written anywhere else.

>>> onto = load_ontology()
>>> onto.labels_for("GovernmentGuidanceFund")
('GovernmentGuidanceFund', 'Fund', 'Investor', 'Organisation', 'Entity')
>>> onto.relation("develops").type
'DEVELOPS'
>>> onto.relation("HOLDS_PATENT").name
'holdsPatent'
>>> onto.classes["PilotPlatform"].stage, onto.classes["PilotPlatform"].chain
('pilot', 'industrial')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from canal.errors import SchemaError
from canal.resources import ontology_file

CANAL = Namespace("https://w3id.org/canal/ontology#")
"""The ontology namespace."""
ID = Namespace("https://w3id.org/canal/id/")
"""The namespace of instance IRIs."""

ROOT_CLASS = "Entity"
"""Abstract root class: every graph node carries this label (the id index lives on it)."""

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

_XSD_KINDS: dict[URIRef, str] = {
    XSD.string: "string",
    XSD.normalizedString: "string",
    XSD.anyURI: "uri",
    XSD.integer: "integer",
    XSD.int: "integer",
    XSD.long: "integer",
    XSD.nonNegativeInteger: "integer",
    XSD.positiveInteger: "integer",
    XSD.gYear: "integer",
    XSD.decimal: "float",
    XSD.double: "float",
    XSD.float: "float",
    XSD.boolean: "boolean",
    XSD.date: "date",
    XSD.dateTime: "datetime",
}


@functools.lru_cache(maxsize=4096)
def cypher_type(name: str) -> str:
    """Relationship type of an object property: camelCase -> UPPER_SNAKE.

    >>> cypher_type("subOrganisationOf")
    'SUB_ORGANISATION_OF'
    """
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


@dataclass(frozen=True)
class ClassInfo:
    """A class of graph nodes (or an auxiliary class when ``graph_node`` is false)."""

    name: str
    iri: URIRef
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str
    parents: tuple[str, ...]
    chain: str | None
    stage: str | None
    graph_node: bool
    abstract: bool = False


@dataclass(frozen=True)
class RelationInfo:
    """An object property, i.e. a relationship type."""

    name: str
    type: str
    iri: URIRef
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str
    domain: frozenset[str]
    range: frozenset[str]
    symmetric: bool = False


@dataclass(frozen=True)
class PropertyInfo:
    """A datatype property, i.e. a property key with a type."""

    name: str
    iri: URIRef
    datatype: URIRef
    kind: str
    functional: bool
    domain: frozenset[str] | None
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str


@dataclass(frozen=True)
class StageInfo:
    """A stage on the canal (research -> pilot -> industrialisation -> capital)."""

    key: str
    iri: URIRef
    order: int
    label_en: str
    label_zh: str


@dataclass(frozen=True)
class ChainInfo:
    """One of the three chains, or the bridge between them."""

    key: str
    iri: URIRef
    label_en: str
    label_zh: str


@dataclass
class Ontology:
    """The parsed ontology with the schema derived from it."""

    graph: Graph
    classes: dict[str, ClassInfo]
    relations: dict[str, RelationInfo]
    properties: dict[str, PropertyInfo]
    stages: dict[str, StageInfo]
    chains: dict[str, ChainInfo]
    _by_type: dict[str, RelationInfo] = field(default_factory=dict, repr=False)
    _ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_type = {r.type: r for r in self.relations.values()}
        for name in self.classes:
            self._ancestors[name] = self._compute_ancestors(name)

    # -- classes ---------------------------------------------------------------
    def _compute_ancestors(self, name: str) -> tuple[str, ...]:
        order: list[str] = []
        frontier = [name]
        while frontier:
            nxt: list[str] = []
            for c in frontier:
                for p in self.classes[c].parents:
                    if p not in order and p != name:
                        order.append(p)
                        nxt.append(p)
            frontier = nxt
        return tuple(order)

    @property
    def node_classes(self) -> list[str]:
        """Concrete classes whose instances are graph nodes, sorted."""
        return sorted(n for n, c in self.classes.items() if c.graph_node and not c.abstract)

    def cls(self, name: str) -> ClassInfo:
        """The class called ``name``; raises :class:`SchemaError` if unknown."""
        try:
            info = self.classes[name]
        except KeyError:
            raise SchemaError(f"unknown class {name!r}{_suggest(name, self.node_classes)}") from None
        if not info.graph_node or info.abstract:
            raise SchemaError(f"class {name!r} is not a class of graph nodes")
        return info

    def ancestors(self, name: str) -> tuple[str, ...]:
        """Superclasses of ``name`` in the canal namespace, nearest first."""
        return self._ancestors[name]

    def labels_for(self, name: str) -> tuple[str, ...]:
        """Node labels for a node of class ``name``: the class, then its ancestors."""
        self.cls(name)
        return (name, *self._ancestors[name])

    def is_a(self, name: str, parent: str) -> bool:
        """True if ``name`` is ``parent`` or one of its subclasses."""
        return name == parent or parent in self._ancestors.get(name, ())

    def subclasses(self, parent: str) -> list[str]:
        """``parent`` and every class below it, sorted."""
        return sorted(c for c in self.classes if self.is_a(c, parent))

    def chain_of(self, name: str) -> str | None:
        """Chain of a class (inherited from the nearest ancestor that states one)."""
        for c in (name, *self._ancestors.get(name, ())):
            if self.classes[c].chain:
                return self.classes[c].chain
        return None

    def stage_of(self, name: str) -> str | None:
        """Stage of a class on the canal, inherited like the chain."""
        for c in (name, *self._ancestors.get(name, ())):
            if self.classes[c].stage:
                return self.classes[c].stage
        return None

    @property
    def stage_order(self) -> list[str]:
        """Stage keys in canal order (research first)."""
        return [s.key for s in sorted(self.stages.values(), key=lambda s: s.order)]

    # -- relations ---------------------------------------------------------------
    def relation(self, name: str) -> RelationInfo:
        """A relationship type by property name (``memberOf``) or Cypher type (``MEMBER_OF``)."""
        if name in self.relations:
            return self.relations[name]
        if name in self._by_type:
            return self._by_type[name]
        raise SchemaError(
            f"unknown relationship type {name!r}{_suggest(name, sorted(self.relations))}"
        )

    @property
    def relationship_types(self) -> list[str]:
        """All Cypher relationship types, sorted."""
        return sorted(self._by_type)

    def allows(self, relation: str, source_class: str, target_class: str) -> bool:
        """True if ``source -[relation]-> target`` fits the domain and range."""
        rel = self.relation(relation)
        ok_domain = any(self.is_a(source_class, d) for d in rel.domain) if rel.domain else True
        ok_range = any(self.is_a(target_class, r) for r in rel.range) if rel.range else True
        if rel.symmetric and not (ok_domain and ok_range):
            return self.allows_plain(rel, target_class, source_class)
        return ok_domain and ok_range

    def allows_plain(self, rel: RelationInfo, source_class: str, target_class: str) -> bool:
        """Domain/range check without the symmetric fallback."""
        ok_domain = any(self.is_a(source_class, d) for d in rel.domain) if rel.domain else True
        ok_range = any(self.is_a(target_class, r) for r in rel.range) if rel.range else True
        return ok_domain and ok_range

    # -- properties --------------------------------------------------------------
    def prop(self, name: str) -> PropertyInfo:
        """A datatype property by key; raises :class:`SchemaError` if unknown."""
        try:
            return self.properties[name]
        except KeyError:
            raise SchemaError(
                f"unknown property {name!r}{_suggest(name, sorted(self.properties))}"
            ) from None

    def node_property_allowed(self, name: str, cls: str) -> bool:
        """True if a node of class ``cls`` may carry property ``name``."""
        info = self.prop(name)
        if info.domain is None:
            return True
        return any(self.is_a(cls, d) for d in info.domain)

    def relationship_property_allowed(self, name: str) -> bool:
        """True if relationships may carry property ``name`` (properties without a domain)."""
        info = self.prop(name)
        return info.domain is None

    def coerce(self, name: str, value: Any) -> Any:
        """Turn ``value`` into the Python value of property ``name``'s XSD type.

        Multi-valued properties give a list, each value once (first-seen order). Raises
        :class:`SchemaError` with the reason.

        >>> onto = load_ontology()
        >>> onto.coerce("amount", "850000000"), onto.coerce("aliases", "DICP")
        (850000000.0, ['DICP'])
        >>> onto.coerce("date", "2018-01-10"), onto.coerce("aliases", ["DICP", "大连化物所", "DICP"])
        ('2018-01-10', ['DICP', '大连化物所'])
        """
        info = self.prop(name)
        if info.functional:
            if isinstance(value, (list, tuple)):
                if len(value) != 1:
                    raise SchemaError(f"{name!r} takes one value, got {len(value)}")
                value = value[0]
            return coerce_value(info.kind, value)
        values = value if isinstance(value, (list, tuple)) else [value]
        # a multi-valued property holds each value once, in first-seen order: RDF keeps a
        # property's values as a set, so a repeat could not survive every path anyway
        return list(dict.fromkeys(coerce_value(info.kind, v) for v in values))

    def indexed_properties(self) -> list[str]:
        """Node property keys that get an index: identifiers and names."""
        keys = ["id", "name"]
        for p in ("nameEn", "nameZh", "uscc", "ror", "wikidata", "lei", "vat"):
            if p in self.properties:
                keys.append(p)
        return keys


MAX_TEXT_BYTES = 64 << 20
"""The longest text (UTF-8 bytes) a value may have. FalkorDB takes at most 512 MB per
command (measured: a 256 MiB string is stored, a 512 MiB one breaks the connection);
64 MiB keeps a batch of values sendable."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


def storable_text(text: str) -> str:
    r"""``text`` if the graph engines can store it, else :class:`SchemaError` saying why: a
    NUL character (FalkorDB refuses it), a lone surrogate (not encodable as UTF-8), or
    more than :data:`MAX_TEXT_BYTES`. Other control characters, tabs and newlines are kept.

    >>> storable_text("a\tb")
    'a\tb'
    >>> storable_text("a\x00b")
    Traceback (most recent call last):
    ...
    canal.errors.SchemaError: the text holds a NUL character (at 1), which the graph store cannot hold
    """
    if "\x00" in text:
        raise SchemaError(f"the text holds a NUL character (at {text.index(chr(0))}), which the graph store cannot hold")
    if len(text) > MAX_TEXT_BYTES // 4 or not text.isascii():
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise SchemaError(f"the text holds a lone surrogate {text[exc.start]!r} (at {exc.start}), not a character") from None
        if size > MAX_TEXT_BYTES:
            raise SchemaError(f"the text is {size} bytes long, more than the {MAX_TEXT_BYTES} a value may have")
    return text


def coerce_value(kind: str, value: Any) -> Any:
    """Coerce one value to an XSD kind (``string``, ``integer``, ``float``, ...), refusing
    anything that does not parse unambiguously: numbers are ASCII digits with an optional
    sign, ``.`` decimal point and exponent (no thousands separators, decimal commas,
    percent signs or units: a spec says how to read those, see ``number:``); booleans are
    true/false, 1/0 or yes/no in any case.

    >>> coerce_value("integer", "2014"), coerce_value("boolean", "False"), coerce_value("float", "1.5e3")
    (2014, False, 1500.0)
    >>> coerce_value("float", "771225,1")
    Traceback (most recent call last):
    ...
    canal.errors.SchemaError: '771225,1' is not a number (a decimal comma or thousands separator? declare it with number: {decimal: ","} or {thousands: ","})
    """
    if value is None:
        raise SchemaError("missing value")
    try:
        if kind in ("string", "uri"):
            if isinstance(value, (dict, list)):
                raise ValueError
            text = storable_text(str(value))
            if kind == "uri" and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", text):
                raise ValueError
            return text
        if kind in ("integer", "float"):
            return _number(kind, value)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
        if kind == "date":
            if isinstance(value, datetime):
                return value.date().isoformat()
            if isinstance(value, date):
                return value.isoformat()
            return date.fromisoformat(str(value).strip()).isoformat()
        if kind == "datetime":
            if isinstance(value, datetime):
                return value.isoformat()
            return datetime.fromisoformat(str(value).strip()).isoformat()
    except (TypeError, ValueError):
        article = "an" if kind[0] in "aeiou" else "a"
        label = {"float": "number", "uri": "URI", "boolean": "boolean (true/false, 1/0, yes/no)"}.get(kind, kind)
        hint = ""
        if kind in ("integer", "float") and isinstance(value, str) and re.search(r"[0-9][,.' ][0-9]|%|[0-9]\s*[^\s0-9.,eE+-]+$", value.strip()):
            hint = ' (a decimal comma or thousands separator? declare it with number: {decimal: ","} or {thousands: ","})'
            if "%" in value or re.search(r"[0-9]\s*[^\s0-9.,%eE+-]+$", value.strip()):
                hint = " (a percent sign or a unit? declare it with number: {percent: true} or {unit: ...})"
        raise SchemaError(f"{str(value)[:80]!r} is not {article} {label}{hint}") from None
    raise SchemaError(f"unsupported datatype kind {kind!r}")


def _number(kind: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        text = value.strip()
        if kind == "integer":
            if not _INTEGER.fullmatch(text):
                raise ValueError
            return int(text)
        if not _DECIMAL.fullmatch(text):
            raise ValueError
        out = float(text)
    elif kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ValueError
    else:
        out = float(value)
    if out != out or out in (float("inf"), float("-inf")):
        raise ValueError
    return out


@dataclass(frozen=True)
class NumberFormat:
    """How a spec says a column writes numbers: ``number: {decimal: ",", thousands: ".",
    percent: true, unit: "EUR"}``.

    >>> NumberFormat(decimal=",").parse("771225,1")
    771225.1
    >>> NumberFormat(thousands=",").parse("1,000,000")
    1000000.0
    >>> NumberFormat(percent=True).parse("12.5%")
    0.125
    >>> NumberFormat(unit="万元", thousands=",").parse("1,200 万元")
    1200.0
    >>> NumberFormat(thousands=",").parse("1,00")
    Traceback (most recent call last):
    ...
    canal.errors.SchemaError: '1,00' is not a number written with thousands ',' and decimal '.'
    """

    decimal: str = "."
    thousands: str | None = None
    percent: bool = False
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise SchemaError(f"number: decimal is '.' or ',', not {self.decimal!r}")
        if self.thousands is not None and self.thousands not in (",", ".", " ", "'"):
            raise SchemaError(f"number: thousands is one of ',', '.', ' ', \"'\", not {self.thousands!r}")
        if self.thousands == self.decimal:
            raise SchemaError("number: thousands and decimal must differ")

    def parse(self, value: Any) -> Any:
        """The number a cell holds (a float), or :class:`SchemaError` naming the value."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if self.unit and text.endswith(self.unit):
            text = text[: -len(self.unit)].rstrip()
        pct = self.percent and text.endswith("%")
        if pct:
            text = text[:-1].rstrip()
        body = text.lstrip("+-")
        if self.thousands is not None:
            t = re.escape(self.thousands)
            d = re.escape(self.decimal)
            if not re.fullmatch(rf"[0-9]{{1,3}}(?:{t}[0-9]{{3}})*(?:{d}[0-9]+)?|[0-9]+(?:{d}[0-9]+)?", body):
                raise SchemaError(f"{value[:80]!r} is not a number written with thousands {self.thousands!r} and decimal {self.decimal!r}")
            body = body.replace(self.thousands, "")
        if self.decimal == ",":
            if "." in body:
                raise SchemaError(f"{value[:80]!r} is not a number written with a decimal comma")
            body = body.replace(",", ".")
        text = text[: len(text) - len(text.lstrip("+-"))] + body
        try:
            out = float(_number("float", text))
        except ValueError:
            raise SchemaError(f"{value[:80]!r} is not a number" + (f" (read with {self.describe()})" if self.describe() else "")) from None
        return out / 100 if pct else out

    def describe(self) -> str:
        """The options in words."""
        parts = [f"decimal {self.decimal!r}"] if self.decimal != "." else []
        parts += [f"thousands {self.thousands!r}"] if self.thousands else []
        parts += ["percent"] if self.percent else []
        parts += [f"unit {self.unit!r}"] if self.unit else []
        return ", ".join(parts)


def _suggest(name: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=3)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _local(iri: URIRef) -> str:
    text = str(iri)
    if not text.startswith(str(CANAL)):
        raise SchemaError(f"{text} is not in the canal namespace")
    return text[len(str(CANAL)) :]


def _lang(g: Graph, s: URIRef | BNode, p: URIRef, lang: str) -> str:
    for o in g.objects(s, p):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    return ""


def _class_set(g: Graph, node: Any) -> frozenset[str]:
    if node is None:
        return frozenset()
    if isinstance(node, URIRef):
        return frozenset({_local(node)}) if str(node).startswith(str(CANAL)) else frozenset()
    members = g.value(node, OWL.unionOf)
    if members is None:
        raise SchemaError(f"unsupported class expression {node!r} (only owl:unionOf lists)")
    out: set[str] = set()
    for m in Collection(g, members):
        out |= _class_set(g, m)
    return frozenset(out)


def parse_ontology(g: Graph) -> Ontology:
    """Derive the schema from an rdflib graph holding the ontology."""
    chains, stages = _chains_and_stages(g)
    classes = _classes(g, chains, stages)
    relations = _relations(g, classes)
    properties = _properties(g)
    return Ontology(g, classes, relations, properties, stages, chains)


def _chains_and_stages(g: Graph) -> tuple[dict[str, ChainInfo], dict[str, StageInfo]]:
    """The value chains and their stages (``canal:Chain`` / ``canal:Stage``), by key."""
    chains: dict[str, ChainInfo] = {}
    for s in sorted(g.subjects(RDF.type, CANAL.Chain), key=str):
        assert isinstance(s, URIRef)
        key = _local(s).removesuffix("Chain").lower()
        chains[key] = ChainInfo(key, s, _lang(g, s, RDFS.label, "en"), _lang(g, s, RDFS.label, "zh"))
    stages: dict[str, StageInfo] = {}
    for s in sorted(g.subjects(RDF.type, CANAL.Stage), key=str):
        assert isinstance(s, URIRef)
        key = _local(s).removesuffix("Stage").lower()
        order = g.value(s, CANAL.stageOrder)
        if order is None:
            raise SchemaError(f"stage {key} has no canal:stageOrder")
        stages[key] = StageInfo(
            key, s, int(str(order)), _lang(g, s, RDFS.label, "en"), _lang(g, s, RDFS.label, "zh")
        )
    return chains, stages


def _classes(g: Graph, chains: dict[str, ChainInfo], stages: dict[str, StageInfo]) -> dict[str, ClassInfo]:
    """The ontology's classes by name, each graph-node class under the root."""
    chain_by_iri = {c.iri: c.key for c in chains.values()}
    stage_by_iri = {st.iri: st.key for st in stages.values()}

    classes: dict[str, ClassInfo] = {}
    for s in sorted(set(g.subjects(RDF.type, OWL.Class)), key=str):
        if not isinstance(s, URIRef) or not str(s).startswith(str(CANAL)):
            continue
        name = _local(s)
        if not _IDENT.match(name):
            raise SchemaError(f"class name {name!r} is not a valid label")
        parents = tuple(
            sorted(_local(p) for p in g.objects(s, RDFS.subClassOf) if isinstance(p, URIRef) and str(p).startswith(str(CANAL)))
        )
        gn = g.value(s, CANAL.graphNode)
        ab = g.value(s, CANAL.abstract)
        chain = g.value(s, CANAL.chain)
        stage = g.value(s, CANAL.stage)
        classes[name] = ClassInfo(
            name=name,
            iri=s,
            label_en=_lang(g, s, RDFS.label, "en"),
            label_zh=_lang(g, s, RDFS.label, "zh"),
            definition_en=_lang(g, s, SKOS.definition, "en"),
            definition_zh=_lang(g, s, SKOS.definition, "zh"),
            parents=parents,
            chain=chain_by_iri.get(chain) if isinstance(chain, URIRef) else None,
            stage=stage_by_iri.get(stage) if isinstance(stage, URIRef) else None,
            graph_node=True if gn is None else bool(gn.toPython()) if isinstance(gn, Literal) else True,
            abstract=bool(ab.toPython()) if isinstance(ab, Literal) else False,
        )
    # every graph-node class sits under the abstract root
    if ROOT_CLASS not in classes:
        raise SchemaError(f"the ontology has no root class canal:{ROOT_CLASS}")
    for name, info in list(classes.items()):
        if name != ROOT_CLASS and info.graph_node and not info.parents:
            classes[name] = ClassInfo(**{**info.__dict__, "parents": (ROOT_CLASS,)})
    return classes


def _relations(g: Graph, classes: dict[str, ClassInfo]) -> dict[str, RelationInfo]:
    """The relationship types (object properties) by name; their domains and ranges must be known classes."""
    relations: dict[str, RelationInfo] = {}
    for s in sorted(set(g.subjects(RDF.type, OWL.ObjectProperty)), key=str):
        if not isinstance(s, URIRef) or not str(s).startswith(str(CANAL)):
            continue
        name = _local(s)
        if name.startswith("link"):
            continue  # RDF reification helpers, not relationship types
        relations[name] = RelationInfo(
            name=name,
            type=cypher_type(name),
            iri=s,
            label_en=_lang(g, s, RDFS.label, "en"),
            label_zh=_lang(g, s, RDFS.label, "zh"),
            definition_en=_lang(g, s, SKOS.definition, "en"),
            definition_zh=_lang(g, s, SKOS.definition, "zh"),
            domain=_class_set(g, g.value(s, RDFS.domain)),
            range=_class_set(g, g.value(s, RDFS.range)),
            symmetric=(s, RDF.type, OWL.SymmetricProperty) in g,
        )
        for end in relations[name].domain | relations[name].range:
            if end not in classes:
                raise SchemaError(f"relationship {name} refers to unknown class {end}")
    return relations


def _properties(g: Graph) -> dict[str, PropertyInfo]:
    """The datatype properties by name, each with a supported XSD range (``id`` is reserved)."""
    properties: dict[str, PropertyInfo] = {}
    for s in sorted(set(g.subjects(RDF.type, OWL.DatatypeProperty)), key=str):
        if not isinstance(s, URIRef) or not str(s).startswith(str(CANAL)):
            continue
        name = _local(s)
        rng = g.value(s, RDFS.range)
        if not isinstance(rng, URIRef) or rng not in _XSD_KINDS:
            raise SchemaError(f"datatype property {name} has no supported XSD range ({rng})")
        dom = g.value(s, RDFS.domain)
        domain = _class_set(g, dom) if dom is not None else None
        properties[name] = PropertyInfo(
            name=name,
            iri=s,
            datatype=rng,
            kind=_XSD_KINDS[rng],
            functional=(s, RDF.type, OWL.FunctionalProperty) in g,
            domain=domain,
            label_en=_lang(g, s, RDFS.label, "en"),
            label_zh=_lang(g, s, RDFS.label, "zh"),
            definition_en=_lang(g, s, SKOS.definition, "en"),
            definition_zh=_lang(g, s, SKOS.definition, "zh"),
        )
    if "id" in properties:
        raise SchemaError("'id' is reserved for the stable node id and must not be a datatype property")
    return properties


@cache
def _load_cached(path: str) -> Ontology:
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many kinds
        raise SchemaError(f"cannot parse ontology {path}: {exc}") from exc
    return parse_ontology(g)


def load_ontology(path: str | Path | None = None) -> Ontology:
    """Load and parse the ontology (the shipped one by default); cached per path."""
    return _load_cached(str(Path(path) if path else ontology_file()))


def summary_rows(onto: Ontology, counts: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """One row per concrete node class: chain, stage, labels, optional count."""
    rows = []
    for name in onto.node_classes:
        info = onto.classes[name]
        row: dict[str, Any] = {
            "chain": onto.chain_of(name) or "",
            "stage": onto.stage_of(name) or "",
            "class": name,
            "label_zh": info.label_zh,
        }
        if counts is not None:
            row["count"] = counts.get(name, 0)
        rows.append(row)
    order = {"innovation": 0, "industrial": 1, "capital": 2, "bridge": 3, "": 4}
    stages = {s: i for i, s in enumerate(onto.stage_order)}
    return sorted(rows, key=lambda r: (order.get(r["chain"], 5), stages.get(r["stage"], 99), r["class"]))
