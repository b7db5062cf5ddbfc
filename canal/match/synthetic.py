"""The matching evaluation's synthetic world, now in :mod:`canal.synth.match` (one generator package);
this module re-exports it so ``canal.match.synthetic.planted_graph`` keeps working."""

from __future__ import annotations

from canal.synth.match import GENERIC_EN, GENERIC_ZH, PROVINCES, TOPICS, PlantedResult, planted_graph

__all__ = ["GENERIC_EN", "GENERIC_ZH", "PROVINCES", "TOPICS", "PlantedResult", "planted_graph"]
