"""Gap type ``segment_gap`` (segment gap (补链), 产业链缺环（补链）): a segment nobody in a region or alliance works in, next to one somebody there does (补链); empty segment trees.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.segment_gap` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.segment_gap`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, make_alliance


def plant_segment_gaps(b: SynthBuilder, k: int) -> None:
    """Middle segments missing in a region (reserved before the background) or an alliance; empty segments."""
    for r, s in sorted(b.info.get("excluded", set()), key=lambda x: (x[0], x[1])):
        b.plant("segment_gap", "middle", f"region:{r}", [s])
    chains = b.info["chains"]
    for j in range(k):
        ci = j % len(chains)
        a, skipped = make_alliance(b, chains=("innovation", "industrial", "capital"), linked=True,
                                   skip_segment=1 + j % (len(chains[ci]) - 2), chain_index=ci)
        assert skipped is not None
        b.plant("segment_gap", "middle", f"alliance:{b.ids[a]}", [skipped])
        s = b.node("IndustrySegment", name=f"Empty segment {j + 1}", prefix="segment")
        b.plant("segment_gap", "empty", "graph", [s])


@gap_type("segment_gap", en="segment gap (补链)", zh="产业链缺环（补链）", cypher=Q.segment_gap, planter=plant_segment_gaps, order=60)
def detect(ctx: GapContext) -> list[Gap]:
    """A segment nobody in a region or alliance works in, next to one somebody there does (补链); empty segment trees."""
    return ctx.detector.segment_gap()
