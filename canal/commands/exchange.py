"""``canal export`` and ``canal import``: whole graphs as RDF, GraphML, GEXF and CSV (the formats of
:func:`canal.exchange.register_format`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import click

from canal.commands._support import cli_store as _store


class TableChoice(click.Choice[str]):
    """A choice read from a table each time it is used, so entries registered later are offered."""

    def __init__(self, names: Callable[[], list[str]], *first: str) -> None:
        self._names, self._first = names, first
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return (*self._first, *self._names())

    @choices.setter
    def choices(self, _: Sequence[str]) -> None:  # click's __init__ sets it; the table decides
        pass


def register(main: click.Group) -> None:
    """Add ``export`` and ``import`` to the ``canal`` command."""
    from canal.exchange import export_formats, import_formats

    @main.command()
    @click.option("--format", "fmt", type=TableChoice(export_formats), default="ttl", show_default=True)
    @click.option("-o", "--output", type=click.Path(), default=None, help="File to write (default stdout); for csv a folder (default ./canal-csv).")
    def export(fmt: str, output: str | None) -> None:
        """Export the whole graph: Turtle, JSON-LD, GraphML, GEXF (Gephi, Gephi Lite) or CSV node/edge lists."""
        from canal.exchange import export_folder, export_graph, graph_format

        with _store() as store:
            G = store.to_networkx()
            if graph_format(fmt).writer is None:  # a folder format (csv)
                nodes, edges = export_folder(G, fmt, output or f"canal-{fmt}", ontology=store.ontology)
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
    @click.option("--format", "fmt", type=TableChoice(import_formats, "auto"), default="auto", show_default=True, help="Default: from the file name.")
    @click.option("--skip-bad", is_flag=True, help="Leave out RDF subjects of classes canal does not know (otherwise they stop the import).")
    def import_(file: Path, fmt: str, skip_bad: bool) -> None:
        """Import a whole graph (RDF Turtle/JSON-LD/N-Triples, GraphML, GEXF, or a folder of nodes.csv and edges.csv), validated before anything is written."""
        from canal.exchange import import_graph

        with _store() as store:
            n, r = import_graph(store, file, fmt=fmt, skip_bad=skip_bad)
        click.echo(f"imported {n} nodes and {r} relationships from {file}")
