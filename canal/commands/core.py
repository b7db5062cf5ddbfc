"""``canal demo``, ``stats``, ``query`` and ``validate``: the graph as a whole."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from canal.commands._support import cli_progress, cli_store, current_settings, echo_table, parse_param


def _summary(store: Any, fmt: str = "table") -> None:
    from canal.ontology import summary_rows

    counts = store.counts()
    rows = summary_rows(store.ontology, counts.nodes)
    rows = [r for r in rows if r["count"]]
    echo_table(["chain", "stage", "class", "label_zh", "count"], [list(r.values()) for r in rows], fmt, title="Nodes per chain and class")
    if fmt == "table":
        echo_table(["relationship", "count"], [[t, n] for t, n in counts.relationships.items()], fmt, title="Relationships per type")
        click.echo(f"total: {counts.total_nodes} nodes, {counts.total_relationships} relationships")


def register(main: click.Group) -> None:
    """Add ``demo``, ``stats``, ``query`` and ``validate`` to the ``canal`` command."""

    @main.command()
    @click.option("--out", default="canal-demo.html", show_default=True, help="Map of the whole demo graph.")
    @click.option("--ego-out", default="canal-demo-dmto.html", show_default=True, help="Map around the DMTO technology.")
    def demo(out: str, ego_out: str) -> None:
        """Build the demo graph (the seed canal systems), print a summary, write the maps."""
        from canal.demo import run_demo

        settings = current_settings()
        with cli_store() as store, cli_progress(settings.progress) as hook:
            result = run_demo(store, out=out, ego_out=ego_out, progress=hook)
            _summary(store)
        from canal.redact import redact

        click.echo(f"database: {redact(settings.db)}" + (" (embedded FalkorDB)" if store.is_embedded else ""))
        for m in result.maps:
            click.echo(f"map: {m}")

    @main.command()
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
    def stats(fmt: str) -> None:
        """Node counts per chain and class, relationship counts per type."""
        with cli_store() as store:
            if fmt == "table":
                _summary(store)
                return
            c = store.counts()
        if fmt == "json":
            click.echo(json.dumps({"nodes": c.nodes, "relationships": c.relationships}, indent=2))
        else:
            rows = [["node", k, v] for k, v in c.nodes.items()] + [["relationship", k, v] for k, v in c.relationships.items()]
            echo_table(["kind", "name", "count"], rows, "csv")

    @main.command()
    @click.argument("cypher")
    @click.option("--param", "-p", "params", multiple=True, help="name=value (value parsed as JSON when it can be).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
    @click.option("--write", is_flag=True, help="Allow a query that writes.")
    def query(cypher: str, params: tuple[str, ...], fmt: str, write: bool) -> None:
        """Run a Cypher query (read-only unless --write)."""
        p = dict(parse_param(x) for x in params)
        with cli_store() as store:
            res = store.execute(cypher, p) if write else store.query(cypher, p)
        echo_table(res.columns, res.rows, fmt)
        if fmt == "table":
            click.echo(f"{len(res.rows)} row(s)")

    @main.command()
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
    def validate(fmt: str) -> None:
        """Validate the graph against the SHACL shapes (exit 1 if it does not conform)."""
        from canal.rdf import to_rdf, validate_rdf

        with cli_store() as store:
            report = validate_rdf(to_rdf(store.to_networkx(), store.ontology), store.ontology)
        keys = ["focus", "path", "severity", "message_en", "message_zh"]
        rows = [[v.focus, v.path, v.severity, v.message_en, v.message_zh] for v in report.violations]
        if fmt == "json":
            doc = {"conforms": report.conforms, "violations": [dict(zip(keys, r, strict=True)) for r in rows]}
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            if rows:
                echo_table(["focus", "path", "severity", "message", "说明"], rows, title="SHACL violations")
            click.echo("conforms: yes" if report.conforms else f"conforms: no ({len(rows)} violation(s))")
        if not report.conforms:
            sys.exit(1)
