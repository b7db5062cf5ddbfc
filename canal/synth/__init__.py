"""Synthetic canal graphs, seeded, with planted ground truth: one package for every generator.

* :mod:`canal.synth.graph`: :func:`synth_graph`, a healthy canal at any size with planted gaps of
  every registered gap type (the planters live with their gap types, :mod:`canal.gaps.types`,
  and are read from :mod:`canal.gaps.registry`); :func:`write_loader_input` and :func:`load_synth`.
* :mod:`canal.synth.match`: :func:`planted_graph`, a world of labs, technologies, enterprises and
  investors with planted true matches (adoptions and investments) for the matching evaluation.

``PLANTERS`` is the registry's gap type -> planter table, read on each access.
"""

from __future__ import annotations

from typing import Any

from canal.synth.graph import (
    COMPOSITION,
    PlantedGap,
    SynthBuilder,
    SynthResult,
    load_synth,
    make_alliance,
    reserve_segment_gaps,
    synth_graph,
    write_loader_input,
)
from canal.synth.match import PlantedResult, planted_graph

__all__ = [
    "COMPOSITION",
    "PlantedGap",
    "PlantedResult",
    "SynthBuilder",
    "SynthResult",
    "load_synth",
    "make_alliance",
    "planted_graph",
    "reserve_segment_gaps",
    "synth_graph",
    "write_loader_input",
]


def __getattr__(name: str) -> Any:
    if name == "PLANTERS":
        from canal.gaps.registry import planters

        return planters()
    if name == "Planter":
        from canal.gaps.registry import Planter

        return Planter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
