"""``canal gaps``: where the canal is broken, ranked and explained."""

from __future__ import annotations

import json
from typing import Any

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import echo_table as _echo_table
from canal.gaps.model import BASES


class GapTypeChoice(click.Choice):  # type: ignore[type-arg]  # generic only from click 8.2
    """The registered gap types (:mod:`canal.gaps.registry`), read when the option is used."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from canal.gaps.registry import gap_types

        return gap_types()

    @choices.setter
    def choices(self, value: object) -> None:
        pass


def _short(nodes: tuple[str, ...], k: int = 4) -> str:
    shown = ", ".join(nodes[:k])
    return shown + (f" (+{len(nodes) - k})" if len(nodes) > k else "")


def _review_text(g: Any) -> str:
    r = g.review
    if not r:
        return ""
    return f"{r.get('decision', '')} by {r.get('reviewer', '?')} {str(r.get('reviewedAt', ''))[:10]}".strip()


def _echo_gaps(found: list[Any], suggestions: dict[tuple[str, str], list[Any]], fmt: str, lang: str, suggest: bool) -> None:
    """Print the gaps as JSON, CSV or a table with counts per type and basis."""
    if fmt == "json":
        out = []
        for g in found:
            d = g.as_dict()
            if suggest:
                d["suggestions"] = [c.as_dict() for c in suggestions.get((g.type, g.anchor), [])]
            out.append(d)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    if fmt == "csv":
        cols = ["id", "severity", "type", "kind", "basis", "scope", "nodes", "explanation_en", "explanation_zh", "evidence",
                "settle", "review", "cypher", "params"]
        rows: list[list[Any]] = [
            [g.id, g.severity, g.type, g.kind, g.basis, g.scope, "|".join(g.nodes), g.explanation_en, g.explanation_zh,
             " | ".join(g.evidence), g.settle, json.dumps(g.review, ensure_ascii=False) if g.review else "", g.cypher,
             json.dumps(g.params, ensure_ascii=False)]
            for g in found
        ]
        if suggest:
            cols.append("suggestions")
            for r, g in zip(rows, found, strict=True):
                r.append("|".join(f"{c.target}:{c.score:.3f}" for c in suggestions.get((g.type, g.anchor), [])))
        _echo_table(cols, rows, "csv")
        return
    cols = ["id", "severity", "type", "basis", "scope", "nodes", "explanation" if lang == "en" else "说明"]
    rows = [
        [g.id, f"{g.severity:.2f}", g.type + (f" ({g.kind})" if g.kind else ""), g.basis, g.scope, _short(g.nodes),
         g.explanation_en if lang == "en" else g.explanation_zh]
        for g in found
    ]
    if any(g.review for g in found):
        cols.append("review")
        for r, g in zip(rows, found, strict=True):
            r.append(_review_text(g))
    if suggest:
        cols.append("suggested")
        for r, g in zip(rows, found, strict=True):
            r.append(", ".join(f"{c.target} ({c.score:.2f})" for c in suggestions.get((g.type, g.anchor), [])))
    _echo_table(cols, rows, "table", title="Chain gaps, worst first")
    counts: dict[str, int] = {}
    for g in found:
        counts[g.type] = counts.get(g.type, 0) + 1
    click.echo(f"{len(found)} gap(s): " + ", ".join(f"{t} {n}" for t, n in counts.items()) if found else "no gaps found")
    data = sum(1 for g in found if g.basis == "data")
    if found:
        click.echo(f"{len(found) - data} canal gap(s) (the link is missing in the world), {data} data gap(s) "
                   "(canal has no record; JSON/CSV say what would settle each)")


def register(main: click.Group) -> None:
    """Add ``canal gaps`` to the ``canal`` command."""

    @main.command()
    @click.option("--scope", default=None, help="alliance:ID_OR_NAME or region:NAME (default: the whole graph).")
    @click.option("--type", "types", multiple=True, type=GapTypeChoice(), help="Gap type (repeatable; default all).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
    @click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the table's explanations.")
    @click.option("--limit", type=int, default=None, help="Show only the N most severe gaps.")
    @click.option("--min-cut", type=int, default=3, show_default=True, help="Innovation nodes a broker must cut off from capital.")
    @click.option("--min-hole", type=int, default=4, show_default=True, help="Smallest one-chain group counted as a structural hole.")
    @click.option("--suggest", is_flag=True, help="Add matching candidates that could close each gap (canal.match).")
    @click.option("--basis", "bases", multiple=True, type=click.Choice(BASES),
                  help="canal: the graph shows the link is missing in the world; data: canal only has no record (repeatable; default both).")
    @click.option("--all", "show_all", is_flag=True, help="Also list gaps a coordinator dismissed.")
    @click.option("--dismiss", "dismiss", default=None, metavar="GAP_ID", help="Record that this gap is not real (needs --reason).")
    @click.option("--confirm", "confirm", default=None, metavar="GAP_ID", help="Record that this gap is real (it becomes a canal gap).")
    @click.option("--reason", default="", help="Why (with --dismiss / --confirm).")
    @click.option("--by", "reviewer", default=None, help="Who decides (default: the operating-system user).")
    def gaps(scope: str | None, types: tuple[str, ...], fmt: str, lang: str, limit: int | None, min_cut: int,
             min_hole: int, suggest: bool, bases: tuple[str, ...], show_all: bool, dismiss: str | None,
             confirm: str | None, reason: str, reviewer: str | None) -> None:
        """Chain gaps of the graph, worst first: stranded technologies, missing pilot stages, capital
        gaps, broken canals, alliance role gaps, segment gaps (补链), broker risks, structural holes.

        Each gap comes with a stable id, its nodes, its basis (canal gap or data gap, and what data
        would settle it), an explanation in English and Chinese, evidence, and the Cypher (with
        parameters) that shows it on the store. --dismiss / --confirm record a coordinator's decision
        in the graph; dismissed gaps stay hidden (list them with --all).
        """
        from canal.errors import ConfigError
        from canal.gaps import find_gaps
        from canal.gaps.frame import frame_from_store

        suggest_fn: Any = None
        if suggest:
            try:
                from canal.match import suggest_for_gaps

                suggest_fn = suggest_for_gaps
            except ImportError as exc:
                raise ConfigError(f"--suggest needs the matching module (canal.match), which is not available: {exc}") from None
        from canal.reviews import read_absences, read_reviews, record_review

        if dismiss and confirm:
            raise ConfigError("--dismiss and --confirm exclude each other")
        with _store() as store:
            frame = frame_from_store(store)
            reviews = read_reviews(store)
            absences = read_absences(store)
            if dismiss or confirm:
                target = str(dismiss or confirm)
                every = find_gaps(frame, min_cut=min_cut, min_hole=min_hole, reviews=reviews, show_dismissed=True,
                                  absences=absences)
                hit = [g for g in every if g.id == target]
                if not hit:
                    raise ConfigError(f"no gap {target!r} in the current catalogue (ids are listed by `canal gaps`)")
                g = hit[0]
                decision = "dismissed" if dismiss else "confirmed"
                props = record_review(store, g.id, decision, anchors=[g.anchor], reason=reason, reviewer=reviewer,
                                      label=f"{g.type} {g.anchor}")
                click.echo(f"{g.id} {decision} by {props['reviewer']} at {props['reviewedAt']}: {g.explanation_en}")
                return
            found = find_gaps(frame, scope=scope, types=list(types) or None, min_cut=min_cut, min_hole=min_hole,
                              reviews=reviews, show_dismissed=show_all, bases=list(bases) or None, absences=absences)
            if limit is not None:
                found = found[:limit]
            suggestions: dict[tuple[str, str], list[Any]] = {}
            if suggest_fn is not None and found:
                suggestions = suggest_fn(store.to_networkx(), found, top=3)
        _echo_gaps(found, suggestions, fmt, lang, suggest)
