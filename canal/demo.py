"""The demo canal graph: the seed articles' systems, loaded like any user's data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from canal.ingest import LoadReport, ProgressHook, load_spec
from canal.maps import write_map
from canal.resources import demo_spec
from canal.store.base import Counts, GraphStore

DMTO_ID = "dmto"
"""Id of the DMTO technology in the demo graph."""


@dataclass
class DemoResult:
    """What :func:`run_demo` built."""

    report: LoadReport
    counts: Counts
    maps: list[Path]


def run_demo(
    store: GraphStore,
    *,
    out: str | Path = "canal-demo.html",
    ego_out: str | Path | None = "canal-demo-dmto.html",
    progress: ProgressHook | None = None,
) -> DemoResult:
    """Load the demo spec into ``store`` and write the demo maps.

    Idempotent: a second run upserts the same records and leaves the counts unchanged.
    """
    report = load_spec(store, demo_spec(), progress=progress)
    counts = store.counts()
    maps = [write_map(store.to_networkx(), out, ontology=store.ontology, title="canal demo: the seed canal systems / 运河体系示例")]
    if ego_out is not None:
        ids = store.neighbourhood([DMTO_ID], depth=2)
        maps.append(
            write_map(
                store.to_networkx(ids), ego_out, ontology=store.ontology, focus=DMTO_ID,
                title="canal demo: around DMTO, two hops / DMTO 甲醇制烯烃技术周边两跳",
            )
        )
    return DemoResult(report, counts, maps)
