"""CLI command modules: every module here defines ``register(main)``.

Each area of canal (gaps, maps, matching, queries, ...) keeps its commands in its own
module. :data:`COMMANDS` names which module holds which top-level command, with the
one-line help ``canal --help`` shows, so that ``canal --help`` and ``canal query`` import
only what they run (``tests/test_cli_house.py`` checks the table against the modules).
Shared helpers live in :mod:`canal.commands._support`.
"""

from __future__ import annotations

#: command name -> (module under canal.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("core", "Build the demo graph (the seed canal systems), print a summary, write the maps."),
    "export": ("exchange", "Export the whole graph: Turtle, JSON-LD, GraphML, GEXF (Gephi, Gephi Lite) or CSV node/edge lists."),
    "extract": ("extract", "Find organisations, technologies, money, dates, places and their relations in Chinese and English articles (text, Markdown, HTML), each with its evidence."),
    "gaps": ("gaps", "Chain gaps of the graph, worst first: stranded technologies, missing pilot stages, capital gaps, broken canals, alliance role gaps, segment gaps (补链), broker risks, structural holes."),
    "import": ("exchange", "Import a whole graph (RDF Turtle/JSON-LD/N-Triples, GraphML, GEXF, or a folder of nodes.csv and edges.csv), validated before anything is written."),
    "load": ("load", "Validate a loader SPEC and load its sources (all or nothing, unless --skip-bad)."),
    "load-log": ("load", "The load log kept in the database (one row per load)."),
    "map": ("map", "Write an interactive, self-contained HTML map of the graph (works offline)."),
    "match": ("match", "Rank candidate partners with per-signal contributions, reasons (English and Chinese) and evidence Cypher."),
    "merges": ("load", "Entity-resolution merges recorded in the database."),
    "queries": ("queries", "Saved Cypher queries: the questions of the field, ready to run."),
    "query": ("core", "Run a Cypher query (read-only unless --write)."),
    "shell": ("shell", "Interactive Cypher prompt: end a query with ';', :help for commands, :schema for the schema."),
    "stats": ("core", "Node counts per chain and class, relationship counts per type."),
    "synth": ("synth", "Generate a synthetic canal graph with planted gaps (and their ground truth)."),
    "unmerge": ("load", "Undo a merge: restore the absorbed record as its own node."),
    "validate": ("core", "Validate the graph against the SHACL shapes (exit 1 if it does not conform)."),
}
