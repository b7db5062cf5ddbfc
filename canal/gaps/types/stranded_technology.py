"""Gap type ``stranded_technology`` (stranded technology, 技术成果闲置): a technology developed (not by a later-stage developer) and never piloted, transferred, licensed, adopted or built on.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.stranded`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector, clamp
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.gaps.schema import PILOT_OUT, UPTAKE_IN, UPTAKE_OUT
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


def stranded_technology(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    tech = det.mask(s.tech_classes)
    later = det.mask(s.later_developer_classes)
    dev = f.in_count("develops")
    cand = (
        tech
        & (dev > 0)
        & (f.in_count("develops", src_mask=later) == 0)
        & (f.in_count(*UPTAKE_IN) == 0)
        & (f.out_count(*UPTAKE_OUT) == 0)
        & (f.out_count(*PILOT_OUT) == 0)
    )
    devs = det.grouped(("develops",), cand, "dst")
    pats = det.grouped(("protects",), cand, "dst")
    q = Q.stranded(s)
    gaps = []
    for t in np.flatnonzero(cand).tolist():
        d = devs.get(t, [])
        trl = f.trl.get(t)
        m = trl / 9 if trl is not None else 0.5
        np_ = len(pats.get(t, []))
        sev = clamp(0.4 + 0.4 * m + 0.2 * min(1.0, np_ / 3))
        gaps.append(
            Gap(
                "stranded_technology",
                det.scope_of(t),
                sev,
                det.ids([t, *d]),
                f"'{det.nm(t)}' was developed by {det.names(d)} but was never piloted, transferred, licensed, "
                "adopted or built on by anyone.",
                f"“{det.zh(t)}”由{det.names(d, zh=True)}研发，但从未经中试，也未被转让、许可、采用或用于产品。",
                q,
                {"id": f.ids[t]},
                tuple([f"{f.ids[x]} -DEVELOPS-> {f.ids[t]}" for x in d] + det.note(t)),
                kind="technology",
                metrics={"trl": trl, "patents": np_},
                settle=f"a record of who uses, licenses, pilots or builds on '{det.nm(t)}' (adopts, licensedTo, "
                "transferredTo, pilotedAt, a product basedOn it), or a source saying nobody does",
            )
        )
    return gaps


@gap_type("stranded_technology", en="stranded technology", zh="技术成果闲置", cypher=Q.stranded, planter=plant_stranded, order=10)
def detect(ctx: GapContext) -> list[Gap]:
    """A technology developed (not by a later-stage developer) and never piloted, transferred, licensed, adopted or built on."""
    return stranded_technology(ctx.detector)
