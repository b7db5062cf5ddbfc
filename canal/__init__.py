"""canal: the canal system from IP to IPO as a graph.

Library first: load sources under an OWL ontology into a graph store, then query,
validate, export and map it. The CLI (``canal``) is a thin wrapper over this API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from canal.errors import (
    CanalError,
    ConfigError,
    LoaderError,
    QueryError,
    ReadOnlyError,
    SchemaError,
    StoreError,
    StoreLockedError,
    ValidationError,
)

if TYPE_CHECKING:
    from canal.ontology import Ontology, load_ontology
    from canal.settings import Settings
    from canal.store import open_store

# The ontology (rdflib) and the stores are imported when first used, so that ``import canal``
# and ``canal --help`` stay fast.
_LAZY = {
    "Ontology": "canal.ontology",
    "load_ontology": "canal.ontology",
    "Settings": "canal.settings",
    "open_store": "canal.store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'canal' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "CanalError",
    "ConfigError",
    "LoaderError",
    "Ontology",
    "QueryError",
    "ReadOnlyError",
    "SchemaError",
    "Settings",
    "StoreError",
    "StoreLockedError",
    "ValidationError",
    "__version__",
    "load_ontology",
    "open_store",
]

