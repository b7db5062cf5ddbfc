"""Gap type ``broker_risk`` (broker risk, 单点中介风险): one node that cuts innovation nodes off from capital, or that carries most of the graph's betweenness.

One module per gap type (see :mod:`canal.gaps.registry`): the detector is :func:`canal.gaps.network.broker_risk` (igraph: articulation points and sampled betweenness), the Cypher is
:func:`canal.gaps.cypher.node_set`, the synthetic planter is below. Severity: see :mod:`canal.gaps.detect`.
"""

from __future__ import annotations

from canal.gaps import cypher as Q
from canal.gaps.model import Gap
from canal.gaps.network import broker_risk
from canal.gaps.registry import GapContext, gap_type
from canal.synth.graph import SynthBuilder, free_enterprise


def plant_broker(b: SynthBuilder, k: int) -> None:
    """Innovation clusters reachable only through one transfer centre (also stranded, broken, hole)."""
    regions = b.info["regions"]
    for _ in range(k):
        r = regions[int(b.rng.integers(len(regions)))]
        broker = b.node("TechnologyTransferCentre", region=r)
        b.edge(broker, "locatedIn", b.info["region_nodes"][r])
        b.edge(broker, "collaboratesWith", free_enterprise(b))
        inst = b.node("ResearchInstitute", region=r)
        lab = b.node("Laboratory", region=r)
        b.edge(lab, "subOrganisationOf", inst)
        b.edge(broker, "collaboratesWith", inst)
        b.edge(broker, "collaboratesWith", lab)
        ts = []
        for _ in range(3):
            t = b.node("Technology", region=r, field=["field-cluster"], trl=5)
            b.edge(inst, "develops", t)
            b.edge(lab, "develops", t)
            ts.append(t)
        b.plant("broker_risk", "articulation", "", [broker, *ts, inst, lab])
        for t in ts:
            b.plant("stranded_technology", "technology", "", [t, inst, lab])
        b.plant("broken_canal", "institute", "", [inst, *ts])
        b.plant("broken_canal", "institute", "", [lab, *ts])
        b.plant("structural_hole", "innovation", "", [inst, lab, *ts])


@gap_type("broker_risk", en="broker risk", zh="单点中介风险", cypher=Q.node_set, planter=plant_broker, order=70)
def detect(ctx: GapContext) -> list[Gap]:
    """One node that cuts innovation nodes off from capital, or that carries most of the graph's betweenness."""
    o = ctx.options
    return broker_risk(
        ctx.frame,
        ctx.graph(),
        min_cut=o["min_cut"],
        concentration=o["concentration"],
        betweenness_samples=o["betweenness_samples"],
        max_nodes=o["max_nodes"],
        seed=o["seed"],
    )
