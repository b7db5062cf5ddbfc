"""Records that loaders yield and stores write: nodes, relationships and provenance.

>>> n = Node(id="dicp", cls="ResearchInstitute", props={"name": "DICP"})
>>> r = Relationship(type="develops", source="dicp", target="dmto")
>>> r.rid
'dicp-DEVELOPS->dmto'
>>> Relationship(type="investsIn", source="a", target="b", key="2014").rid
'a-INVESTS_IN->b#2014'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from canal.errors import LoaderError, SchemaError
from canal.ontology import Ontology, cypher_type, storable_text

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def ident(name: str) -> str:
    """Return ``name`` if it is a safe Cypher identifier (a label, type or key), else raise ``ValueError``.

    Labels and relationship types are the only text canal splices into Cypher; they come
    from the ontology and pass through here first.

    >>> ident("Enterprise")
    'Enterprise'
    >>> ident("x) DETACH DELETE (n")
    Traceback (most recent call last):
    ...
    ValueError: not a plain identifier: 'x) DETACH DELETE (n'
    """
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name

PROVENANCE_KEYS = (
    "source",
    "sourceTitle",
    "publisher",
    "published",
    "retrieved",
    "method",
    "confidence",
    "evidence",
)
"""Property keys that carry provenance on every node and relationship."""

_ID_RE = re.compile(r"^\S(.*\S)?$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
MAX_ID_BYTES = 2048
"""Longest id (UTF-8 bytes). Ids live in FalkorDB's unique index, which brought the server down
on ids over 4,096 bytes and on ids holding the character U+0001 (FalkorDB 4.22, measured);
canal refuses long ids and any control character in an id as a bad row instead."""


@dataclass(frozen=True)
class Origin:
    """Where a record came from, for error messages: file, row (1-based, header = row 1)."""

    file: str
    row: int | None = None


@dataclass
class Node:
    """A graph node: stable ``id``, ontology class ``cls`` and typed properties."""

    id: str
    cls: str
    props: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


@dataclass
class Relationship:
    """A relationship ``source -[type]-> target``; ``key`` tells parallel ones apart."""

    type: str
    source: str
    target: str
    key: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    origin: Origin | None = None

    @functools.cached_property
    def rid(self) -> str:
        """Stable relationship id: source, Cypher type, target and key (computed once:
        relationships are not changed after they are made)."""
        base = f"{self.source}-{cypher_type(self.type) if not self.type.isupper() else self.type}->{self.target}"
        return f"{base}#{self.key}" if self.key else base


def key_of_rid(rid: str, source: str, rtype: str, target: str) -> str:
    """The key of a relationship id ``source-TYPE->target#key`` (ids may hold ``#`` and ``->`` themselves).

    >>> key_of_rid("a#1-DEVELOPS->b#2#k#3", "a#1", "DEVELOPS", "b#2")
    'k#3'
    >>> key_of_rid("a-DEVELOPS->b", "a", "DEVELOPS", "b")
    ''
    """
    base = f"{source}-{rtype}->{target}"
    return rid[len(base) + 1 :] if rid.startswith(base + "#") else ""


def _err(msg: str, origin: Origin | None, fieldname: str | None) -> LoaderError:
    return LoaderError(
        msg,
        file=origin.file if origin else None,
        row=origin.row if origin else None,
        field=fieldname,
    )


def check_id(value: Any, origin: Origin | None, fieldname: str) -> str:
    """A non-empty id without surrounding white space, or a :class:`LoaderError`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _err("missing id", origin, fieldname)
    text = str(value)
    if not _ID_RE.match(text) or "\n" in text:
        raise _err(f"id {text[:80]!r} has surrounding or embedded line white space", origin, fieldname)
    if _CONTROL_RE.search(text):
        raise _err(f"id {text[:80]!r} contains a control character", origin, fieldname)
    try:
        text = storable_text(text)
    except SchemaError as exc:
        raise _err(f"id: {exc}", origin, fieldname) from None
    if len(text.encode("utf-8")) > MAX_ID_BYTES:
        raise _err(f"id {text[:40]!r}... is longer than {MAX_ID_BYTES} bytes (UTF-8)", origin, fieldname)
    return text


def validate_node(onto: Ontology, node: Node) -> Node:
    """Check a node against the ontology and coerce its properties to their types.

    Raises :class:`LoaderError` naming file, row and field.
    """
    check_id(node.id, node.origin, "id")
    try:
        onto.cls(node.cls)
    except SchemaError as exc:
        raise _err(str(exc), node.origin, "class") from None
    props: dict[str, Any] = {}
    for key, value in node.props.items():
        if value is None or value == "" or value == []:
            continue
        try:
            if not onto.node_property_allowed(key, node.cls):
                raise SchemaError(f"property {key!r} does not apply to class {node.cls}")
            props[key] = onto.coerce(key, value)
        except SchemaError as exc:
            raise _err(str(exc), node.origin, key) from None
    if "confidence" in props and not 0.0 <= props["confidence"] <= 1.0:
        raise _err("confidence must lie between 0 and 1", node.origin, "confidence")
    return Node(node.id, node.cls, props, node.origin)


def validate_relationship(onto: Ontology, rel: Relationship) -> Relationship:
    """Check a relationship's type and properties (endpoint classes are checked by the caller)."""
    check_id(rel.source, rel.origin, "source")
    check_id(rel.target, rel.origin, "target")
    try:
        info = onto.relation(rel.type)
    except SchemaError as exc:
        raise _err(str(exc), rel.origin, "type") from None
    props: dict[str, Any] = {}
    for key, value in rel.props.items():
        if value is None or value == "" or value == []:
            continue
        try:
            if not onto.relationship_property_allowed(key):
                raise SchemaError(f"property {key!r} is a node property, not a relationship property")
            props[key] = onto.coerce(key, value)
        except SchemaError as exc:
            raise _err(str(exc), rel.origin, key) from None
    if "confidence" in props and not 0.0 <= props["confidence"] <= 1.0:
        raise _err("confidence must lie between 0 and 1", rel.origin, "confidence")
    return Relationship(info.name, rel.source, rel.target, str(rel.key or ""), props, rel.origin)
