"""Declarative loaders: a spec (YAML) maps source files to model records.

Loaders read files and yield validated :class:`~canal.model.Node` and
:class:`~canal.model.Relationship` records; they never touch a store.
"""

from canal.load.readers import read_table
from canal.load.records import Reject, collect
from canal.load.spec import LoaderSpec, read_spec

__all__ = ["LoaderSpec", "Reject", "collect", "read_spec", "read_table"]
