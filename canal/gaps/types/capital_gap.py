"""Gap type ``capital_gap`` (capital gap, 资本缺口): an adopting enterprise or a pilot project with no investor, fund or grant and no funded host.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.capital_gap`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector, clamp
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.gaps.schema import PILOT_OUT
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


def capital_gap(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    funded, backed = det.funded(), det.backed()
    tech = det.mask(s.tech_classes)
    # a technology carries capital when it, or one of its developers, is funded
    tech_cap = tech & funded
    m = f.edges_of("develops") & funded[f.src] & tech[f.dst]
    tech_cap[f.dst[m]] = True
    adopter = det.mask(s.adopter_classes) & (f.out_count("adopts") > 0)
    adopter &= f.out_count("adopts", dst_mask=tech_cap) == 0
    pilot = det.mask(s.pilot_subject_classes)
    pilot &= f.out_count(*PILOT_OUT, dst_mask=backed) == 0
    cand = (adopter | pilot) & ~backed
    adopted = det.grouped(("adopts",), cand, "src")
    q = Q.capital_gap(s)
    gaps = []
    for n in np.flatnonzero(cand).tolist():
        ts = adopted.get(n, [])
        if adopter[n]:
            kind, sev = "adopter", clamp(0.5 + 0.5 * min(1.0, len(ts) / 3))
            en = (f"'{det.nm(n)}' adopts {det.names(ts)} but has no investor, fund, grant or listing, no "
                  "funded host, and neither the technology nor its developer is funded.")
            zh = f"“{det.zh(n)}”采用了{det.names(ts, zh=True)}，但自身、所在园区、该技术及其研发方均无投资、基金、资助或上市。"
            settle = f"a record of who finances '{det.nm(n)}' (investsIn, grantsTo, listedOn), or a source saying nobody does"
        else:
            kind, sev = "pilot_project", 0.6
            en = f"Pilot project '{det.nm(n)}' has no investor, fund or grant, and neither its host nor its pilot platform is funded."
            zh = f"中试项目“{det.zh(n)}”没有任何投资、基金或资助，其承载方和中试平台也没有资金来源。"
            settle = f"a record of the money behind pilot project '{det.nm(n)}' or its host (grantsTo, investsIn)"
        gaps.append(
            Gap(
                "capital_gap",
                det.scope_of(n),
                sev,
                det.ids([n, *ts]),
                en,
                zh,
                q,
                {"id": f.ids[n]},
                tuple([f"{f.ids[n]} -ADOPTS-> {f.ids[t]}" for t in ts] + [f"no {'/'.join(s.capital_relations)} into {f.ids[n]}"] + det.note(n)),
                kind=kind,
                metrics={"adopted": len(ts)},
                settle=settle,
            )
        )
    return gaps


@gap_type("capital_gap", en="capital gap", zh="资本缺口", cypher=Q.capital_gap, planter=plant_capital_gap, order=30)
def detect(ctx: GapContext) -> list[Gap]:
    """An adopting enterprise or a pilot project with no investor, fund or grant and no funded host."""
    return capital_gap(ctx.detector)
