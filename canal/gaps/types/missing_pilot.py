"""Gap type ``missing_pilot`` (missing pilot stage, 缺少中试环节): an industrialised technology never piloted, with no pilot platform in its regions or fields.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.missing_pilot`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector, clamp
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


def missing_pilot(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    tech = det.mask(s.tech_classes)
    adopters = det.mask(s.adopter_classes)
    used = (f.in_count("adopts") > 0) | (f.out_count("transferredTo", "licensedTo", dst_mask=adopters) > 0)
    piloted = (f.out_count("pilotedAt") > 0) | (f.in_count("basedOn", src_mask=det.mask(s.pilot_subject_classes)) > 0)
    # the canal question (research result to industry) needs a research-stage developer
    from_research = f.in_count("develops", src_mask=det.mask(s.research_org_classes)) > 0
    cand = tech & used & ~piloted & from_research
    if not cand.any():
        return []
    users_in = det.grouped(("adopts",), cand, "dst")
    m = f.edges_of("transferredTo", "licensedTo") & cand[f.src] & adopters[f.dst]
    users: dict[int, list[int]] = {k: list(v) for k, v in users_in.items()}
    for t, o in zip(f.src[m].tolist(), f.dst[m].tolist(), strict=True):
        users.setdefault(t, [])
        if o not in users[t]:
            users[t].append(o)
    platforms = np.flatnonzero(det.mask(s.pilot_platform_classes)).tolist()
    p_regions = {f.region[p] for p in platforms if f.region[p]}
    p_fields = {x for p in platforms for x in f.fields.get(p, ())}
    q = Q.missing_pilot(s)
    gaps = []
    for t in np.flatnonzero(cand).tolist():
        us = sorted(users.get(t, []), key=lambda i: f.ids[i])
        regions: set[str] = {r for u in [t, *us] if (r := f.region[u])}
        if regions & p_regions or set(f.fields.get(t, ())) & p_fields:
            continue
        gaps.append(
            Gap(
                "missing_pilot",
                det.scope_of(t),
                clamp(0.5 + 0.5 * min(1.0, len(us) / 3)),
                det.ids([t, *us]),
                f"'{det.nm(t)}' went into use at {det.names(us)} without any pilot-scale test or pilot project, and no pilot "
                f"platform works in its regions ({', '.join(sorted(regions)) or 'none known'}) or fields.",
                f"“{det.zh(t)}”未经中试即被{det.names(us, zh=True)}采用，其所在地区"
                f"（{'、'.join(sorted(regions)) or '未知'}）和领域均无中试平台。",
                q,
                {"id": f.ids[t]},
                tuple([f"{f.ids[u]} uses {f.ids[t]}" for u in us] + [f"no PILOTED_AT from {f.ids[t]}, no pilot project BASED_ON it"] + det.note(t)),
                kind="technology",
                metrics={"users": len(us), "regions": sorted(regions)},
                settle=f"a record of the pilot-scale test of '{det.nm(t)}' (pilotedAt a platform, or a pilot "
                "project basedOn it), or a source saying it went to production without one",
            )
        )
    return gaps


@gap_type("missing_pilot", en="missing pilot stage", zh="缺少中试环节", cypher=Q.missing_pilot, planter=plant_missing_pilot, order=20)
def detect(ctx: GapContext) -> list[Gap]:
    """An industrialised technology never piloted, with no pilot platform in its regions or fields."""
    return missing_pilot(ctx.detector)
