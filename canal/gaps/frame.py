"""A compact, array-based view of a canal graph for fast gap analysis.

:func:`frame_from_networkx` turns the MultiDiGraph of ``GraphStore.to_networkx()`` into a
:class:`CanalFrame` (node ids, class codes, regions, fields; edges as integer arrays);
``canal.store.bulk_read`` reads the same arrays (:class:`~canal.arrays.GraphArrays`) straight
from a store without networkx, and :func:`frame_of` makes them a frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from canal.arrays import GraphArrays
from canal.ontology import Ontology, load_ontology

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def unique_ints(x: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Sorted distinct values of an integer array (sort-based: numpy 2.5's ``np.unique`` is ~15x slower).

    >>> unique_ints(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    y = np.sort(np.asarray(x, dtype=np.int64))
    if len(y) == 0:
        return y
    keep = np.empty(len(y), dtype=bool)
    keep[0] = True
    np.not_equal(y[1:], y[:-1], out=keep[1:])
    return y[keep]


@dataclass
class CanalFrame(GraphArrays):
    """:class:`~canal.arrays.GraphArrays` with the ontology, and the masks and lookups analyses use."""

    ontology: Ontology = field(kw_only=True)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        """Node id -> position."""
        return {x: i for i, x in enumerate(self.ids)}

    def name(self, i: int, zh: bool = False) -> str:
        """Display name of node ``i`` (Chinese name first when ``zh``)."""
        if zh and i in self.names_zh:
            return self.names_zh[i]
        return self.names.get(i) or self.ids[i]

    def class_of(self, i: int) -> str:
        """Most specific class of node ``i``."""
        return self.classes[int(self.cls[i])]

    # -- class and type masks ----------------------------------------------------------
    def class_mask(self, classes: Iterable[str]) -> BoolArray:
        """Nodes whose class is one of ``classes``."""
        wanted = set(classes)
        codes = np.array([c in wanted for c in self.classes] + [False], dtype=bool)
        return codes[self.cls]

    def chain_mask(self, chain: str) -> BoolArray:
        """Nodes whose class belongs to ``chain`` (innovation, industrial, capital, bridge)."""
        return self.class_mask(c for c in self.classes if c in self.ontology.classes and self.ontology.chain_of(c) == chain)

    def type_code(self, rel: str) -> int:
        """Code of a relationship type (ontology name or Cypher type); -1 if absent."""
        t = self.ontology.relation(rel).type
        return self.types.index(t) if t in self.types else -1

    def edges_of(self, *rels: str) -> BoolArray:
        """Mask of the edges whose type is one of ``rels``."""
        codes = [c for c in (self.type_code(r) for r in rels) if c >= 0]
        if not codes:
            return np.zeros(len(self.src), dtype=bool)
        return np.isin(self.etype, np.array(codes, dtype=np.int16))

    def in_count(self, *rels: str, src_mask: BoolArray | None = None) -> IntArray:
        """Per node: incoming edges of ``rels`` (optionally only from nodes in ``src_mask``)."""
        m = self.edges_of(*rels)
        if src_mask is not None:
            m &= src_mask[self.src]
        return np.bincount(self.dst[m], minlength=self.n).astype(np.int64)

    def out_count(self, *rels: str, dst_mask: BoolArray | None = None) -> IntArray:
        """Per node: outgoing edges of ``rels`` (optionally only to nodes in ``dst_mask``)."""
        m = self.edges_of(*rels)
        if dst_mask is not None:
            m &= dst_mask[self.dst]
        return np.bincount(self.src[m], minlength=self.n).astype(np.int64)

    def pairs(self, *rels: str, of: Sequence[int] | None = None, side: str = "dst") -> list[tuple[int, int]]:
        """(source, target) pairs of ``rels`` edges; with ``of``, only where ``side`` is in it."""
        m = self.edges_of(*rels)
        if of is not None:
            sel = np.zeros(self.n, dtype=bool)
            sel[np.asarray(list(of), dtype=np.int64)] = True
            m &= sel[self.dst if side == "dst" else self.src]
        return sorted(zip(self.src[m].tolist(), self.dst[m].tolist(), strict=True))


def frame_from_networkx(G: nx.MultiDiGraph, ontology: Ontology | None = None) -> CanalFrame:
    """Build a :class:`CanalFrame` from a canal MultiDiGraph (``cls`` on nodes, ``type``/``rel`` on edges).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", cls="ResearchInstitute", name="A"); G.add_node("t", cls="Technology")
    >>> _ = G.add_edge("a", "t", key="a-DEVELOPS->t", type="DEVELOPS", rel="develops")
    >>> f = frame_from_networkx(G)
    >>> f.ids, f.class_of(0), f.types, f.out_count("develops").tolist()
    (['a', 't'], 'ResearchInstitute', ['DEVELOPS'], [1, 0])
    """
    onto = ontology or load_ontology()
    ids = sorted(str(x) for x in G.nodes)
    index = {x: i for i, x in enumerate(ids)}
    classes: list[str] = []
    ccode: dict[str, int] = {}
    cls = np.zeros(len(ids), dtype=np.int32)
    region: list[str | None] = [None] * len(ids)
    fields: dict[int, tuple[str, ...]] = {}
    names: dict[int, str] = {}
    names_zh: dict[int, str] = {}
    trl: dict[int, int] = {}
    notes: dict[int, str] = {}
    for nid, data in G.nodes(data=True):
        i = index[str(nid)]
        c = str(data.get("cls") or "Entity")
        if c not in ccode:
            ccode[c] = len(classes)
            classes.append(c)
        cls[i] = ccode[c]
        r = data.get("region")
        if isinstance(r, str) and r.strip():
            region[i] = r.strip()
        f = data.get("field")
        if f:
            fields[i] = tuple(str(x) for x in (f if isinstance(f, (list, tuple)) else [f]))
        if data.get("name"):
            names[i] = str(data["name"])
        if data.get("nameZh"):
            names_zh[i] = str(data["nameZh"])
        t = data.get("trl")
        if isinstance(t, (int, float)) and not isinstance(t, bool):
            trl[i] = int(t)
        note = data.get("evidence")
        if note:
            notes[i] = str(note)
    types: list[str] = []
    tcode: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    et: list[int] = []
    for u, v, data in G.edges(data=True):
        t = str(data.get("type") or onto.relation(str(data.get("rel"))).type)
        if t not in tcode:
            tcode[t] = len(types)
            types.append(t)
        src.append(index[str(u)])
        dst.append(index[str(v)])
        et.append(tcode[t])
    return CanalFrame(
        ids=ids,
        cls=cls,
        classes=classes,
        src=np.asarray(src, dtype=np.int32),
        dst=np.asarray(dst, dtype=np.int32),
        etype=np.asarray(et, dtype=np.int16),
        types=types,
        ontology=onto,
        region=region,
        fields=fields,
        names=names,
        names_zh=names_zh,
        trl=trl,
        notes=notes,
    )


def frame_from_arrays(
    ids: list[str],
    node_class: Sequence[str] | npt.NDArray[Any],
    src: Sequence[int] | npt.NDArray[Any],
    dst: Sequence[int] | npt.NDArray[Any],
    edge_type: Sequence[str] | npt.NDArray[Any],
    *,
    ontology: Ontology | None = None,
    region: list[str | None] | None = None,
    fields: dict[int, tuple[str, ...]] | None = None,
    names: dict[int, str] | None = None,
    trl: dict[int, int] | None = None,
) -> CanalFrame:
    """Build a frame from plain arrays (node ``i`` has id ``ids[i]``; edges by position)."""
    onto = ontology or load_ontology()
    cmap = {c: k for k, c in enumerate(sorted({str(c) for c in node_class}))}
    tmap = {t: k for k, t in enumerate(sorted({str(t) for t in edge_type}))}
    cls = np.fromiter((cmap[str(c)] for c in node_class), dtype=np.int32, count=len(node_class))
    et = np.fromiter((tmap[str(t)] for t in edge_type), dtype=np.int16, count=len(edge_type))
    classes, types = list(cmap), list(tmap)
    return CanalFrame(
        ids=list(ids),
        cls=cls.astype(np.int32),
        classes=[str(c) for c in classes],
        src=np.asarray(src, dtype=np.int32),
        dst=np.asarray(dst, dtype=np.int32),
        etype=et.astype(np.int16),
        types=[str(t) for t in types],
        ontology=onto,
        region=region if region is not None else [None] * len(ids),
        fields=fields or {},
        names=names or {},
        trl=trl or {},
    )


def frame_of(arrays: GraphArrays, ontology: Ontology) -> CanalFrame:
    """The frame of arrays read from a store (the arrays are shared, not copied)."""
    return CanalFrame(**{f.name: getattr(arrays, f.name) for f in dataclass_fields(arrays)}, ontology=ontology)


def frame_from_store(store: Any) -> CanalFrame:
    """Read a store straight into a frame (``GraphStore.read_arrays()``; no networkx on the way)."""
    return frame_of(store.read_arrays(), store.ontology)


def frame_without(frame: CanalFrame, drop: BoolArray) -> CanalFrame:
    """The frame without the nodes in ``drop`` and their edges (ids keep their order).

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", cls="ResearchInstitute"); G.add_node("t", cls="Technology"); G.add_node("r", cls="Review")
    >>> _ = G.add_edge("a", "t", key="k1", type="DEVELOPS", rel="develops")
    >>> _ = G.add_edge("r", "t", key="k2", type="REVIEWS", rel="reviews")
    >>> f = frame_from_networkx(G)
    >>> g = frame_without(f, f.class_mask(["Review"]))
    >>> g.ids, len(g.src), g.out_count("develops").tolist()
    (['a', 't'], 1, [1, 0])
    """
    if not drop.any():
        return frame
    keep = ~drop
    new = np.cumsum(keep) - 1
    ek = keep[frame.src] & keep[frame.dst]
    old = np.flatnonzero(keep).tolist()
    pos = {o: k for k, o in enumerate(old)}

    def remap(d: dict[int, Any]) -> dict[int, Any]:
        return {pos[i]: v for i, v in d.items() if i in pos}

    return CanalFrame(
        ids=[frame.ids[i] for i in old],
        cls=frame.cls[keep],
        classes=frame.classes,
        src=new[frame.src[ek]].astype(np.int32),
        dst=new[frame.dst[ek]].astype(np.int32),
        etype=frame.etype[ek],
        types=frame.types,
        ontology=frame.ontology,
        region=[frame.region[i] for i in old] if frame.region else [None] * len(old),
        fields=remap(frame.fields),
        names=remap(frame.names),
        trl=remap(frame.trl),
        names_zh=remap(frame.names_zh),
        notes=remap(frame.notes),
        seconds=dict(frame.seconds),
    )
