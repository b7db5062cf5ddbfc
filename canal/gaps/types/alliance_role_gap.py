"""Gap type ``alliance_role_gap`` (alliance role gap, 联盟角色缺位): an alliance missing a chain (innovation, industrial, capital), or whose members are not tied.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.alliance_role_gap` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.alliance_missing_chain`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, make_alliance


def plant_alliance_gaps(b: SynthBuilder, k: int) -> None:
    """Alliances missing the capital chain, and alliances whose members never link."""
    for _ in range(k):
        a, _ = make_alliance(b, chains=("innovation", "industrial"), linked=True)
        b.plant("alliance_role_gap", "missing_chain", f"alliance:{b.ids[a]}", [a])
        a, _ = make_alliance(b, chains=("innovation", "industrial", "capital"), linked=False, avoid_adjacent=True)
        b.plant("alliance_role_gap", "no_links", f"alliance:{b.ids[a]}", [a])


@gap_type("alliance_role_gap", en="alliance role gap", zh="联盟角色缺位", cypher=Q.alliance_missing_chain, planter=plant_alliance_gaps, order=50)
def detect(ctx: GapContext) -> list[Gap]:
    """An alliance missing a chain (innovation, industrial, capital), or whose members are not tied."""
    return ctx.detector.alliance_role_gap()
