"""The one store interface; backends implement a handful of primitives.

Everything that is the same for every backend (batching, schema-derived labels,
counts, export to networkx) lives here, on top of ``_read`` / ``_write``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from canal.arrays import GraphArrays
from canal.errors import ReadOnlyError, StoreError
from canal.model import Node, Relationship
from canal.ontology import ROOT_CLASS, Ontology, load_ontology
from canal.settings import Settings
from canal.store import cypher

ProgressFn = Callable[[int], None]

_WRITE_WORDS = re.compile(
    r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|LOAD\s+CSV|FOREACH)\b", re.IGNORECASE
)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)


def looks_like_write(query: str) -> bool:
    """True if the Cypher text contains a write clause outside strings and comments.

    >>> looks_like_write("MATCH (n) WHERE n.name = 'CREATE' RETURN n")
    False
    >>> looks_like_write("MATCH (n) DETACH DELETE n")
    True
    """
    return bool(_WRITE_WORDS.search(_STRINGS.sub("''", query)))


BulkInsert = Callable[..., tuple[int, int]]
"""``insert(node_tokens, relationship_tokens, nodes, relationships, *, begin)``."""


@dataclass
class QueryResult:
    """Columns and rows of a query; values are plain Python (nodes become dicts)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    stats: dict[str, Any] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries keyed by column."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    def scalar(self) -> Any:
        """The first value of the first row (None if empty)."""
        return self.rows[0][0] if self.rows else None

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Counts:
    """Exact node counts per class and relationship counts per type."""

    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def total_nodes(self) -> int:
        """All nodes."""
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        """All relationships."""
        return sum(self.relationships.values())


def most_specific(onto: Ontology, labels: Iterable[str]) -> str:
    """The class among ``labels`` that all the others are ancestors of."""
    labs = [x for x in labels if x in onto.classes and x != ROOT_CLASS]
    if not labs:
        return ROOT_CLASS
    return max(labs, key=lambda c: (len(onto.ancestors(c)), c))


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class GraphStore(ABC):
    """A graph database holding a canal graph.

    Use as a context manager; reads are the default, writes are explicit::

        with open_store("canal.db") as store:
            store.query("MATCH (n:Entity) RETURN count(n)")
    """

    # What a backend is and can do; the layers above read these, never the backend's name.
    backend: str = "abstract"
    """The registered backend name (:mod:`canal.store.registry`), for messages."""
    engine_name: str = "abstract"
    """The database engine, for messages (``FalkorDB``, ``Neo4j``)."""
    is_embedded: bool = False
    """A local database file this process holds alone (under its lock)."""
    supports_bulk: bool = False
    """:meth:`bulk_session` works and the store's server takes the FalkorDB bulk loader."""
    indexes_build_in_background: bool = False
    """Indexes become usable some time after they are made (``canal.ingest.wait_for_indexes``)."""
    offers_gds: bool = False
    """The engine may carry Neo4j Graph Data Science (``canal.queries.analytics``)."""

    def __init__(self, settings: Settings, ontology: Ontology | None = None) -> None:
        self.settings = settings
        self.ontology = ontology or load_ontology()
        self._closed = False

    # -- primitives a backend implements -------------------------------------------
    @abstractmethod
    def _read(self, query: str, params: Mapping[str, Any]) -> QueryResult: ...

    @abstractmethod
    def _write(self, query: str, params: Mapping[str, Any]) -> QueryResult: ...

    @abstractmethod
    def ensure_indexes(self) -> None:
        """Create the indexes (and id uniqueness where the engine has it) from the ontology."""

    @abstractmethod
    def _close(self) -> None: ...

    def _meta(self, query: str, params: Mapping[str, Any], write: bool) -> QueryResult:
        """Run a query on the bookkeeping graph (see :meth:`meta_query`)."""
        raise StoreError(f"the {self.backend} store keeps no bookkeeping graph")

    # -- public API -----------------------------------------------------------------
    def query(self, query: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a read-only query; a write is refused with :class:`ReadOnlyError`."""
        if looks_like_write(query):
            raise ReadOnlyError(
                "this query writes to the graph and was refused; run it as a write query "
                "(CLI: --write)"
            )
        return self._read(query, params or {})

    def execute(self, query: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a query that may write."""
        return self._write(query, params or {})

    @property
    def meta_separate(self) -> bool:
        """True if the bookkeeping lives apart from the domain graph (see :meth:`meta_query`)."""
        return True

    def meta_query(self, query: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Read canal's bookkeeping (load log, merge records), kept outside the domain graph.

        FalkorDB keeps it in the graph key ``<graph>__canal_meta`` of the same database, so
        ``MATCH (n)`` on the domain graph, counts, exports and maps never see it; Neo4j in
        the database ``CANAL_NEO4J_META_DATABASE`` (default: the data database, where the
        bookkeeping nodes carry only their own labels, never ``Entity``).
        """
        return self._meta(query, params or {}, False)

    def meta_execute(self, query: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Write canal's bookkeeping (see :meth:`meta_query`)."""
        return self._meta(query, params or {}, True)

    def upsert_nodes(
        self, nodes: Sequence[Node], *, batch_size: int | None = None, progress: ProgressFn | None = None
    ) -> int:
        """Create or update nodes by ``id`` (validated records), in batches per class."""
        size = batch_size or self.settings.batch_size
        by_class: dict[str, list[dict[str, Any]]] = {}
        for n in nodes:
            by_class.setdefault(n.cls, []).append({"id": n.id, "props": dict(n.props)})
        all_labels = self.ontology.node_classes + sorted(
            c for c, i in self.ontology.classes.items() if i.graph_node and i.abstract and c != ROOT_CLASS
        )
        written = 0
        for cls in sorted(by_class):
            labels = self.ontology.labels_for(cls)
            stale = [x for x in all_labels if x not in labels]
            q = cypher.node_upsert(labels, stale)
            for batch in _batches(by_class[cls], size):
                res = self._write(q, {"rows": list(batch)})
                got = int(res.scalar() or 0)
                if got != len(batch):
                    raise StoreError(f"upsert of {cls} wrote {got} of {len(batch)} nodes")
                written += got
                if progress:
                    progress(len(batch))
        return written

    def upsert_relationships(
        self,
        rels: Sequence[Relationship],
        *,
        batch_size: int | None = None,
        progress: ProgressFn | None = None,
    ) -> int:
        """Create or update relationships by their stable id, in batches per type."""
        size = batch_size or self.settings.batch_size
        by_type: dict[str, list[dict[str, Any]]] = {}
        for r in rels:
            t = self.ontology.relation(r.type).type
            by_type.setdefault(t, []).append(
                {"id": r.rid, "source": r.source, "target": r.target, "props": dict(r.props)}
            )
        written = 0
        for t in sorted(by_type):
            q = cypher.relationship_upsert(t)
            for batch in _batches(by_type[t], size):
                res = self._write(q, {"rows": list(batch)})
                got = int(res.scalar() or 0)
                if got != len(batch):
                    raise StoreError(
                        f"upsert of {t} wrote {got} of {len(batch)} relationships (missing endpoints?)"
                    )
                written += got
                if progress:
                    progress(len(batch))
        return written

    def read_arrays(self) -> GraphArrays:
        """The whole graph as arrays for analyses (:func:`canal.store.bulk_read.read_arrays`)."""
        from canal.store.bulk_read import read_arrays

        return read_arrays(self)

    def existing(self, ids: Iterable[str]) -> dict[str, str]:
        """Map each of ``ids`` that exists in the store to its class."""
        out: dict[str, str] = {}
        idlist = sorted(set(ids))
        for batch in _batches(idlist, 5000):
            for nid, labels in self._read(cypher.EXISTING_IDS, {"ids": list(batch)}).rows:
                out[nid] = most_specific(self.ontology, labels)
        return out

    def counts(self) -> Counts:
        """Exact counts of nodes per class and relationships per type."""
        nodes: Counter[str] = Counter()
        for labels, n in self._read(cypher.NODE_COUNTS, {}).rows:
            nodes[most_specific(self.ontology, labels)] += int(n)
        rels = {t: int(n) for t, n in self._read(cypher.RELATIONSHIP_COUNTS, {}).rows}
        return Counts(dict(sorted(nodes.items())), dict(sorted(rels.items())))

    def to_networkx(self, ids: Iterable[str] | None = None) -> nx.MultiDiGraph:
        """Export the whole graph, or the subgraph induced by ``ids``, to networkx.

        Nodes carry ``cls``, ``labels`` and their properties; edges carry ``type``
        (Cypher type), ``rel`` (ontology name) and their properties, keyed by edge id.
        """
        g: nx.MultiDiGraph = nx.MultiDiGraph()
        if ids is None:
            node_rows = self._read(cypher.ALL_NODES, {}).rows
            rel_rows = self._read(cypher.ALL_RELATIONSHIPS, {}).rows
        else:
            idl = sorted(set(ids))
            node_rows = self._read(cypher.SOME_NODES, {"ids": idl}).rows
            inside = set(idl)
            rel_rows = [r for r in self._read(cypher.SOME_RELATIONSHIPS, {"ids": idl}).rows if r[2] in inside]
        for nid, labels, props in sorted(node_rows, key=lambda r: r[0]):
            attrs = {k: v for k, v in dict(props).items() if k != "id"}
            g.add_node(nid, cls=most_specific(self.ontology, labels), labels=sorted(labels), **attrs)
        for src, t, tgt, props in sorted(rel_rows, key=lambda r: (r[0], r[1], r[2], str(dict(r[3]).get("id")))):
            attrs = dict(props)
            key = attrs.pop("id", f"{src}-{t}->{tgt}")
            rel = self.ontology.relation(t).name if t in self.ontology.relationship_types else t
            g.add_edge(src, tgt, key=key, type=t, rel=rel, **attrs)
        return g

    def neighbourhood(self, ids: Iterable[str], depth: int = 1) -> set[str]:
        """Ids within ``depth`` hops (either direction) of ``ids``, including them."""
        seen = set(ids)
        frontier = set(seen)
        for _ in range(depth):
            if not frontier:
                break
            rows = self._read(cypher.NEIGHBOUR_IDS, {"ids": sorted(frontier)}).rows
            new = {r[0] for r in rows} - seen
            seen |= new
            frontier = new
        return seen

    def plan(self, query: str, params: Mapping[str, Any] | None = None, *, profile: bool = False, write: bool = False) -> list[str]:
        """The engine's execution plan of ``query``, one line per operation (indented as a tree).

        ``profile=True`` runs the query and adds what each operation produced and the time it
        took (FalkorDB ``GRAPH.PROFILE``, Neo4j ``PROFILE``): a write is refused here like in
        :meth:`query` unless ``write`` is true.
        """
        raise StoreError(f"{self.backend} does not show query plans")

    def plan_label(self, kind: str) -> str:
        """What :meth:`plan` runs, for its heading: ``kind`` is ``EXPLAIN`` or ``PROFILE``."""
        return f"{self.backend} {kind}"

    def bulk_session(self) -> AbstractContextManager[BulkInsert]:
        """A bulk load into this empty graph (FalkorDB ``GRAPH.BULK``); yields ``insert``.

        ``insert(node_tokens, relationship_tokens, nodes, relationships, begin=...)`` sends
        one call and returns the numbers of nodes and relationships created. When the
        block fails the graph is emptied again.
        """
        raise StoreError(
            f"the bulk path needs FalkorDB, not {self.backend}; for Neo4j write import files "
            "(canal load --neo4j-import DIR)"
        )

    def clear(self) -> None:
        """Delete every canal node and relationship."""
        self._write(cypher.DELETE_ALL, {})

    def close(self) -> None:
        """Close connections (and stop the embedded server); safe to call twice."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
