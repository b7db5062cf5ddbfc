"""canal: the canal system from IP to IPO as a graph.

Library first: load sources under an OWL ontology into a graph store, then query,
validate, export and map it. The CLI (``canal``) is a thin wrapper over this API.
"""

from __future__ import annotations

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
from canal.ontology import Ontology, load_ontology
from canal.settings import Settings
from canal.store import open_store

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

