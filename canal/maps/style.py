"""Colours, shapes and legend texts of the maps, read from the ontology.

Colours come from ``canal:colour`` on the chain individuals and shapes from
``canal:shape`` on classes (a subclass inherits the nearest ancestor's shape), so a
change of presentation is a change of ``ontology/canal.ttl``.

>>> from canal.ontology import load_ontology
>>> style = map_style(load_ontology())
>>> style.shape("University"), style.shape("Technology"), style.shape("Alliance")
('dot', 'diamond', 'hexagon')
>>> style.chain_of("GovernmentGuidanceFund"), style.colour_of("GovernmentGuidanceFund")
('capital', '#33a02c')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Literal

from canal.ontology import CANAL, Ontology

SHAPES = ("dot", "diamond", "star", "triangle", "triangleDown", "square", "hexagon")
"""vis-network shapes whose label sits below the node (the only ones a map uses)."""

DEFAULT_COLOURS = {"innovation": "#1f78b4", "industrial": "#ff7f00", "capital": "#33a02c", "bridge": "#7f7f7f"}
"""Fallback chain colours for an ontology without ``canal:colour``."""

UNKNOWN_COLOUR = "#bbbbbb"
GAP_COLOUR = "#e31a1c"
"""Border and halo of nodes that take part in a gap."""
MATCH_COLOUR = "#6a3d9a"
"""Dashed edges of proposed matches."""
CHAIN_ORDER = ("innovation", "industrial", "capital", "bridge")


@dataclass(frozen=True)
class MapStyle:
    """Presentation derived from one ontology."""

    onto: Ontology
    colours: dict[str, str]
    shapes: dict[str, str]

    def chain_of(self, cls: str) -> str:
        """Chain key of a class (``bridge`` when the ontology states none)."""
        if cls not in self.onto.classes:
            return "bridge"
        return self.onto.chain_of(cls) or "bridge"

    def colour_of(self, cls: str) -> str:
        """Colour of a class: the colour of its chain."""
        return self.colours.get(self.chain_of(cls), UNKNOWN_COLOUR)

    def shape(self, cls: str) -> str:
        """Shape of a class: its own ``canal:shape`` or the nearest ancestor's."""
        if cls not in self.onto.classes:
            return "dot"
        for c in (cls, *self.onto.ancestors(cls)):
            if c in self.shapes:
                return self.shapes[c]
        return "dot"

    def class_entry(self, cls: str) -> dict[str, Any]:
        """Legend entry of a class (English and Chinese label and definition)."""
        info = self.onto.classes.get(cls)
        return {
            "cls": cls,
            "en": info.label_en if info else (cls or "no class"),
            "zh": info.label_zh if info else ("" if cls else "未分类"),
            "def_en": info.definition_en if info else "",
            "def_zh": info.definition_zh if info else "",
            "chain": self.chain_of(cls),
            "stage": (self.onto.stage_of(cls) or "") if info else "",
            "shape": self.shape(cls),
            "colour": self.colour_of(cls),
        }

    def chain_entries(self) -> list[dict[str, str]]:
        """Legend entries of the chains, in canal order."""
        keys = [k for k in CHAIN_ORDER if k in self.onto.chains] + sorted(set(self.onto.chains) - set(CHAIN_ORDER))
        if "bridge" not in keys:
            keys.append("bridge")
        out = []
        for k in keys:
            info = self.onto.chains.get(k)
            out.append({"key": k, "en": info.label_en if info else k, "zh": info.label_zh if info else "", "colour": self.colours.get(k, UNKNOWN_COLOUR)})
        return out

    def stage_entries(self) -> list[dict[str, str]]:
        """Stages in canal order with their English and Chinese labels."""
        return [{"key": k, "en": self.onto.stages[k].label_en, "zh": self.onto.stages[k].label_zh} for k in self.onto.stage_order]


_CACHE: dict[int, tuple[Ontology, MapStyle]] = {}


def map_style(onto: Ontology) -> MapStyle:
    """The :class:`MapStyle` of an ontology (cached per ontology object)."""
    hit = _CACHE.get(id(onto))
    if hit is not None and hit[0] is onto:
        return hit[1]
    style = _build_style(onto)
    _CACHE[id(onto)] = (onto, style)
    return style


def _build_style(onto: Ontology) -> MapStyle:
    g = onto.graph
    colours = dict(DEFAULT_COLOURS)
    for chain in onto.chains.values():
        value = g.value(chain.iri, CANAL.colour)
        if isinstance(value, Literal):
            colours[chain.key] = str(value)
    shapes: dict[str, str] = {}
    for name, info in onto.classes.items():
        value = g.value(info.iri, CANAL.shape)
        if isinstance(value, Literal) and str(value) in SHAPES:
            shapes[name] = str(value)
    return MapStyle(onto, colours, shapes)
