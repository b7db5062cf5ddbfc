"""Shared fixtures: real embedded FalkorDB stores in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from canal.demo import run_demo
from canal.store import GraphStore, open_store

# CI runs the property-based tests on a fixed set of examples (the same every run, nothing
# remembered between runs): a failure there is reproducible, never a new draw. Locally they
# explore new examples each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database path."""
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[GraphStore]:
    """An empty embedded store, closed after the test."""
    s = open_store(str(db_path))
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the demo graph, built once per test session."""
    d = tmp_path_factory.mktemp("demo")
    path = d / "demo.db"
    with open_store(str(path)) as s:
        run_demo(s, out=d / "demo.html", ego_out=d / "dmto.html")
    return path


def copy_database(src: Path, dst: Path) -> Path:
    """Copy a closed embedded database (snapshot and journal) to ``dst``; returns ``dst``."""
    shutil.copy(src, dst)
    aof = src.with_name(src.name + ".aof.d")
    if aof.exists():
        shutil.copytree(aof, dst.with_name(dst.name + ".aof.d"))
    return dst


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path) -> Iterator[GraphStore]:
    """A private copy of the demo database (tests may change it)."""
    s = open_store(str(copy_database(demo_db, tmp_path / "demo.db")))
    try:
        yield s
    finally:
        s.close()


def canal_cmd(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the ``canal`` CLI in a subprocess."""
    e = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "canal.cli", *args], cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout, check=False
    )


def redis_servers_for(path: Path) -> list[int]:
    """PIDs of redis-server processes serving a database in ``path``'s folder (redis runs in it)."""
    folder = str(path.parent.resolve())
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes()
            cwd = os.readlink(f"/proc/{entry}/cwd")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if b"redis-server" in cmd and cwd == folder and state != "Z":
            pids.append(int(entry))
    return pids
