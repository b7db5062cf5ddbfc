"""``canal export`` and ``canal import``: whole graphs as RDF, GraphML, GEXF and CSV."""

from __future__ import annotations

from pathlib import Path

import click

from canal.commands._support import cli_store as _store


def register(main: click.Group) -> None:
    """Add ``export`` and ``import`` to the ``canal`` command."""
    from canal.exchange import EXPORT_FORMATS, IMPORT_FORMATS

    @main.command()
    @click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="ttl", show_default=True)
    @click.option("-o", "--output", type=click.Path(), default=None, help="File to write (default stdout); for csv a folder (default ./canal-csv).")
    def export(fmt: str, output: str | None) -> None:
        """Export the whole graph: Turtle, JSON-LD, GraphML, GEXF (Gephi, Gephi Lite) or CSV node/edge lists."""
        from canal.exchange import export_graph, write_csv

        with _store() as store:
            G = store.to_networkx()
            if fmt == "csv":
                nodes, edges = write_csv(G, output or "canal-csv", ontology=store.ontology)
                click.echo(f"wrote {nodes} ({G.number_of_nodes()} nodes) and {edges} ({G.number_of_edges()} relationships)", err=True)
                return
            text = export_graph(G, fmt, ontology=store.ontology)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)
        else:
            click.echo(text, nl=False)

    @main.command(name="import")
    @click.argument("file", type=click.Path(exists=True, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(["auto", *IMPORT_FORMATS]), default="auto", show_default=True, help="Default: from the file name.")
    @click.option("--skip-bad", is_flag=True, help="Leave out RDF subjects of classes canal does not know (otherwise they stop the import).")
    def import_(file: Path, fmt: str, skip_bad: bool) -> None:
        """Import a whole graph (RDF Turtle/JSON-LD/N-Triples, GraphML, GEXF, or a folder of nodes.csv and edges.csv), validated before anything is written."""
        from canal.exchange import import_graph

        with _store() as store:
            n, r = import_graph(store, file, fmt=fmt, skip_bad=skip_bad)
        click.echo(f"imported {n} nodes and {r} relationships from {file}")
