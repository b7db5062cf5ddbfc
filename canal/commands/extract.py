"""``canal extract``: candidate facts from articles, a review file, and loading it back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import current_settings as _settings
from canal.commands._support import echo_table as _echo_table

ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")
"""Files taken from a folder given on the command line."""


def _lexicon_from(store: Any) -> Any:
    from canal.extract.lexicon import Lexicon

    return Lexicon.from_graph(store.to_networkx())


class _Progress:
    """Shows how far a long article (over 1 MB of text) is, on stderr, every 5 %."""

    def __init__(self) -> None:
        self.shown: dict[str, int] = {}

    def __call__(self, path: str, done: int, total: int) -> None:
        if total < 1_000_000:
            return
        step = done * 20 // total
        if step > self.shown.get(path, -1):
            self.shown[path] = step
            click.echo(f"canal: extracting {path}: {done * 100 // total}% of {total:,} characters", err=True)



@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["auto", "zh", "en"]), default="auto", show_default=True, help="Language of the articles (auto: per paragraph).")
@click.option("--review", "review_out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the candidate facts to this JSON Lines file for review.")
@click.option("--load", "do_load", is_flag=True, help="Load facts: from articles, those with --min-confidence or more; from a review file (*.jsonl), the accepted/fixed lines.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None, help="With --load: also load pending facts this confident (default for articles 0.5).")
@click.option("--dry-run", is_flag=True, help="With --load: validate and report, write nothing.")
@click.option("--max-mb", type=click.FloatRange(0.001, 1000.0), default=2.0, show_default=True, help="Refuse articles larger than this (about 30 s of work per MB of Chinese text).")
@click.option("--no-graph", is_flag=True, help="Do not read the graph to link mentions to existing nodes.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def extract(
    files: tuple[Path, ...],
    lang: str,
    review_out: Path | None,
    do_load: bool,
    min_confidence: float | None,
    dry_run: bool,
    max_mb: float,
    no_graph: bool,
    fmt: str,
) -> None:
    """Find organisations, technologies, money, dates, places and their relations in
    Chinese and English articles (text, Markdown, HTML), each with its evidence.

    \b
    canal extract a.html b.txt news/                 # list candidate facts (a folder: its .txt/.md/.html files)
    canal extract a.html b.txt --review facts.jsonl  # write them for review
    canal extract facts.jsonl --load                 # load the accepted / fixed lines
    canal extract a.html --load --min-confidence 0.8 # load confident facts directly
    """
    from canal.errors import ConfigError

    if review_out and do_load:
        raise ConfigError("use either --review OUT.jsonl or --load, not both")
    if (min_confidence is not None or dry_run) and not do_load:
        raise ConfigError("--min-confidence and --dry-run go with --load")
    reviews, articles = _inputs(files)
    if reviews and not do_load:
        raise ConfigError("review files (*.jsonl) are loaded with --load")
    recs, failures = _extract(articles, reviews, lang=lang, review_out=review_out, max_mb=max_mb, use_graph=_use_graph(no_graph, do_load))
    if do_load:
        threshold = min_confidence if (min_confidence is not None or not articles) else 0.5
        _load(recs, failures, threshold=threshold, dry_run=dry_run, fmt=fmt)
    elif not review_out:
        _echo_facts(recs, failures, fmt)
    if files and failures and len(failures) == len(articles) and not reviews:
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add ``extract`` to the ``canal`` group."""
    main.add_command(extract)


def _inputs(files: tuple[Path, ...]) -> tuple[list[Path], list[str]]:
    """Review files (*.jsonl) and articles; a folder stands for the articles in it."""
    expanded: list[Path] = []
    for f in files:
        if f.is_dir():
            expanded.extend(sorted(p for p in f.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES))
        else:
            expanded.append(f)
    reviews = [f for f in expanded if f.suffix.lower() == ".jsonl"]
    articles = [str(f) for f in expanded if f.suffix.lower() != ".jsonl"]
    return reviews, articles


def _use_graph(no_graph: bool, do_load: bool) -> bool:
    """Read the graph to link mentions, unless told not to or there is no database yet."""
    from canal.store.registry import backend_of

    settings = _settings()
    return not no_graph and (not backend_of(settings.db).takes_path or Path(settings.db).exists() or do_load)


def _extract(
    articles: list[str], reviews: list[Path], *, lang: str, review_out: Path | None, max_mb: float, use_graph: bool
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Candidate-fact records from the articles (written for review if asked) and the review files."""
    from canal.extract.pipeline import extract_files
    from canal.extract.review import read_review, records, write_review

    recs: list[dict[str, Any]] = []
    failures: list[tuple[str, str]] = []
    if articles:
        if use_graph:
            with _store() as store:
                lexicon = _lexicon_from(store)
        else:
            lexicon = None
        done, failed = extract_files(articles, lang=lang, lexicon=lexicon, max_bytes=int(max_mb * 1_000_000), progress=_Progress())
        failures = [(f.path, f.reason) for f in failed]
        for fail in failed:
            click.echo(f"canal: warning: skipped {fail.reason}", err=True)
        if review_out:
            n = write_review(done, review_out)
            click.echo(f"wrote {n} candidate facts from {len(done)} article(s) to {review_out}", err=True)
        for ex in done:
            recs.extend(records(ex))
    for rf in reviews:
        recs.extend(read_review(rf))
    return recs, failures


def _load(recs: list[dict[str, Any]], failures: list[tuple[str, str]], *, threshold: float | None, dry_run: bool, fmt: str) -> None:
    """``--load``: validate the chosen facts and write them (or report with --dry-run)."""
    from canal.extract.review import load_review

    with _store() as store:
        result = load_review(store, recs, min_confidence=threshold, dry_run=dry_run)
    if fmt == "json":
        click.echo(json.dumps({**result.as_dict(), "failed_inputs": [{"file": p, "reason": r} for p, r in failures]}, ensure_ascii=False, indent=2))
        return
    verb = "would load" if dry_run else "loaded"
    click.echo(f"{verb} {result.nodes} new node(s) and {result.relationships} relationship(s); {result.linked} linked to existing nodes; {len(result.skipped)} skipped")
    for rid, reason in result.skipped:
        click.echo(f"  skipped {rid}: {reason}")


def _echo_facts(recs: list[dict[str, Any]], failures: list[tuple[str, str]], fmt: str) -> None:
    """The candidate facts as JSON or a table."""
    if fmt == "json":
        click.echo(json.dumps({"facts": recs, "failed_inputs": [{"file": p, "reason": r} for p, r in failures]}, ensure_ascii=False, indent=2))
        return
    rows = []
    for r in recs:
        if r["kind"] == "node":
            b = r["node"]
            what = f"{b['class']}: {b['name']}" + (f" = {b['id']}" if b.get("existing") else "")
        else:
            b = r["relationship"]
            what = f"{b['source_name']} -{b['type']}-> {b['target_name']}"
            if b.get("amount") is not None:
                what += f" ({b['amount']:,.0f} {b['currency']})"
        ev = r["evidence"].replace("\n", " ")
        rows.append([r["id"], r["confidence"], what, ev[:60] + ("…" if len(ev) > 60 else "")])
    _echo_table(["id", "confidence", "fact", "evidence"], rows, "table", title="candidate facts")
