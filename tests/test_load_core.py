"""The loading wing's core: bulk endpoints, one reader, one row checker, loud spec mistakes.

Real rows where it matters: ``fixtures/load_core/cordis_rows.csv`` holds 8 rows of the
CORDIS Horizon 2020 organisations table (see SOURCES.md there).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from canal.bulk import bulk_load, write_neo4j_import
from canal.errors import BadRows, LoaderError, SpecError
from canal.ingest import load_spec
from canal.ontology import coerce_value
from canal.store import GraphStore, open_store
from tests.test_load_incremental import _snapshot

ROOT = Path(__file__).resolve().parent.parent
CORDIS = Path(__file__).parent / "fixtures" / "load_core" / "cordis_rows.csv"

THREE_NODES = "id,class,name\ne1,Enterprise,E one\nt1,Technology,T one\ne2,Enterprise,E two\n"
THREE_SPEC = """name: three
nodes:
  - file: nodes.csv
    id: id
    class: {column: class}
    properties: {name: name}
relationships:
  - file: rels.csv
    type: {column: type}
    source: source
    target: target
"""


def _write(folder: Path, files: dict[str, str | bytes], spec: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if isinstance(text, bytes):
            (folder / name).write_bytes(text)
        else:
            (folder / name).write_text(text, encoding="utf-8")
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    return folder / "spec.yaml"


def _edges(store: GraphStore) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in store.query("MATCH (a)-[r]->(b) RETURN a.id, type(r), b.id, r.id").rows)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "canal.cli", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600, check=False)


# -- 1. bulk endpoints ----------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_bulk_wires_relationships_to_their_nodes_when_a_file_mixes_classes(store: GraphStore, tmp_path: Path, workers: int) -> None:
    spec = _write(tmp_path, {"nodes.csv": THREE_NODES, "rels.csv": "type,source,target\nadopts,e2,t1\n"}, THREE_SPEC)
    bulk_load(store, spec, workers=workers)
    assert _edges(store) == [("e2", "ADOPTS", "t1", "e2-ADOPTS->t1")]


def test_bulk_endpoints_survive_many_tokens_of_interleaved_classes(store: GraphStore, tmp_path: Path) -> None:
    # tiny tokens: each class's buffer is handed over many times, interleaved with the other's
    nodes = "id,class,name\n" + "".join(f"e{i},Enterprise,E{i}\nt{i},Technology,T{i}\n" for i in range(300))
    rels = "type,source,target\n" + "".join(f"adopts,e{i},t{(i * 7) % 300}\n" for i in range(300))
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": rels}, THREE_SPEC)
    bulk_load(store, spec, token_bytes=200, buffer_bytes=600)
    with open_store(str(tmp_path / "inc.db")) as inc:
        load_spec(inc, spec)
        assert _snapshot(store) == _snapshot(inc)
    assert all(r[3] == f"{r[0]}-ADOPTS->{r[2]}" for r in _edges(store))


def test_demo_bulk_load_validates_and_an_incremental_reload_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    res = _cli("--db", db, "load", "--bulk", str(ROOT / "loaders" / "demo.yaml"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    res = _cli("--db", db, "validate", cwd=tmp_path)
    assert res.returncode == 0 and "conforms: yes" in res.stdout, res.stdout[-2000:]
    with open_store(db) as s:
        # per-row provenance joined from the spec's sources table, as an incremental load has it
        title = s.query("MATCH (n:Entity {id: 'dicp'}) RETURN n.sourceTitle, n.publisher").rows[0]
        assert all(title)
        report = load_spec(s, ROOT / "loaders" / "demo.yaml")
        assert report.totals() == {"added": 0, "changed": 0, "retracted": 0}


def test_neo4j_import_files_carry_the_joined_provenance(tmp_path: Path) -> None:
    write_neo4j_import(ROOT / "loaders" / "demo.yaml", tmp_path / "neo")
    header = (tmp_path / "neo" / "nodes_ResearchInstitute.0.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "sourceTitle:string" in header and "publisher:string" in header and "published:date" in header


# -- 2. one reader ----------------------------------------------------------------------------


def test_a_utf16_csv_with_a_bom_loads_the_same_through_every_path(store: GraphStore, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"nodes.csv": (THREE_NODES.replace("E one", "Énergie 能源")).encode("utf-16"), "rels.csv": "type,source,target\nadopts,e2,t1\n".encode("utf-16")}
    spec = _write(tmp_path, files, THREE_SPEC)
    bulk_load(store, spec)
    with open_store(str(tmp_path / "inc.db")) as inc:
        load_spec(inc, spec)
        assert _snapshot(store) == _snapshot(inc)
    assert store.query("MATCH (n:Entity {id: 'e1'}) RETURN n.name").scalar() == "Énergie 能源"


# -- 3. no silent coercion --------------------------------------------------------------------

CORDIS_SPEC = """name: cordis-rows
nodes:
  - file: cordis_rows.csv
    id: {{column: organisationID, prefix: "org:"}}
    class: {{value: Organisation}}
    properties: {{name: name}}
  - file: cordis_rows.csv
    id: {{column: projectID, prefix: "project:"}}
    class: {{value: PilotProject}}
    properties: {{name: projectAcronym}}
relationships:
  - file: cordis_rows.csv
    type: {{value: participatesIn}}
    source: {{column: organisationID, prefix: "org:"}}
    target: {{column: projectID, prefix: "project:"}}
    key: order
    properties:
      role: role
      amount: {amount}
"""


@pytest.mark.parametrize("path", ["incremental", "bulk", "neo4j"])
def test_a_decimal_comma_without_a_number_option_is_a_bad_row(store: GraphStore, tmp_path: Path, path: str) -> None:
    spec = _write(tmp_path, {"cordis_rows.csv": CORDIS.read_text(encoding="utf-8")}, CORDIS_SPEC.format(amount="totalCost"))
    with pytest.raises(LoaderError) as info:
        if path == "incremental":
            load_spec(store, spec)
        elif path == "bulk":
            bulk_load(store, spec)
        else:
            write_neo4j_import(spec, tmp_path / "neo")
    err = info.value
    assert (Path(err.file or "").name, err.row, err.field) == ("cordis_rows.csv", 4, "totalCost")
    assert "'211562,5' is not a number" in str(err) and 'decimal: ","' in str(err)
    assert store.counts().total_nodes == 0


def test_the_number_option_reads_cordis_decimal_commas(store: GraphStore, tmp_path: Path) -> None:
    spec = _write(tmp_path, {"cordis_rows.csv": CORDIS.read_text(encoding="utf-8")}, CORDIS_SPEC.format(amount='{column: totalCost, number: {decimal: ","}}'))
    load_spec(store, spec)
    amounts = dict(store.query("MATCH (a)-[r:PARTICIPATES_IN]->() RETURN a.id, r.amount").rows)
    assert amounts["org:999589463"] == 211562.5 and amounts["org:938119011"] == 71429.0
    # the cell itself holds quotes (the table was quoted twice upstream): kept as written
    assert store.query("MATCH (n:Entity {id: 'org:999978239'}) RETURN n.name").scalar() == '"NATIONAL CENTER FOR SCIENTIFIC RESEARCH ""DEMOKRITOS"""'
    with open_store(str(tmp_path / "bulk.db")) as b:
        bulk_load(b, spec)
        assert _snapshot(b) == _snapshot(store)


@pytest.mark.parametrize("text", ["1,000", "771225,1", "12%", "3 EUR", "1_000", "nan", "inf", "", "0x10"])
def test_ambiguous_numbers_are_refused(text: str) -> None:
    with pytest.raises(Exception, match=r"not a number|missing"):
        coerce_value("float", text if text else None)


def test_booleans_take_true_false_one_zero_yes_no_in_any_case() -> None:
    assert [coerce_value("boolean", x) for x in ("True", "FALSE", "1", "0", "yes", "No")] == [True, False, True, False, True, False]
    for x in ("y", "n", "t", "2", "wahr"):
        with pytest.raises(Exception, match="not a boolean"):
            coerce_value("boolean", x)


def test_number_options_are_checked_in_the_spec(tmp_path: Path) -> None:
    from canal.load import read_spec
    from canal.ontology import load_ontology

    spec = _write(tmp_path, {"cordis_rows.csv": CORDIS.read_text(encoding="utf-8")}, CORDIS_SPEC.format(amount='{column: totalCost, number: {decimal: ",", thousands: ","}}'))
    with pytest.raises(LoaderError, match="thousands and decimal must differ"):
        read_spec(spec, load_ontology())


# -- 4. spec mistakes are loud ----------------------------------------------------------------


def test_a_misspelt_where_column_exits_2_with_the_columns(tmp_path: Path) -> None:
    spec = CORDIS_SPEC.format(amount="ecContribution") + """  - file: cordis_rows.csv
    where: {rolle: coordinator}
    type: {value: leads}
    source: {column: organisationID, prefix: "org:"}
    target: {column: projectID, prefix: "project:"}
"""
    path = _write(tmp_path, {"cordis_rows.csv": CORDIS.read_text(encoding="utf-8")}, spec)
    res = _cli("--db", str(tmp_path / "x.db"), "load", str(path), cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert "relationships[1] where.rolle names column 'rolle'" in res.stderr
    assert "did you mean 'role'" in res.stderr and "projectAcronym" in res.stderr
    with open_store(str(tmp_path / "x.db")) as s:
        assert s.counts().total_nodes == 0


@pytest.mark.parametrize("bulk", [False, True])
def test_a_misspelt_id_column_stops_before_reading_rows(store: GraphStore, tmp_path: Path, bulk: bool) -> None:
    spec = _write(tmp_path, {"nodes.csv": THREE_NODES, "rels.csv": "type,source,target\nadopts,e2,t1\n"}, THREE_SPEC.replace("id: id", "id: ident"))
    with pytest.raises(SpecError, match=r"nodes\[0\] id names column 'ident'.*did you mean 'id'") as info:
        bulk_load(store, spec) if bulk else load_spec(store, spec)
    assert info.value.exit_code == 2 and info.value.line == 4


def test_a_dangling_endpoint_names_its_own_mapping_s_column(store: GraphStore, tmp_path: Path) -> None:
    nodes = "id,class,name\ne1,Enterprise,E\np1,PilotProject,P\n"
    rows = "project,org,country\np1,e1,de\n"
    spec = """name: dangling
nodes:
  - file: nodes.csv
    id: id
    class: {column: class}
    properties: {name: name}
relationships:
  - file: rows.csv
    type: {value: participatesIn}
    source: org
    target: project
  - file: rows.csv
    type: {value: locatedIn}
    source: org
    target: {column: country, prefix: "country:"}
"""
    with pytest.raises(LoaderError) as info:
        load_spec(store, _write(tmp_path, {"nodes.csv": nodes, "rows.csv": rows}, spec))
    assert info.value.field == "country" and "'country:de'" in str(info.value)


def test_a_failed_load_reports_the_first_20_bad_rows_and_the_count(store: GraphStore, tmp_path: Path) -> None:
    nodes = "id,class,name,founded\n" + "".join(f"e{i},Enterprise,E{i},year{i}\n" for i in range(25))
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC.replace("{name: name}", "{name: name, foundedYear: founded}"))
    for load in (load_spec, bulk_load):
        with pytest.raises(BadRows) as info:
            load(store, spec)
        text = str(info.value)
        assert text.startswith("25 bad rows") and "row 2, field 'founded'" in text and "row 21," in text
        assert "row 22," not in text and "and 5 more" in text
        assert len(info.value.rejects) == 25
    assert store.counts().total_nodes == 0


# -- 5. rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bulk", [False, True])
def test_a_repeated_id_with_other_values_is_a_bad_row_naming_both(store: GraphStore, tmp_path: Path, bulk: bool) -> None:
    same = "id,class,name\ne1,Enterprise,E one\nt1,Technology,T\ne1,Enterprise,E one\n"
    spec = _write(tmp_path / "ok", {"nodes.csv": same, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    bulk_load(store, spec) if bulk else load_spec(store, spec)
    assert store.counts().total_nodes == 2
    clash = same.replace("e1,Enterprise,E one\n\n", "") + "e1,Enterprise,E uno\n"
    spec = _write(tmp_path / "bad", {"nodes.csv": clash, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    with open_store(str(tmp_path / "b.db")) as s, pytest.raises(LoaderError) as info:
        bulk_load(s, spec) if bulk else load_spec(s, spec)
    assert info.value.row == 5 and "row 2" in str(info.value) and info.value.field in ("id", "name")


@pytest.mark.parametrize("bulk", [False, True])
def test_a_short_row_is_a_bad_row_unless_the_spec_allows_it(store: GraphStore, tmp_path: Path, bulk: bool) -> None:
    nodes = "id,class,name\ne1,Enterprise\nt1,Technology,T\n"
    spec = _write(tmp_path / "a", {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    with pytest.raises(LoaderError, match="the row has 2 cells, the header 3 columns") as info:
        bulk_load(store, spec) if bulk else load_spec(store, spec)
    assert info.value.row == 2
    allowed = _write(tmp_path / "b", {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC.replace("    id: id\n", "    id: id\n    short_rows: allow\n", 1))
    bulk_load(store, allowed) if bulk else load_spec(store, allowed)
    assert store.query("MATCH (n:Entity {id: 'e1'}) RETURN n.name").scalar() is None


@pytest.mark.parametrize("bulk", [False, True])
def test_values_the_engine_cannot_store_are_bad_rows_before_anything_is_written(store: GraphStore, tmp_path: Path, bulk: bool) -> None:
    nodes = "id,class,name\ne1,Enterprise,ok\nt1,Technology,nul\x00here\ne2,Enterprise,tab\tand \x01 kept\n"
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    with pytest.raises(LoaderError, match="NUL character") as info:
        bulk_load(store, spec) if bulk else load_spec(store, spec)
    assert (info.value.row, info.value.field) == (3, "name")
    assert store.counts().total_nodes == 0


def test_a_lone_surrogate_from_json_is_a_bad_row(store: GraphStore, tmp_path: Path) -> None:
    spec = """name: js
nodes:
  - file: nodes.jsonl
    id: id
    class: {value: Enterprise}
    properties: {name: name}
"""
    path = _write(tmp_path, {"nodes.jsonl": '{"id": "e1", "name": "ok"}\n{"id": "e2", "name": "bad \\ud800"}\n'}, spec)
    with pytest.raises(LoaderError, match="lone surrogate") as info:
        load_spec(store, path)
    assert info.value.row == 2


def test_the_csv_cell_limit_is_a_setting(store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = f"id,class,name\ne1,Enterprise,{'x' * 5000}\n"
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    monkeypatch.setenv("CANAL_CSV_FIELD_LIMIT", "1000")
    with pytest.raises(LoaderError, match=r"longer than 1000 characters.*CANAL_CSV_FIELD_LIMIT"):
        load_spec(store, spec)
    monkeypatch.setenv("CANAL_CSV_FIELD_LIMIT", "10000")
    load_spec(store, spec)
    assert len(store.query("MATCH (n:Entity {id: 'e1'}) RETURN n.name").scalar()) == 5000


# -- 6. hubs ----------------------------------------------------------------------------------


def test_a_reload_through_a_hub_changes_nothing_and_finds_every_relationship(store: GraphStore, tmp_path: Path) -> None:
    # one programme node with 3,000 grants (the shape of the CORDIS table)
    nodes = "id,class,name\nprog,Programme,P\n" + "".join(f"o{i},Enterprise,O{i}\n" for i in range(3000))
    rels = "type,source,target,key,amount\n" + "".join(f"grantsTo,prog,o{i},k{i % 2},{i}.5\n" for i in range(3000))
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": rels}, THREE_SPEC.replace("    target: target\n", "    target: target\n    key: key\n    properties: {amount: amount}\n"))
    load_spec(store, spec)
    again = load_spec(store, spec)
    assert again.totals() == {"added": 0, "changed": 0, "retracted": 0}
    edited = rels.replace("grantsTo,prog,o7,k1,7.5", "grantsTo,prog,o7,k1,8.5")
    spec2 = _write(tmp_path / "v2", {"nodes.csv": nodes, "rels.csv": edited}, spec.read_text(encoding="utf-8"))
    assert load_spec(store, spec2).diff["relationships"] == {"GRANTS_TO": {"changed": 1}}


@pytest.mark.parametrize("bulk", [False, True])
def test_repeats_first_lets_the_first_row_stand_and_other_mappings_may_repeat_a_node(store: GraphStore, tmp_path: Path, bulk: bool) -> None:
    nodes = "id,class,name\ne1,Enterprise,E one\nt1,Technology,T\ne1,Enterprise,E uno\n"
    more = "id,class,name\ne1,Enterprise,E one\n"  # the same node, from a second mapping, agreeing
    spec = THREE_SPEC.replace("    id: id\n", "    id: id\n    repeats: first\n", 1) + "  - file: more.csv\n    id: id\n    class: {column: class}\n    properties: {name: name}\n"
    spec = spec.replace("relationships:\n  - file: rels.csv\n    type: {column: type}\n    source: source\n    target: target\n", "") + "relationships:\n  - file: rels.csv\n    type: {column: type}\n    source: source\n    target: target\n"
    path = _write(tmp_path, {"nodes.csv": nodes, "more.csv": more, "rels.csv": "type,source,target\nadopts,e1,t1\n"}, spec)
    bulk_load(store, path) if bulk else load_spec(store, path)
    assert store.query("MATCH (n:Entity {id: 'e1'}) RETURN n.name").scalar() == "E one"
    assert _edges(store) == [("e1", "ADOPTS", "t1", "e1-ADOPTS->t1")]


def test_the_shipped_cordis_spec_loads_the_real_rows_the_same_through_both_paths(store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANAL_CORDIS", str(CORDIS.parent))
    spec = ROOT / "loaders" / "cordis.yaml"
    bulk_load(store, spec)
    assert load_spec(store, spec).totals() == {"added": 0, "changed": 0, "retracted": 0}
    with open_store(str(tmp_path / "inc.db")) as inc:
        load_spec(inc, spec)
        assert _snapshot(store) == _snapshot(inc)


@pytest.mark.parametrize("bulk", [False, True])
def test_a_text_longer_than_the_engine_takes_is_a_bad_row(store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool) -> None:
    import canal.ontology

    monkeypatch.setattr(canal.ontology, "MAX_TEXT_BYTES", 4000)  # 64 MiB in use; a small limit keeps the test light
    nodes = f"id,class,name\ne1,Enterprise,{'名' * 1500}\nt1,Technology,T\n"  # 4,500 bytes of UTF-8
    spec = _write(tmp_path, {"nodes.csv": nodes, "rels.csv": "type,source,target\n"}, THREE_SPEC)
    with pytest.raises(LoaderError, match="4500 bytes long, more than the 4000") as info:
        bulk_load(store, spec) if bulk else load_spec(store, spec)
    assert (info.value.row, info.value.field) == (2, "name")
