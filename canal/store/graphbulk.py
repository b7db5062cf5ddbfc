"""FalkorDB's ``GRAPH.BULK`` wire format: checked rows in, binary tokens out.

A GRAPH.BULK call carries node tokens, then relationship tokens. A token is a header
(labels joined by ':' or the relationship type, NUL-terminated; a uint32 property count;
the property names, NUL-terminated) followed by entities. A node is its property values;
a relationship two uint64 node numbers then its values. A value is one type byte and its
payload: 0 null; 1 bool (1 byte); 2 double; 4 int64 (8 bytes, little-endian); 3 string
(UTF-8, NUL-terminated); 5 array (int64 length, then that many values).

**Node numbers.** The server numbers the nodes of a new graph 0, 1, ... in the order it
*receives* them: token after token, call after call. Nodes are buffered in one token per
class, so a file that mixes classes reaches the server grouped by class, not in row order.
A node therefore gets its number when its token is finished (handed to the call being
assembled), never when its row is read (numbering rows in file order wired relationships
to the wrong nodes whenever a node file mixed classes).

Only this module (beside the FalkorDB store) knows the format; the loading wing
(:mod:`canal.bulk`) hands it checked, typed values.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable
from typing import Any

from canal.errors import SchemaError
from canal.ontology import Ontology

_I64 = struct.Struct("<q").pack
_F64 = struct.Struct("<d").pack
_ENDS = struct.Struct("<QQ").pack
_NULL = b"\x00"
_PENDING = -1  # a node emitted whose token is not finished yet (no number yet)

NodeEmit = Callable[[str, list[Any]], None]
"""``emit(node_id, values)``: one node, its values in the emitter's column order."""
RelEmit = Callable[[str, str, int, int, str, list[Any]], None]
"""``emit(source_id, target_id, source_no, target_no, relationship_id, values)``: one
relationship (``*_no``: the endpoints' numbers in :attr:`GraphBulkEncoder.numbers`)."""
BulkSend = Callable[[list[bytes], list[bytes], int, int], None]
"""``send(node_tokens, relationship_tokens, nodes, relationships)``: one GRAPH.BULK call."""


def _enc_str(value: Any) -> bytes:
    # values are checked for NUL characters before they reach an encoder (the row checker)
    return b"\x03" + str(value).encode("utf-8") + b"\x00"


def no_nul(value: Any) -> bool:
    """True unless ``value`` (a text or a list of texts) holds a NUL character, which the
    GRAPH.BULK format cannot carry (texts there end at the first NUL).

    >>> no_nul("a"), no_nul(["a", "b\\x00"])
    (True, False)
    """
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, list):
        return all(not isinstance(x, str) or "\x00" not in x for x in value)
    return True


def _scalar_encoder(kind: str) -> Callable[[Any], bytes]:
    if kind == "integer":
        return lambda v: b"\x04" + _I64(v)
    if kind == "float":
        return lambda v: b"\x02" + _F64(v)
    if kind == "boolean":
        return lambda v: b"\x01\x01" if v else b"\x01\x00"
    return _enc_str


def value_encoder(kind: str, functional: bool) -> Callable[[Any], bytes]:
    """An encoder of one (already typed) property value; ``None`` is null.

    >>> value_encoder("integer", True)(3)
    b'\\x04\\x03\\x00\\x00\\x00\\x00\\x00\\x00\\x00'
    """
    one = _scalar_encoder(kind)
    if functional:
        return lambda v: _NULL if v is None else one(v)

    def many(v: Any) -> bytes:
        if v is None:
            return _NULL
        vals = v if isinstance(v, list) else [v]
        return b"\x05" + _I64(len(vals)) + b"".join(one(x) for x in vals)

    return many


def token_header(name: str, keys: list[str]) -> bytes:
    """The header of a token: labels (or type), then the property names."""
    for k in keys:
        if "\x00" in k:
            raise SchemaError(f"property name {k!r} contains a NUL character")
    return name.encode("utf-8") + b"\x00" + struct.pack("<I", len(keys)) + b"".join(k.encode("utf-8") + b"\x00" for k in keys)


class GraphBulkEncoder:
    """Checked rows straight into GRAPH.BULK buffers (no intermediate files).

    Tokens grow to ``token_bytes``; a call is sent when its tokens pass ``buffer_bytes``.
    ``send`` may return before the server has finished (the caller pipelines). ``numbers``
    maps node ids to the numbers the server gives them (``classes[number]`` is the class);
    they are final once :meth:`nodes_done` has run. ``in_row_order`` stays true while the
    numbers equal the order the nodes were emitted in (then a process that numbers the
    node rows itself agrees with the server).
    """

    def __init__(self, onto: Ontology, send: BulkSend, *, nodes: Counter[str] | None = None, relationships: Counter[str] | None = None, token_bytes: int = 16 << 20, buffer_bytes: int = 48 << 20) -> None:
        self.onto, self.send = onto, send
        self.counts_nodes: Counter[str] = nodes if nodes is not None else Counter()
        self.counts_rels: Counter[str] = relationships if relationships is not None else Counter()
        self.token_bytes, self.buffer_bytes = token_bytes, buffer_bytes
        self.numbers: dict[str, int] = {}
        self.classes: list[str] = []
        self.in_row_order = True
        self.node_tokens: list[bytes] = []
        self.rel_tokens: list[bytes] = []
        self.pending_bytes = 0
        self.pending_nodes = 0
        self.pending_rels = 0
        self.emitted = 0  # nodes emitted so far (their row order)
        self.last_emitter: object = None
        self.finishers: list[Callable[[], None]] = []

    def _pend(self, token: bytes, is_node: bool, count: int) -> None:
        (self.node_tokens if is_node else self.rel_tokens).append(token)
        self.pending_bytes += len(token)
        if is_node:
            self.pending_nodes += count
        else:
            self.pending_rels += count
        if self.pending_bytes >= self.buffer_bytes:
            self.flush()

    def flush(self) -> None:
        """Send what is buffered as one GRAPH.BULK call."""
        if self.node_tokens or self.rel_tokens:
            self.send(self.node_tokens, self.rel_tokens, self.pending_nodes, self.pending_rels)
        self.node_tokens, self.rel_tokens = [], []
        self.pending_bytes = self.pending_nodes = self.pending_rels = 0

    def _emitter_state(self, name: str, keys: list[str], fixed: list[str], fixed_values: list[Any], is_node: bool) -> tuple[bytearray, list[int], Callable[[], None], bytes]:
        header = token_header(name, ["id", *keys, *fixed])
        for k, v in zip(fixed, fixed_values, strict=True):
            if not no_nul(v):
                raise SchemaError(f"the value of {k!r} contains a NUL character")
        tail = b"".join(value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional)(v) for k, v in zip(fixed, fixed_values, strict=True))
        buf = bytearray(header)
        count = [0]

        def finish() -> None:
            if count[0]:
                self._pend(bytes(buf), is_node, count[0])
            del buf[len(header) :]
            count[0] = 0

        self.finishers.append(finish)
        return buf, count, finish, tail

    def node_emitter(self, cls: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> NodeEmit:
        """An emitter of nodes of one class (``keys``: per-row values, ``fixed``: the same on every row)."""
        buf, count, finish_token, tail = self._emitter_state(":".join(self.onto.labels_for(cls)), keys, fixed, fixed_values, True)
        encs = [value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional) for k in keys]
        numbers, classes, counts, limit = self.numbers, self.classes, self.counts_nodes, self.token_bytes
        ids: list[str] = []  # the nodes of the open token, in row order
        first = [0]  # the row-order position of the token's first node

        def finish() -> None:
            # the token goes to the call being assembled: its nodes get their numbers now
            if ids:
                if first[0] != len(classes):
                    self.in_row_order = False
                for nid in ids:
                    numbers[nid] = len(classes)
                    classes.append(cls)
                ids.clear()
            finish_token()

        self.finishers[-1] = finish

        def emit(nid: str, values: list[Any]) -> None:
            if ids and self.last_emitter is not emit:
                self.in_row_order = False  # another class's node came between this token's nodes
            if not ids:
                first[0] = self.emitted
            self.last_emitter = emit
            self.emitted += 1
            numbers[nid] = _PENDING
            ids.append(nid)
            buf.extend(b"".join([b"\x03", nid.encode(), b"\x00", *[e(v) for e, v in zip(encs, values, strict=True)], tail]))
            count[0] += 1
            counts[cls] += 1
            if len(buf) >= limit:
                finish()

        return emit

    def rel_emitter(self, rtype: str, keys: list[str], fixed: list[str], fixed_values: list[Any]) -> RelEmit:
        """An emitter of relationships of one type (after :meth:`nodes_done`)."""
        buf, count, finish, tail = self._emitter_state(rtype, keys, fixed, fixed_values, False)
        encs = [value_encoder(self.onto.properties[k].kind, self.onto.properties[k].functional) for k in keys]
        counts, limit = self.counts_rels, self.token_bytes

        one = encs[0] if len(encs) == 1 else None

        def emit(src: str, dst: str, s_no: int, d_no: int, rid: str, values: list[Any]) -> None:
            if one is not None:
                buf.extend(b"".join((_ENDS(s_no, d_no), b"\x03", rid.encode(), b"\x00", one(values[0]), tail)))
            elif values:
                buf.extend(b"".join([_ENDS(s_no, d_no), b"\x03", rid.encode(), b"\x00", *[e(v) for e, v in zip(encs, values, strict=True)], tail]))
            else:
                buf.extend(_ENDS(s_no, d_no) + b"\x03" + rid.encode() + b"\x00" + tail)
            count[0] += 1
            counts[rtype] += 1
            if len(buf) >= limit:
                finish()

        return emit

    def nodes_done(self) -> None:
        """Every node has been emitted: finish the open tokens (numbering their nodes)."""
        for f in self.finishers:
            f()
        self.finishers = []

    def close(self) -> None:
        """Every row has been emitted: send the rest."""
        self.nodes_done()
        self.flush()


__all__ = ["BulkSend", "GraphBulkEncoder", "NodeEmit", "RelEmit", "no_nul", "token_header", "value_encoder"]
