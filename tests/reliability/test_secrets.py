"""No message of a failing command shows a password given in a database URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from canal.redact import redact

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Pl4nted-S3cret"
URLS = [
    f"bolt://neo4j:{SECRET}@127.0.0.1:1",
    f"neo4j://neo4j:{SECRET}@127.0.0.1:1",
    f"redis://:{SECRET}@127.0.0.1:1",
    f"redis://alice:{SECRET}@127.0.0.1:1/0",
    f"rediss://alice:{SECRET}@127.0.0.1:1",
    f"redis://alice:{SECRET}@@127.0.0.1:1",  # an unencoded "@" in the password
    f"ftp://alice:{SECRET}@example.invalid/",  # a scheme canal does not know
]


def _run(args: list[str], env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "canal.cli", *args], capture_output=True, text=True, env=e, input=stdin, timeout=300, cwd=ROOT)


@pytest.mark.parametrize("url", URLS)
def test_a_failing_command_never_prints_the_password(url: str) -> None:
    from click.testing import CliRunner

    from canal.cli import main

    spec = str(ROOT / "loaders" / "demo.yaml")
    for args in (["stats"], ["load", spec], ["load", "--bulk", spec], ["import", spec], ["export"], ["shell"], ["load-log"], ["merges"]):
        r = CliRunner().invoke(main, ["--db", url, *args], input="MATCH (n) RETURN n;\n")
        out = r.output
        assert r.exit_code != 0, (args, out)
        assert SECRET not in out, (args, out)
        assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.exception)
        assert "***" in out or "unsupported" in out, (args, out)


@pytest.mark.parametrize("url", [URLS[1], URLS[3]])
def test_a_failing_process_never_prints_the_password(url: str) -> None:
    for r in (_run(["--db", url, "stats"]), _run(["query", "MATCH (n) RETURN n"], env={"CANAL_DB": url})):
        out = r.stdout + r.stderr
        assert r.returncode != 0 and SECRET not in out and "Traceback" not in out, out


def test_redact_hides_every_form() -> None:
    for url in URLS:
        assert SECRET not in redact(f"cannot open {url}: refused")
    assert redact("plain.db and https://example.org/a@b") == "plain.db and https://***@b"
