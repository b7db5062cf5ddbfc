"""Where the ontology and the loader specs live.

In a source checkout they are the top-level ``ontology/`` and ``loaders/`` folders; in an
installed wheel they are copied into the package as ``canal/_data/ontology`` and
``canal/_data/loaders``. Code asks this module and never builds the paths itself.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"canal data folder {name!r} not found next to {_PKG}")


def ontology_dir() -> Path:
    """Folder holding ``canal.ttl`` and ``shapes.ttl``."""
    return _find("ontology")


def loaders_dir() -> Path:
    """Folder holding the shipped loader specs (``demo.yaml`` ...)."""
    return _find("loaders")


def ontology_file() -> Path:
    """The OWL ontology in Turtle."""
    return ontology_dir() / "canal.ttl"


def shapes_file() -> Path:
    """The SHACL shapes in Turtle."""
    return ontology_dir() / "shapes.ttl"


def demo_spec() -> Path:
    """The loader spec of the demo graph."""
    return loaders_dir() / "demo.yaml"
