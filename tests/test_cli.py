"""The CLI: demo end to end, queries, refusals, clean errors and no stray servers."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import canal_cmd, redis_servers_for

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-demo")
    res = canal_cmd("demo", cwd=d)
    assert res.returncode == 0, res.stderr
    return d


def test_demo_writes_database_maps_and_summary(demo_dir: Path) -> None:
    assert (demo_dir / "canal.db").exists()
    assert (demo_dir / "canal-demo.html").stat().st_size > 10_000
    assert (demo_dir / "canal-demo-dmto.html").exists()
    assert redis_servers_for(demo_dir / "canal.db") == []


def test_demo_twice_leaves_the_same_counts(demo_dir: Path) -> None:
    before = json.loads(canal_cmd("stats", "--format", "json", cwd=demo_dir).stdout)
    assert canal_cmd("demo", cwd=demo_dir).returncode == 0
    after = json.loads(canal_cmd("stats", "--format", "json", cwd=demo_dir).stdout)
    assert before == after
    assert sum(after["nodes"].values()) >= 80
    assert sum(after["relationships"].values()) >= 120


def _readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"```cypher\n(.*?)```", text, flags=re.DOTALL)


def test_readme_queries_run_on_the_demo(demo_dir: Path) -> None:
    queries = _readme_queries()
    assert len(queries) >= 4
    for q in queries:
        res = canal_cmd("query", q, "--format", "json", cwd=demo_dir)
        assert res.returncode == 0, (q, res.stderr)
        assert json.loads(res.stdout), q


def test_readme_dmto_query_goes_from_institute_to_enterprise(demo_dir: Path) -> None:
    q = next(q for q in _readme_queries() if "dmto" in q)
    rows = json.loads(canal_cmd("query", q, "--format", "json", cwd=demo_dir).stdout)
    assert {"institute": "Dalian Institute of Chemical Physics", "technology": "DMTO", "enterprise": "Levima Advanced Materials Corporation", "route": "LICENSED_TO"}.items() <= rows[0].items()


def test_query_params_and_csv(demo_dir: Path) -> None:
    res = canal_cmd("query", "MATCH (n:Entity {id: $id}) RETURN n.name AS name", "--param", "id=dmto", "--format", "csv", cwd=demo_dir)
    assert res.stdout.splitlines() == ["name", "DMTO"]


def test_write_query_without_write_flag_is_refused(demo_dir: Path) -> None:
    res = canal_cmd("query", "MATCH (n:Technology) DETACH DELETE n", cwd=demo_dir)
    assert res.returncode != 0
    assert "refused" in res.stderr and "--write" in res.stderr
    assert "Traceback" not in res.stderr
    assert json.loads(canal_cmd("stats", "--format", "json", cwd=demo_dir).stdout)["nodes"]["Technology"] > 0


def test_validate_conforms_and_export_formats(demo_dir: Path) -> None:
    res = canal_cmd("validate", cwd=demo_dir)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "conforms: yes" in res.stdout
    for fmt in ("ttl", "jsonld", "graphml"):
        out = demo_dir / f"demo.{fmt}"
        assert canal_cmd("export", "--format", fmt, "-o", str(out), cwd=demo_dir).returncode == 0
        assert out.stat().st_size > 10_000


def test_failed_command_gives_clean_error_and_leaves_no_server(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("name: x\nnodes:\n  - file: missing.csv\n    id: id\n    class: Technology\n", encoding="utf-8")
    res = canal_cmd("load", str(spec), cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.startswith("canal: error:") and "broken.yaml:3" in res.stderr
    assert "Traceback" not in res.stderr
    assert redis_servers_for(tmp_path / "canal.db") == []


def test_killed_command_leaves_no_server_after_next_command(tmp_path: Path) -> None:
    assert canal_cmd("stats", cwd=tmp_path).returncode == 0
    slow = "UNWIND range(1, 200000000) AS x RETURN count(x)"
    proc = subprocess.Popen([sys.executable, "-m", "canal.cli", "query", slow], cwd=tmp_path, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not redis_servers_for(tmp_path / "canal.db") and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert redis_servers_for(tmp_path / "canal.db"), "the query should still be running"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert canal_cmd("stats", cwd=tmp_path).returncode == 0
    time.sleep(0.2)
    assert redis_servers_for(tmp_path / "canal.db") == []


def test_unknown_db_scheme_is_a_clean_error(tmp_path: Path) -> None:
    res = canal_cmd("--db", "ftp://x", "stats", cwd=tmp_path)
    assert res.returncode == 2 and "unsupported database URL" in res.stderr


def test_ctrl_c_exits_cleanly_and_stops_the_server(tmp_path: Path) -> None:
    assert canal_cmd("stats", cwd=tmp_path).returncode == 0
    slow = "UNWIND range(1, 200000000) AS x RETURN count(x)"
    proc = subprocess.Popen([sys.executable, "-m", "canal.cli", "query", slow], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not redis_servers_for(tmp_path / "canal.db") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert redis_servers_for(tmp_path / "canal.db") == []
