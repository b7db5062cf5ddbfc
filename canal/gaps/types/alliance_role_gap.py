"""Gap type ``alliance_role_gap`` (alliance role gap, 联盟角色缺位): an alliance missing a chain (innovation, industrial, capital), or whose members are not tied.

One module per gap type (see :mod:`canal.gaps.registry`): the detector (array passes over the frame, with the shared :class:`canal.gaps.detect.Detector`) is below, the Cypher is
:func:`canal.gaps.cypher.alliance_missing_chain`, the synthetic planter too. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from canal.gaps import cypher as Q
from canal.gaps.detect import Detector, clamp
from canal.gaps.model import Gap
from canal.gaps.registry import GapContext, gap_type
from canal.gaps.schema import CHAIN_ZH, CHAINS, TIE_RELATIONS
from canal.synth.graph import SynthBuilder, make_alliance


def plant_alliance_gaps(b: SynthBuilder, k: int) -> None:
    """Alliances missing the capital chain, and alliances whose members never link."""
    for _ in range(k):
        a, _ = make_alliance(b, chains=("innovation", "industrial"), linked=True)
        b.plant("alliance_role_gap", "missing_chain", f"alliance:{b.ids[a]}", [a])
        a, _ = make_alliance(b, chains=("innovation", "industrial", "capital"), linked=False, avoid_adjacent=True)
        b.plant("alliance_role_gap", "no_links", f"alliance:{b.ids[a]}", [a])


def linked_alliances(det: Detector, members: dict[int, list[int]]) -> set[int]:
    """Alliances with two members tied by a tie relation, directly or through a path of technologies,
    products, patents or projects (never through another organisation, such as a funder of everyone)."""
    import igraph as ig  # type: ignore[import-untyped]

    f, s = det.f, det.s
    member_of: dict[int, set[int]] = defaultdict(set)
    for a, ms in members.items():
        for o in ms:
            member_of[o].add(a)
    if not member_of:
        return set()
    is_member = np.zeros(f.n, dtype=bool)
    is_member[np.fromiter(member_of, dtype=np.int64)] = True
    inter = det.mask(s.tie_intermediates)
    tie = f.edges_of(*TIE_RELATIONS) & (f.src != f.dst)
    linked: set[int] = set()
    em = tie & is_member[f.src] & is_member[f.dst]
    for u, v in zip(f.src[em].tolist(), f.dst[em].tolist(), strict=True):
        linked |= member_of[u] & member_of[v]
    im = tie & inter[f.src] & inter[f.dst]
    g = ig.Graph(n=f.n, edges=np.column_stack([f.src[im], f.dst[im]]).astype(np.int64), directed=False)
    comp = np.asarray(g.connected_components().membership, dtype=np.int64)
    touch: dict[int, set[int]] = defaultdict(set)  # member -> components of intermediates it touches
    for side_m, side_i in ((f.src, f.dst), (f.dst, f.src)):
        mm = tie & is_member[side_m] & inter[side_i]
        for o, i in zip(side_m[mm].tolist(), comp[side_i[mm]].tolist(), strict=True):
            touch[o].add(i)
    for a, ms in members.items():
        if a in linked:
            continue
        seen: set[int] = set()
        for o in dict.fromkeys(ms):
            cs = touch.get(o, set())
            if cs & seen:
                linked.add(a)
                break
            seen |= cs
    return linked

def alliance_role_gap(det: Detector) -> list[Gap]:
    f, s = det.f, det.s
    members = det.alliance_members()
    linked = linked_alliances(det, members)
    gaps = []
    for a in sorted(members, key=lambda i: f.ids[i]):
        ms = members[a]
        present = {s.chain(f.class_of(o)) for o in ms}
        missing = [ch for ch in CHAINS if ch not in present]
        nodes = det.ids([a, *ms])
        if not ms:
            gaps.append(
                Gap(
                    "alliance_role_gap",
                    f"alliance:{f.ids[a]}",
                    0.3,
                    nodes,
                    f"Alliance '{det.nm(a)}' has no recorded members, so canal cannot tell which chains it joins.",
                    f"联盟“{det.zh(a)}”没有记录在案的成员，无法判断其覆盖哪几条链。",
                    Q.alliance_missing_chain(s, CHAINS),
                    {"id": f.ids[a]},
                    ("no memberOf/participatesIn/leads into the alliance", *det.note(a)),
                    kind="no_members",
                    metrics={"members": 0, "missing": list(CHAINS)},
                    settle=f"the member list of '{det.nm(a)}' (memberOf)",
                )
            )
        elif missing:
            gaps.append(
                Gap(
                    "alliance_role_gap",
                    f"alliance:{f.ids[a]}",
                    clamp(0.4 + 0.2 * len(missing)),
                    nodes,
                    f"Alliance '{det.nm(a)}' has {len(ms)} members but none from the {' or '.join(missing)} chain.",
                    f"联盟“{det.zh(a)}”有{len(ms)}个成员，但没有来自{'、'.join(CHAIN_ZH[c] for c in missing)}的成员。",
                    Q.alliance_missing_chain(s, missing),
                    {"id": f.ids[a]},
                    tuple(f"{f.ids[o]} ({f.class_of(o)}, {s.chain(f.class_of(o))}) is a member" for o in ms) + tuple(det.note(a)),
                    kind="missing_chain",
                    metrics={"members": len(ms), "missing": missing},
                    settle=f"the full member list of '{det.nm(a)}', or a source saying it has no "
                    f"{' or '.join(missing)}-chain member",
                )
            )
        if len(ms) >= 2 and a not in linked:
            gaps.append(
                Gap(
                    "alliance_role_gap",
                    f"alliance:{f.ids[a]}",
                    clamp(0.5 + 0.5 * min(1.0, len(ms) / 10)),
                    nodes,
                    f"The {len(ms)} members of alliance '{det.nm(a)}' ({det.names(ms)}) are not tied to one "
                    "another: no development, adoption, licensing, transfer, investment or joint project links any two.",
                    f"联盟“{det.zh(a)}”的{len(ms)}个成员（{det.names(ms, zh=True)}）之间没有研发、采用、许可、转让、"
                    "投资或共同项目等任何联系。",
                    Q.alliance_no_links(s),
                    {"id": f.ids[a]},
                    (f"no tie path between any two of {len(ms)} members", *tuple(det.note(a))),
                    kind="no_links",
                    metrics={"members": len(ms)},
                    settle=f"records of what the members of '{det.nm(a)}' do together (joint projects, "
                    "licences, investments, collaborations)",
                )
            )
    return gaps


@gap_type("alliance_role_gap", en="alliance role gap", zh="联盟角色缺位", cypher=Q.alliance_missing_chain, planter=plant_alliance_gaps, order=50)
def detect(ctx: GapContext) -> list[Gap]:
    """An alliance missing a chain (innovation, industrial, capital), or whose members are not tied."""
    return alliance_role_gap(ctx.detector)
