"""``canal queries``: the saved Cypher library (list, show, run, lint)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import echo_table as _echo_table
from canal.commands._support import parse_param as _parse_param
from canal.settings import split_assignment


@click.group()
def queries() -> None:
    """Saved Cypher queries: the questions of the field, ready to run."""


@queries.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def list_(fmt: str) -> None:
    """Every saved query with its title in English and Chinese and its parameters."""
    from canal.queries import list_queries

    rows = [[q.name, q.title_en, q.title_zh, ", ".join(p.name for p in q.params)] for q in list_queries()]
    _echo_table(["name", "title", "标题", "parameters"], rows, fmt)


@queries.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "cypher"]), default="text")
def show(name: str, fmt: str) -> None:
    """The header and Cypher of one saved query."""
    from canal.queries import get_query

    q = get_query(name)
    if fmt == "json":
        click.echo(json.dumps(q.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    if fmt == "cypher":
        click.echo(q.cypher)
        return
    click.echo(f"{q.name}: {q.title_en}\n{' ' * len(q.name)}  {q.title_zh}\n")
    click.echo(q.description + "\n")
    if q.params:
        click.echo("parameters:")
        for p in q.params:
            default = "required" if p.required else f"default {json.dumps(p.default, ensure_ascii=False)}"
            click.echo(f"  {p.name} ({p.type}, {default}): {p.description}")
        click.echo("")
    click.echo(q.cypher)


@queries.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, help="name=value; the value takes the declared type.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def run(name: str, params: tuple[str, ...], fmt: str) -> None:
    """Run a saved query (read-only) on the database."""
    from canal.queries import get_query, run_query

    q = get_query(name)
    given: dict[str, Any] = {}
    for text in params:
        key, value = _parse_param(text)
        # the declared type decides: keep the raw text for strings ("2014" stays a string)
        given[key] = split_assignment(text)[1] if q.param(key).type == "string" else value
    with _store() as store:
        res = run_query(store, q, given)
    _echo_table(res.columns, res.rows, fmt, title=q.title_en if fmt == "table" else None)
    if fmt == "table":
        click.echo(f"{len(res.rows)} row(s)")


@queries.command()
@click.option("--all", "everything", is_flag=True, help="Also the Cypher the code sends: builders, DDL, registered modules, reads of the database and the evidence Cypher of gaps and matches on its graph.")
def lint(everything: bool) -> None:
    """Check the saved queries with Neo4j's own Cypher parser (needs node and tools/cypherlint)."""
    from canal.queries.lint import collect_cypher, lint_cypher, recording, saved_query_cypher

    if everything:
        with _store() as store, recording(store) as sent:
            store.counts()
            G = store.to_networkx()
        items = collect_cypher(G=G if G.number_of_nodes() else None, recorded=sent)
    else:
        items = saved_query_cypher()
    results = lint_cypher(items)
    bad = [r for r in results if not r.ok]
    for r in bad:
        click.echo(r.describe(), err=True)
    click.echo(f"{len(results) - len(bad)} of {len(results)} statement(s) pass Neo4j's parser")
    if bad:
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add the ``queries`` group to the ``canal`` command."""
    main.add_command(queries)
