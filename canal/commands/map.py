"""``canal map``: write a self-contained HTML network map (and optionally a PNG)."""

from __future__ import annotations

from pathlib import Path

import click

from canal.commands._support import cli_store as _store


def register(main: click.Group) -> None:
    """Add ``canal map`` to the CLI."""
    from canal.maps import AGGREGATES, LAYOUTS, MAX_NODES, SIZE_MEASURES

    @main.command(name="map")
    @click.option("--around", "around", metavar="NAME", default=None, help="Map the neighbourhood of this node (id, name, nameEn, nameZh, alias or pinyin).")
    @click.option("--depth", type=click.IntRange(0, 10), default=2, show_default=True, help="Hops around --around.")
    @click.option("--through-hubs", is_flag=True, help="Expand --around through hubs too (nodes whose degree is far above the graph's mean; by default the map stops at them and names them).")
    @click.option("--hub-degree", type=click.FloatRange(1, None), default=None, help="A node with more relationships than this is a hub (default: 8 x the graph's mean degree, at least 20).")
    @click.option("--view", "view", metavar="STATE", default=None, help="Open the page in this view: the part after '#' of a link copied from a map (filters, selection, language, open groups).")
    @click.option("--scope", metavar="alliance:NAME|region:NAME", default=None, help="Members of an alliance or nodes in a region, with their direct neighbours.")
    @click.option("--chains", metavar="CHAIN[,CHAIN]", multiple=True, help="Keep these chains only: innovation, industrial, capital, bridge (repeat or comma-separate).")
    @click.option("--gaps", "show_gaps", is_flag=True, help="Overlay the gaps found by canal.gaps (red rings with reasons).")
    @click.option("--matches", "show_matches", is_flag=True, help="Overlay proposed matches from canal.match (dashed edges with score).")
    @click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="Matches per node with --matches.")
    @click.option("--layout", type=click.Choice(LAYOUTS), default="force", show_default=True, help="force, or stages: research -> pilot -> industrialisation -> capital from left to right.")
    @click.option("--size-by", type=click.Choice(SIZE_MEASURES), default="degree", show_default=True, help="Node size measure.")
    @click.option("--max-nodes", type=click.IntRange(1, None), default=MAX_NODES, show_default=True, help="Above this many nodes, draw super-nodes instead.")
    @click.option("--aggregate", "aggregate_by", type=click.Choice(AGGREGATES), default="communities", show_default=True, help="Super-nodes of a large map.")
    @click.option("--title", default=None, help="Page title (default describes the selection).")
    @click.option("--png", "png", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a PNG screenshot (headless Chromium).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("canal-map.html"), show_default=True, help="HTML file to write.")
    def map_(
        around: str | None, depth: int, through_hubs: bool, hub_degree: float | None, view: str | None, scope: str | None, chains: tuple[str, ...], show_gaps: bool, show_matches: bool, top: int,
        layout: str, size_by: str, max_nodes: int, aggregate_by: str, title: str | None, png: Path | None, output: Path,
    ) -> None:
        """Write an interactive, self-contained HTML map of the graph (works offline).

        Colours by chain and shapes by class come from the ontology; the page has a
        bilingual legend, filters, search (Chinese, English, alias, pinyin) and
        neighbourhood highlight on click.
        """
        from canal.maps import graph_for_map, last_load_changes, prepare_map, write_map, write_png

        chain_list = [c.strip() for item in chains for c in item.split(",") if c.strip()]
        with _store() as store:
            G = graph_for_map(
                store, around=around, depth=depth, whole=bool(scope or show_gaps or show_matches), through_hubs=through_hubs,
                hub_degree=hub_degree, max_nodes=max_nodes,
            )
            onto = store.ontology
            changes = last_load_changes(store)
        sub, kw = prepare_map(
            G, around=around, depth=depth, scope=scope, chains=chain_list or None, gaps=show_gaps, matches=show_matches, top=top,
            through_hubs=through_hubs, hub_degree=hub_degree, max_nodes=max_nodes,
        )
        if title:
            kw["title"] = title
        hood = sub.graph.get("around")
        if hood is not None:
            click.echo(hood.describe({n: str(G.nodes[n].get("name", n)) for n in [hood.start, *(h for h, _ in hood.hubs)] if n in G}))
        path = write_map(
            sub, output, ontology=onto, layout=layout, size_by=size_by, max_nodes=max_nodes, aggregate_by=aggregate_by, changes=changes,
            view=view, **kw,
        )
        ring = set(sub.graph.get("ring") or ())
        drawn_edges = sum(1 for u, v in sub.edges() if u not in ring and v not in ring)
        what = f"{sub.number_of_nodes() - len(ring):,} nodes, {drawn_edges:,} relationships"
        if ring:
            what += f"; {len(ring):,} more one hop out, hidden until expanded"
        if sub.number_of_nodes() > max_nodes:
            what += f" (above {max_nodes}: drawn as {aggregate_by})"
        extras = []
        if "gaps" in kw:
            extras.append(f"{len(kw['gaps'])} gaps")
        if "matches" in kw:
            extras.append(f"{len(kw['matches'])} proposed matches")
        click.echo(f"map: {path} ({what}{'; ' + ', '.join(extras) if extras else ''})")
        if png is not None:
            click.echo(f"png: {write_png(path, png)}")
            from canal.charts import NO_CJK_FONT, fontconfig_has_cjk

            if fontconfig_has_cjk() is False:
                click.echo(f"warning: {NO_CJK_FONT}", err=True)
