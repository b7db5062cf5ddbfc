"""Scoring detected gaps against planted ground truth (precision and recall per type).

Matching keys: node-anchored types match on (type, kind, anchor); segment gaps on (kind,
scope, segment); broker risk on the broker; structural holes on their set of nodes. Context
notes (``kind == "context"``, see :func:`canal.gaps.network.context_hubs`) are not gaps and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from canal.gaps.model import GAP_TYPES


class GapLike(Protocol):
    """Anything with a gap's type, kind, scope and nodes (a Gap or a planted gap)."""

    @property
    def type(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def nodes(self) -> tuple[str, ...]: ...


def match_key(g: GapLike) -> tuple[Any, ...]:
    """The identity used to match a detected gap with a planted one."""
    if g.type == "structural_hole":
        return (g.type, frozenset(g.nodes))
    if g.type == "broker_risk":
        return (g.type, g.kind == "betweenness", g.nodes[0])
    if g.type == "segment_gap":
        return (g.type, g.kind, g.scope, g.nodes[0])
    return (g.type, g.kind, g.nodes[0])


def score(found: Iterable[GapLike], truth: Iterable[GapLike]) -> dict[str, dict[str, Any]]:
    """Per gap type: true/false positives, false negatives, precision and recall.

    >>> from canal.synth import PlantedGap
    >>> t = [PlantedGap("capital_gap", "adopter", "graph", ("e1",)), PlantedGap("capital_gap", "adopter", "graph", ("e2",))]
    >>> score(t[:1], t)["capital_gap"]["recall"]
    0.5
    """
    fk: dict[str, set[tuple[Any, ...]]] = {t: set() for t in GAP_TYPES}
    tk: dict[str, set[tuple[Any, ...]]] = {t: set() for t in GAP_TYPES}
    for g in found:
        if g.kind == "context":  # a note on how the measures were taken, not a gap
            continue
        fk.setdefault(g.type, set()).add(match_key(g))
    for g in truth:
        tk.setdefault(g.type, set()).add(match_key(g))
    out: dict[str, dict[str, Any]] = {}
    for t in sorted(set(fk) | set(tk), key=lambda x: (GAP_TYPES.index(x) if x in GAP_TYPES else 99, x)):
        tp = len(fk[t] & tk[t])
        fp = len(fk[t] - tk[t])
        fn = len(tk[t] - fk[t])
        out[t] = {
            "planted": len(tk[t]),
            "found": len(fk[t]),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        }
    return out
