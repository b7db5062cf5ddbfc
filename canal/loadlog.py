"""canal's bookkeeping: the load log and the merge records, kept outside the domain graph.

Every load (incremental, ``--bulk``, ``canal import``) records itself as a ``LoadLog``
record: ``running`` when it starts writing, then ``done``, ``failed`` (an error, with
its message) or ``interrupted`` (Ctrl-C, SIGTERM). A load killed outright cannot write
anything; its record is found ``running`` and marked ``interrupted`` by the next load,
or when the log is read while this process holds the embedded database (nobody else
can be loading then).

The records live in the store's bookkeeping graph (:meth:`GraphStore.meta_query`):
``<graph>__canal_meta`` in FalkorDB, so ``MATCH (n)`` on the user's graph, counts,
exports and maps see only the user's data. Databases written before this moved their
records on the first load (or log read): :func:`migrate`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from canal.redact import redact
from canal.store.base import GraphStore
from canal.store.cypher import ident

LOAD_LOG = "LoadLog"
MERGE_RECORD = "MergeRecord"

_active: set[str] = set()  # loads of this process that are writing now


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrate(store: GraphStore) -> int:
    """Move bookkeeping records an older canal wrote into the domain graph to the
    bookkeeping graph; returns how many moved (0 on a current database)."""
    moved = 0
    if not store.meta_separate:
        return 0  # Neo4j without a bookkeeping database: the records already are where they belong
    for label in (LOAD_LOG, MERGE_RECORD):
        rows = store.query(f"MATCH (l:{ident(label)}) RETURN properties(l)").rows
        if not rows:
            continue
        props = [dict(r[0]) for r in rows]
        store.meta_execute(f"UNWIND $rows AS row CREATE (l:{ident(label)}) SET l += row RETURN count(l)", {"rows": props})
        store.execute(f"MATCH (l:{ident(label)}) DELETE l RETURN count(l)")
        moved += len(props)
    return moved


def mark_stale(store: GraphStore, name: str | None = None) -> int:
    """Mark ``running`` records that no load of this process owns as ``interrupted``.

    ``name=None`` (all sources) is safe only while this process holds the database alone
    (the embedded store's lock); on a shared server only the source about to be loaded
    again is marked.
    """
    q = f"MATCH (l:{ident(LOAD_LOG)}) WHERE l.status = 'running' AND NOT l.id IN $active"
    if name is not None:
        q += " AND l.name = $s"
    q += " SET l.status = 'interrupted' RETURN count(l)"
    return int(store.meta_execute(q, {"s": name, "active": sorted(_active)}).scalar() or 0)


def loaded_before(store: GraphStore, name: str) -> bool:
    """True if the load log has any record of ``name`` (even an interrupted one)."""
    return bool(store.meta_query(f"MATCH (l:{ident(LOAD_LOG)} {{name: $s}}) RETURN count(l) > 0", {"s": name}).scalar())


class Run:
    """One load's record in the log; :meth:`start` it when writing begins."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.id: str | None = None
        self.committed = False  # the load's data is in: an error after this does not undo it

    def start(self, name: str, spec: str, *, mode: str | None = None) -> str:
        """Record the load as ``running`` (after marking a stale one interrupted)."""
        mark_stale(self.store, None if self.store.is_embedded else name)
        started = _now()
        self.id = f"load:{name}:{started}:{time.time_ns() % 1_000_000:06d}"
        props: dict[str, Any] = {"id": self.id, "name": name, "spec": spec, "started": started, "startedNs": time.time_ns(), "status": "running"}
        if mode:
            props["mode"] = mode
        self.store.meta_execute(f"CREATE (l:{ident(LOAD_LOG)}) SET l += $props RETURN l.id", {"props": props})
        _active.add(self.id)
        return self.id

    def finish(self, status: str = "done", *, commit: bool = True, **props: Any) -> None:
        """Close the record with ``status`` and extra properties.

        ``commit=False``: written where it becomes durable together with the data (the bulk
        path, inside its session); the caller sets :attr:`committed` once it has.
        """
        if self.id is None:
            return
        _active.discard(self.id)
        self.committed = commit
        update = {"status": status, "finished": _now(), **props}
        self.store.meta_execute(f"MATCH (l:{ident(LOAD_LOG)} {{id: $id}}) SET l += $props RETURN l.id", {"id": self.id, "props": update})

    def update(self, **props: Any) -> None:
        """Add properties to a finished record (e.g. timings measured after it closed)."""
        if self.id is not None:
            self.store.meta_execute(f"MATCH (l:{ident(LOAD_LOG)} {{id: $id}}) SET l += $props RETURN l.id", {"id": self.id, "props": props})

    def abort(self, exc: BaseException) -> None:
        """Record why the load stopped: ``interrupted`` (Ctrl-C, SIGTERM) or ``failed``.

        Never raises: the original error is what the caller reports.
        """
        if self.id is None or self.committed:
            return  # not started, or the data is in
        status = "interrupted" if isinstance(exc, (KeyboardInterrupt, SystemExit)) else "failed"
        try:
            self.finish(status, error=redact(f"{type(exc).__name__}: {exc}")[:500])
        except BaseException:  # the store may be gone; the load's own error wins
            _active.discard(self.id or "")


class DeferredInterrupts:
    """Hold Ctrl-C and SIGTERM back while a load commits, then deliver them.

    Between :meth:`start` and :meth:`stop` the signals are only recorded; :meth:`stop`
    restores the handlers and raises each recorded signal again, so a load whose data
    got in is not logged ``interrupted`` (nor one logged ``done`` left out). Outside the
    main thread it does nothing.
    """

    _SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        self.pending: list[int] = []
        self._saved: dict[int, Any] = {}

    def start(self) -> None:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        for name in self._SIGNALS:
            num = getattr(signal, name)
            self._saved[num] = signal.signal(num, lambda n, f: self.pending.append(n))

    def stop(self) -> None:
        import signal
        import sys

        for num, handler in self._saved.items():
            signal.signal(num, handler)
        self._saved.clear()
        pending, self.pending = self.pending, []
        if sys.exc_info()[0] is None:
            for num in dict.fromkeys(pending):
                signal.raise_signal(num)


@contextmanager
def recording(store: GraphStore, name: str, spec: str, *, mode: str | None = None) -> Iterator[Run]:
    """Record a load from start to end: ``done``, or ``failed`` / ``interrupted`` on the way out."""
    run = Run(store)
    run.start(name, spec, mode=mode)
    try:
        yield run
    except BaseException as exc:
        run.abort(exc)
        raise
    if not run.committed:
        run.finish("done")


def load_log(store: GraphStore, *, name: str | None = None) -> list[dict[str, Any]]:
    """The load log kept in the database, oldest first."""
    migrate(store)
    if store.is_embedded:
        mark_stale(store)  # this process holds the database: no other load is running
    q = f"MATCH (l:{ident(LOAD_LOG)}) RETURN properties(l) ORDER BY l.startedNs, l.id"
    out = [dict(r[0]) for r in store.meta_query(q).rows]
    return [x for x in out if name is None or x.get("name") == name]
