"""A compact, array-based view of a canal graph (bottom layer: numpy only).

Node ``i`` is ``ids[i]`` of class ``classes[cls[i]]``; edge ``k`` is
``src[k] -types[etype[k]]-> dst[k]``. Stores fill it (``canal.store.bulk_read``);
analyses extend it (``canal.gaps.frame.CanalFrame``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass
class GraphArrays:
    """Nodes and relationships as arrays, plus the few node attributes analyses read."""

    ids: list[str]
    cls: npt.NDArray[np.int32]
    classes: list[str]
    src: npt.NDArray[np.int32]
    dst: npt.NDArray[np.int32]
    etype: npt.NDArray[np.int16]
    types: list[str]
    region: list[str | None] = field(default_factory=list)
    fields: dict[int, tuple[str, ...]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    trl: dict[int, int] = field(default_factory=dict)
    names_zh: dict[int, str] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
