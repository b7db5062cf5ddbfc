"""The ``canal`` command: a thin wrapper over the library.

Each command calls a public function; a :class:`~canal.errors.CanalError` becomes a
one-line message on stderr and a non-zero exit code.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from canal.errors import CanalError, ConfigError
from canal.settings import Settings


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so a load closes cleanly and logs itself interrupted."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


def _handle_errors[F: Callable[..., Any]](fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import os
        import signal

        from canal.redact import redact

        previous = signal.getsignal(signal.SIGTERM)
        try:
            if previous is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread
            previous = None
        try:
            return fn(*args, **kwargs)
        except CanalError as exc:
            click.echo(redact(f"canal: error: {exc}"), err=True)
            sys.exit(exc.exit_code)
        except Terminated:
            click.echo("canal: terminated", err=True)
            sys.exit(143)
        except KeyboardInterrupt:
            click.echo("canal: interrupted", err=True)
            sys.exit(130)
        except RecursionError:
            click.echo("canal: error: the input is nested too deeply to process", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug: one line unless asked for the traceback
            if os.environ.get("CANAL_DEBUG"):
                raise
            click.echo(redact(f"canal: internal error (a bug in canal, please report it): {type(exc).__name__}: {exc}; set CANAL_DEBUG=1 for the traceback"), err=True)
            sys.exit(70)
        finally:
            if previous is signal.SIG_DFL:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
        from canal.redact import redact

        click.echo(redact(f"canal: error: {exc}"), err=True)
        sys.exit(exc.exit_code)


def _settings() -> Settings:
    obj = click.get_current_context().obj
    assert isinstance(obj, Settings)
    return obj


@contextmanager
def _store() -> Iterator[Any]:
    from canal.store import open_store

    store = open_store(settings=_settings())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int | None], None] | None]:
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("writing", total=None)

        def hook(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"writing {stage}", completed=done, total=total)

        yield hook


def _echo_table(columns: list[str], rows: list[Any], fmt: str = "table", title: str | None = None) -> None:
    from canal.output import render

    click.echo(render(columns, rows, fmt, title=title), nl=fmt == "json")


def _summary(store: Any, fmt: str = "table") -> None:
    from canal.ontology import summary_rows

    counts = store.counts()
    rows = summary_rows(store.ontology, counts.nodes)
    rows = [r for r in rows if r["count"]]
    _echo_table(["chain", "stage", "class", "label_zh", "count"], [list(r.values()) for r in rows], fmt, title="Nodes per chain and class")
    if fmt == "table":
        _echo_table(["relationship", "count"], [[t, n] for t, n in counts.relationships.items()], fmt, title="Relationships per type")
        click.echo(f"total: {counts.total_nodes} nodes, {counts.total_relationships} relationships")


@main.command()
@click.option("--out", default="canal-demo.html", show_default=True, help="Map of the whole demo graph.")
@click.option("--ego-out", default="canal-demo-dmto.html", show_default=True, help="Map around the DMTO technology.")
@_handle_errors
def demo(out: str, ego_out: str) -> None:
    """Build the demo graph (the seed canal systems), print a summary, write the maps."""
    from canal.demo import run_demo

    with _store() as store, _progress(_settings().progress) as hook:
        result = run_demo(store, out=out, ego_out=ego_out, progress=hook)
        _summary(store)
    db = _settings().db
    from canal.redact import redact

    click.echo(f"database: {redact(db)}" + (" (embedded FalkorDB)" if _settings().backend == "embedded" else ""))
    for m in result.maps:
        click.echo(f"map: {m}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@_handle_errors
def stats(fmt: str) -> None:
    """Node counts per chain and class, relationship counts per type."""
    with _store() as store:
        if fmt == "table":
            _summary(store)
        else:
            c = store.counts()
            if fmt == "json":
                click.echo(json.dumps({"nodes": c.nodes, "relationships": c.relationships}, indent=2))
            else:
                _echo_table(["kind", "name", "count"], [["node", k, v] for k, v in c.nodes.items()] + [["relationship", k, v] for k, v in c.relationships.items()], "csv")


def _parse_param(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ConfigError(f"--param takes name=value, got {text!r}")
    name, raw = text.split("=", 1)
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return name.strip(), value


@main.command()
@click.argument("cypher")
@click.option("--param", "-p", "params", multiple=True, help="name=value (value parsed as JSON when it can be).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option("--write", is_flag=True, help="Allow a query that writes.")
@_handle_errors
def query(cypher: str, params: tuple[str, ...], fmt: str, write: bool) -> None:
    """Run a Cypher query (read-only unless --write)."""
    p = dict(_parse_param(x) for x in params)
    with _store() as store:
        res = store.execute(cypher, p) if write else store.query(cypher, p)
    _echo_table(res.columns, res.rows, fmt)
    if fmt == "table":
        click.echo(f"{len(res.rows)} row(s)")


# export and import live in canal/commands/exchange.py


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@_handle_errors
def validate(fmt: str) -> None:
    """Validate the graph against the SHACL shapes (exit 1 if it does not conform)."""
    from canal.rdf import to_rdf, validate_rdf

    with _store() as store:
        report = validate_rdf(to_rdf(store.to_networkx(), store.ontology), store.ontology)
    rows = [[v.focus, v.path, v.severity, v.message_en, v.message_zh] for v in report.violations]
    if fmt == "json":
        click.echo(json.dumps({"conforms": report.conforms, "violations": [dict(zip(["focus", "path", "severity", "message_en", "message_zh"], r, strict=True)) for r in rows]}, ensure_ascii=False, indent=2))
    else:
        if rows:
            _echo_table(["focus", "path", "severity", "message", "说明"], rows, title="SHACL violations")
        click.echo("conforms: yes" if report.conforms else f"conforms: no ({len(rows)} violation(s))")
    if not report.conforms:
        sys.exit(1)


def _register_command_modules() -> None:
    import importlib
    import pkgutil

    import canal.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"canal.commands.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(main)


_register_command_modules()

if __name__ == "__main__":  # pragma: no cover
    main()
