"""Export and import formats are a table (``canal.exchange.register_format``) that the CLI reads.

The JSON-lines format is the worked example of docs/ARCHITECTURE.md, run from the document itself.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from canal.cli import main
from canal.errors import ConfigError
from canal.exchange import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    canonical,
    canonical_diff,
    export_formats,
    export_graph,
    import_formats,
    read_graph_file,
    register_format,
    unregister_format,
)
from canal.store import open_store

from .conftest import copy_database
from .doc_examples import example_module

ROOT = Path(__file__).resolve().parents[1]
MODULE = "jsonl_format_example"


@pytest.fixture
def jsonl_format() -> Iterator[types.ModuleType]:
    """The worked example's module, registered for one test."""
    try:
        with example_module("# jsonl_format.py", MODULE) as module:
            yield module
    finally:
        unregister_format("jsonl")


def test_the_built_in_formats_are_the_table() -> None:
    assert export_formats() == list(EXPORT_FORMATS) == ["ttl", "jsonld", "graphml", "gexf", "csv"]
    assert import_formats() == list(IMPORT_FORMATS) == ["ttl", "jsonld", "nt", "graphml", "gexf", "csv"]


def test_a_toy_format_round_trips_the_demo_through_the_cli(jsonl_format: types.ModuleType, demo_db: Path, tmp_path: Path) -> None:
    src, dst, out = copy_database(demo_db, tmp_path / "demo.db"), tmp_path / "fresh.db", tmp_path / "demo.jsonl"
    runner = CliRunner()
    res = runner.invoke(main, ["--db", str(src), "export", "--format", "jsonl", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 199 + 312
    res = runner.invoke(main, ["--db", str(dst), "import", str(out)])  # the format from the suffix
    assert res.exit_code == 0, res.output
    assert "imported 199 nodes and 312 relationships" in res.output
    with open_store(str(src)) as a, open_store(str(dst)) as b:
        assert canonical_diff(canonical(a.to_networkx()), canonical(b.to_networkx())) == []
    assert "jsonl" in runner.invoke(main, ["export", "--help"]).output
    unregister_format("jsonl")
    res = runner.invoke(main, ["--db", str(dst), "export", "--format", "jsonl"])
    assert res.exit_code == 2 and "'jsonl' is not one of" in res.output
    with pytest.raises(ConfigError, match=r"cannot tell the format of demo\.jsonl"):
        read_graph_file(out)


def test_clashing_or_empty_formats_are_refused(jsonl_format: types.ModuleType) -> None:
    with pytest.raises(ConfigError, match="already registered"):
        register_format("jsonl", writer=jsonl_format.write)
    with pytest.raises(ConfigError, match=r"\.ttl already belong to format 'ttl'"):
        register_format("turtle2", reader=jsonl_format.read, suffixes=(".TTL",))
    with pytest.raises(ConfigError, match="folders already belong to format 'csv'"):
        register_format("tsv", reader=jsonl_format.read, folder="a folder of TSV files")
    with pytest.raises(ConfigError, match="needs a writer or a reader"):
        register_format("nothing")


def test_a_folder_format_is_not_text() -> None:
    import networkx as nx

    with pytest.raises(ConfigError, match="csv export writes files into a folder: use export_folder"):
        export_graph(nx.MultiDiGraph(), "csv")
