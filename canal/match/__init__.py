"""Lab-to-industry matching with explanations and an honest evaluation.

``match(G, for_id=..., direction=...)`` ranks partners for technologies, labs,
enterprises and pilot projects from separate, documented signals (bilingual text,
classification codes, place, alliance, investors, network ties, stage fit, pilot
platforms nearby, track record); every :class:`Candidate` carries its per-signal
contributions, an explanation in English and Chinese and evidence paths as Cypher.
``evaluate(G)`` hides known links and measures how well they are found again.
See docs/matching.md.
"""

from canal.match.api import Candidate, match, proposals, resolve, suggest_for_gaps
from canal.match.explain import Evidence
from canal.match.graph import DIRECTIONS, GraphIndex
from canal.match.signals import DEFAULT_WEIGHTS, GRAPH_SIGNALS, SIGNALS

__all__ = [
    "DEFAULT_WEIGHTS",
    "DIRECTIONS",
    "GRAPH_SIGNALS",
    "SIGNALS",
    "Candidate",
    "Evidence",
    "GraphIndex",
    "match",
    "proposals",
    "resolve",
    "suggest_for_gaps",
]
