"""What every command module shares: settings, the store, progress, tables, ``NAME=VALUE``.

Command modules import these helpers from here (never from :mod:`canal.cli`, which
loads the command modules); errors are turned into messages once, in
:class:`canal.cli.CanalGroup`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from canal.settings import Settings, parse_assignment

if TYPE_CHECKING:
    from canal.store.base import GraphStore

ProgressHook = Callable[[str, int, int | None], None]


def current_settings() -> Settings:
    """The settings of the running ``canal`` invocation (flags, then ``CANAL_*``, then defaults)."""
    obj = click.get_current_context().obj
    if not isinstance(obj, Settings):  # a command invoked outside the ``canal`` group
        obj = Settings.from_env()
    return obj


@contextmanager
def cli_store() -> Iterator[GraphStore]:
    """Open the store the settings name, and close it whatever happens."""
    from canal.store import open_store

    store = open_store(settings=current_settings())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def cli_progress(enabled: bool) -> Iterator[ProgressHook | None]:
    """A progress hook that draws a bar on a terminal (``None`` when not wanted or not a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task("writing", total=None)

        def hook(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"writing {stage}", completed=done, total=total)

        yield hook


def echo_table(columns: list[str], rows: list[Any], fmt: str = "table", title: str | None = None) -> None:
    """Print rows as a table, JSON or CSV (:func:`canal.output.render`)."""
    from canal.output import render

    click.echo(render(columns, rows, fmt, title=title), nl=fmt == "json")


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` with the value read as JSON when it can be (:func:`canal.settings.parse_assignment`).

    >>> parse_param("id=dmto"), parse_param("n=3")
    (('id', 'dmto'), ('n', 3))
    """
    return parse_assignment(text, "--param")
