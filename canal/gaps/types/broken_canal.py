"""Gap type ``broken_canal`` (broken canal, 转化链条断裂): a research organisation, itself unbacked, none of whose technologies reaches capital.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.broken_canal`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector, clamp
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


def broken_canal(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    tech = det.mask(s.tech_classes)
    reach = det.reaches_capital()
    research = det.mask(s.research_org_classes)
    dm = f.edges_of("develops") & research[f.src] & tech[f.dst]
    n_tech = np.bincount(f.src[dm], minlength=f.n)
    n_reach = np.bincount(f.src[dm], weights=reach[f.dst[dm]].astype(np.float64), minlength=f.n)
    cand = research & (n_tech > 0) & (n_reach == 0) & ~det.backed()
    techs = det.grouped(("develops",), cand, "src")
    q = Q.broken_canal(s)
    gaps = []
    for r in np.flatnonzero(cand).tolist():
        ts = [t for t in techs.get(r, []) if tech[t]]
        gaps.append(
            Gap(
                "broken_canal",
                det.scope_of(r),
                clamp(0.5 + 0.5 * min(1.0, len(ts) / 5)),
                det.ids([r, *ts]),
                f"None of the {len(ts)} technologies of '{det.nm(r)}' ({det.names(ts)}) reaches capital: no "
                "investor, fund or grant backs the institute or its host, the technologies, their adopters, "
                "recipients, producers, pilot projects or pilot platforms.",
                f"“{det.zh(r)}”的{len(ts)}项技术（{det.names(ts, zh=True)}）均未触达资本：机构本身及其所在园区、"
                "技术、采用方、受让方、生产方、中试项目和中试平台都没有投资、基金或资助。",
                q,
                {"id": f.ids[r]},
                tuple([f"{f.ids[r]} -DEVELOPS-> {f.ids[t]}" for t in ts] + det.note(r)),
                kind="institute",
                metrics={"technologies": len(ts)},
                settle=f"a record of the money behind '{det.nm(r)}' or its technologies' users (investsIn, "
                "grantsTo to it, its host, an adopter, a pilot project), or a source saying there is none",
            )
        )
    return gaps


@gap_type("broken_canal", en="broken canal", zh="转化链条断裂", cypher=Q.broken_canal, planter=plant_broken_canal, order=40)
def detect(ctx: GapContext) -> list[Gap]:
    """A research organisation, itself unbacked, none of whose technologies reaches capital."""
    return broken_canal(ctx.detector)
