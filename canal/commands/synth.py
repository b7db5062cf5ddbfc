"""``canal synth``: synthetic canal graphs with planted gaps."""

from __future__ import annotations

import json
from pathlib import Path

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import current_settings as _settings


def register(main: click.Group) -> None:
    """Add ``canal synth`` to the ``canal`` command."""

    @main.command()
    @click.option("--nodes", "n_nodes", type=int, default=10000, show_default=True, help="About this many nodes.")
    @click.option("--seed", type=int, default=0, show_default=True)
    @click.option("--edges-per-node", type=float, default=5.0, show_default=True, help="Relationships per node.")
    @click.option("--planted", type=int, default=None, help="Structures planted per gap type (default max(2, nodes/5000)).")
    @click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("synth"), show_default=True,
                  help="Folder for the loader input (spec, CSVs, truth.csv).")
    @click.option("--load", "load_now", is_flag=True, help="Load the graph into the store instead of writing files.")
    @click.option("--into-existing", is_flag=True, help="With --load: also when the graph already holds data that is not synthetic.")
    def synth(n_nodes: int, seed: int, edges_per_node: float, planted: int | None, out: Path, load_now: bool, into_existing: bool) -> None:
        """Generate a synthetic canal graph with planted gaps (and their ground truth).

        Writes OUT/synth.yaml with OUT/synth/nodes.csv, relationships.csv and truth.csv, ready
        for `canal load OUT/synth.yaml`; with --load, writes the graph into the store directly,
        refusing a graph that already holds data that is not synthetic unless --into-existing.
        """
        from canal.errors import ConfigError
        from canal.synth import load_synth, synth_graph, write_loader_input

        if n_nodes < 500:
            raise ConfigError("--nodes must be at least 500 (room for every planted gap type)")
        result = synth_graph(n_nodes, seed=seed, edges_per_node=edges_per_node, planted=planted)
        summary: dict[str, object] = {"nodes": result.n_nodes, "relationships": result.n_edges, "planted": len(result.truth), "seed": seed}
        if load_now:
            with _store() as store:
                store.ensure_indexes()
                load_synth(store, result, into_existing=into_existing)
            from canal.redact import redact

            summary["database"] = redact(_settings().db)
        else:
            spec = write_loader_input(result, out)
            summary["spec"] = str(spec)
        click.echo(json.dumps(summary, ensure_ascii=False))
