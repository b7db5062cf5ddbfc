"""Backends are a registry by URL scheme (``canal.store.registry``); capabilities, not names, outside the store.

The toy backend is the worked example of docs/ARCHITECTURE.md, run from the document itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from canal.errors import ConfigError
from canal.model import Node
from canal.store import backend_of, open_store, register_backend, unregister_backend
from canal.store.falkor import EmbeddedStore

from .doc_examples import example_module

ROOT = Path(__file__).resolve().parents[1]
MODULE = "toy_backend_example"


@pytest.fixture
def toy_backend() -> Iterator[types.ModuleType]:
    """The worked example's module, registered for one test."""
    try:
        with example_module("# toy_backend.py", MODULE) as module:
            yield module
    finally:
        unregister_backend("toy")


def test_the_built_in_schemes_name_their_backends() -> None:
    cases = {"canal.db": "embedded", "/tmp/x.db": "embedded", "redis://h:6379": "falkordb", "REDISS://h": "falkordb",
             "unix:///tmp/s.sock": "falkordb", "bolt://h": "neo4j", "bolt+ssc://h": "neo4j", "neo4j+s://h": "neo4j"}
    assert {db: backend_of(db).name for db in cases} == cases
    with pytest.raises(ConfigError, match="unsupported database URL scheme in 'http://h'"):
        backend_of("http://h")


def test_registering_imports_no_driver() -> None:
    code = ("import sys\nfrom canal.store import backend_of, register_backend\n"
            "register_backend('x', schemes=('x',), factory='canal_no_such_module:Store')\n"
            "assert [backend_of(d).name for d in ('bolt://h', 'redis://h', 'x://h')] == ['neo4j', 'falkordb', 'x']\n"
            "print(sorted(m for m in ('neo4j', 'falkordb', 'redis', 'canal.store.falkor', 'canal.store.neo4j') if m in sys.modules))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_a_toy_backend_opens_through_open_store(toy_backend: types.ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "toy.db"
    with open_store(f"test+falkor://{path}") as store:
        assert isinstance(store, toy_backend.ToyStore) and isinstance(store, EmbeddedStore)
        assert (store.backend, store.engine_name, store.is_embedded, store.supports_bulk) == ("toy", "FalkorDB", True, True)
        store.upsert_nodes([Node("dicp", "ResearchInstitute", {"name": "DICP"})])
    with open_store(str(path)) as plain:  # the same file, through the built-in backend
        assert plain.backend == "embedded" and plain.counts().total_nodes == 1
    unregister_backend("toy")
    with pytest.raises(ConfigError, match="unsupported database URL scheme"):
        open_store(f"test+falkor://{path}")


def test_registrations_that_clash_are_refused(toy_backend: types.ModuleType) -> None:
    with pytest.raises(ConfigError, match="already registered"):
        register_backend("toy", schemes=("other",), factory=f"{MODULE}:ToyStore")
    with pytest.raises(ConfigError, match="redis already belong to backend 'falkordb'"):
        register_backend("mine", schemes=("redis",), factory=f"{MODULE}:ToyStore")
    with pytest.raises(ConfigError, match="file paths already belong to backend 'embedded'"):
        register_backend("mine", factory=f"{MODULE}:ToyStore")
    with pytest.raises(ConfigError, match=r"package\.module:Class"):
        register_backend("mine", schemes=("mine",), factory="ToyStore")
    register_backend("broken", schemes=("broken",), factory="canal.model:Node")
    try:
        with pytest.raises(ConfigError, match="is not a GraphStore class"):
            open_store("broken://h")
    finally:
        unregister_backend("broken")


def test_no_backend_name_checks_outside_the_store_package() -> None:
    check = re.compile(r"\bbackend\s*(==|!=|\bin\b|\bnot in\b)|backend_of\([^)]*\)\.name\s*(==|!=)")
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
            for p in sorted((ROOT / "canal").rglob("*.py")) if "store" not in p.relative_to(ROOT / "canal").parts[:1]
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if check.search(line)]
    assert hits == [], "ask the store what it can do (GraphStore.supports_bulk, is_embedded, ...):\n" + "\n".join(hits)
