"""Every loader spec under loaders/ with the fixture folder it runs on in the tests (real rows where the
source's licence allows; see each folder's SOURCES.md). Used by test_sources and test_differential."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOADERS = ROOT / "loaders"
SOURCES = Path(__file__).parent / "fixtures" / "sources"

SPEC_FIXTURES: dict[str, Path | None] = {
    "cordis": SOURCES / "cordis",  # 114 real CORDIS rows (CC BY 4.0)
    "ror": SOURCES / "ror_real",  # 42 real ROR records (CC0)
    "kag_supplychain": SOURCES / "kag_real",  # real OpenSPG/KAG rows (Apache-2.0)
    "chainkg": SOURCES / "chainkg",  # upstream has no licence: rows written in its format
    "wikidata": SOURCES / "wikidata",  # SPARQL results in the shape of the spec's query
    "demo": None,  # ships its own curated data next to the spec
}
"""Spec stem -> fixture folder (``None``: the spec's data ships with it)."""


def spec_env(spec: Path) -> str | None:
    """The environment variable that points a spec at its data folder (``${CANAL_X:-...}``)."""
    names = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", spec.read_text(encoding="utf-8")))
    if len(names) > 1:
        raise AssertionError(f"{spec.name} reads several folders: {sorted(names)}")
    return next(iter(names), None)


def specs() -> list[Path]:
    """The spec files under loaders/, sorted."""
    return sorted(LOADERS.glob("*.yaml"))
