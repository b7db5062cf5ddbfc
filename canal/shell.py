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

import difflib
import json
import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from canal.errors import CanalError
from canal.ontology import Ontology, load_ontology
from canal.output import render
from canal.settings import parse_assignment, split_assignment

__all__ = ["CypherShell", "completions", "history_path", "name_warnings", "run_shell", "schema_text", "split_statement", "table_text"]

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
  :map FILE              write the last result's nodes (and the relationships among them) as an HTML map
  EXPLAIN <query>;       the engine's plan without running the query; PROFILE <query>; runs it and times each step
  Tab                    completes labels, relationship types, properties, saved queries and commands
  :clear                 drop the query typed so far
  :quit                  leave (also Ctrl-D)
"""


def table_text(columns: list[str], rows: list[Any], *, width: int | None = None) -> str:
    """Rows as a text table as wide as the terminal, through the one renderer (:func:`canal.output.render`)."""
    from canal.output import render

    w = width or shutil.get_terminal_size((160, 40)).columns
    return render(columns, rows, width=w).rstrip("\n")


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

COMMANDS = (":help", ":schema", ":param", ":unparam", ":format", ":write", ":queries", ":run", ":map", ":clear", ":quit")
KEYWORDS = (
    "MATCH", "OPTIONAL MATCH", "WHERE", "RETURN", "WITH", "ORDER BY", "LIMIT", "SKIP", "UNWIND", "DISTINCT", "AS", "AND", "OR",
    "NOT", "IN", "IS NULL", "IS NOT NULL", "CONTAINS", "STARTS WITH", "ENDS WITH", "CASE", "WHEN", "THEN", "ELSE", "END",
    "CREATE", "MERGE", "SET", "DELETE", "DETACH DELETE", "REMOVE", "CALL", "YIELD", "UNION", "EXPLAIN", "PROFILE",
    "count(", "collect(", "labels(", "type(", "properties(", "coalesce(", "size(", "toLower(", "shortestPath(",
)
BOOKKEEPING_KEYS = (
    "id",
    # the load log
    "spec", "started", "startedNs", "finished", "seconds", "diff", "totals", "touched", "nodes", "relationships", "rejected",
    "outside", "merged", "review",
    # merge records
    "absorbed", "into", "reason", "score", "absorbedClass", "absorbedProps", "added", "rewired",
)
"""Property keys canal itself writes outside the ontology (ids, the load log, merge records)."""

_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*")
_NODE = re.compile(r"(?<![\w`])\(\s*([A-Za-z_]\w*)?\s*((?::\s*`?[A-Za-z_]\w*`?\s*)*)(\{[^}]*\})?")
_REL = re.compile(r"\[\s*([A-Za-z_]\w*)?\s*(?::\s*([^\]{*]+?))?\s*(\*[^\]{]*)?(\{[^}]*\})?\s*\]")
_PROP = re.compile(r"(?<![\w$.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
_KEY = re.compile(r"([A-Za-z_]\w*)\s*:")
_WHERE_LABEL = re.compile(r"(?<![\w$.])([A-Za-z_]\w*)\s*((?::\s*[A-Za-z_]\w*)+)")


def _names(onto: Ontology) -> tuple[list[str], list[str], list[str]]:
    labels = sorted(onto.classes)
    types = sorted(onto.relationship_types)
    props = sorted({*onto.properties, *BOOKKEEPING_KEYS})
    return labels, types, props


def _hint(name: str, known: list[str]) -> str:
    folded = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[close[0]]}?)" if close else ""


def name_warnings(query: str, onto: Ontology) -> list[str]:
    """Warnings for labels, relationship types and property keys the ontology does not have.

    A misspelt name makes a query return 0 rows without an error; this says so before it runs.

    >>> from canal.ontology import load_ontology
    >>> name_warnings("MATCH (t:Technolgy)-[:DEVELOPZ]-(o) WHERE o.nmae = 'x' RETURN t.name", load_ontology())
    ['warning: label Technolgy is not in the ontology (did you mean Technology?)', 'warning: relationship type DEVELOPZ is not in the ontology (did you mean DEVELOPS?)', 'warning: property nmae is not in the ontology (did you mean name?)']
    """
    labels, types, props = _names(onto)
    text = _STRINGS.sub("''", query)
    found_labels: list[str] = []
    found_types: list[str] = []
    found_props: list[str] = []
    variables: set[str] = set()
    for m in _NODE.finditer(text):
        if m.group(1):
            variables.add(m.group(1))
        found_labels += [x.strip().strip("`") for x in (m.group(2) or "").split(":") if x.strip()]
        if m.group(1) or m.group(2):  # not a map literal in a function call
            found_props += _KEY.findall((m.group(3) or "")[1:-1])
    for m in _REL.finditer(text):
        if m.group(1):
            variables.add(m.group(1))
        found_types += [x.strip().strip(":`") for x in (m.group(2) or "").split("|") if x.strip().strip(":`")]
        found_props += _KEY.findall((m.group(4) or "")[1:-1])
    for m in _WHERE_LABEL.finditer(_REL.sub(" ", _NODE.sub(" ", text))):
        if m.group(1) in variables:
            found_labels += [x.strip() for x in m.group(2).split(":") if x.strip()]
    for var, key in _PROP.findall(text):
        if var in variables:
            found_props.append(key)
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for kind, names, known in (("label", found_labels, labels), ("relationship type", found_types, types), ("property", found_props, props)):
        for name in names:
            if name in known or (kind, name) in seen or not re.fullmatch(r"[A-Za-z_]\w*", name):
                continue
            seen.add((kind, name))
            out.append(f"warning: {kind} {name} is not in the ontology{_hint(name, known)}")
    return out


def completions(text: str, onto: Ontology, *, saved: list[str] | None = None) -> tuple[str, list[str]]:
    """``(word, candidates)``: what Tab offers at the end of ``text`` (the line up to the cursor).

    Labels after ``(x:``, relationship types after ``[r:`` or ``|``, property keys after
    ``x.`` or inside ``{...}``, commands after a leading ``:``, saved query names after
    ``:run``, schema names after ``:schema``, otherwise Cypher keywords.

    >>> from canal.ontology import load_ontology
    >>> completions("MATCH (t:ResearchIns", load_ontology())
    ('ResearchIns', ['ResearchInstitute'])
    >>> completions("MATCH (a)-[:MEMBER", load_ontology())
    ('MEMBER', ['MEMBER_OF'])
    """
    labels, types, props = _names(onto)
    stripped = text.lstrip()
    if stripped.startswith(":"):
        head, sep, rest = stripped.partition(" ")
        if not sep:
            return head, [c for c in COMMANDS if c.startswith(head.lower())]
        word = rest.rsplit(" ", 1)[-1]
        if head == ":run" and " " not in rest:
            pool = saved or []
        elif head == ":schema":
            pool = [c for c in labels if onto.classes[c].graph_node] + types + sorted(onto.properties)
        elif head == ":format":
            pool = ["table", "json", "csv"]
        elif head == ":write":
            pool = ["on", "off"]
        else:
            return word, []
        return word, [p for p in pool if p.lower().startswith(word.lower())]
    m = re.search(r"([:.|]?)\s*`?([A-Za-z_]\w*)?$", text)
    word = (m.group(2) or "") if m else ""
    sigil = m.group(1) if m else ""
    before = text[: len(text) - len(m.group(0))] if m else text
    if sigil in (":", "|"):
        in_rel = before.rfind("[") > before.rfind("]") and before.rfind("[") > before.rfind(")")
        in_map = before.rfind("{") > before.rfind("}")
        if in_map:
            return word, []
        pool = types if (in_rel or sigil == "|") else labels
    elif sigil == "." or (before.rfind("{") > before.rfind("}") and re.search(r"[{,]\s*$", before)):
        pool = props
    else:
        if not word:
            return word, []
        cands = [k for k in KEYWORDS if k.lower().startswith(word.lower())]
        return word, cands
    return word, [p for p in pool if p.lower().startswith(word.lower())]


def _node_ids(value: Any, out: set[str]) -> None:
    """Every string and every ``id`` of a node-like map in a result value, recursively."""
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        if isinstance(value.get("id"), str) and "_type" not in value:
            out.add(value["id"])
        for v in value.values():
            if isinstance(v, (list, dict)):
                _node_ids(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _node_ids(v, out)



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
        self.last: tuple[str, list[str], list[Any]] | None = None  # the last result: query, columns, rows

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
        """Run one statement; errors come back as text, never as a traceback.

        Names the ontology does not know come back as warnings first (the query still
        runs); ``EXPLAIN`` / ``PROFILE`` show the engine's plan.
        """
        warnings = name_warnings(statement, self.ontology)
        head = "\n".join(warnings) + "\n" if warnings else ""
        plan = re.match(r"\s*(EXPLAIN|PROFILE)\b(.*)", statement, re.S | re.I)
        try:
            if self.store is None:
                return head + "error: no database is open"
            if plan:
                kind = plan.group(1).upper()
                lines = self.store.plan(plan.group(2).strip(), self.params, profile=kind == "PROFILE", write=self.write)
                return head + f"plan ({self.store.plan_label(kind)}):\n" + "\n".join("  " + x for x in lines)
            res = self.store.execute(statement, self.params) if self.write else self.store.query(statement, self.params)
        except CanalError as exc:
            return head + f"error: {exc}"
        self.last = (statement, list(res.columns), list(res.rows))
        return head + self._rows(res.columns, res.rows)

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
            try:
                key, value = parse_assignment(arg, ":param")
            except CanalError as exc:
                return f"error: {exc}"
            self.params[key] = value
            return f"${key} = {json.dumps(value, ensure_ascii=False)}"
        if name == "unparam":
            self.params.pop(arg, None)
            return f"forgot ${arg}"
        if name == "queries":
            from canal.queries import list_queries

            return self._rows(["name", "title", "标题"], [[q.name, q.title_en, q.title_zh] for q in list_queries()])
        if name == "run":
            return self._run_saved(arg)
        if name == "map":
            return self._map(arg)
        return f"error: unknown command :{name} (:help lists them)"

    def _map(self, arg: str) -> str:
        if not arg:
            return "error: :map takes a file name (:map result.html)"
        if self.last is None:
            return "error: no result yet: run a query first, then :map FILE"
        if self.store is None:
            return "error: no database is open"
        query, _, rows = self.last
        ids: set[str] = set()
        _node_ids(rows, ids)
        try:
            found = self.store.existing(ids)
            if not found:
                return "error: the last result names no node: return nodes (RETURN n) or their ids (RETURN n.id)"
            from canal.maps import write_map

            G = self.store.to_networkx(found)
            path = write_map(G, Path(arg).expanduser(), ontology=self.ontology, title="canal shell: " + " ".join(query.split())[:100])
        except (CanalError, OSError) as exc:
            return f"error: {exc}"
        return f"map: {path} ({G.number_of_nodes()} nodes, {G.number_of_edges()} relationships)"

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
                k, v = split_assignment(w, words[0])
                given[k] = v
            if self.store is None:
                return "error: no database is open"
            res = run_query(self.store, q, given)
        except CanalError as exc:
            return f"error: {exc}"
        self.last = (q.name, list(res.columns), list(res.rows))
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
        from prompt_toolkit.completion import Completer, Completion
        from prompt_toolkit.history import FileHistory

        from canal.queries import list_queries

        saved = [q.name for q in list_queries()]

        class _Completer(Completer):
            def get_completions(self, document: Any, complete_event: Any) -> Iterable[Completion]:
                word, cands = completions(document.text_before_cursor, sh.ontology, saved=saved)
                for c in cands:
                    yield Completion(c, start_position=-len(word))

        hist = history_path()
        hist.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(history=FileHistory(str(hist)), completer=_Completer(), complete_while_typing=False)
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
