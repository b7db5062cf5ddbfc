"""The embedded store: idempotent upserts, exact counts, read-only default, process hygiene."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from canal.errors import QueryError, ReadOnlyError, StoreLockedError
from canal.model import Node, Relationship
from canal.store import GraphStore, open_store

from .conftest import redis_servers_for


def _two_nodes(store: GraphStore) -> None:
    store.ensure_indexes()
    store.upsert_nodes([Node("a", "ResearchInstitute", {"name": "A"}), Node("b", "Enterprise", {"name": "B"})])


def test_upsert_nodes_is_idempotent_and_updates_properties(store: GraphStore) -> None:
    _two_nodes(store)
    _two_nodes(store)
    store.upsert_nodes([Node("a", "ResearchInstitute", {"name": "A2", "region": "Dalian"})])
    assert store.counts().nodes == {"Enterprise": 1, "ResearchInstitute": 1}
    assert store.query("MATCH (n:Entity {id: 'a'}) RETURN n.name, n.region").rows == [("A2", "Dalian")]


def test_class_change_replaces_labels(store: GraphStore) -> None:
    _two_nodes(store)
    store.upsert_nodes([Node("a", "University", {"name": "A"})])
    labels = store.query("MATCH (n:Entity {id: 'a'}) RETURN labels(n)").scalar()
    assert sorted(labels) == ["Entity", "Organisation", "ResearchOrganisation", "University"]


def test_parallel_relationships_are_counted_and_exported_exactly(store: GraphStore) -> None:
    _two_nodes(store)
    rels = [
        Relationship("investsIn", "a", "b", "2010", {"amount": 1.0}),
        Relationship("investsIn", "a", "b", "2014", {"amount": 2.0}),
        Relationship("collaboratesWith", "a", "b"),
    ]
    store.upsert_relationships(rels)
    store.upsert_relationships(rels)
    assert store.counts().relationships == {"COLLABORATES_WITH": 1, "INVESTS_IN": 2}
    G = store.to_networkx()
    assert G.number_of_edges("a", "b") == 3
    assert sorted(k for _, _, k in G.edges(keys=True)) == ["a-COLLABORATES_WITH->b", "a-INVESTS_IN->b#2010", "a-INVESTS_IN->b#2014"]
    assert G.nodes["a"]["cls"] == "ResearchInstitute"


def test_write_query_is_refused_without_write(store: GraphStore) -> None:
    with pytest.raises(ReadOnlyError):
        store.query("CREATE (:Entity {id: 'x'})")
    # the engine refuses too, even if the text check is fooled
    with pytest.raises(ReadOnlyError):
        store._read("CREATE (:Entity {id: 'x'})", {})
    assert store.counts().total_nodes == 0
    store.execute("CREATE (:Entity:Technology {id: 'x', name: 'x'})")
    assert store.counts().total_nodes == 1


def test_values_travel_as_parameters(store: GraphStore) -> None:
    nasty = "O'Brien \"quoted\" \\ }) DETACH DELETE n //"
    store.upsert_nodes([Node("q", "Technology", {"name": nasty})])
    assert store.query("MATCH (n:Entity) WHERE n.name = $v RETURN n.id", {"v": nasty}).rows == [("q",)]


def test_bad_cypher_raises_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.query("MATCH (n RETURN n")


def test_close_stops_the_server_and_an_exception_too(db_path: Path) -> None:
    with open_store(str(db_path)):
        assert len(redis_servers_for(db_path)) == 1
    assert redis_servers_for(db_path) == []
    with pytest.raises(RuntimeError), open_store(str(db_path)):
        raise RuntimeError("boom")
    assert redis_servers_for(db_path) == []


def test_second_opener_waits_then_fails_clearly(db_path: Path) -> None:
    with open_store(str(db_path)):
        t0 = time.monotonic()
        with pytest.raises(StoreLockedError, match="in use by another canal process"):
            open_store(str(db_path), lock_timeout=0.5)
        assert time.monotonic() - t0 >= 0.5


def test_concurrent_writers_lose_nothing(db_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from canal.model import Node
        from canal.store import open_store
        tag = sys.argv[1]
        with open_store({str(db_path)!r}, lock_timeout=120) as s:
            s.ensure_indexes()
            s.upsert_nodes([Node(f"{{tag}}-{{i}}", "Technology", {{"name": str(i)}}) for i in range(500)])
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, tag]) for tag in ("p", "q")]
    assert [p.wait(timeout=180) for p in procs] == [0, 0]
    with open_store(str(db_path)) as s:
        assert s.counts().nodes == {"Technology": 1000}


def test_sigkill_keeps_acknowledged_batches_and_leaves_no_server(db_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from canal.model import Node
        from canal.store import open_store
        s = open_store({str(db_path)!r})
        s.ensure_indexes()
        for b in range(1000):
            s.upsert_nodes([Node(f"n{{b}}-{{i}}", "Technology", {{"name": "x"}}) for i in range(100)])
            print(b, flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acked = -1
    for line in proc.stdout:
        acked = int(line)
        if acked >= 5:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while redis_servers_for(db_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert redis_servers_for(db_path) == []
    with open_store(str(db_path)) as s:
        assert s.counts().nodes["Technology"] >= (acked + 1) * 100


def test_stale_lock_info_from_a_killed_run_is_cleaned(db_path: Path) -> None:
    lock = db_path.with_name(db_path.name + ".lock")
    lock.write_text('{"owner_pid": 999999, "server_pid": 999999, "config": "/nonexistent", "tmpdir": "/tmp/canal-gone"}')
    with open_store(str(db_path)) as s:
        assert s.counts().total_nodes == 0


def test_reopen_keeps_data(db_path: Path) -> None:
    with open_store(str(db_path)) as s:
        _two_nodes(s)
    with open_store(str(db_path)) as s:
        assert s.counts().total_nodes == 2


def test_parameters_reach_falkordb_unchanged(store: GraphStore) -> None:
    # canal writes the parameter header itself (json module + back-quoted keys); texts that
    # look like JSON keys, quotes, backslashes, control characters and odd keys survive
    tricky = ['a "b": c', 'q"u\\o\nte\t', "\\u0041 stays", "\x01ctl", ":)", "中文", "", "back`tick"]
    maps = [{"k": ":)"}, {"odd key": 1, "n": None}, {"x": [1.5, True, {"y": "z"}]}]
    got = store.query("RETURN $t AS t, $m AS m, $n AS n", {"t": tricky, "m": maps, "n": 2**53}).rows[0]
    assert got == (tricky, maps, 2**53)


_SLOW_LISTENER = textwrap.dedent(
    """
    import socket, sys, time
    path, delay = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)          # the socket file exists from here on ...
    time.sleep(delay)     # ... but nothing listens yet: a connect is refused (errno 111)
    if delay < 100:
        s.listen(8)
        while True:
            c, _ = s.accept()
            c.recv(1024)
            c.sendall(b"+PONG\\r\\n")
            c.close()
    """
)


@pytest.mark.parametrize(("delay", "timeout", "opens"), [(1.0, 60.0, True), (1000.0, 1.5, False)])
def test_open_waits_until_the_server_accepts_commands(tmp_path: Path, delay: float, timeout: float, opens: bool) -> None:
    # a real process that creates its socket file before it listens, like redis-server does
    from canal.errors import StoreError
    from canal.store.embedded import EmbeddedServer

    server = EmbeddedServer(tmp_path / "x.db")
    server.socket = str(tmp_path / "redis.sock")
    server.proc = subprocess.Popen([sys.executable, "-c", _SLOW_LISTENER, server.socket, str(delay)])
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(server.socket) and time.monotonic() < deadline:
            time.sleep(0.01)
        if opens:
            server._wait_accepting(timeout)  # returns once PING is answered
        else:
            with pytest.raises(StoreError, match=r"did not accept commands within 1\.5 s"):
                server._wait_accepting(timeout)
    finally:
        server.proc.kill()
        server.proc.wait()
