"""Fast whole-graph export as arrays (for analyses of large graphs).

``GraphStore.to_networkx()`` returns every property of every node and relationship, one
row each, which costs about 18 s for 300k nodes and 1.5M relationships. Gap analysis needs
much less: each node's id, most specific class, region, fields, name and TRL, and each
relationship's endpoints and type. :func:`read_arrays` fetches just that. On FalkorDB each
class and relationship type comes back as one JSON array (``toJSON(collect(...))`` on the
server), relationships as ``source * 2^32 + target`` codes read from the labels of the
type's domain (a typed scan would visit every node); parallel relationships of one type
between the same two nodes count once, unless the counts disagree, when the exact (slower)
query runs. Other backends use plain rows.

>>> import tempfile, os
>>> from canal.store import open_store
>>> with open_store(os.path.join(tempfile.mkdtemp(), "t.db")) as s:
...     read_arrays(s).ids
[]
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from canal.arrays import GraphArrays
from canal.ontology import ROOT_CLASS
from canal.store.base import GraphStore
from canal.store.cypher import ident


def _falkor(store: GraphStore) -> bool:
    return store.backend in ("embedded", "falkordb")


def _top(onto: Any, classes: Iterable[str]) -> list[str]:
    cs = sorted(set(classes))
    return [c for c in cs if not any(o != c and onto.is_a(c, o) for o in cs)]


_NODE_COLUMNS = ("id(n)", "n.id", "n.region", "n.field", "n.name", "n.trl", "n.nameZh", "n.evidence")
_TEXT_COLUMNS = ("n.id", "n.region", "n.field", "n.name", "n.nameZh", "n.evidence")


def json_safe(expr: str, *, many: bool = False) -> str:
    r"""A Cypher expression for a value as text with ``\`` and ``"`` escaped (``many``: a list
    of such texts, a single value becoming a one-element list), so that FalkorDB's ``toJSON``
    writes valid JSON.

    FalkorDB's ``toJSON`` copies strings verbatim: ``NCSR "DEMOKRITOS"`` gives invalid JSON
    and a literal backslash-n would silently come back as a newline. Control characters stay
    raw, which ``json.loads(..., strict=False)`` accepts. (FalkorDB type-checks every branch
    of a ``CASE``, so the value is made text with ``toString`` rather than tested for it.)

    >>> print(json_safe("n.name"))
    replace(replace(toString(n.name), '\\', '\\\\'), '"', '\\"')
    """
    if many:
        items = f"CASE WHEN typeOf({expr}) = 'List' THEN {expr} ELSE [{expr}] END"
        return f"CASE WHEN {expr} IS NULL THEN NULL ELSE [x IN {items} | {json_safe('x')}] END"
    return f"replace(replace(toString({expr}), '\\\\', '\\\\\\\\'), '\"', '\\\\\"')"


def _node_rows(store: GraphStore) -> list[list[Any]]:
    E = ROOT_CLASS
    if _falkor(store):
        cols = ", ".join(json_safe(c, many=c == "n.field") if c in _TEXT_COLUMNS else c for c in _NODE_COLUMNS)
        text = store.query(f"MATCH (n:{E}) RETURN toJSON(collect([{cols}])) AS t").scalar()
        rows: list[list[Any]] = json.loads(text, strict=False) if text else []
        return rows
    return [list(r) for r in store.query(f"MATCH (n:{E}) RETURN {', '.join(_NODE_COLUMNS)}").rows]


def _pairs(store: GraphStore, rel_type: str) -> npt.NDArray[np.int64]:
    """Internal (source, target) ids of one relationship type, shape (k, 2)."""
    onto = store.ontology
    E = ROOT_CLASS
    t = ident(rel_type)
    total = int(store.query(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n").scalar() or 0)
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if _falkor(store):
        # a typed scan starts from every node: start from the domain's labels instead, and leave
        # the relationship unbound (binding it costs ~15 us per edge); codes are src * 2^32 + dst
        rel = onto.relation(rel_type)
        parts = []
        for c in _top(onto, rel.domain) if rel.domain else [E]:
            text = store.query(f"MATCH (a:{ident(c)})-[:{t}]->(b:{E}) RETURN toJSON(collect(id(a) * 4294967296 + id(b))) AS t").scalar()
            parts.append(np.array(json.loads(text) if text else [], dtype=np.int64))
        codes = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        if len(codes) > 1:
            codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])]
        if len(codes) == total:
            return np.column_stack([codes >> 32, codes & 0xFFFFFFFF])
        # parallel edges or relationships outside the domain: the exact (slower) way
        text = store.query(
            f"MATCH (a:{E})-[r:{t}]->(b:{E}) RETURN toJSON(collect([id(a), id(b), id(r)])) AS t"
        ).scalar()
        rows = json.loads(text) if text else []
        return np.array([[a, b] for a, b, _ in rows], dtype=np.int64).reshape(-1, 2)
    rows2 = store.query(f"MATCH (a:{E})-[r:{t}]->(b:{E}) RETURN id(a), id(b)").rows
    return np.array(rows2, dtype=np.int64).reshape(-1, 2)


def read_arrays(store: GraphStore) -> GraphArrays:
    """Read the whole graph as :class:`GraphArrays` (ids, classes, regions, fields, names, edges)."""
    import time

    onto = store.ontology
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    rows = _node_rows(store)
    rows.sort(key=lambda r: str(r[1]))
    internal = np.array([int(r[0]) for r in rows], dtype=np.int64)
    pos = np.full(int(internal.max()) + 1 if len(internal) else 1, -1, dtype=np.int64)
    pos[internal] = np.arange(len(rows))
    ids = [str(r[1]) for r in rows]
    region: list[str | None] = [str(r[2]) if r[2] else None for r in rows]
    fields = {i: tuple(str(x) for x in (r[3] if isinstance(r[3], list) else [r[3]])) for i, r in enumerate(rows) if r[3]}
    names = {i: str(r[4]) for i, r in enumerate(rows) if r[4]}
    trl = {i: int(r[5]) for i, r in enumerate(rows) if isinstance(r[5], (int, float)) and not isinstance(r[5], bool)}
    names_zh = {i: str(r[6]) for i, r in enumerate(rows) if r[6]}
    notes = {i: str(r[7]) for i, r in enumerate(rows) if r[7]}
    del rows
    seconds["nodes"] = round(time.perf_counter() - t0, 3)
    # classes: visit classes from general to specific so the most specific label wins
    t1 = time.perf_counter()
    depth = sorted(
        (c for c, info in onto.classes.items() if info.graph_node and c != ROOT_CLASS),
        key=lambda c: (len(onto.ancestors(c)), c),
    )
    classes = [ROOT_CLASS, *depth]
    cls = np.zeros(len(ids), dtype=np.int32)
    for code, c in enumerate(classes[1:], start=1):
        if _falkor(store):
            text = store.query(f"MATCH (n:{ident(c)}) RETURN toJSON(collect(id(n))) AS t").scalar()
            got = np.array(json.loads(text) if text else [], dtype=np.int64)
        else:
            got = np.array([r[0] for r in store.query(f"MATCH (n:{ident(c)}) RETURN id(n)").rows], dtype=np.int64)
        if len(got):
            cls[pos[got]] = code
    seconds["classes"] = round(time.perf_counter() - t1, 3)
    # relationships per type
    t2 = time.perf_counter()
    srcs: list[npt.NDArray[np.int64]] = []
    dsts: list[npt.NDArray[np.int64]] = []
    codes: list[npt.NDArray[np.int16]] = []
    types: list[str] = []
    for t in onto.relationship_types:
        pairs = _pairs(store, t)
        if len(pairs) == 0:
            continue
        srcs.append(pos[pairs[:, 0]])
        dsts.append(pos[pairs[:, 1]])
        codes.append(np.full(len(pairs), len(types), dtype=np.int16))
        types.append(t)
    src = np.concatenate(srcs).astype(np.int32) if srcs else np.zeros(0, dtype=np.int32)
    dst = np.concatenate(dsts).astype(np.int32) if dsts else np.zeros(0, dtype=np.int32)
    seconds["relationships"] = round(time.perf_counter() - t2, 3)
    etype = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int16)
    return GraphArrays(ids, cls, classes, src, dst, etype, types, region, fields, names, trl, names_zh, notes, seconds)
