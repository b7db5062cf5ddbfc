"""The gap-type registry: one module per gap type, registered with a decorator.

A gap type bundles its detector (a function of a :class:`GapContext`), the Cypher builder that
shows one of its gaps on the store, its synthetic planter (``planter(builder, count)``, see
:mod:`canal.synth`) and its English and Chinese names. :func:`canal.gaps.find_gaps`, ``canal gaps
--type``, :func:`canal.synth.synth_graph` and the docs read the registry; the built-in types live
in :mod:`canal.gaps.types` (one module each) and are imported on first use.

>>> from canal.gaps.registry import gap_type, gap_types, get_gap_type, unregister_gap_type
>>> @gap_type("lonely_region", en="lonely region", zh="孤立地区", order=900)
... def lonely(ctx):
...     return []
>>> gap_types()[-1], get_gap_type("lonely_region").label_zh
('lonely_region', '孤立地区')
>>> unregister_gap_type("lonely_region")
>>> "lonely_region" in gap_types()
False
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from canal.errors import ConfigError

if TYPE_CHECKING:
    from canal.gaps.detect import Detector
    from canal.gaps.frame import CanalFrame
    from canal.gaps.model import Gap

Planter = Callable[[Any, int], None]
"""A planter adds structures (and their truth records) to a :class:`canal.synth.SynthBuilder`: ``planter(builder, count)``."""


@dataclass
class GapContext:
    """What a detector may use: the frame, the shared array :class:`Detector`, the simple igraph
    graph (built once, on first use) and the options of :func:`canal.gaps.find_gaps`."""

    frame: CanalFrame
    detector: Detector
    options: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] | None = None
    _graph: list[Any] = field(default_factory=list)

    def graph(self) -> Any:
        """The frame as a simple undirected igraph graph (see :func:`canal.gaps.network.simple_graph`)."""
        if not self._graph:
            from canal.gaps.network import simple_graph

            t = time.perf_counter()
            self._graph.append(simple_graph(self.frame))
            if self.timings is not None:
                self.timings["igraph"] = round(time.perf_counter() - t, 3)
        return self._graph[0]


Detect = Callable[[GapContext], "list[Gap]"]


@dataclass(frozen=True)
class GapType:
    """One registered gap type."""

    name: str
    label_en: str
    label_zh: str
    detect: Detect
    cypher: Callable[..., str] | None = None
    planter: Planter | None = None
    order: int = 1000
    module: str = ""

    @property
    def labels(self) -> tuple[str, str]:
        """(English, Chinese) name."""
        return (self.label_en, self.label_zh)


_REGISTRY: dict[str, GapType] = {}
_LOADED: list[bool] = []


def register_gap_type(gap: GapType) -> GapType:
    """Add ``gap`` to the registry (a name can be registered once; unregister it first to replace it)."""
    _load_builtins()
    if gap.name in _REGISTRY:
        raise ConfigError(f"gap type {gap.name!r} is already registered (by {_REGISTRY[gap.name].module})")
    _REGISTRY[gap.name] = gap
    return gap


def gap_type(
    name: str,
    *,
    en: str,
    zh: str,
    cypher: Callable[..., str] | None = None,
    planter: Planter | None = None,
    order: int = 1000,
) -> Callable[[Detect], Detect]:
    """Decorator registering a detector as gap type ``name`` with its names, Cypher builder and planter.

    ``order`` places the type in canal order (built-in types use 10..80; research first, network
    structure last); gaps of equal severity are listed in that order and planters run in it.
    """

    def deco(fn: Detect) -> Detect:
        register_gap_type(GapType(name, en, zh, fn, cypher, planter, order, getattr(fn, "__module__", "")))
        return fn

    return deco


def unregister_gap_type(name: str) -> None:
    """Remove gap type ``name`` (unknown names are ignored)."""
    _REGISTRY.pop(name, None)


def _load_builtins() -> None:
    if _LOADED:
        return
    _LOADED.append(True)  # first, so the modules' own registrations do not recurse
    import canal.gaps.types as pkg

    try:
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    except BaseException:
        _LOADED.clear()  # never leave a half-filled registry behind
        raise


def registered() -> list[GapType]:
    """Every registered gap type, in canal order."""
    _load_builtins()
    return sorted(_REGISTRY.values(), key=lambda g: (g.order, g.name))


def gap_types() -> tuple[str, ...]:
    """Names of the registered gap types, in canal order."""
    return tuple(g.name for g in registered())


def gap_labels() -> dict[str, tuple[str, str]]:
    """English and Chinese names of the registered gap types."""
    return {g.name: g.labels for g in registered()}


def get_gap_type(name: str) -> GapType:
    """The registered gap type ``name`` (:class:`ConfigError` naming the choices if unknown)."""
    _load_builtins()
    if name not in _REGISTRY:
        raise ConfigError(f"unknown gap type(s) {name} (choose from {', '.join(gap_types())})")
    return _REGISTRY[name]


def planters() -> dict[str, Planter]:
    """The planters of the registered gap types that have one, in canal order."""
    return {g.name: g.planter for g in registered() if g.planter is not None}
