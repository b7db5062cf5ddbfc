"""Neo4j 5 in production: the same assertions as the embedded tests, against CANAL_NEO4J_URI.

Point CANAL_NEO4J_URI at a scratch Neo4j 5 (``docker compose up -d`` with compose.yaml, then
``CANAL_NEO4J_URI=bolt://localhost:7687 CANAL_NEO4J_PASSWORD=...``): these tests DELETE every
canal node there, load the demo graph and compare with the embedded FalkorDB demo. Without
the variable they skip with the reason shown. compose.yaml itself is checked always.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from canal.ingest import load_spec
from canal.queries import run_query
from canal.queries.analytics import gds_version, pagerank
from canal.queries.lint import lint_cypher, linter_problem, recording
from canal.resources import demo_spec
from canal.shell import CypherShell
from canal.store import GraphStore, open_store

from .conftest import canal_cmd, copy_database
from .test_queries import CASES, Case, _normalise

URI = os.environ.get("CANAL_NEO4J_URI")
needs_neo4j = pytest.mark.skipif(
    not URI,
    reason="CANAL_NEO4J_URI is not set: no Neo4j 5 server to test against "
    "(docker compose up -d; CANAL_NEO4J_URI=bolt://localhost:7687 CANAL_NEO4J_PASSWORD=...)",
)
ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_runs_neo4j_5_community_on_local_ports_with_the_password_from_the_environment() -> None:
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    neo = spec["services"]["neo4j"]
    assert neo["image"].startswith("neo4j:5") and "community" in neo["image"]
    assert "127.0.0.1:7687:7687" in neo["ports"]
    assert "${CANAL_NEO4J_PASSWORD" in neo["environment"]["NEO4J_AUTH"]
    assert "graph-data-science" in neo["environment"]["NEO4J_PLUGINS"]
    assert any(v.endswith(":/data") for v in neo["volumes"])


def test_the_installed_driver_is_the_declared_neo4j_5_line() -> None:
    """pyproject pins the 5.x driver (Neo4j 5 servers); the store's imports resolve against it."""
    import neo4j
    from neo4j.exceptions import Neo4jError, ServiceUnavailable
    from neo4j.graph import Node, Path, Relationship

    assert neo4j.__version__.split(".")[0] == "5", neo4j.__version__
    assert {Neo4jError, ServiceUnavailable, Node, Path, Relationship}
    driver = neo4j.GraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", "x"))  # lazy: no connection yet
    driver.close()


@pytest.fixture(scope="module")
def neo() -> Iterator[GraphStore]:
    """The demo graph loaded into the Neo4j at CANAL_NEO4J_URI (cleared before and after)."""
    store = open_store(URI)
    store.clear()
    load_spec(store, demo_spec())
    try:
        yield store
    finally:
        store.clear()
        store.close()


@pytest.fixture(scope="module")
def embedded(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    dst = tmp_path_factory.mktemp("neo4j-ref") / "demo.db"
    copy_database(demo_db, dst)
    s = open_store(str(dst))
    try:
        yield s
    finally:
        s.close()


@needs_neo4j
def test_demo_in_neo4j_has_the_same_counts_as_embedded(neo: GraphStore, embedded: GraphStore) -> None:
    assert neo.counts() == embedded.counts()
    assert (neo.counts().total_nodes, neo.counts().total_relationships) == (199, 312)


@needs_neo4j
def test_demo_in_neo4j_exports_the_same_graph(neo: GraphStore, embedded: GraphStore) -> None:
    a, b = neo.to_networkx(), embedded.to_networkx()
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True)) == sorted(b.edges(keys=True, data=True))


@needs_neo4j
@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}{'-' + '-'.join(map(str, c.params.values())) if c.params else ''}" for c in CASES])
def test_saved_query_returns_the_same_rows_in_neo4j(neo: GraphStore, case: Case) -> None:
    res = run_query(neo, case.name, case.params)
    assert _normalise(case.name, res.columns, res.rows, case.columns) == case.rows


@needs_neo4j
def test_loading_twice_into_neo4j_changes_nothing(neo: GraphStore) -> None:
    before = neo.counts()
    load_spec(neo, demo_spec())
    assert neo.counts() == before


@needs_neo4j
@pytest.mark.skipif(linter_problem() is not None, reason=f"Neo4j Cypher linter unavailable: {linter_problem()}")
def test_statements_sent_to_neo4j_pass_its_parser(neo: GraphStore) -> None:
    with recording(neo) as sent:
        neo.ensure_indexes()
        neo.counts()
        neo.to_networkx(["dmto", "dicp"])
    assert [r.describe() for r in lint_cypher(sent) if not r.ok] == []


@needs_neo4j
def test_pagerank_uses_gds_when_present_and_agrees_with_python_at_the_top(neo: GraphStore, embedded: GraphStore) -> None:
    ranked = pagerank(neo, top=3)
    assert [r.engine for r in ranked] == ["gds" if gds_version(neo) else "networkx"] * 3
    python = pagerank(embedded, top=3)
    assert ranked[0].id == python[0].id == "liangjiang"


@needs_neo4j
def test_shell_and_cli_work_on_neo4j(neo: GraphStore) -> None:
    out = CypherShell(neo).feed("MATCH (t:Technology {id: 'dmto'}) RETURN t.nameZh AS zh;")
    assert out is not None and "DMTO甲醇制烯烃技术" in out
    res = canal_cmd("--db", str(URI), "queries", "run", "alliance-member-investors", "--format", "csv")
    assert res.returncode == 0, res.stderr
    assert "CAS Holdings" in res.stdout


@needs_neo4j
def test_explain_and_profile_show_neo4js_plan(neo: GraphStore) -> None:
    sh = CypherShell(neo)
    out = sh.feed("EXPLAIN MATCH (t:Technology)<-[:DEVELOPS]-(o) RETURN o.name;")
    assert out is not None and out.startswith("plan (neo4j EXPLAIN):") and "ProduceResults" in out
    prof = sh.feed("PROFILE MATCH (t:Technology) RETURN t.name;")
    assert prof is not None and "DB hits" in prof
