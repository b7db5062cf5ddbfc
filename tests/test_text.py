"""Any text survives: names with quotes, backslashes, newlines, control characters, emoji, CJK,
right-to-left text and 100 kB strings come back unchanged from every reader."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canal.errors import ConfigError, LoaderError
from canal.exchange import (
    canonical,
    canonical_diff,
    graph_from_csv,
    graph_from_records,
    records_from_networkx,
    to_gexf,
    to_graphml,
    write_csv,
)
from canal.maps import map_data
from canal.maps.page import json_for_script
from canal.maps.select import node_names
from canal.model import Node, Relationship, validate_node
from canal.ontology import load_ontology
from canal.rdf import from_rdf, parse_file, serialize, to_rdf
from canal.store import GraphStore, open_store
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


# -- property-based: any text survives the store and every reader and exporter --------------------

_PIECES = ['"', '""', "\\", "\\n", "\n", "\r", "\r\n", "\t", "\x01", "\x07", "\x1b", "\x7f", "😀", "👩‍🔬", "中文", "עברית", "مرحبا", "|", "\\|", ";", ",", " ", "<script>", "&amp;", "\u2028", "\u200f", "\ufeff"]
any_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join),
    st.sampled_from(HOSTILE),
)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@pytest.fixture(scope="module")
def text_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    from canal.store import open_store

    s = open_store(str(tmp_path_factory.mktemp("text") / "t.db"), fsync="no")
    try:
        yield s
    finally:
        s.close()


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's own JSON-LD parser
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(any_text, min_size=2, max_size=4))
def test_any_text_survives_the_store_and_every_reader(text_store: GraphStore, texts: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    store, onto = text_store, text_store.ontology
    store.execute("MATCH (n) DETACH DELETE n")
    nodes = [
        validate_node(onto, Node(f"t:{i}", "Enterprise", {"name": t, "aliases": [t, "x"], "description": t, "evidence": t, "source": "text"}))
        for i, t in enumerate(texts)
    ]
    rel = Relationship("collaboratesWith", "t:0", "t:1", "k", {"role": texts[0], "evidence": texts[1], "source": "text"})
    store.upsert_nodes(nodes)
    store.upsert_relationships([rel])
    # the store, through the networkx export
    G = store.to_networkx()
    want = canonical(graph_from_records(nodes, [rel], onto), onto)
    got = canonical(G, onto)
    assert canonical_diff(want, got) == []
    # the fast whole-graph reader
    arrays = read_arrays(store)
    for i, t in enumerate(texts):
        k = arrays.ids.index(f"t:{i}")
        assert arrays.names[k] == t and arrays.notes[k] == t
    # RDF (Turtle and JSON-LD) back to records
    folder = tmp_path_factory.mktemp("export")
    for fmt in ("ttl", "jsonld"):
        path = folder / f"g.{fmt}"
        path.write_text(serialize(to_rdf(G, onto), fmt), encoding="utf-8")
        n2, r2 = from_rdf(parse_file(path), onto)
        assert canonical_diff(got, canonical(graph_from_records(n2, r2, onto), onto)) == [], fmt
    # GraphML and GEXF: exact, or refused when XML cannot hold a character
    xml_ok = not any(_XML_BAD.search(t) for t in texts)
    for fmt, write in (("graphml", to_graphml), ("gexf", lambda H: to_gexf(H, ontology=onto))):
        if not xml_ok:
            with pytest.raises(ConfigError, match=r"XML 1\.0"):
                write(G)
            continue
        data = write(G).encode("utf-8")
        H = nx.read_graphml(io.BytesIO(data), force_multigraph=True) if fmt == "graphml" else nx.read_gexf(io.BytesIO(data))
        n3, r3 = records_from_networkx(H, onto)
        assert canonical_diff(got, canonical(graph_from_records(n3, r3, onto), onto)) == [], fmt
    # CSV node and edge lists
    write_csv(G, folder, ontology=onto)
    n4, r4 = records_from_networkx(graph_from_csv(folder), onto)
    assert canonical_diff(got, canonical(graph_from_records(n4, r4, onto), onto)) == [], "csv"
    # map data: every name as it is, and the page's embedded JSON reads back the same
    data = map_data(G, ontology=onto)
    for i in range(len(texts)):
        assert data["info"][f"t:{i}"]["names"] == node_names(G.nodes[f"t:{i}"])
    assert json.loads(json_for_script(data)) == json.loads(json.dumps(data, ensure_ascii=False, default=str))


def test_every_command_works_on_a_graph_of_hostile_names(tmp_path: Path) -> None:
    # a small canal whose names hold quotes, backslashes, line breaks and emoji (no XML-forbidden characters)
    names = [DEMOKRITOS, 'back\\slash "quoted"', "two\nlines\r\nand a\ttab", "emoji 😀🧪 中文 עברית"]
    rows = [["id", "class", "name"], ["lab", "ResearchInstitute", names[0]], ["tech", "Technology", names[1]], ["ent", "Enterprise", names[2]], ["fund", "Fund", names[3]]]
    rels = [["source", "type", "target"], ["lab", "develops", "tech"], ["ent", "adopts", "tech"], ["fund", "investsIn", "ent"]]
    for name, table in (("nodes.csv", rows), ("rels.csv", rels)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerows(table)
    (tmp_path / "s.yaml").write_text(
        "name: hostile\nnodes:\n  - file: nodes.csv\n    id: id\n    class: {column: class}\n    properties: {name: name}\n"
        "relationships:\n  - file: rels.csv\n    type: {column: type}\n    source: source\n    target: target\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "h.db")
    res = canal_cmd("--db", db, "--no-progress", "load", str(tmp_path / "s.yaml"))
    assert res.returncode == 0, res.stderr
    commands = [
        ["gaps", "--format", "json"],
        ["match", "--for", "tech"],
        ["map", "-o", str(tmp_path / "m.html")],
        *[["export", "--format", f, "-o", str(tmp_path / f"g.{f}")] for f in ("ttl", "jsonld", "graphml", "gexf")],
        ["export", "--format", "csv", "-o", str(tmp_path / "csv")],
    ]
    for args in commands:
        res = canal_cmd("--db", db, *args)
        assert res.returncode == 0, (args, res.stderr)
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="canal-data">', 1)[1].split("</script>", 1)[0])
    assert sorted(data["info"][n]["names"][0] for n in ("lab", "tech", "ent", "fund")) == sorted(names)
    for f in ("ttl", "jsonld", "graphml", "gexf"):
        res = canal_cmd("--db", str(tmp_path / f"{f}.db"), "import", str(tmp_path / f"g.{f}"))
        assert res.returncode == 0, (f, res.stderr)
        with open_store(str(tmp_path / f"{f}.db")) as store:
            assert sorted(r[0] for r in store.query("MATCH (n:Entity) RETURN n.name").rows) == sorted(names), f
