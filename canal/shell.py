"""``canal shell``: an interactive Cypher prompt over a store.

Type Cypher over one or more lines and end it with ``;`` to run it; the rows print as a
table. Lines starting with ``:`` are commands (``:help`` lists them). History is kept in
``~/.canal_history`` (``CANAL_HISTORY`` overrides it). The prompt is prompt_toolkit when the
terminal is interactive and a plain line reader otherwise, so the same shell runs scripts::

    printf 'MATCH (n) RETURN n.name LIMIT 2;\\n' | canal shell

The logic lives in :class:`CypherShell` (feed it lines, get text back), which the tests
drive directly; :func:`run_shell` only adds the terminal around it.

>>> from canal.ontology import load_ontology
>>> sh = CypherShell(None, ontology=load_ontology())
>>> sh.feed("MATCH (n)") is None, sh.pending
(True, True)
>>> print(sh.feed(":help").splitlines()[0])
Cypher: type a query over one or more lines and end it with ';'.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from canal.errors import CanalError
from canal.ontology import Ontology, load_ontology
from canal.output import render

__all__ = ["CypherShell", "history_path", "run_shell", "schema_text", "split_statement", "table_text"]

HELP = """\
Cypher: type a query over one or more lines and end it with ';'.
Values go in parameters: set them with :param and use $name in the query.

  :help                  this text
  :schema [NAME]         labels, relationship types and property keys from the ontology
                         (NAME: one class, relationship type or property in detail)
  :param NAME=VALUE      set a parameter (VALUE read as JSON when it can be); :param alone lists them
  :unparam NAME          forget a parameter
  :format table|json|csv how rows print (now: {fmt})
  :write on|off          allow queries that write (now: {write})
  :queries               the saved queries; :run NAME [k=v ...] runs one
  :clear                 drop the query typed so far
  :quit                  leave (also Ctrl-D)
"""


def table_text(columns: list[str], rows: list[Any], *, width: int | None = None) -> str:
    """Rows as a text table as wide as the terminal (``canal.output.render`` uses 160 columns)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from canal.output import _cell

    w = width or shutil.get_terminal_size((160, 40)).columns
    table = Table(box=box.SIMPLE_HEAVY)
    for c in columns:
        table.add_column(str(c), overflow="fold")
    for r in rows:
        table.add_row(*[_cell(v) for v in r])
    console = Console(file=io.StringIO(), width=max(40, w), force_terminal=False, color_system=None)
    console.print(table)
    return str(console.file.getvalue()).rstrip("\n")  # type: ignore[attr-defined]


def history_path() -> Path:
    """Where the prompt keeps its history."""
    return Path(os.environ.get("CANAL_HISTORY") or Path.home() / ".canal_history")


def split_statement(buffer: str) -> tuple[str, str] | None:
    """``(statement, rest)`` if ``buffer`` holds a ``;`` outside strings and comments, else None.

    >>> split_statement("RETURN 'a;b' AS x; RETURN 2")
    ("RETURN 'a;b' AS x", ' RETURN 2')
    >>> split_statement("MATCH (n) // not yet;") is None
    True
    """
    quote: str | None = None
    i = 0
    while i < len(buffer):
        c = buffer[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in ("'", '"', "`"):
            quote = c
        elif buffer.startswith("//", i):
            nl = buffer.find("\n", i)
            if nl < 0:
                return None
            i = nl
        elif c == ";":
            return buffer[:i].strip(), buffer[i + 1 :]
        i += 1
    return None


def schema_text(onto: Ontology, name: str | None = None) -> str:
    """The graph's schema as the ontology defines it (all of it, or one term in detail)."""
    if name:
        if name in onto.classes and onto.classes[name].graph_node:
            c = onto.classes[name]
            props = sorted(p.name for p in onto.properties.values() if p.domain is None or any(onto.is_a(name, d) for d in p.domain))
            rels_out = sorted(r.type for r in onto.relations.values() if not r.domain or any(onto.is_a(name, d) for d in r.domain))
            rels_in = sorted(r.type for r in onto.relations.values() if not r.range or any(onto.is_a(name, d) for d in r.range))
            return "\n".join(
                [
                    f"{c.name} ({c.label_en} / {c.label_zh})" + (" abstract" if c.abstract else ""),
                    f"  {c.definition_en}",
                    f"  {c.definition_zh}",
                    f"  labels: {':'.join(onto.labels_for(name)) if not c.abstract else name}",
                    f"  chain: {onto.chain_of(name) or '-'}   stage: {onto.stage_of(name) or '-'}",
                    f"  outgoing: {', '.join(rels_out)}",
                    f"  incoming: {', '.join(rels_in)}",
                    f"  properties: {', '.join(props)}",
                ]
            )
        try:
            r = onto.relation(name)
        except CanalError:
            r = None
        if r is not None:
            return "\n".join(
                [
                    f"{r.type} ({r.name}: {r.label_en} / {r.label_zh})" + (" symmetric" if r.symmetric else ""),
                    f"  {r.definition_en}",
                    f"  {r.definition_zh}",
                    f"  from: {', '.join(sorted(r.domain)) or 'any'}",
                    f"  to:   {', '.join(sorted(r.range)) or 'any'}",
                ]
            )
        if name in onto.properties:
            p = onto.properties[name]
            where = ", ".join(sorted(p.domain)) if p.domain else "any node or relationship"
            many = "one value" if p.functional else "a list of values"
            return f"{p.name}: {p.kind}, {many}, on {where}\n  {p.label_en} / {p.label_zh}: {p.definition_en}"
        return f"unknown class, relationship type or property {name!r}"
    labels = sorted(c for c, i in onto.classes.items() if i.graph_node)
    lines = ["Node labels (a node carries its class and every ancestor):"]
    for label in labels:
        cinfo = onto.classes[label]
        parent = f" < {cinfo.parents[0]}" if cinfo.parents else ""
        lines.append(f"  {label}{parent}  {cinfo.label_zh}")
    lines.append("Relationship types (from -> to):")
    for t in onto.relationship_types:
        r = onto.relation(t)
        lines.append(f"  {t}  {'|'.join(sorted(r.domain)) or 'any'} -> {'|'.join(sorted(r.range)) or 'any'}")
    lines.append("Property keys (type):")
    props = [f"{p.name}:{p.kind}{'' if p.functional else '[]'}" for p in sorted(onto.properties.values(), key=lambda p: p.name)]
    lines.append("  id:string, " + ", ".join(props))
    return "\n".join(lines)


class CypherShell:
    """The shell without a terminal: :meth:`feed` takes one line, returns what to print (or None)."""

    def __init__(self, store: Any, *, ontology: Ontology | None = None, fmt: str = "table") -> None:
        self.store = store
        self.ontology = ontology or (store.ontology if store is not None else load_ontology())
        self.fmt = fmt
        self.params: dict[str, Any] = {}
        self.write = False
        self.buffer = ""
        self.done = False
        self.width: int | None = None  # None: the terminal's width

    @property
    def pending(self) -> bool:
        """True while a query is being typed (the prompt shows a continuation)."""
        return bool(self.buffer.strip())

    def feed(self, line: str) -> str | None:
        """Take one typed line; return the text to print, or None while a query continues."""
        stripped = line.strip()
        if stripped.startswith(":"):  # commands work mid-query too (:clear drops it)
            return self.command(stripped)
        if not self.pending and not stripped:
            return None
        self.buffer += line + "\n"
        outputs = []
        while True:
            found = split_statement(self.buffer)
            if found is None:
                break
            statement, self.buffer = found
            if not self.buffer.strip():
                self.buffer = ""
            if statement:
                outputs.append(self.run(statement))
        return "\n".join(outputs) if outputs else None

    def run(self, statement: str) -> str:
        """Run one statement; errors come back as text, never as a traceback."""
        try:
            if self.store is None:
                return "error: no database is open"
            res = self.store.execute(statement, self.params) if self.write else self.store.query(statement, self.params)
        except CanalError as exc:
            return f"error: {exc}"
        return self._rows(res.columns, res.rows)

    def _rows(self, columns: list[str], rows: list[Any]) -> str:
        if self.fmt != "table":
            return render(columns, rows, self.fmt).rstrip("\n")
        return table_text(columns, rows, width=self.width) + f"\n{len(rows)} row(s)"

    def command(self, text: str) -> str:
        """Run a ``:command``."""
        name, _, arg = text[1:].partition(" ")
        arg = arg.strip()
        name = name.lower()
        if name in ("help", "h", "?"):
            return HELP.format(fmt=self.fmt, write="on" if self.write else "off")
        if name in ("quit", "exit", "q"):
            self.done = True
            return "bye"
        if name == "schema":
            return schema_text(self.ontology, arg or None)
        if name == "clear":
            self.buffer = ""
            return "cleared"
        if name == "format":
            if arg not in ("table", "json", "csv"):
                return "error: :format takes table, json or csv"
            self.fmt = arg
            return f"format: {arg}"
        if name == "write":
            if arg not in ("on", "off"):
                return "error: :write takes on or off"
            self.write = arg == "on"
            return f"writes {'allowed' if self.write else 'refused'}"
        if name == "param":
            if not arg:
                return json.dumps(self.params, ensure_ascii=False, indent=2, default=str)
            if "=" not in arg:
                return "error: :param takes NAME=VALUE"
            key, raw = arg.split("=", 1)
            try:
                value: Any = json.loads(raw)
            except ValueError:
                value = raw
            self.params[key.strip()] = value
            return f"${key.strip()} = {json.dumps(value, ensure_ascii=False)}"
        if name == "unparam":
            self.params.pop(arg, None)
            return f"forgot ${arg}"
        if name == "queries":
            from canal.queries import list_queries

            return self._rows(["name", "title", "标题"], [[q.name, q.title_en, q.title_zh] for q in list_queries()])
        if name == "run":
            return self._run_saved(arg)
        return f"error: unknown command :{name} (:help lists them)"

    def _run_saved(self, arg: str) -> str:
        from canal.queries import get_query, run_query

        try:
            words = shlex.split(arg)
        except ValueError as exc:
            return f"error: {exc}"
        if not words:
            return "error: :run takes a saved query name (:queries lists them)"
        try:
            q = get_query(words[0])
            given: dict[str, Any] = {}
            for w in words[1:]:
                if "=" not in w:
                    return f"error: {w!r} is not NAME=VALUE"
                k, v = w.split("=", 1)
                given[k] = v
            if self.store is None:
                return "error: no database is open"
            res = run_query(self.store, q, given)
        except CanalError as exc:
            return f"error: {exc}"
        return self._rows(res.columns, res.rows)


def _plain_lines(stream: TextIO) -> Iterable[str]:
    for line in stream:
        yield line.rstrip("\n")


def run_shell(
    store: Any,
    *,
    stdin: TextIO | None = None,
    echo: Callable[[str], None] | None = None,
    interactive: bool | None = None,
    banner: str | None = None,
    fmt: str = "table",
) -> int:
    """Run the prompt until ``:quit`` or end of input; returns the number of statements that failed."""
    sh = CypherShell(store, fmt=fmt)
    out = echo or (lambda s: print(s, flush=True))
    source = stdin or sys.stdin
    tty = interactive if interactive is not None else (source.isatty() and sys.stdout.isatty())
    failures = 0
    if tty:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        hist = history_path()
        hist.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(history=FileHistory(str(hist)))
        if banner:
            out(banner)
        while not sh.done:
            try:
                line = session.prompt("   ...> " if sh.pending else "canal> ")
            except KeyboardInterrupt:
                sh.buffer = ""
                continue
            except EOFError:
                break
            result = sh.feed(line)
            if result is not None:
                failures += result.startswith("error:")
                out(result)
        return failures
    for line in _plain_lines(source):
        result = sh.feed(line)
        if result is not None:
            failures += result.startswith("error:")
            out(result)
        if sh.done:
            break
    if sh.pending:
        result = sh.feed(";")
        if result is not None:
            failures += result.startswith("error:")
            out(result)
    return failures
