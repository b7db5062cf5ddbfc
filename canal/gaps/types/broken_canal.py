"""Gap type ``broken_canal`` (broken canal, 转化链条断裂): a research organisation, itself unbacked, none of whose technologies reaches capital.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.broken_canal` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.broken_canal`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, free_enterprise, new_enterprise


def plant_broken_canal(b: SynthBuilder, k: int) -> None:
    """Institutes whose technologies reach only unfunded adopters (also capital gaps)."""
    regions = b.info["regions"]
    for _ in range(k):
        r = regions[int(b.rng.integers(len(regions)))]
        inst = b.node("ResearchInstitute", region=r)
        b.edge(inst, "locatedIn", b.info["region_nodes"][r])
        b.edge(inst, "collaboratesWith", free_enterprise(b))
        e = new_enterprise(b)
        ts = []
        for _ in range(2):
            t = b.node("Technology", region=r, field=["field-broken"], trl=6)
            b.edge(inst, "develops", t)
            b.edge(e, "adopts", t)
            b.edge(t, "pilotedAt", b.one(b.info["platforms"]))
            ts.append(t)
        b.plant("broken_canal", "institute", "", [inst, *ts])
        b.plant("capital_gap", "adopter", "", [e, *ts])


@gap_type("broken_canal", en="broken canal", zh="转化链条断裂", cypher=Q.broken_canal, planter=plant_broken_canal, order=40)
def detect(ctx: GapContext) -> list[Gap]:
    """A research organisation, itself unbacked, none of whose technologies reaches capital."""
    return ctx.detector.broken_canal()
