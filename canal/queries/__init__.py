"""The saved Cypher library: questions of the field as ``*.cypher`` files shipped with canal.

Each file in this folder is one query. Its header is a block of ``//`` comments::

    // title: Investors of an alliance's members
    // title_zh: 联盟成员单位的投资方
    // description: Who invested in the members of an alliance ...
    //   (indented comment lines continue the previous entry)
    // param: alliance (string, default "cas-am-alliance"): id of the Alliance

Parameter types are ``string``, ``integer``, ``float``, ``boolean`` and ``list``; a
default is JSON (``null`` when the parameter is optional); a parameter without a default
is required. The queries use only Cypher that FalkorDB and Neo4j 5 both accept (the test
suite checks every one against the demo graph and with Neo4j's own parser).

>>> q = get_query("alliance-member-investors")
>>> q.title_zh
'联盟成员单位的投资方'
>>> [(p.name, p.type, p.default) for p in q.params]
[('alliance', 'string', 'cas-am-alliance')]
>>> q.bind({"alliance": "biomed-alliance"})
{'alliance': 'biomed-alliance'}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from canal.errors import ConfigError, QueryError
from canal.store.base import GraphStore, QueryResult

__all__ = ["PARAM_TYPES", "QueryParam", "SavedQuery", "coerce_param", "get_query", "list_queries", "parse_query", "run_query"]

PARAM_TYPES = ("string", "integer", "float", "boolean", "list")
"""Types a saved query's parameter may declare."""

_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?:\s*,\s*default\s+(?P<default>.+?))?\)\s*:\s*(?P<doc>.*)$")
_KEY_RE = re.compile(r"^//\s?(?P<key>[a-z_]+):\s*(?P<value>.*)$")
_CONT_RE = re.compile(r"^//\s{2,}(?P<value>\S.*)$")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a saved query."""

    name: str
    type: str
    default: Any = None
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: header fields and the Cypher text (without the header)."""

    name: str
    title_en: str
    title_zh: str
    description: str
    params: tuple[QueryParam, ...]
    cypher: str
    text: str = field(repr=False, default="")

    def param(self, name: str) -> QueryParam:
        """The declared parameter ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise ConfigError(f"query {self.name!r} has no parameter {name!r}{_choices([p.name for p in self.params])}")

    def bind(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Parameters to send: declared defaults overridden by ``values`` (coerced to their types)."""
        given = dict(values or {})
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = coerce_param(p, given.pop(p.name))
            elif p.required:
                raise ConfigError(f"query {self.name!r} needs --param {p.name}=... ({p.type}: {p.description})")
            else:
                out[p.name] = p.default
        if given:
            raise ConfigError(f"query {self.name!r} has no parameter {sorted(given)[0]!r}{_choices([p.name for p in self.params])}")
        return out

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON output)."""
        return {
            "name": self.name,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "description": self.description,
            "params": [p.__dict__ for p in self.params],
            "cypher": self.cypher,
        }


def _choices(names: list[str]) -> str:
    return f" (parameters: {', '.join(names)})" if names else " (it takes no parameters)"


def coerce_param(p: QueryParam, value: Any) -> Any:
    """Turn a value (often text from the command line) into the parameter's declared type.

    >>> coerce_param(QueryParam("n", "integer"), "3")
    3
    >>> coerce_param(QueryParam("xs", "list"), "a,b")
    ['a', 'b']
    >>> coerce_param(QueryParam("s", "string"), 2014)
    '2014'
    """
    if value is None:
        return None
    try:
        if p.type == "string":
            return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)
        if p.type == "integer":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if p.type == "float":
            return float(value)
        if p.type == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "yes", "1", "on"):
                return True
            if text in ("false", "no", "0", "off"):
                return False
            raise ValueError
        if p.type == "list":
            if isinstance(value, list):
                return value
            text = str(value).strip()
            if text.startswith("["):
                parsed = json.loads(text)
                if isinstance(parsed, list):
                    return parsed
            return [x.strip() for x in text.split(",") if x.strip()]
    except (ValueError, TypeError):
        pass
    raise ConfigError(f"parameter {p.name!r} takes a {p.type}, got {value!r}")


def parse_query(name: str, text: str) -> SavedQuery:
    """Parse the header and body of a ``.cypher`` file; raises :class:`ConfigError` if malformed.

    >>> q = parse_query("t", "// title: T\\n// title_zh: 题\\n// description: D\\n//   more\\n"
    ...                 "// param: k (integer, default 2): a number\\nRETURN $k AS k")
    >>> q.description, q.params[0].default, q.cypher
    ('D more', 2, 'RETURN $k AS k')
    """
    if not _NAME_RE.match(name):
        raise ConfigError(f"saved query name {name!r} must be lower-case words joined by '-'")
    fields: dict[str, str] = {}
    params: list[QueryParam] = []
    last: str | None = None
    lines = text.splitlines()
    body_start = len(lines)
    for i, line in enumerate(lines):
        if not line.startswith("//"):
            body_start = i
            break
        cont = _CONT_RE.match(line)
        m = _KEY_RE.match(line)
        if cont and last is not None:
            if last == "param":
                prev = params[-1]
                params[-1] = QueryParam(prev.name, prev.type, prev.default, prev.required, f"{prev.description} {cont['value'].strip()}")
            else:
                fields[last] += " " + cont["value"].strip()
        elif m:
            key, value = m["key"], m["value"].strip()
            if key == "param":
                params.append(_parse_param(name, value))
            elif key in ("title", "title_zh", "description"):
                fields[key] = value
            else:
                raise ConfigError(f"saved query {name!r}: unknown header field {key!r}")
            last = key
        else:
            raise ConfigError(f"saved query {name!r}: cannot read header line {i + 1}: {line!r}")
    missing = [k for k in ("title", "title_zh", "description") if not fields.get(k)]
    if missing:
        raise ConfigError(f"saved query {name!r} lacks header field(s) {', '.join(missing)}")
    cypher = "\n".join(lines[body_start:]).strip()
    if not cypher:
        raise ConfigError(f"saved query {name!r} has no Cypher")
    return SavedQuery(name, fields["title"], fields["title_zh"], fields["description"], tuple(params), cypher, text)


def _parse_param(query: str, value: str) -> QueryParam:
    m = _PARAM_RE.match(value)
    if not m:
        raise ConfigError(f"saved query {query!r}: cannot read parameter {value!r} (want 'name (type, default JSON): text')")
    ptype = m["type"]
    if ptype not in PARAM_TYPES:
        raise ConfigError(f"saved query {query!r}: parameter type {ptype!r} is not one of {', '.join(PARAM_TYPES)}")
    p = QueryParam(m["name"], ptype, None, m["default"] is None, m["doc"].strip())
    if m["default"] is not None:
        try:
            default = json.loads(m["default"])
        except ValueError:
            raise ConfigError(f"saved query {query!r}: default of {p.name!r} is not JSON: {m['default']}") from None
        p = QueryParam(p.name, ptype, coerce_param(p, default), False, p.description)
    return p


@cache
def _library() -> dict[str, SavedQuery]:
    out: dict[str, SavedQuery] = {}
    for entry in resources.files(__package__).iterdir():
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            out[name] = parse_query(name, entry.read_text(encoding="utf-8"))
    return dict(sorted(out.items()))


def list_queries() -> list[SavedQuery]:
    """Every saved query, sorted by name."""
    return list(_library().values())


def get_query(name: str) -> SavedQuery:
    """The saved query called ``name``; :class:`ConfigError` with close matches if unknown."""
    lib = _library()
    key = name[: -len(".cypher")] if name.endswith(".cypher") else name
    if key in lib:
        return lib[key]
    import difflib

    close = difflib.get_close_matches(key, list(lib), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `canal queries list` shows them all"
    raise ConfigError(f"no saved query called {name!r}{hint}")


def run_query(store: GraphStore, name: str | SavedQuery, params: dict[str, Any] | None = None) -> QueryResult:
    """Run a saved query (read-only) with its defaults overridden by ``params``."""
    q = name if isinstance(name, SavedQuery) else get_query(name)
    bound = q.bind(params)
    try:
        return store.query(q.cypher, bound)
    except QueryError as exc:
        raise QueryError(f"saved query {q.name!r} failed: {exc}") from None
