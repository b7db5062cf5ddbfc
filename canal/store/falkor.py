"""FalkorDB backends: the embedded server (default) and a FalkorDB server over ``redis://``."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb import Node as FNode
from falkordb import Path as FPath
from falkordb.edge import Edge as FEdge

from canal.errors import QueryError, ReadOnlyError, StoreError
from canal.ontology import ROOT_CLASS, Ontology
from canal.redact import redact
from canal.settings import Settings
from canal.store.base import BulkInsert, GraphStore, QueryResult, looks_like_write
from canal.store.embedded import EmbeddedServer
from canal.waiting import wait_until

_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:  # most values: no conversion
        return value
    if isinstance(value, list) and all(type(v) in _SCALARS for v in value):
        return value
    if isinstance(value, FNode):
        return {"_labels": sorted(value.labels or []), **dict(value.properties or {})}
    if isinstance(value, FEdge):
        return {"_type": value.relation, **dict(value.properties or {})}
    if isinstance(value, FPath):
        return [_plain(n) for n in value.nodes()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


BULK_INFIX = "__bulk_"
"""A graph under construction by the bulk path is ``<graph>__bulk_<pid>_<ns>``."""


def meta_key(graph: str) -> str:
    """The graph key of canal's bookkeeping beside the domain graph ``graph``.

    >>> meta_key("canal")
    'canal__canal_meta'
    """
    return f"{graph}__canal_meta"


_KEY = re.compile(r'"([^"`\\]+)": ')  # any key without a backtick (back-quoted), e.g. a relationship id


def params_header(params: Mapping[str, Any]) -> str:
    r"""The ``CYPHER name=value ...`` prefix that carries parameters to FalkorDB.

    Values are written by the json module (C speed), then map keys are back-quoted.
    That is exact when no text holds a double quote: every quote in the JSON is then a
    delimiter, and a quoted text followed by ``": "`` is a key. Anything else
    (a text with a double quote, ``\uXXXX`` escapes, which JSON uses for control
    characters and FalkorDB would keep as written, keys with a backtick or backslash,
    non-finite numbers, other types) goes through falkordb-py's own, slower writer.

    >>> params_header({"rows": [{"id": "a:b", "n": 1.5, "xs": ["甲", None, True]}]})
    'CYPHER `rows`=[{`id`: "a:b", `n`: 1.5, `xs`: ["甲", null, true]}] '
    >>> params_header({"e": {"a-B->c#1": {"x": 1}}})
    'CYPHER `e`={`a-B->c#1`: {`x`: 1}} '
    """
    if not params:
        return ""
    parts = ["CYPHER"]
    for name, value in params.items():
        text = None
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            pass
        if text is not None:
            if '\\"' in text or "\\u" in text:
                text = None
            else:
                text = _KEY.sub(r"`\1`: ", text)
                if '": ' in text:  # a key that is not a plain name
                    text = None
        if text is None:
            from falkordb.helpers import stringify_param_value

            try:
                text = stringify_param_value(value)
            except ValueError as exc:  # e.g. a map key with a backtick, which FalkorDB cannot quote
                raise QueryError(f"parameter {name!r} cannot be sent to FalkorDB: {exc}") from None
        parts.append(f"`{name}`={text}")
    return " ".join(parts) + " "


class FalkorStore(GraphStore):
    """A canal graph in FalkorDB, embedded (file path) or remote (``redis://`` URL)."""

    backend = "falkordb"
    engine_name = "FalkorDB"
    supports_bulk = True
    indexes_build_in_background = True

    def __init__(self, settings: Settings, ontology: Ontology | None = None) -> None:
        super().__init__(settings, ontology)
        self.server: EmbeddedServer | None = None
        self._bulk_key: str | None = None
        self._dirty_at_open = 0
        try:
            if self.is_embedded:
                self.server = EmbeddedServer(settings.db, fsync=settings.fsync, lock_timeout=settings.lock_timeout)
                sock = self.server.start()
                self.db = FalkorDB(unix_socket_path=sock, socket_timeout=None)
                self._wait_loaded()
                self.server.enable_journal(self.db.connection)
                self._dirty_at_open = self._dirty()
                atexit.register(self.close)
            else:
                self.db = FalkorDB.from_url(settings.db, socket_timeout=None)
                self.db.connection.ping()
        except (redis.RedisError, ValueError, OSError) as exc:  # ValueError: a malformed URL
            self._abort()
            raise StoreError(redact(f"cannot open FalkorDB at {settings.db}: {exc}")) from None
        except BaseException:
            self._abort()
            raise
        self.graph = self.db.select_graph(settings.graph)
        try:
            exists = settings.graph in (self.db.list_graphs() or [])
        except redis.RedisError:
            exists = True
        if not exists:
            self.ensure_indexes()  # creates the graph, so reads on a new database work

    def _dirty(self) -> int:
        try:
            return int(self.db.connection.info("persistence").get("rdb_changes_since_last_save", -1))
        except redis.RedisError:
            return -1

    def _abort(self) -> None:
        if self.server is not None:
            self.server.stop(save=False)

    def _wait_loaded(self) -> None:
        start = time.monotonic()

        def answers() -> bool:
            try:
                self.db.connection.ping()
                return True
            except redis.BusyLoadingError:
                return False  # it reads its data file
            except redis.ConnectionError:
                # the socket file exists a moment before the server listens on it
                assert self.server is not None
                if self.server.proc is None or self.server.proc.poll() is not None:
                    raise StoreError(f"the embedded server stopped while starting: {self.server.log_tail()}") from None
                if time.monotonic() - start > 60:
                    raise
                return False

        if not wait_until(answers, timeout=1800, pause=0.02):
            raise StoreError("the embedded server is still loading after 30 minutes")

    def _run(self, query: str, params: Mapping[str, Any], read_only: bool) -> QueryResult:
        try:
            text = params_header(params) + query
            res = self.graph.ro_query(text) if read_only else self.graph.query(text)
        except redis.ResponseError as exc:
            text = str(exc)
            if "read-only" in text or "RO_QUERY" in text:
                raise ReadOnlyError(
                    "this query writes to the graph and was refused; run it as a write query (CLI: --write)"
                ) from None
            if "empty key" in text.lower():
                raise QueryError(redact(f"graph {self.settings.graph!r} does not exist in {self.settings.db}")) from None
            raise QueryError(f"FalkorDB rejected the query: {text}") from None
        except redis.RedisError as exc:
            raise StoreError(redact(f"FalkorDB failed: {exc}{self._log_hint()}")) from None
        columns = [h[1] if isinstance(h, (list, tuple)) else str(h) for h in (res.header or [])]
        rows = [tuple(_plain(v) for v in row) for row in (res.result_set or [])]
        stats = {
            "nodes_created": res.nodes_created,
            "relationships_created": res.relationships_created,
            "properties_set": res.properties_set,
            "nodes_deleted": res.nodes_deleted,
            "relationships_deleted": res.relationships_deleted,
        }
        return QueryResult(columns, rows, stats)

    def plan(self, query: str, params: Mapping[str, Any] | None = None, *, profile: bool = False, write: bool = False) -> list[str]:
        """FalkorDB's ``GRAPH.EXPLAIN`` (or ``GRAPH.PROFILE``, which runs the query) as text lines."""
        if profile and not write and looks_like_write(query):
            raise ReadOnlyError("PROFILE runs the query, and this one writes to the graph; allow writes first (shell: :write on)")
        command = "GRAPH.PROFILE" if profile else "GRAPH.EXPLAIN"
        try:
            reply = self.db.connection.execute_command(command, self.settings.graph, params_header(params or {}) + query)
        except redis.ResponseError as exc:
            raise QueryError(f"FalkorDB rejected the query: {exc}") from None
        except redis.RedisError as exc:
            raise StoreError(f"FalkorDB failed: {exc}{self._log_hint()}") from exc
        return [x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in reply]

    def plan_label(self, kind: str) -> str:
        return f"FalkorDB GRAPH.{kind}"

    def _log_hint(self) -> str:
        if self.server is not None:
            tail = self.server.log_tail()
            return f" (server log: {tail})" if tail else ""
        return ""

    def _read(self, query: str, params: Mapping[str, Any]) -> QueryResult:
        return self._run(query, params, read_only=True)

    def _write(self, query: str, params: Mapping[str, Any]) -> QueryResult:
        return self._run(query, params, read_only=False)

    def ensure_indexes(self) -> None:
        """Range indexes on the root label's keys; unique ``id``.

        No index on relationship ids: canal finds a relationship from its endpoints, and
        in FalkorDB such an index costs more memory (~370 bytes per relationship) than
        the relationship's own properties.
        """
        existing: set[tuple[str, str]] = set()
        try:
            for row in self._read("CALL db.indexes() YIELD label, properties RETURN label, properties", {}).rows:
                for p in row[1]:
                    existing.add((row[0], p))
        except QueryError:
            pass
        for key in self.ontology.indexed_properties():
            if (ROOT_CLASS, key) not in existing:
                self._write(f"CREATE INDEX FOR (n:{ROOT_CLASS}) ON (n.{key})", {})
        with contextlib.suppress(redis.ResponseError):
            self.db.connection.execute_command(
                "GRAPH.CONSTRAINT", "CREATE", self.settings.graph, "UNIQUE", "NODE", ROOT_CLASS, "PROPERTIES", "1", "id"
            )

    def _meta(self, query: str, params: Mapping[str, Any], write: bool) -> QueryResult:
        graph = self.db.select_graph(meta_key(self.settings.graph))
        try:
            text = params_header(params) + query
            res = graph.query(text) if write else graph.ro_query(text)
        except redis.ResponseError as exc:
            if "empty key" in str(exc).lower():  # no bookkeeping yet
                return QueryResult([], [], {})
            raise QueryError(f"FalkorDB rejected the bookkeeping query: {exc}") from None
        except redis.RedisError as exc:
            raise StoreError(redact(f"FalkorDB failed: {exc}{self._log_hint()}")) from None
        columns = [h[1] if isinstance(h, (list, tuple)) else str(h) for h in (res.header or [])]
        return QueryResult(columns, [tuple(_plain(v) for v in row) for row in (res.result_set or [])], {})

    def _bulk_insert(self, node_tokens: list[bytes], rel_tokens: list[bytes], nodes: int, rels: int, *, begin: bool) -> tuple[int, int]:
        args: list[Any] = ["BEGIN"] if begin else []
        args += [nodes, rels, len(node_tokens), len(rel_tokens), *node_tokens, *rel_tokens]
        key = self._bulk_key or self.settings.graph
        try:
            reply = self.db.connection.execute_command("GRAPH.BULK", key, *args)
        except redis.RedisError as exc:
            raise StoreError(f"GRAPH.BULK failed: {exc}{self._log_hint()}") from exc
        # "<n> nodes created, <m> relations created"
        parts = [p.strip().split(" ")[0] for p in str(reply).split(",")]
        try:
            return int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            raise StoreError(f"GRAPH.BULK answered {reply!r}") from None

    def _drop_keys(self, keys: list[str]) -> None:
        """Delete graph keys over a fresh connection (the session's may be mid-reply after Ctrl-C)."""
        if not keys:
            return
        pool = self.db.connection.connection_pool
        fresh = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **pool.connection_kwargs))
        try:
            for key in keys:
                with contextlib.suppress(redis.ResponseError):
                    fresh.delete(key)  # DEL, not GRAPH.DELETE: see bulk_session
        finally:
            fresh.close()

    def _bulk_leftovers(self) -> list[str]:
        prefix = self.settings.graph + BULK_INFIX
        try:
            return [g for g in (self.db.list_graphs() or []) if g.startswith(prefix)]
        except redis.RedisError:
            return []

    @contextlib.contextmanager
    def bulk_session(self) -> Iterator[BulkInsert]:
        """A bulk load into this empty graph; see :meth:`GraphStore.bulk_session`.

        The graph is built under a temporary key (``<graph>__bulk_<pid>_<ns>``) and renamed
        over the (empty) graph only when complete; a failure or Ctrl-C drops the temporary
        key, leaving the graph as it was. In the embedded server the journal is paused first
        (it cannot replay GRAPH.BULK, and FalkorDB cannot replay a graph deleted and made
        again under the same key: the server crashes at the next open), so a kill at any
        moment leaves the journal as it was before the load; at the end the journal is
        rewritten from memory, which switches it to the new data at once. On a FalkorDB
        server (no lock: another load may be running) a load killed outright leaves its
        temporary key, never a half graph under the graph's name; ``GRAPH.DELETE`` it.
        """
        client = self.db.connection
        if self.server is not None:
            self.server.pause_journal(client)
        if self.server is not None:  # our own server: no other load can be running
            self._drop_keys(self._bulk_leftovers())
        key = f"{self.settings.graph}{BULK_INFIX}{os.getpid()}_{time.time_ns()}"
        self._bulk_key = key
        ok = False
        try:
            yield self._bulk_insert
            ok = True
        finally:
            self._bulk_key = None
            try:
                if ok:
                    self._switch_in(key)
                else:
                    self._drop_keys([key])
            finally:
                try:
                    self.ensure_indexes()
                finally:
                    if self.server is not None:
                        self.server.resume_journal(client)

    def _switch_in(self, key: str) -> None:
        """Rename the finished bulk graph over the graph (which must still be empty)."""
        client = self.db.connection
        if key not in (self.db.list_graphs() or []):
            return  # nothing was sent: the graph stays as it is
        if self.counts().total_nodes:
            self._drop_keys([key])
            raise StoreError(f"graph {self.settings.graph!r} received data during the bulk load; the bulk result was dropped")
        try:
            client.execute_command("RENAME", key, self.settings.graph)
        except redis.RedisError as exc:
            self._drop_keys([key])
            raise StoreError(f"could not switch the bulk-loaded graph in: {exc}{self._log_hint()}") from exc

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        if self.server is not None:
            client = self.db.connection
            # replaying the journal at open counts as changes: save only if we changed more
            dirty = self._dirty() != self._dirty_at_open or not self.server.path.exists()
            self.server.stop(save=dirty, client=client)
        with contextlib.suppress(Exception):
            self.db.connection.close()


class EmbeddedStore(FalkorStore):
    """A canal graph in a local database file, served by this process's own FalkorDB server."""

    backend = "embedded"
    is_embedded = True
