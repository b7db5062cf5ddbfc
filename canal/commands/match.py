"""``canal match``: partners for technologies, labs, enterprises and pilot projects."""

from __future__ import annotations

import json
from typing import Any

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import echo_table as _echo_table
from canal.settings import split_assignment


@click.command()
@click.option("--for", "for_name", default=None, help="Source node: id, name, English or Chinese name.")
@click.option("--all", "all_sources", is_flag=True, help="Every source of the direction.")
@click.option("--direction", type=click.Choice(["to-enterprise", "to-technology", "to-funder"]), default=None, help="Default: the source's natural direction (technology/lab -> enterprise, enterprise -> technology, project -> funder); to-enterprise with --all.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000), help="Candidates per source.")
@click.option("--weight", "weights", multiple=True, help="Signal weight, name=value (e.g. text=2); repeatable.")
@click.option("--learn/--no-learn", default=None, help="Learn the weights from the graph's known links first (inner split). Default: learn when no --weight is given and the direction has enough known links.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the explanations in the table.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option("--write-proposals", is_flag=True, help="Write the candidates back as proposedMatch relationships (score, date, reasons).")
@click.option("--min-score", default=0.0, show_default=True, type=float, help="With --write-proposals: only candidates scoring at least this.")
@click.option("--evaluate", "run_eval", is_flag=True, help="Hide known links by the event that created them (a project, else the link), rank, report MRR and Hits@k with 95% intervals against baselines.")
@click.option("--share", default=0.2, show_default=True, type=float, help="With --evaluate: share of events (or links) to hold out.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--accept", nargs=2, default=None, metavar="SOURCE TARGET", help="Record that the proposed match SOURCE -> TARGET is accepted.")
@click.option("--reject", nargs=2, default=None, metavar="SOURCE TARGET", help="Record that the proposed match SOURCE -> TARGET is rejected (needs --reason); it is not proposed again.")
@click.option("--reason", default="", help="Why (with --accept / --reject).")
@click.option("--by", "reviewer", default=None, help="Who decides (default: the operating-system user).")
def match(
    for_name: str | None,
    all_sources: bool,
    direction: str | None,
    top: int,
    weights: tuple[str, ...],
    learn: bool | None,
    lang: str,
    fmt: str,
    write_proposals: bool,
    min_score: float,
    run_eval: bool,
    share: float,
    seed: int,
    accept: tuple[str, str] | None,
    reject: tuple[str, str] | None,
    reason: str,
    reviewer: str | None,
) -> None:
    """Rank candidate partners with per-signal contributions, reasons (English and Chinese) and evidence Cypher."""
    from canal.errors import ConfigError

    w = _weights(weights)
    if accept or reject:
        if accept and reject:
            raise ConfigError("--accept and --reject exclude each other")
        _review(accept or reject, "accepted" if accept else "rejected", reason, reviewer)
        return
    if run_eval:
        _evaluate(direction, share, seed, w, learn, fmt)
        return
    if not for_name and not all_sources:
        raise ConfigError("say --for NAME or --all (or --evaluate)")
    if for_name and all_sources:
        raise ConfigError("--for and --all exclude each other")
    cands, written = _candidates(for_name, direction, top, seed, w, learn, write_proposals, min_score)
    _echo_candidates(cands, fmt, lang)
    if write_proposals:
        click.echo(f"wrote {written} proposedMatch relationship(s)", err=True)


def register(main: click.Group) -> None:
    """Add ``match`` to the ``canal`` group."""
    main.add_command(match)


def _weights(items: tuple[str, ...]) -> dict[str, float]:
    """``--weight name=value`` options as a weight table."""
    from canal.errors import ConfigError

    w: dict[str, float] = {}
    for item in items:
        k, v = split_assignment(item, "--weight")
        try:
            w[k] = float(v)
        except ValueError:
            raise ConfigError(f"--weight {item!r}: {v!r} is not a number") from None
    return w


def _review(pair: tuple[str, str] | None, decision: str, reason: str, reviewer: str | None) -> None:
    """Record a coordinator's decision on a proposed match."""
    from canal.reviews import match_subject, review_match

    assert pair is not None
    with _store() as store:
        props = review_match(store, pair[0], pair[1], decision, reason=reason, reviewer=reviewer)
    click.echo(f"{match_subject(*pair)} {props['decision']} by {props['reviewer']} at {props['reviewedAt']}")


def _evaluate(direction: str | None, share: float, seed: int, w: dict[str, float], learn: bool | None, fmt: str) -> None:
    """``--evaluate``: the leakage-free evaluation with its warnings, as a table or JSON."""
    from canal.match.evaluate import evaluate

    with _store() as store:
        G = store.to_networkx()
    rep = evaluate(G, directions=[direction] if direction else None, share=share, seed=seed, weights=w or None, learn=learn is not False)
    for msg in rep.warnings:
        click.secho("WARNING: " + msg, err=True, fg="red", bold=True)
    if fmt == "json":
        click.echo(json.dumps(rep.as_dict(), ensure_ascii=False, indent=2))
        return
    cols, rows = rep.table()
    if rows:
        _echo_table(cols, rows, fmt, title="Matching evaluation (held-out events or links, bootstrap 95% intervals)")
    if fmt == "table":
        for key, info in sorted(rep.info.items()):
            click.echo(f"{key}: " + ", ".join(f"{k}={v}" for k, v in info.items()))
        for key, wl in sorted(rep.weights.items()):
            click.echo(f"learned weights {key}: " + ", ".join(f"{k}={v:g}" for k, v in wl.items()))


def _candidates(
    for_name: str | None, direction: str | None, top: int, seed: int, w: dict[str, float], learn: bool | None,
    write_proposals: bool, min_score: float,
) -> tuple[list[Any], int]:
    """Rank, drop rejected matches (they are not proposed again), write proposals if asked."""
    from canal.match import match as run_match
    from canal.match import proposals
    from canal.reviews import match_subject, read_reviews

    with _store() as store:
        G = store.to_networkx()
        cands = run_match(G, for_id=for_name, direction=direction, top=top, seed=seed, weights=w or None, learn=learn)
        reviewed = read_reviews(store)
        cands = [c for c in cands if reviewed.get(match_subject(c.source, c.target), {}).get("decision") != "rejected"]
        written = 0
        if write_proposals and cands:
            written = store.upsert_relationships(proposals(cands, min_score=min_score))
    return cands, written


def _echo_candidates(cands: list[Any], fmt: str, lang: str) -> None:
    """The candidates as JSON, CSV or a table in the chosen language."""
    from canal.match.api import contribution_labels

    if fmt == "json":
        click.echo(json.dumps([c.as_dict() for c in cands], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        cols = ["source", "rank", "target", "target_name", "target_class", "direction", "score", "contributions", "explanation_en", "explanation_zh", "evidence_cypher"]
        rows = [
            [c.source, c.rank, c.target, c.target_name, c.target_class, c.direction, round(c.score, 4), json.dumps({k: round(v, 4) for k, v in c.contributions.items()}), c.explanation_en, c.explanation_zh, json.dumps(c.evidence_cypher, ensure_ascii=False)]
            for c in cands
        ]
        _echo_table(cols, rows, "csv")
        return
    single = len({c.source for c in cands}) <= 1
    rows = []
    for c in cands:
        why = "; ".join(c.reasons_en) if lang == "en" else "；".join(c.reasons_zh)
        row = [c.rank, c.target_name if lang == "en" else c.target_name_zh, c.target_class, f"{c.score:.3f}", contribution_labels(c, lang), why]
        rows.append(row if single else [c.source, *row])
    cols = ["#", "candidate", "class", "score", "contributions", "why"]
    title = f"Candidates for {cands[0].source_name} ({cands[0].direction})" if cands and single else f"Candidates ({cands[0].direction})" if cands else "Candidates"
    _echo_table(cols if single else ["source", *cols], rows, "table", title=title)
    click.echo(f"{len(cands)} candidate(s); evidence Cypher with --format json")
