"""Gap type ``capital_gap`` (capital gap, 资本缺口): an adopting enterprise or a pilot project with no investor, fund or grant and no funded host.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.capital_gap` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.capital_gap`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from collections import defaultdict

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, new_enterprise


def plant_capital_gap(b: SynthBuilder, k: int) -> None:
    """Adopting enterprises and pilot projects with no investor, fund or grant."""
    funded = {v for v, r in zip(b.dst, b.rel, strict=True) if r in ("grantsTo", "investsIn")}
    funded |= {u for u, r in zip(b.src, b.rel, strict=True) if r == "listedOn"}
    devs: dict[int, set[int]] = defaultdict(set)
    for u, v, r in zip(b.src, b.dst, b.rel, strict=True):
        if r == "develops":
            devs[v].add(u)
    bare = [t for t in b.info["techs"] if t not in funded and not (devs.get(t, set()) & funded)]
    for _ in range(k):
        e = new_enterprise(b)
        for _ in range(1000):
            t = b.one(bare)
            if b.edge(e, "adopts", t):
                break
        b.plant("capital_gap", "adopter", "", [e, t])
        pp = b.node("PilotProject")
        b.edge(pp, "pilotedAt", b.one(b.info["platforms"]))
        b.edge(pp, "basedOn", b.one(b.info["techs"]))
        b.plant("capital_gap", "pilot_project", "", [pp])


@gap_type("capital_gap", en="capital gap", zh="资本缺口", cypher=Q.capital_gap, planter=plant_capital_gap, order=30)
def detect(ctx: GapContext) -> list[Gap]:
    """An adopting enterprise or a pilot project with no investor, fund or grant and no funded host."""
    return ctx.detector.capital_gap()
