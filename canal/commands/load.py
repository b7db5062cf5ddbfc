"""``canal load`` (incremental loads with a diff report, or the bulk path), ``canal merges``,
``canal unmerge`` and ``canal load-log``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from canal.commands._support import cli_progress as _progress
from canal.commands._support import cli_store as _store
from canal.commands._support import current_settings as _settings
from canal.commands._support import echo_table as _echo_table


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Load the good rows; bad rows go to a reject file with reasons.")
@click.option("--rejects", type=click.Path(dir_okay=False), default=None, help="Reject file (default SPEC.rejects.csv).")
@click.option("--dry-run", is_flag=True, help="Validate, resolve and report what would change (the diff); write nothing.")
@click.option("--no-resolve", is_flag=True, help="Do not merge records into nodes the graph already has.")
@click.option("--review", type=click.Path(dir_okay=False), default=None, help="Review report for uncertain pairs (CSV; an .html twin is written too).")
@click.option("--bulk", is_flag=True, help="Bulk path for a first load into an empty graph (FalkorDB GRAPH.BULK, all or nothing).")
@click.option("--neo4j-import", "neo4j_dir", type=click.Path(file_okay=False), default=None, help="Write neo4j-admin import files to this folder (and print the command) instead of loading.")
@click.option("--allow-retract", is_flag=True, help="Let this load retract more than half of what its source asserted before (an empty or truncated file stops the load otherwise).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def load(spec: Path, skip_bad: bool, rejects: str | None, dry_run: bool, no_resolve: bool, review: str | None, bulk: bool, neo4j_dir: str | None, allow_retract: bool, fmt: str) -> None:
    """Validate a loader SPEC and load its sources (all or nothing, unless --skip-bad).

    Every load prints what it added, changed and retracted per class and
    relationship type, and records itself in the database's load log.
    """
    if neo4j_dir:
        _neo4j_files(spec, neo4j_dir, skip_bad, fmt)
    elif bulk:
        _bulk(spec, skip_bad, rejects, fmt)
    else:
        _incremental(spec, skip_bad=skip_bad, rejects=rejects, dry_run=dry_run, no_resolve=no_resolve, review=review, allow_retract=allow_retract, fmt=fmt)


def _neo4j_files(spec: Path, folder: str, skip_bad: bool, fmt: str) -> None:
    """``--neo4j-import``: write neo4j-admin import files and print the command."""
    from canal.bulk import write_neo4j_import

    res = write_neo4j_import(spec, folder, skip_bad=skip_bad)
    click.echo(json.dumps(res, ensure_ascii=False, indent=2) if fmt == "json" else f"wrote {res['files']} files to {folder}\nrun:\n  {res['command']}")


def _bulk(spec: Path, skip_bad: bool, rejects: str | None, fmt: str) -> None:
    """``--bulk``: the GRAPH.BULK path into an empty graph, all or nothing."""
    from canal.bulk import bulk_load

    with _store() as store, _progress(_settings().progress) as hook:
        res = bulk_load(
            store,
            spec,
            skip_bad=skip_bad,
            reject_file=rejects or f"{Path(spec).stem}.rejects.csv",
            progress=(lambda stage, n: hook(stage, n, None)) if hook else None,
        )
    if fmt == "json":
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
    elif res.get("already_loaded"):
        click.echo(f"{spec} was already bulk-loaded into this graph (at {res['already_loaded']}, {res['records']} records); nothing to do")
    else:
        _echo_table(["class / type", "records"], [[k, v] for k, v in sorted({**res["nodes"], **res["relationships"]}.items())], title=f"bulk-loaded from {spec}")
        click.echo(f"{res['records']} records in {res['seconds']:.2f} s ({res['records_per_second']:.0f} records/s before the indexes were built); {res['rejected']} rejected")
        if res["reject_file"]:
            click.echo(f"rejects: {res['reject_file']}")


def _incremental(
    spec: Path, *, skip_bad: bool, rejects: str | None, dry_run: bool, no_resolve: bool, review: str | None, allow_retract: bool, fmt: str
) -> None:
    """The incremental load with its diff report."""
    from canal.ingest import load_spec

    with _store() as store, _progress(_settings().progress) as hook:
        report = load_spec(
            store,
            spec,
            skip_bad=skip_bad,
            reject_file=rejects or f"{Path(spec).stem}.rejects.csv",
            dry_run=dry_run,
            progress=hook,
            resolve=not no_resolve,
            review_file=review or f"{Path(spec).stem}.review.csv",
            allow_retract=allow_retract,
        )
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    title = ("would change" if dry_run else "changed") + f" by {spec}"
    _echo_table(["kind", "class / type", "added", "changed", "retracted"], report.diff_rows(), title=title)
    t = report.totals()
    click.echo(
        f"{t['added']} added, {t['changed']} changed, {t['retracted']} retracted; "
        f"{sum(report.nodes.values())} nodes and {sum(report.relationships.values())} relationships in the source; "
        f"{len(report.rejects)} rejected; {len(report.outside)} references outside the source; "
        f"{len(report.merges)} merged; {len(report.review)} to review; {report.seconds:.2f} s"
    )
    for o in report.outside[:5]:
        click.echo(f"  outside: {o.record.get('source')} -{o.record.get('type')}-> {o.record.get('target')}")
    if report.reject_file:
        click.echo(f"rejects: {report.reject_file}")
    if report.review_file:
        click.echo(f"review: {report.review_file} (and .html)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def merges(fmt: str) -> None:
    """Entity-resolution merges recorded in the database."""
    from canal.ingest import list_merges

    with _store() as store:
        rows = list_merges(store)
    cols = ["id", "spec", "absorbed", "into", "reason", "score", "status", "date"]
    _echo_table(cols, [[r[c] for c in cols] for r in rows], fmt)

@click.command()
@click.argument("merge_id")
def unmerge(merge_id: str) -> None:
    """Undo a merge: restore the absorbed record as its own node."""
    from canal.ingest import unmerge as undo

    with _store() as store:
        res = undo(store, merge_id)
    click.echo(f"restored {res['restored']} (split from {res['from']})")

@click.command(name="load-log")
@click.option("--name", default=None, help="Only loads of this source (spec name).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
def load_log_cmd(name: str | None, fmt: str) -> None:
    """The load log kept in the database (one row per load)."""
    from canal.loadlog import load_log

    with _store() as store:
        rows = load_log(store, name=name)
    cols = ["name", "started", "status", "totals", "nodes", "relationships", "rejected", "outside", "merged", "seconds"]
    _echo_table(cols, [[r.get(c) for c in cols] for r in rows], fmt)


def register(main: click.Group) -> None:
    """Add the load commands to the ``canal`` group."""
    main.add_command(load)
    main.add_command(merges)
    main.add_command(unmerge)
    main.add_command(load_log_cmd)
