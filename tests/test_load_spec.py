"""Spec checks point at the spec line; values: templates, maps, transforms, prefixes, env paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from canal.errors import LoaderError
from canal.load.spec import Value, expand_vars, read_spec
from canal.ontology import load_ontology

BASE = """\
name: t
nodes:
  - file: n.csv
    id: {column: id, prefix: "x:"}
    class: {column: kind, map: {uni: University, lab: Laboratory}}
    properties:
      name: {column: name, transform: strip}
"""


def _spec(tmp_path: Path, text: str) -> Path:
    (tmp_path / "n.csv").write_text("id,kind,name\n1,uni,A\n", encoding="utf-8")
    p = tmp_path / "t.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("transform: strip", "transform: shout", 7, "unknown transform 'shout'"),
        ("lab: Laboratory", "lab: Labratory", 5, "unknown class 'Labratory'"),
        ("  - file: n.csv", "  - file: n.csv\n    missing: report", 4, "unknown key 'missing' in a nodes mapping"),
        ("  - file: n.csv", "  - file: n.csv\n    reader: xml", 4, "unknown reader 'xml'"),
        (BASE, BASE + "  - id: {value: 'x:p'}\n    class: {value: Programme}\n    properties: {name: title}\n", 10, "every value must be a constant"),
        (BASE, BASE + "  - id: {value: 'x:p'}\n    class: {value: Programme}\n    where: {a: b}\n", 10, "'where' needs a 'file'"),
    ],
)
def test_spec_errors_name_the_spec_line(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    with pytest.raises(LoaderError) as info:
        read_spec(_spec(tmp_path, BASE.replace(old, new)), load_ontology())
    assert words in info.value.message
    assert info.value.line == line


def test_a_node_mapping_without_a_file_declares_one_fixed_node(tmp_path: Path) -> None:
    from canal.load.records import collect

    onto = load_ontology()
    text = BASE + "  - id: {value: 'x:p'}\n    class: {value: Programme}\n    properties: {name: {value: Horizon 2020}}\n"
    spec = read_spec(_spec(tmp_path, text), onto)
    nodes = {n.id: n for n in collect(spec, onto).nodes}
    assert (nodes["x:p"].cls, nodes["x:p"].props["name"]) == ("Programme", "Horizon 2020")
    assert nodes["x:p"].origin is not None and nodes["x:p"].origin.row == 8  # the spec line of the mapping


def test_value_pipeline() -> None:
    assert Value(column="a", split="|", transform=("upper",), prefix="p:").get({"a": "x| y"}) == ["p:X", "p:Y"]
    assert Value(template="{a}/{b.c}").get({"a": 1, "b": {"c": 2}}) == "1/2"
    assert Value(template="{a}/{b}").get({"a": 1}) is None
    assert Value(column="t", map={"x": 1}).get({"t": "y"}) is None
    assert Value(column="d", transform=("yyyymmdd",)).get({"d": "20230504"}) == "2023-05-04"


def test_data_paths_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_TEST_DATA", "/data/x")
    assert expand_vars("${CANAL_TEST_DATA:-d}/a.csv") == "/data/x/a.csv"
    monkeypatch.delenv("CANAL_TEST_DATA")
    assert expand_vars("${CANAL_TEST_DATA:-d}/a.csv") == "d/a.csv"
