"""Rendering rows for people (tables) and programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from canal.errors import ConfigError

FORMATS = ("table", "json", "csv")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1e4 else f"{v:g}"
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str = "table", *, title: str | None = None,
           width: int = 160) -> str:
    """Rows as a text table (``width`` columns wide, at least 40), JSON (list of objects) or CSV.

    The one table renderer: the CLI and the shell (with the terminal's width) print through it.

    >>> print(render(["a", "b"], [[1, "x"]], "csv").strip())
    a,b
    1,x
    >>> max(len(line) for line in render(["a"], [["x" * 100]], width=40).splitlines())
    40
    """
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, indent=2, sort_keys=False, default=str)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([v if isinstance(v, (int, float, str)) or v is None else json.dumps(v, ensure_ascii=False) for v in r])
        return buf.getvalue()
    if fmt != "table":
        raise ConfigError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAVY, show_lines=False)
    for c in columns:
        table.add_column(str(c), overflow="fold")
    for r in rows:
        table.add_row(*[_cell(v) for v in r])
    console = Console(file=io.StringIO(), width=max(40, width), force_terminal=False, color_system=None)
    console.print(table)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)
