"""The CLI's house rules: lazy commands, one error boundary, a fast start."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from canal.cli import INTERNAL_ERROR, CanalGroup, main
from canal.commands import COMMANDS
from canal.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def _registered() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for path in sorted((ROOT / "canal" / "commands").glob("*.py")):
        module = importlib.import_module(f"canal.commands.{path.stem}")
        register = getattr(module, "register", None)
        if not callable(register):
            continue
        group = click.Group()
        register(group)
        for name, cmd in group.commands.items():
            found[name] = (path.stem, cmd.get_short_help_str(limit=300))
    return found


def test_the_command_table_names_every_command_its_module_and_its_help() -> None:
    assert _registered() == COMMANDS


def test_help_lists_every_command_without_importing_the_command_modules() -> None:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom canal.cli import main\n"
        "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.startswith('canal.commands.') or m.split('.')[0] in "
        "{'numpy', 'networkx', 'rdflib', 'igraph', 'falkordb', 'redis', 'neo4j', 'scipy', 'jieba', 'pyshacl'}))\n"
        "print(r.output)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded, _, text = out.partition("\n")
    assert loaded == "[]"
    for name in COMMANDS:
        assert f"  {name} " in text


def test_command_modules_do_not_import_the_cli_module() -> None:
    for path in sorted((ROOT / "canal" / "commands").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "from canal.cli import" not in text and "import canal.cli" not in text, path.name


def _group_with(fn: object) -> click.Group:
    group = CanalGroup()
    group.command(name="boom")(fn)  # type: ignore[arg-type]
    return group


def test_a_canal_error_becomes_one_line_and_its_exit_code() -> None:
    def boom() -> None:
        raise ConfigError("bad flag")

    r = CliRunner().invoke(_group_with(boom), ["boom"])
    assert r.exit_code == 2
    assert r.output.strip() == "canal: error: bad flag"


def test_a_bug_becomes_one_line_with_a_hint_to_report_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANAL_DEBUG", raising=False)

    def boom() -> None:
        raise ZeroDivisionError("division by zero")

    r = CliRunner().invoke(_group_with(boom), ["boom"])
    assert r.exit_code == INTERNAL_ERROR
    assert "Traceback" not in r.output
    assert r.output.startswith("canal: internal error: ZeroDivisionError: division by zero")
    assert "report" in r.output


def test_interrupt_exits_130() -> None:
    def boom() -> None:
        raise KeyboardInterrupt

    r = CliRunner().invoke(_group_with(boom), ["boom"])
    assert r.exit_code == 130
    assert "interrupted" in r.output


def test_an_unknown_command_is_a_usage_error() -> None:
    r = CliRunner().invoke(main, ["no-such-command"])
    assert r.exit_code == 2
    assert "No such command" in r.output
