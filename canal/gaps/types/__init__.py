"""The built-in gap types, one module each (imported by :mod:`canal.gaps.registry` on first use).

A module registers its type with :func:`canal.gaps.registry.gap_type`, bundling the detector, the
Cypher builder, the synthetic planter and the English and Chinese names; see docs/ARCHITECTURE.md.
"""
