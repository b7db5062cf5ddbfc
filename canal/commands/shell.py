"""``canal shell``: the interactive Cypher prompt."""

from __future__ import annotations

import sys

import click

from canal.commands._support import cli_store as _store
from canal.commands._support import current_settings as _settings


def register(main: click.Group) -> None:
    """Add ``shell`` to the ``canal`` command."""

    @main.command()
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", help="How rows print (:format changes it).")
    def shell(fmt: str) -> None:
        """Interactive Cypher prompt: end a query with ';', :help for commands, :schema for the schema."""
        from canal.redact import redact
        from canal.shell import run_shell

        with _store() as store:
            banner = f"canal shell on {redact(_settings().db)} ({store.backend}). End a query with ';'. :help for help, :quit to leave."
            failures = run_shell(store, banner=banner, fmt=fmt)
        if failures and not sys.stdin.isatty():
            sys.exit(1)
