"""CLI command modules: every module here defines ``register(main)``.

Each area of canal (gaps, maps, matching, queries, ...) keeps its commands in its own
module; :mod:`canal.cli` discovers them, so adding a command touches no shared file.
"""
