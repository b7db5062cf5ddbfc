"""Gap type ``missing_pilot`` (missing pilot stage, 缺少中试环节): an industrialised technology never piloted, with no pilot platform in its regions or fields.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :meth:`canal.gaps.detect.Detector.missing_pilot` (array passes over the frame), the Cypher is
:func:`canal.gaps.cypher.missing_pilot`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder


def plant_missing_pilot(b: SynthBuilder, k: int) -> None:
    """Technologies adopted in a region without pilot platforms, in a field no platform covers."""
    used: set[int] = b.info.setdefault("used_devs", set())
    plain = set(b.info["plain_regions"])
    ents = [e for e in b.info["enterprises"] if b.region[e] in plain and e not in b.frozen]
    devs = [d for d in dict.fromkeys(b.info["tech_developer"].values()) if d not in used]
    for j in range(k):
        d = devs.pop(int(b.rng.integers(len(devs))))
        used.add(d)
        e = b.one(ents)
        t = b.node("Technology", region=b.region[e], field=[f"field-unpiloted-{j + 1}"], trl=7)
        b.edge(d, "develops", t)
        b.edge(e, "adopts", t)
        b.plant("missing_pilot", "technology", "", [t, e])


@gap_type("missing_pilot", en="missing pilot stage", zh="缺少中试环节", cypher=Q.missing_pilot, planter=plant_missing_pilot, order=20)
def detect(ctx: GapContext) -> list[Gap]:
    """An industrialised technology never piloted, with no pilot platform in its regions or fields."""
    return ctx.detector.missing_pilot()
