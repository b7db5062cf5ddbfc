"""Neo4j's own parser accepts every Cypher statement canal sends (no Neo4j server needed).

The linter is Neo4j's ``@neo4j-cypher/language-support`` (npm), run by
``tools/cypherlint/lint.js``; ``.ci/run`` installs it. The statements come from
:func:`canal.queries.lint.collect_cypher`: saved queries, the store's builders for every
class and relationship type, Neo4j's DDL, modules' registered Cypher, the evidence Cypher
of gaps and matches, and everything recorded while the demo graph is loaded and read.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from canal.ingest import load_spec
from canal.queries.lint import (
    CypherItem,
    builder_cypher,
    collect_cypher,
    engine_specific,
    lint_cypher,
    linter_problem,
    neo4j_ddl_cypher,
    recording,
    registered_cypher,
    saved_query_cypher,
)
from canal.resources import demo_spec
from canal.store import GraphStore

PROBLEM = linter_problem()
needs_linter = pytest.mark.skipif(PROBLEM is not None, reason=f"Neo4j Cypher linter unavailable: {PROBLEM}")


@needs_linter
def test_every_statement_canal_sends_passes_neo4js_parser(store: GraphStore) -> None:
    with recording(store) as sent:
        load_spec(store, demo_spec())
        store.counts()
        G = store.to_networkx()
        store.to_networkx(["dmto", "dicp", "levima"])
        store.neighbourhood(["dmto"], depth=2)
        store.existing(["dmto", "nope"])
    assert len(sent) > 20  # the loader's upserts and the reads were seen
    items = collect_cypher(G=G, recorded=sent)
    origins = {i.origin.split(":")[0] for i in items}
    assert {"saved", "canal.store.cypher", "canal.store.neo4j", "recorded"} <= origins
    results = lint_cypher(items)
    assert len(results) == len(items)
    failures = [r.describe() for r in results if not r.ok]
    assert failures == []
    # every saved query was among them, with its declared parameters
    assert sorted(r.item.name for r in results if r.item.origin == "saved") == sorted(i.name for i in saved_query_cypher())
    assert len(saved_query_cypher()) >= 20


@needs_linter
def test_the_linter_catches_syntax_errors_unknown_schema_names_and_undefined_parameters() -> None:
    bad = [
        CypherItem("syntax", "MATCH (n:Entity) RETURN n.name LIMITS 3"),
        CypherItem("label", "MATCH (n:Enterprize) RETURN n.name"),
        CypherItem("type", "MATCH (a:Entity)-[:INVESTS]->(b:Entity) RETURN b.name"),
        CypherItem("key", "MATCH (n:Entity) RETURN n.nmae", origin="saved"),
        CypherItem("param", "MATCH (n:Entity {id: $id}) RETURN n.name"),
    ]
    good = CypherItem("fine", "MATCH (n:Entity {id: $id}) RETURN n.name", {"id": "dmto"})
    # bookkeeping keys outside the ontology (load logs...) are notes outside the saved queries and builders
    note = CypherItem("log", "MATCH (l:LoadLog) RETURN l.finished", origin="recorded:FalkorStore")
    results = lint_cypher([*bad, good, note])
    assert [r.ok for r in results] == [False] * len(bad) + [True, True]
    assert [d.message.split()[0] for d in results[-1].notes] == ["finished"]
    assert "LIMITS" in results[0].describe()
    assert "Enterprize" in results[1].describe()
    assert "INVESTS" in results[2].describe()
    assert "nmae" in results[3].describe()
    assert "$id" in results[4].describe() or "id" in results[4].describe()


def test_builders_cover_every_class_and_relationship_type() -> None:
    from canal.ontology import load_ontology

    onto = load_ontology()
    names = {i.name for i in builder_cypher(onto)}
    assert {f"node_upsert[{c}]" for c in onto.node_classes} <= names
    assert {f"relationship_upsert[{t}]" for t in onto.relationship_types} <= names
    assert {"ALL_NODES", "ALL_RELATIONSHIPS", "RELATIONSHIP_COUNTS"} <= names


def test_neo4j_ddl_is_captured_without_a_server_and_marked_neo4j_only() -> None:
    ddl = neo4j_ddl_cypher()
    assert ddl and all(engine_specific(i.query) == "neo4j" for i in ddl)
    assert any("REQUIRE n.id IS UNIQUE" in i.query for i in ddl)


def test_falkordb_only_statements_are_set_aside() -> None:
    assert engine_specific("CALL db.indexes() YIELD label, properties RETURN label, properties") == "falkordb"
    items = collect_cypher(recorded=[CypherItem("idx", "CALL db.indexes() YIELD label RETURN label")])
    assert all("db.indexes" not in i.query for i in items)


def test_modules_can_register_their_cypher_for_the_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "fakecanal"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "analysis.py").write_text(
        textwrap.dedent(
            """
            CYPHER_CATALOGUE = [("by-id", "MATCH (n:Entity {id: $id}) RETURN n.name", {"id": "x"})]
            """
        )
    )
    (pkg / "other.py").write_text("def cypher_catalogue():\n    return ['MATCH (n:Technology) RETURN count(n) AS n']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        items = registered_cypher("fakecanal")
    finally:
        for m in [m for m in sys.modules if m.startswith("fakecanal")]:
            del sys.modules[m]
    assert [(i.origin, i.name, dict(i.params)) for i in items] == [
        ("fakecanal.analysis", "by-id", {"id": "x"}),
        ("fakecanal.other", "0", {}),
    ]
