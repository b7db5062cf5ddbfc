"""The ``canal`` command: a thin wrapper over the library.

Commands live in :mod:`canal.commands` (one module per area, loaded only when run);
each converts its arguments and calls a public function. :class:`CanalGroup` is the one
error boundary: a :class:`~canal.errors.CanalError` becomes a one-line message on stderr
and its exit code, Ctrl-C exits 130, and anything else (a bug) one line with a hint to
report it, never a traceback (``CANAL_DEBUG=1`` shows it).
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from typing import Any

import click

from canal.commands import COMMANDS
from canal.errors import CanalError
from canal.settings import Settings

INTERNAL_ERROR = 70  # EX_SOFTWARE


def _fail(message: str, code: int) -> None:
    from canal.redact import redact

    click.echo(redact(f"canal: {message}"), err=True)  # a --db URL's password never shows
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so a load closes cleanly and logs itself interrupted."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


class CanalGroup(click.Group):
    """The ``canal`` group: loads command modules lazily and turns errors into messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"canal.commands.{entry[0]}")
        scratch = click.Group()
        module.register(scratch)
        for name, cmd in scratch.commands.items():
            self.commands.setdefault(name, cmd)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1] if name in COMMANDS else (self.commands[name].get_short_help_str())) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        previous = signal.getsignal(signal.SIGTERM)
        try:
            if previous is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread
            previous = None
        try:
            return super().invoke(ctx)
        except CanalError as exc:
            _fail(f"error: {exc}", exc.exit_code)
        except Terminated:
            _fail("terminated", 143)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except RecursionError:
            _fail("error: the input is nested too deeply to process", 1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("CANAL_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (this is a bug in canal; please report it with the command you ran; CANAL_DEBUG=1 shows the traceback)", INTERNAL_ERROR)
        finally:
            if previous is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, previous)
        return None


@click.group(cls=CanalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", default=None, help="Database: file path (embedded FalkorDB, default ./canal.db), redis:// URL or bolt:// / neo4j:// URI. Env: CANAL_DB.")
@click.option("--graph", default=None, help="Graph name inside the database (default canal). Env: CANAL_GRAPH.")
@click.option("--progress/--no-progress", default=None, help="Show progress bars (default on).")
@click.version_option(package_name="canal")
@click.pass_context
def main(ctx: click.Context, db: str | None, graph: str | None, progress: bool | None) -> None:
    """canal: the canal system from IP to IPO as a graph.

    Loads institutes, enterprises, pilot platforms, funds... under an OWL ontology into
    a graph database, and lets you query, validate, export and map it.
    """
    try:
        ctx.obj = Settings.from_env(db=db, graph=graph, progress=progress)
    except CanalError as exc:
        _fail(f"error: {exc}", exc.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
