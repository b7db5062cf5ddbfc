"""Neo4j 5 backend (official ``neo4j`` driver); the same Cypher as FalkorDB for data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canal.errors import QueryError, ReadOnlyError, StoreError
from canal.ontology import ROOT_CLASS, Ontology
from canal.redact import redact
from canal.settings import Settings
from canal.store.base import GraphStore, QueryResult, looks_like_write


def _plain(value: Any) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **dict(value)}
    if isinstance(value, Relationship):
        return {"_type": value.type, **dict(value)}
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


class Neo4jStore(GraphStore):
    """A canal graph in Neo4j 5; credentials from settings (``CANAL_NEO4J_*``), never printed."""

    backend = "neo4j"
    engine_name = "Neo4j"
    offers_gds = True

    def __init__(self, settings: Settings, ontology: Ontology | None = None) -> None:
        super().__init__(settings, ontology)
        try:
            import neo4j
            from neo4j.exceptions import Neo4jError, ServiceUnavailable
        except ImportError as exc:  # pragma: no cover
            raise StoreError("the Neo4j backend needs the 'neo4j' package") from exc
        self._neo4j = neo4j
        self._errors = (Neo4jError, ServiceUnavailable)
        try:
            self.driver = neo4j.GraphDatabase.driver(
                settings.db, auth=(settings.neo4j_user, settings.neo4j_password)
            )
            self.driver.verify_connectivity()
        except Exception as exc:
            raise StoreError(redact(f"cannot connect to Neo4j at {settings.db}: {type(exc).__name__}: {exc}")) from None

    @property
    def meta_separate(self) -> bool:
        """Bookkeeping has its own database only when one is configured."""
        return bool(self.settings.neo4j_meta_database) and self.settings.neo4j_meta_database != self.settings.neo4j_database

    def _meta(self, query: str, params: Mapping[str, Any], write: bool) -> QueryResult:
        """Bookkeeping goes to ``neo4j_meta_database`` when set (a second database needs
        Neo4j Enterprise), else into the data database as nodes with only their own
        labels (``LoadLog``, ``MergeRecord``): canal's reads all match ``Entity``, so
        its counts, exports and maps never see them; a hand-written ``MATCH (n)`` does."""
        return self._run(query, params, read=not write, database=self.settings.neo4j_meta_database or None)

    def _run(self, query: str, params: Mapping[str, Any], read: bool, database: str | None = None) -> QueryResult:
        neo4j = self._neo4j
        try:
            with self.driver.session(
                database=database or self.settings.neo4j_database,
                default_access_mode=neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS,
            ) as session:

                def work(tx: Any) -> QueryResult:
                    result = tx.run(query, dict(params))
                    rows = [tuple(_plain(v) for v in rec.values()) for rec in result]
                    summary = result.consume()
                    c = summary.counters
                    stats = {
                        "nodes_created": c.nodes_created,
                        "relationships_created": c.relationships_created,
                        "properties_set": c.properties_set,
                        "nodes_deleted": c.nodes_deleted,
                        "relationships_deleted": c.relationships_deleted,
                    }
                    return QueryResult(list(result.keys()), rows, stats)

                return session.execute_read(work) if read else session.execute_write(work)
        except self._errors as exc:
            code = getattr(exc, "code", "") or ""
            if "AccessMode" in code or "read access mode" in str(exc):
                raise ReadOnlyError(
                    "this query writes to the graph and was refused; run it as a write query (CLI: --write)"
                ) from None
            raise QueryError(redact(f"Neo4j rejected the query: {code} {getattr(exc, 'message', exc)}")) from None

    def plan(self, query: str, params: Mapping[str, Any] | None = None, *, profile: bool = False, write: bool = False) -> list[str]:
        """Neo4j's ``EXPLAIN`` (or ``PROFILE``, which runs the query) plan as indented text lines."""
        if profile and not write and looks_like_write(query):
            raise ReadOnlyError("PROFILE runs the query, and this one writes to the graph; allow writes first (shell: :write on)")
        neo4j = self._neo4j
        try:
            with self.driver.session(
                database=self.settings.neo4j_database,
                default_access_mode=neo4j.WRITE_ACCESS if profile and write else neo4j.READ_ACCESS,
            ) as session:
                summary = session.run(("PROFILE " if profile else "EXPLAIN ") + query, dict(params or {})).consume()
        except self._errors as exc:
            raise QueryError(f"Neo4j rejected the query: {getattr(exc, 'code', '')} {getattr(exc, 'message', exc)}") from None
        root = summary.profile if profile else summary.plan
        lines: list[str] = []

        def walk(op: Any, depth: int) -> None:
            op = dict(op) if not isinstance(op, dict) else op
            args = op.get("arguments") or op.get("args") or {}
            detail = args.get("Details") or ""
            extra = ""
            if profile:
                extra = f" | Records produced: {op.get('rows', args.get('Rows', '?'))}, DB hits: {op.get('dbHits', args.get('DbHits', '?'))}"
            name = str(op.get("operatorType", "?")).split("@")[0]  # "ProduceResults@neo4j"
            lines.append("    " * depth + name + (f" | {detail}" if detail else "") + extra)
            for child in op.get("children") or []:
                walk(child, depth + 1)

        if root:
            walk(root, 0)
        return lines

    def _read(self, query: str, params: Mapping[str, Any]) -> QueryResult:
        return self._run(query, params, read=True)

    def _write(self, query: str, params: Mapping[str, Any]) -> QueryResult:
        return self._run(query, params, read=False)

    def ensure_indexes(self) -> None:
        """Neo4j DDL (the one place where the dialects differ): unique id, name indexes."""
        self._write(
            f"CREATE CONSTRAINT canal_entity_id IF NOT EXISTS FOR (n:{ROOT_CLASS}) REQUIRE n.id IS UNIQUE", {}
        )
        for key in self.ontology.indexed_properties():
            if key != "id":
                self._write(f"CREATE INDEX canal_entity_{key} IF NOT EXISTS FOR (n:{ROOT_CLASS}) ON (n.{key})", {})
        for t in self.ontology.relationship_types:
            self._write(f"CREATE INDEX canal_rel_{t.lower()}_id IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.id)", {})

    def _close(self) -> None:
        self.driver.close()
