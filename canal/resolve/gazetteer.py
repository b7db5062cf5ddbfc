"""A gazetteer: names (and aliases) of known nodes, looked up exactly or fuzzily.

>>> g = Gazetteer()
>>> g.add("dicp", ["中国科学院大连化学物理研究所", "Dalian Institute of Chemical Physics", "DICP"])
>>> g.add("ipe", ["Institute of Process Engineering, CAS"])
>>> g.lookup("中國科學院大連化學物理研究所")
[('dicp', 1.0)]
>>> g.lookup("dicp")
[('dicp', 1.0)]
>>> [(i, s > 0.8) for i, s in g.lookup("Dalian Institute of Chemical Physic")]
[('dicp', True)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from canal.resolve.names import blocking_keys, normalise_name, similarity


class Gazetteer:
    """Names of nodes, indexed by normalised form and by blocking keys.

    ``lookup(name)`` gives ``(node id, score)`` pairs, best first: 1.0 for an exact
    match of the normalised name (or alias), else the fuzzy similarity of the best
    name of each candidate that shares a blocking key, at least ``min_score``.
    """

    def __init__(self, *, min_score: float = 0.6, max_block: int = 500) -> None:
        self.min_score = min_score
        self.max_block = max_block
        self._exact: dict[str, set[str]] = defaultdict(set)
        self._block: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, set[str]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._names)

    def add(self, node_id: str, names: Iterable[str]) -> None:
        """Register ``names`` (display names, aliases, abbreviations) of ``node_id``."""
        for name in names:
            if not name:
                continue
            key = normalise_name(name)
            if not key:
                continue
            self._exact[key].add(node_id)
            self._names[node_id].add(key)
            for b in blocking_keys(key):
                self._block[b].add(node_id)

    def names_of(self, node_id: str) -> set[str]:
        """The normalised names registered for ``node_id``."""
        return set(self._names.get(node_id, ()))

    def exact(self, name: str) -> set[str]:
        """Ids whose normalised names include ``name``'s."""
        return set(self._exact.get(normalise_name(name), ()))

    def lookup(self, name: str, *, limit: int = 10) -> list[tuple[str, float]]:
        """Candidate ids for ``name`` with scores in 0..1, best first."""
        key = normalise_name(name)
        if not key:
            return []
        scores: dict[str, float] = {i: 1.0 for i in self._exact.get(key, ())}
        candidates: set[str] = set()
        for b in blocking_keys(key):
            block = self._block.get(b, set())
            if len(block) <= self.max_block:
                candidates |= block
        for cid in candidates - set(scores):
            best = max((similarity(key, n) for n in self._names[cid]), default=0.0)
            if best >= self.min_score:
                scores[cid] = best
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
