"""Gap type ``stranded_technology`` (stranded technology, 技术成果闲置): a technology developed (not by a later-stage developer) and never piloted, transferred, licensed, adopted or built on.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.stranded_technology` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.stranded`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder


def plant_stranded(b: SynthBuilder, k: int) -> None:
    """Technologies developed by an institute (which also has healthy ones), never taken up."""
    used: set[int] = b.info.setdefault("used_devs", set())
    devs = [d for d in dict.fromkeys(b.info["tech_developer"].values()) if d not in used]
    for _ in range(k):
        d = devs.pop(int(b.rng.integers(len(devs))))
        used.add(d)
        t = b.node("Technology", region=b.region[d], field=["field-stranded"], trl=int(b.rng.integers(3, 10)))
        p = b.node("Patent", region=b.region[d])
        b.edge(d, "develops", t)
        b.edge(d, "holdsPatent", p)
        b.edge(p, "protects", t)
        b.plant("stranded_technology", "technology", "", [t, d])


@gap_type("stranded_technology", en="stranded technology", zh="技术成果闲置", cypher=Q.stranded, planter=plant_stranded, order=10)
def detect(ctx: GapContext) -> list[Gap]:
    """A technology developed (not by a later-stage developer) and never piloted, transferred, licensed, adopted or built on."""
    return ctx.detector.stranded_technology()
