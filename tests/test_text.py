"""Any text survives: names with quotes, backslashes, newlines, control characters, emoji, CJK,
right-to-left text and 100 kB strings come back unchanged from every reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canal.errors import LoaderError
from canal.model import Node, validate_node
from canal.ontology import load_ontology
from canal.store import GraphStore
from canal.store.bulk_read import read_arrays
from tests.conftest import canal_cmd
from tests.spec_fixtures import LOADERS, SPEC_FIXTURES

DEMOKRITOS = '"NATIONAL CENTER FOR SCIENTIFIC RESEARCH ""DEMOKRITOS"""'  # a real CORDIS name, as the CSV module reads it

HOSTILE = [
    DEMOKRITOS,
    'say "hi"',
    "back\\slash",
    "literal \\n and \\u0041 and \\\\",
    'ends with a backslash \\',
    "new\nline",
    "tab\there\r\n",
    "bell \x07 escape \x1b unit \x1f del \x7f",
    "emoji 😀🧪 and 👩‍🔬",
    "中国科学院大连化学物理研究所",
    "עברית ومعهد العربية",
    "line\u2028separator\u2029",
    '{"json": [1, "x"]}',
    "x" * 100_000 + '"\\',
]


def test_the_fast_reader_returns_any_text_unchanged(store: GraphStore) -> None:
    onto = store.ontology
    nodes = [
        validate_node(onto, Node(f"t:{i}", "Enterprise", {"name": s, "nameZh": s, "region": s, "field": [s, "x"], "evidence": s, "source": "t"}))
        for i, s in enumerate(HOSTILE)
    ]
    store.upsert_nodes(nodes)
    arrays = read_arrays(store)
    for i, s in enumerate(HOSTILE):
        k = arrays.ids.index(f"t:{i}")
        assert arrays.names[k] == s and arrays.names_zh[k] == s and arrays.region[k] == s and arrays.notes[k] == s, repr(s[:40])
        assert arrays.fields[k] == (s, "x")


def test_canal_gaps_works_on_real_quoted_names(tmp_path: Path) -> None:
    folder = SPEC_FIXTURES["cordis"]
    assert folder is not None
    db = str(tmp_path / "c.db")
    res = canal_cmd("--db", db, "--no-progress", "load", str(LOADERS / "cordis.yaml"), env={"CANAL_CORDIS": str(folder)})
    assert res.returncode == 0, res.stderr
    res = canal_cmd("--db", db, "gaps", "--format", "json")
    assert res.returncode == 0, res.stderr
    gaps = json.loads(res.stdout)
    assert isinstance(gaps, list)
    from canal.store import open_store

    with open_store(db) as store:
        arrays = read_arrays(store)
        assert arrays.names[arrays.ids.index("cordis:org:999978239")] == DEMOKRITOS


@pytest.mark.parametrize(
    ("node_id", "why"),
    [("a\x01b", "control character"), ("tab\there", "control character"), ("x" * 2049, "longer than 2048 bytes"), ("中" * 683, "longer than 2048 bytes")],
)
def test_ids_the_store_cannot_index_are_bad_rows_not_a_crash(node_id: str, why: str) -> None:
    # FalkorDB's unique index brought the server down on such ids; canal refuses them up front
    with pytest.raises(LoaderError, match=why):
        validate_node(load_ontology(), Node(node_id, "Enterprise", {"name": "x"}))


def test_a_nul_character_is_a_bad_value() -> None:
    with pytest.raises(LoaderError, match="NUL"):
        validate_node(load_ontology(), Node("a", "Enterprise", {"name": "a\x00b"}))
