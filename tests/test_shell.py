"""``canal shell``: the prompt's logic, and the real thing driven in tmux."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from canal.shell import CypherShell, schema_text, split_statement
from canal.store import GraphStore, open_store

from .conftest import canal_cmd, copy_database


@pytest.fixture(scope="module")
def demo_copy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo database file for this module."""
    return copy_database(demo_db, tmp_path_factory.mktemp("shell") / "demo.db")


@pytest.fixture(scope="module")
def shell(demo_copy: Path) -> Iterator[CypherShell]:
    s: GraphStore = open_store(str(demo_copy))
    try:
        yield CypherShell(s)
    finally:
        s.close()


def test_a_query_over_several_lines_runs_at_the_semicolon_and_prints_a_table(shell: CypherShell) -> None:
    assert shell.feed("MATCH (t:Technology {id: 'dmto'})") is None
    assert shell.pending
    out = shell.feed("RETURN t.name AS name, t.nameZh AS zh;")
    assert out is not None and not shell.pending
    assert "DMTO甲醇制烯烃技术" in out and "name" in out and out.endswith("1 row(s)")


def test_semicolons_inside_strings_do_not_end_a_query() -> None:
    assert split_statement("RETURN 'a;b' AS x") is None
    assert split_statement("RETURN \"a;b\" AS x;") == ('RETURN "a;b" AS x', "")


def test_parameters_formats_and_saved_queries_work_at_the_prompt(shell: CypherShell) -> None:
    assert shell.feed(':param id="levima"') == '$id = "levima"'
    shell.feed(":format json")
    assert shell.feed("MATCH (n:Entity {id: $id}) RETURN n.name AS name;") == '[\n  {\n    "name": "Levima Advanced Materials Corporation"\n  }\n]'
    shell.feed(":format table")
    out = shell.feed(":run alliance-member-investors")
    assert out is not None and "CAS Holdings" in out and "850,000,000" in out


def test_writes_are_refused_until_allowed_and_errors_are_one_line(shell: CypherShell) -> None:
    out = shell.feed("MATCH (n:Entity {id: 'dmto'}) SET n.trl = 9;")
    assert out is not None and out.startswith("error:") and "write" in out
    bad = shell.feed("MATCH (n) RETRN n;")
    assert bad is not None and bad.startswith("error:") and "Traceback" not in bad
    assert shell.feed(":nonsense") == "error: unknown command :nonsense (:help lists them)"


def test_help_and_schema_come_from_the_ontology(shell: CypherShell) -> None:
    help_text = shell.feed(":help")
    assert help_text is not None and ":schema" in help_text and ":quit" in help_text
    full = schema_text(shell.ontology)
    assert "ResearchInstitute < ResearchOrganisation  研究院所" in full
    assert "DEVELOPS  Enterprise|Person|PilotPlatform|ResearchOrganisation -> Product|ScientificAchievement|Technology" in full
    assert "amount:float" in full and "aliases:string[]" in full
    one = shell.feed(":schema MEMBER_OF")
    assert one is not None and one.startswith("MEMBER_OF (memberOf") and "to:   Alliance" in one


def test_piped_input_runs_as_a_script(demo_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    copy_database(demo_copy, db)
    e = {**os.environ, "CANAL_HISTORY": str(tmp_path / "hist")}
    res = subprocess.run(
        [sys.executable, "-m", "canal.cli", "--db", str(db), "shell"],
        input="MATCH (a:Alliance)\nRETURN a.id AS id ORDER BY id;\n",
        capture_output=True,
        text=True,
        env=e,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "biomed-alliance" in res.stdout and "cas-am-alliance" in res.stdout and "2 row(s)" in res.stdout
    assert canal_cmd("shell", "--help").returncode == 0


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=30, check=False).stdout


def _wait_for(sock: str, text: str, timeout: float = 90) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "canal", "-S", "-200")
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear; screen was:\n{screen}")


def _start_shell(demo_copy: Path, tmp_path: Path, name: str) -> str:
    """``canal shell`` on a copy of the demo database in a detached tmux session; returns the socket."""
    db = tmp_path / "demo.db"
    copy_database(demo_copy, db)
    sock = f"canal-test-{name}-{os.getpid()}"
    # keep the pane open after the shell exits, so its last words can be read
    command = f"CANAL_HISTORY={tmp_path / 'history'} {sys.executable} -m canal.cli --db {db} shell; sleep 60"
    _tmux(sock, "new-session", "-d", "-s", "canal", "-x", "200", "-y", "50", "-c", str(Path.cwd()), command)
    return sock


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install -y tmux)")
def test_shell_driven_in_tmux_prints_the_table_of_a_typed_query(demo_copy: Path, tmp_path: Path) -> None:
    hist = tmp_path / "history"
    sock = _start_shell(demo_copy, tmp_path, "table")
    try:
        _wait_for(sock, "canal>")
        _tmux(sock, "send-keys", "-t", "canal", "-l", "MATCH (t:Technology {id: 'dmto'})")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        _wait_for(sock, "...>")
        # tmux reads an argument's trailing ';' as its own command separator: escape it
        _tmux(sock, "send-keys", "-t", "canal", "-l", "RETURN t.name AS name, t.nameZh AS zh\\;")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        screen = _wait_for(sock, "1 row(s)")
        assert "DMTO甲醇制烯烃技术" in screen
        assert "name" in screen and "zh" in screen
        _tmux(sock, "send-keys", "-t", "canal", "-l", ":quit")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        _wait_for(sock, "bye")
        end = time.monotonic() + 30
        while time.monotonic() < end and not hist.exists():
            time.sleep(0.2)
        assert "RETURN t.name AS name, t.nameZh AS zh;" in hist.read_text(encoding="utf-8")
    finally:
        _tmux(sock, "kill-server")


# -- plans, warnings, completion, :map --------------------------------------------------

def test_explain_shows_the_engine_plan_without_running_the_query(shell: CypherShell) -> None:
    out = shell.feed("EXPLAIN MATCH (t:Technology)<-[:DEVELOPS]-(o) RETURN o.name;")
    assert out is not None and out.startswith("plan (FalkorDB GRAPH.EXPLAIN):")
    assert "Node By Label Scan" in out and "(t:Technology)" in out and "row(s)" not in out
    prof = shell.feed("PROFILE MATCH (t:Technology)<-[:DEVELOPS]-(o) RETURN o.name;")
    assert prof is not None and "GRAPH.PROFILE" in prof and "Records produced" in prof
    refused = shell.feed("PROFILE MATCH (n:Entity {id: 'dmto'}) SET n.trl = 9;")
    assert refused is not None and refused.startswith("error:") and "writes" in refused


def test_a_misspelt_label_type_or_property_gets_a_warning_with_a_suggestion(shell: CypherShell) -> None:
    out = shell.feed("MATCH (t:Technolgy)-[:DEVELOPZ]-(o) RETURN t.nmae;")
    assert out is not None
    lines = out.splitlines()
    assert lines[0] == "warning: label Technolgy is not in the ontology (did you mean Technology?)"
    assert lines[1] == "warning: relationship type DEVELOPZ is not in the ontology (did you mean DEVELOPS?)"
    assert lines[2] == "warning: property nmae is not in the ontology (did you mean name?)"
    assert out.endswith("0 row(s)")  # it still runs: the warning explains the empty result
    clean = shell.feed("MATCH (n:Entity {id: $id})-[r:MEMBER_OF|LEADS]->(a) WHERE a:Alliance RETURN n.nameZh, r.role, labels(n);")
    assert clean is not None and "warning" not in clean


def test_completion_offers_labels_types_properties_commands_and_saved_queries(shell: CypherShell) -> None:
    from canal.shell import completions

    onto = shell.ontology
    assert completions("MATCH (n:ResearchIns", onto) == ("ResearchIns", ["ResearchInstitute"])
    assert completions("MATCH (a)-[r:INVESTS", onto) == ("INVESTS", ["INVESTS_IN"])
    assert completions("MATCH (a)-[r:ADOPTS|LICEN", onto) == ("LICEN", ["LICENSED_TO"])
    assert completions("MATCH (n) RETURN n.name", onto)[1] == ["name", "nameEn", "nameZh"]
    assert completions("MATCH (n {foundedY", onto) == ("foundedY", ["foundedYear"])
    assert completions(":sch", onto) == (":sch", [":schema"])
    assert completions(":run alliance-m", onto, saved=["alliance-members", "alliance-member-investors", "money-flows"])[1] == [
        "alliance-members", "alliance-member-investors"]
    assert completions("OPTIONAL MAT", onto) == ("MAT", ["MATCH"])


def test_map_command_writes_the_last_result_as_a_map(shell: CypherShell, tmp_path: Path) -> None:
    shell.feed("MATCH (i:ResearchOrganisation)-[:DEVELOPS]->(t:Technology {id: 'dmto'}) RETURN i, t.id;")
    out = shell.feed(f":map {tmp_path / 'dmto.html'}")
    assert out is not None and out.startswith("map: ") and "(2 nodes, 1 relationships)" in out
    page = (tmp_path / "dmto.html").read_text(encoding="utf-8")
    assert '"dmto"' in page and '"dicp"' in page
    shell.feed("RETURN 1 AS one;")
    assert shell.feed(f":map {tmp_path / 'none.html'}") == "error: the last result names no node: return nodes (RETURN n) or their ids (RETURN n.id)"


def test_the_shell_map_needs_a_result_first(shell: CypherShell) -> None:
    assert CypherShell(shell.store).feed(":map x.html") == "error: no result yet: run a query first, then :map FILE"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install -y tmux)")
def test_shell_in_tmux_explains_completes_and_warns(demo_copy: Path, tmp_path: Path) -> None:
    sock = _start_shell(demo_copy, tmp_path, "plan")
    try:
        _wait_for(sock, "canal>")
        # Tab completes a partial label from the ontology
        _tmux(sock, "send-keys", "-t", "canal", "-l", "MATCH (n:ResearchIns")
        _tmux(sock, "send-keys", "-t", "canal", "Tab")
        _wait_for(sock, "MATCH (n:ResearchInstitute")
        _tmux(sock, "send-keys", "-t", "canal", "C-u")
        # EXPLAIN prints the engine's plan
        _tmux(sock, "send-keys", "-t", "canal", "-l", "EXPLAIN MATCH (t:Technology) RETURN t.name\\;")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        screen = _wait_for(sock, "plan (FalkorDB GRAPH.EXPLAIN):")
        _wait_for(sock, "Node By Label Scan")
        # a misspelt label: a warning with a suggestion, then the (empty) result
        _tmux(sock, "send-keys", "-t", "canal", "-l", "MATCH (t:Technolgy) RETURN t.name\\;")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        screen = _wait_for(sock, "0 row(s)")
        assert "warning: label Technolgy is not in the ontology (did you mean Technology?)" in screen
        _tmux(sock, "send-keys", "-t", "canal", "-l", ":quit")
        _tmux(sock, "send-keys", "-t", "canal", "Enter")
        _wait_for(sock, "bye")
    finally:
        _tmux(sock, "kill-server")
