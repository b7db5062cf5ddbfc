"""Prove the Cypher canal sends is Neo4j 5 Cypher, with Neo4j's own parser and no server.

Neo4j publishes its parser and semantic checker as the npm package
``@neo4j-cypher/language-support`` (``lintCypherQuery(query, dbSchema)``). The small Node
script ``tools/cypherlint/lint.js`` runs it over a batch of queries; this module collects
the Cypher to check and reads the verdicts back.

What gets collected (:func:`collect_cypher`):

- every saved query of the library (``canal/queries/*.cypher``) with its declared parameters;
- the store's builders in :mod:`canal.store.cypher`, called for every class and relationship
  type of the ontology, and its module-level query constants;
- Cypher *recorded* while real code runs against a store (:func:`recording`): whatever the
  loader, ``counts()``, ``to_networkx()``... send, with their real parameter names;
- Neo4j's own DDL from :class:`canal.store.neo4j.Neo4jStore.ensure_indexes` (Neo4j only by
  design: FalkorDB has different index syntax);
- Cypher that analyses attach to their results: ``Gap.cypher`` / ``Gap.params`` from
  :mod:`canal.gaps` and ``Candidate.evidence_cypher`` from :mod:`canal.match`, when those
  modules are installed (:func:`analysis_cypher`);
- a registry any module can join: a module-level ``CYPHER_CATALOGUE`` (an iterable of
  ``(name, query, params)``) or function ``cypher_catalogue()`` returning one, found by
  scanning the ``canal`` package (:func:`registered_cypher`).

FalkorDB-only statements (``CALL db.indexes()``, ``db.idx.*`` procedures) are set aside by
:func:`engine_specific` and not sent to Neo4j's parser.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canal.errors import ConfigError
from canal.ontology import ROOT_CLASS, Ontology, load_ontology

__all__ = [
    "CypherItem",
    "Diagnostic",
    "LintResult",
    "analysis_cypher",
    "builder_cypher",
    "collect_cypher",
    "engine_specific",
    "lint_cypher",
    "lint_schema",
    "linter_dir",
    "linter_problem",
    "neo4j_ddl_cypher",
    "recording",
    "registered_cypher",
    "saved_query_cypher",
    "shape",
]

_PARAM_TOKEN = re.compile(r"\$([A-Za-z_]\w*)")
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_STRICT_ORIGINS = ("saved", "canal.store")
"""Origins whose every name must be in the ontology: property keys outside it block there too."""
_UNKNOWN_KEY = re.compile(r"^\w+ is not present in the database")
_ALLOWED_WARNINGS = (
    # a deliberate cross product between two anchored nodes (MATCH (a {id: $x}), (b {id: $y}))
    "If a part of a query contains multiple disconnected patterns",
    # FalkorDB parses only the unscoped CALL { ... } form; Neo4j 5 accepts it with this notice
    "CALL subquery without a variable scope clause is deprecated",
)
_STATEMENT = re.compile(r"^\s*(MATCH|OPTIONAL|UNWIND|CALL|RETURN|WITH|CREATE|MERGE)\b", re.IGNORECASE)
_PARAM_MAP_KEYS = ("props", "source", "target", "rows")
"""Keys of the parameter maps the store sends (``row.props``...), which the linter takes for property keys."""


@dataclass(frozen=True)
class CypherItem:
    """One Cypher statement to check: where it comes from and the parameters it is sent with."""

    name: str
    query: str
    params: Mapping[str, Any] = field(default_factory=dict)
    origin: str = "code"

    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity for de-duplication: the text with string literals blanked, and the parameter names.

        Statements that differ only in quoted values (evidence paths naming their ids) have
        one shape and are checked once.
        """
        return (_LITERAL.sub("''", self.query), tuple(sorted(self.params)))


@dataclass(frozen=True)
class Diagnostic:
    """A message of Neo4j's linter (severity 1 = error, 2 = warning)."""

    severity: int
    message: str
    line: int
    column: int

    @property
    def blocking(self) -> bool:
        """Errors, and warnings other than the allowed ones (unknown names, undefined parameters...)."""
        return self.severity == 1 or not self.message.startswith(_ALLOWED_WARNINGS)

    @property
    def unknown_property_key(self) -> bool:
        """A warning that a property key is not in the schema (labels and types say so by name)."""
        return self.severity == 2 and bool(_UNKNOWN_KEY.match(self.message))


@dataclass(frozen=True)
class LintResult:
    """The verdict on one item."""

    item: CypherItem
    diagnostics: tuple[Diagnostic, ...]

    @property
    def strict(self) -> bool:
        """Saved queries and the store's builders must use the ontology's property keys only."""
        return self.item.origin.startswith(_STRICT_ORIGINS)

    def blocks(self, d: Diagnostic) -> bool:
        """Whether ``d`` fails this item (bookkeeping keys outside the ontology are allowed elsewhere)."""
        return d.blocking and (self.strict or not d.unknown_property_key)

    @property
    def ok(self) -> bool:
        """True when Neo4j's parser accepts the query against the ontology's schema."""
        return not any(self.blocks(d) for d in self.diagnostics)

    @property
    def notes(self) -> list[Diagnostic]:
        """Non-blocking diagnostics worth reading (e.g. property keys the ontology does not define)."""
        return [d for d in self.diagnostics if not self.blocks(d) and not d.message.startswith(_ALLOWED_WARNINGS)]

    def describe(self) -> str:
        """One line per blocking diagnostic, for reports."""
        return "\n".join(
            f"{self.item.origin}:{self.item.name}:{d.line}:{d.column}: {d.message}" for d in self.diagnostics if self.blocks(d)
        )


def engine_specific(query: str) -> str | None:
    """The engine a statement is written for when only one accepts it, else None.

    >>> engine_specific("CALL db.indexes() YIELD label RETURN label")
    'falkordb'
    >>> engine_specific("MATCH (n) RETURN n") is None
    True
    """
    text = query.strip()
    if re.match(r"CALL\s+db\.(indexes|idx\.)", text, re.IGNORECASE):
        return "falkordb"
    if re.match(r"CREATE\s+(CONSTRAINT|INDEX)\s+\w+\s+IF\s+NOT\s+EXISTS", text, re.IGNORECASE):
        return "neo4j"
    return None


def lint_schema(ontology: Ontology | None = None) -> dict[str, Any]:
    """The ``dbSchema`` handed to ``lintCypherQuery``: labels, types and keys from the ontology."""
    onto = ontology or load_ontology()
    labels = sorted(onto.classes)  # graph-node classes and the helper records (load logs...)
    return {
        "labels": labels,
        "relationshipTypes": onto.relationship_types,
        "propertyKeys": sorted({"id", *onto.properties, *_PARAM_MAP_KEYS}),
    }


def _placeholder(value: Any) -> Any:
    """A small stand-in with the same shape (only names and shapes matter to the linter)."""
    if isinstance(value, (list, tuple)):
        return [_placeholder(value[0])] if value else []
    if isinstance(value, Mapping):
        return {str(k): _placeholder(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _params_for(query: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    if params is not None:
        return {str(k): _placeholder(v) for k, v in params.items()}
    return {name: "x" for name in sorted(set(_PARAM_TOKEN.findall(query)))}


def saved_query_cypher() -> list[CypherItem]:
    """Every saved query with its declared parameters (defaults, or a value of the declared type)."""
    from canal.queries import list_queries

    samples = {"string": "x", "integer": 1, "float": 1.0, "boolean": True, "list": ["x"]}
    items = []
    for q in list_queries():
        params = {p.name: p.default if p.default is not None else samples[p.type] for p in q.params}
        items.append(CypherItem(q.name, q.cypher, params, "saved"))
    return items


def builder_cypher(ontology: Ontology | None = None) -> list[CypherItem]:
    """The store's builders for every class and relationship type, and its query constants."""
    from canal.store import cypher

    onto = ontology or load_ontology()
    items: list[CypherItem] = []
    all_labels = onto.node_classes + sorted(c for c, i in onto.classes.items() if i.graph_node and i.abstract and c != ROOT_CLASS)
    for cls in onto.node_classes:
        labels = onto.labels_for(cls)
        q = cypher.node_upsert(labels, [x for x in all_labels if x not in labels])
        items.append(CypherItem(f"node_upsert[{cls}]", q, {"rows": [{"id": "x", "props": {}}]}, "canal.store.cypher"))
    for t in onto.relationship_types:
        q = cypher.relationship_upsert(t)
        items.append(CypherItem(f"relationship_upsert[{t}]", q, {"rows": [{"id": "x", "source": "a", "target": "b", "props": {}}]}, "canal.store.cypher"))
    for name in sorted(vars(cypher)):
        value = getattr(cypher, name)
        if name.isupper() and isinstance(value, str) and _STATEMENT.match(value):
            items.append(CypherItem(name, value, _params_for(value, None), "canal.store.cypher"))
    return items


def neo4j_ddl_cypher(ontology: Ontology | None = None) -> list[CypherItem]:
    """The DDL :meth:`Neo4jStore.ensure_indexes` sends, captured without a server."""
    from canal.settings import Settings
    from canal.store.neo4j import Neo4jStore

    sent: list[str] = []
    fake = Neo4jStore.__new__(Neo4jStore)
    fake.ontology = ontology or load_ontology()
    fake.settings = Settings.from_env(db="bolt://localhost:7687")

    def record(query: str, params: Mapping[str, Any]) -> Any:
        sent.append(query)
        return None

    fake._write = record  # type: ignore[method-assign]
    fake.ensure_indexes()
    return [CypherItem(f"ensure_indexes[{i}]", q, {}, "canal.store.neo4j") for i, q in enumerate(sent)]


@contextmanager
def recording(store: Any) -> Iterator[list[CypherItem]]:
    """Record every statement sent through ``store`` (reads and writes) while the block runs.

    The store keeps working normally; the list fills as queries go out.
    """
    seen: list[CypherItem] = []
    orig_read: Callable[..., Any] = store._read
    orig_write: Callable[..., Any] = store._write

    def wrap(fn: Callable[..., Any], kind: str) -> Callable[..., Any]:
        def inner(query: str, params: Mapping[str, Any]) -> Any:
            seen.append(CypherItem(f"{kind}#{len(seen)}", query, _params_for(query, params), f"recorded:{type(store).__name__}"))
            return fn(query, params)

        return inner

    orig_meta: Callable[..., Any] = store._meta

    def meta(query: str, params: Mapping[str, Any], write: bool) -> Any:
        seen.append(CypherItem(f"meta#{len(seen)}", query, _params_for(query, params), f"recorded:{type(store).__name__}"))
        return orig_meta(query, params, write)

    store._read = wrap(orig_read, "read")
    store._write = wrap(orig_write, "write")
    store._meta = meta  # the bookkeeping (load log, merge records) is Cypher too
    try:
        yield seen
    finally:
        for attr in ("_read", "_write", "_meta"):
            store.__dict__.pop(attr, None)


def _triples(value: Any) -> Iterable[tuple[str, str, Mapping[str, Any] | None]]:
    for entry in value or ():
        if isinstance(entry, CypherItem):
            yield entry.name, entry.query, dict(entry.params)
        elif isinstance(entry, str):
            yield "", entry, None
        else:
            name, query, *rest = entry
            yield str(name), str(query), (rest[0] if rest else None)


def registered_cypher(package: str = "canal") -> list[CypherItem]:
    """Cypher that modules register: a ``CYPHER_CATALOGUE`` iterable or ``cypher_catalogue()`` function.

    Entries are ``(name, query)`` / ``(name, query, params)`` tuples, plain strings or
    :class:`CypherItem`. Modules that fail to import are skipped (their own tests catch that).
    """
    pkg = importlib.import_module(package)
    items: list[CypherItem] = []
    for info in sorted(pkgutil.walk_packages(pkg.__path__, f"{package}."), key=lambda m: m.name):
        if info.name.startswith(f"{package}.commands") or info.name == f"{package}.cli":
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:
            continue
        entries: Any = getattr(module, "CYPHER_CATALOGUE", None)
        fn = getattr(module, "cypher_catalogue", None)
        if callable(fn):
            entries = fn()
        for i, (name, query, params) in enumerate(_triples(entries)):
            items.append(CypherItem(name or f"{i}", query, _params_for(query, params), info.name))
    return items


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def analysis_cypher(G: Any) -> list[CypherItem]:
    """Evidence Cypher the analyses attach to their results on graph ``G`` (gaps, matches).

    Each analysis is optional: a module that is not installed contributes nothing.
    """
    items: list[CypherItem] = []
    gaps: list[Any] = []
    gaps_mod = _optional_module("canal.gaps")
    if gaps_mod is not None and callable(getattr(gaps_mod, "find_gaps", None)):
        gaps = list(gaps_mod.find_gaps(G))
        for i, gap in enumerate(gaps):
            if getattr(gap, "cypher", None):
                items.append(CypherItem(f"{gap.type}#{i}", gap.cypher, _params_for(gap.cypher, getattr(gap, "params", None)), "canal.gaps"))
    match_mod = _optional_module("canal.match")
    if match_mod is not None and callable(getattr(match_mod, "match", None)):
        for i, cand in enumerate(match_mod.match(G, top=20)):
            for j, q in enumerate(getattr(cand, "evidence_cypher", []) or []):
                text, params = (q, None) if isinstance(q, str) else (q[0], q[1])
                items.append(CypherItem(f"{cand.direction}#{i}.{j}", text, _params_for(text, params), "canal.match"))
    return items


def collect_cypher(*, G: Any = None, recorded: Iterable[CypherItem] = (), ontology: Ontology | None = None) -> list[CypherItem]:
    """Everything above, de-duplicated; engine-specific FalkorDB statements left out."""
    onto = ontology or load_ontology()
    pools: list[Iterable[CypherItem]] = [
        recorded,  # first: statements seen on the wire, with their real parameters
        saved_query_cypher(),
        builder_cypher(onto),
        neo4j_ddl_cypher(onto),
        registered_cypher(),
    ]
    if G is not None:
        pools.append(analysis_cypher(G))
    names = set(onto.classes) | set(onto.relationship_types)
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out: list[CypherItem] = []
    for pool in pools:
        for item in pool:
            key = shape(item, names)
            if engine_specific(item.query) == "falkordb" or key in seen:
                continue
            seen.add(key)
            out.append(item)
    return out


_NAME_AFTER_COLON = re.compile(r"(?<=[:|])\s*([A-Za-z_]\w*)")


def shape(item: CypherItem, names: set[str]) -> tuple[str, tuple[str, ...]]:
    """The statement with quoted values blanked and the ontology's labels and types replaced by ``L``.

    The same upsert for 25 classes is one shape; a label or type that is *not* in the
    ontology is kept, so a statement with a misspelt name is always checked.

    >>> known = {"Lab", "Firm"}
    >>> a = CypherItem("a", "MATCH (n:Lab {id: 'x'}) RETURN n")
    >>> b = CypherItem("b", "MATCH (n:Firm {id: 'y'}) RETURN n")
    >>> c = CypherItem("c", "MATCH (n:Frim {id: 'y'}) RETURN n")
    >>> shape(a, known) == shape(b, known) != shape(c, known)
    True
    """
    text = _LITERAL.sub("''", item.query)
    text = _NAME_AFTER_COLON.sub(lambda m: "L" if m.group(1) in names else m.group(0), text)
    text = re.sub(r"L(?:[:|]L)+", "L", text)
    text = re.sub(r"\b(CONSTRAINT|INDEX)\s+(?!IF\b|FOR\b)\w+", r"\1 N", text)  # index names follow the type
    text = re.sub(r"\(n\.\w+\)", "(n.k)", text) if text.startswith("CREATE INDEX") else text
    return (text, tuple(sorted(item.params)))


def linter_dir() -> Path:
    """Folder of the Node linter (``CANAL_CYPHERLINT_DIR``, else ``tools/cypherlint`` of the checkout)."""
    env = os.environ.get("CANAL_CYPHERLINT_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "tools" / "cypherlint"


def linter_problem() -> str | None:
    """Why the linter cannot run here (no node, package not installed), or None if it can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm)"
    d = linter_dir()
    if not (d / "lint.js").is_file():
        return f"the linter script {d / 'lint.js'} is missing"
    if not (d / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        return f"@neo4j-cypher/language-support is not installed (cd {d} && npm install)"
    return None


def lint_cypher(
    items: Iterable[CypherItem], *, ontology: Ontology | None = None, timeout: float = 600, workers: int | None = None
) -> list[LintResult]:
    """Check ``items`` with Neo4j's parser against the ontology's schema.

    The batch is split over ``workers`` Node processes (default: up to 2, at least 20
    statements each); Neo4j's semantic analysis costs about 0.1-0.3 s per statement.
    """
    batch = list(items)
    if not batch:
        return []
    problem = linter_problem()
    if problem:
        raise ConfigError(f"cannot lint Cypher: {problem}")
    schema = lint_schema(ontology)
    n = workers or max(1, min(2, len(batch) // 20))
    chunks = [list(range(i, len(batch), n)) for i in range(n)]
    node = shutil.which("node") or "node"
    procs = []
    for chunk in chunks:
        request = {"schema": schema, "items": [{"name": str(i), "query": batch[i].query, "parameters": dict(batch[i].params)} for i in chunk]}
        proc = subprocess.Popen(
            [node, "lint.js"], cwd=linter_dir(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        procs.append((proc, json.dumps(request, default=str)))
    verdicts: dict[int, tuple[Diagnostic, ...]] = {}
    for proc, payload in procs:
        try:
            out, err = proc.communicate(payload, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise ConfigError(f"the Cypher linter took longer than {timeout:.0f} s") from None
        if proc.returncode != 0:
            raise ConfigError(f"the Cypher linter failed: {err.strip()[-2000:]}")
        for answer in json.loads(out):
            verdicts[int(answer["name"])] = tuple(
                Diagnostic(int(d["severity"]), str(d["message"]), int(d["line"]), int(d["column"])) for d in answer["diagnostics"]
            )
    return [LintResult(item, verdicts[i]) for i, item in enumerate(batch)]
