"""Load a spec into a store: validate everything first, then write in idempotent batches.

Nothing is written when the input has a bad row (unless ``skip_bad``, which writes the
good rows and puts the bad ones in a reject file). Every write is an upsert keyed on
stable ids, so a re-run after a crash finishes the job without duplicates.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from canal.load import collect, read_spec
from canal.load.records import Reject
from canal.store.base import GraphStore

ProgressHook = Callable[[str, int, int], None]
"""Called as ``hook(stage, done, total)`` after each acknowledged batch."""


@dataclass
class LoadReport:
    """What a load did (or, with ``dry_run``, would do)."""

    spec: str
    nodes: Counter[str] = field(default_factory=Counter)
    relationships: Counter[str] = field(default_factory=Counter)
    new_nodes: int = 0
    existing_nodes: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_file: str | None = None
    seconds: float = 0.0
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "spec": self.spec,
            "dry_run": self.dry_run,
            "nodes": dict(sorted(self.nodes.items())),
            "relationships": dict(sorted(self.relationships.items())),
            "new_nodes": self.new_nodes,
            "existing_nodes": self.existing_nodes,
            "rejected": len(self.rejects),
            "reject_file": self.reject_file,
            "seconds": round(self.seconds, 3),
        }


def write_rejects(rejects: list[Reject], path: str | Path) -> None:
    """Write rejected rows as CSV: file, row, field, reason, record (JSON)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "field", "reason", "record"])
        for rj in rejects:
            w.writerow([rj.file, rj.row if rj.row is not None else "", rj.field or "", rj.reason, json.dumps(rj.record, ensure_ascii=False, sort_keys=True)])


def load_spec(
    store: GraphStore,
    spec_path: str | Path,
    *,
    skip_bad: bool = False,
    reject_file: str | Path | None = None,
    dry_run: bool = False,
    progress: ProgressHook | None = None,
) -> LoadReport:
    """Validate and load one loader spec into ``store``; returns a :class:`LoadReport`."""
    t0 = time.perf_counter()
    onto = store.ontology
    spec = read_spec(spec_path, onto)
    data = collect(spec, onto, skip_bad=skip_bad, known=store.existing)
    report = LoadReport(spec=str(spec_path), dry_run=dry_run, rejects=data.rejects)
    report.nodes = Counter(n.cls for n in data.nodes)
    report.relationships = Counter(onto.relation(r.type).type for r in data.relationships)
    present = store.existing(n.id for n in data.nodes)
    report.existing_nodes = len(present)
    report.new_nodes = len(data.nodes) - len(present)
    if data.rejects:
        out = Path(reject_file) if reject_file else Path(f"{Path(spec_path).stem}.rejects.csv")
        write_rejects(data.rejects, out)
        report.reject_file = str(out)
    if not dry_run:
        store.ensure_indexes()
        total = len(data.nodes) + len(data.relationships)
        done = 0

        def tick(stage: str) -> Callable[[int], None]:
            def hook(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(stage, done, total)

            return hook

        store.upsert_nodes(data.nodes, progress=tick("nodes"))
        store.upsert_relationships(data.relationships, progress=tick("relationships"))
    report.seconds = time.perf_counter() - t0
    return report
