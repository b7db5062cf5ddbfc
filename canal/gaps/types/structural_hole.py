"""Gap type ``structural_hole`` (structural hole, 结构洞): a one-chain group tied to the rest of the graph only through outsiders.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :func:`canal.gaps.network.structural_holes` (igraph), the Cypher is
:func:`canal.gaps.cypher.node_set`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.network import structural_holes
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder


def plant_structural_hole(b: SynthBuilder, k: int) -> None:
    """Capital clusters (funds investing only in each other) spanned by two government bodies."""
    gov = b.info["government"]
    for _ in range(k):
        g = b.node("GovernmentGuidanceFund")
        v1, v2, v3 = b.nodes("VentureCapital", 3)
        f = b.node("Fund")
        for u, v in ((g, v1), (g, v2), (v1, v3), (v2, f), (v3, f)):
            b.edge(u, "investsIn", v)
        g1 = b.one(gov)
        g2 = b.one([x for x in gov if x != g1])
        b.edge(g1, "manages", g)
        b.edge(g2, "manages", f)
        b.plant("structural_hole", "capital", "", [g, v1, v2, v3, f])


@gap_type("structural_hole", en="structural hole", zh="结构洞", cypher=Q.node_set, planter=plant_structural_hole, order=80)
def detect(ctx: GapContext) -> list[Gap]:
    """A one-chain group tied to the rest of the graph only through outsiders."""
    return structural_holes(ctx.frame, ctx.graph(), min_hole=ctx.options["min_hole"], max_nodes=ctx.options["max_nodes"])
