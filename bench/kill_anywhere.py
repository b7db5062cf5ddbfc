"""Kill-anywhere benchmark: SIGKILL a ``--bulk`` load and ``canal import`` at random moments.

For each kind of load, a clean run is timed first (from the moment its embedded server is
up to its exit); then ``--kills`` runs are each killed (SIGKILL) at a moment drawn
uniformly from that span (seeded). After every kill the database must open, twice (a
journal FalkorDB cannot replay fails from the second open on), and running the same
command again must give exactly the graph of a clean run, compared through a canonical
sorted export. Imports rotate through Turtle, GraphML, GEXF and CSV.

Prints JSON: per kind, how many kills hit the command, opened every time, and how many
reruns equalled the clean graph, with the state each kill left (empty / complete / partial).

    python bench/kill_anywhere.py --nodes 40000 --kills 10 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.killing import (
    RACES,
    canal_cmd,
    canonical,
    digest,
    open_retrying,
    opens,
    run_and_kill,
    run_timed,
    write_source,
)


def _count(db: Path) -> int:
    with open_retrying(db) as s:
        c = s.counts()
        return c.total_nodes + c.total_relationships


def trial(kind: str, cmd_of: Any, work: Path, clean_digest: str, full: int, span: float, rng: random.Random, i: int, mark: str = "server") -> dict[str, Any]:
    db = work / f"{kind}-{i}.db"
    after = rng.uniform(0.0, span)
    killed = run_and_kill(cmd_of(db), db, after, mark=mark)
    errors = opens(db, 2)
    row: dict[str, Any] = {"kill_after_s": round(after, 3), "hit": killed.hit, "opened": not errors, "errors": errors[:1]}
    if not killed.hit:
        row["ended_before_kill_with"] = killed.returncode
    if not errors:
        n = _count(db)
        row["state"] = "empty" if n == 0 else "complete" if n == full else "partial"
        rerun = run_timed(cmd_of(db), db)
        row["rerun_exit"] = rerun.returncode
        row["rerun_equal"] = rerun.returncode == 0 and digest(canonical(db)) == clean_digest
        if rerun.returncode:
            row["rerun_error"] = rerun.stderr.strip().splitlines()[-1:]
        row["opened_after_rerun"] = not opens(db, 2)
    for p in work.glob(f"{kind}-{i}.db*"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=40000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--only", choices=["bulk", "import"], default=None, help="run one kind of load")
    ap.add_argument(
        "--import-moment",
        choices=["any", "writing"],
        default="any",
        help="imports: kill at any moment of the work (most of it is parsing), or only once records are being written",
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="canal-kill-"))
    t0 = time.monotonic()
    out: dict[str, Any] = {"nodes": args.nodes, "kills": args.kills, "seed": args.seed}
    try:
        spec = write_source(work / "src", args.nodes, seed=args.seed)

        def bulk_cmd(db: Path) -> list[str]:
            return canal_cmd(db, "load", "--bulk", str(spec))

        clean = work / "clean-bulk.db"
        timed = run_timed(bulk_cmd(clean), clean)
        assert timed.returncode == 0, timed.stderr
        clean_text = canonical(clean)
        full = _count(clean)
        out["bulk"] = {"clean_work_seconds": round(timed.work_seconds, 3), "records": full, "trials": []}
        for i in range(args.kills if args.only != "import" else 0):
            out["bulk"]["trials"].append(trial("bulk", bulk_cmd, work, digest(clean_text), full, timed.work_seconds, rng, i))

        # import: the clean bulk graph exported in four formats
        files = {}
        for fmt in ("ttl", "graphml", "gexf", "csv"):
            target = work / ("export-csv" if fmt == "csv" else f"export.{fmt}")
            r = run_timed(canal_cmd(clean, "export", "--format", fmt, "-o", str(target)), clean)
            assert r.returncode == 0, r.stderr
            files[fmt] = target
        out["import"] = {"trials": [], "clean_work_seconds": {}}
        cleans = {}
        for fmt, f in files.items():
            db = work / f"clean-import-{fmt}.db"
            r = run_timed(canal_cmd(db, "import", str(f)), db, mark="server" if args.import_moment == "any" else "writing")
            assert r.returncode == 0, r.stderr
            cleans[fmt] = (digest(canonical(db)), _count(db), r.work_seconds)
            out["import"]["clean_work_seconds"][fmt] = round(r.work_seconds, 3)
        fmts = list(files)
        out["import"]["moment"] = args.import_moment
        for i in range(args.kills if args.only != "bulk" else 0):
            fmt = fmts[i % len(fmts)]
            d, n, span = cleans[fmt]

            def import_cmd(db: Path, f: Path = files[fmt]) -> list[str]:
                return canal_cmd(db, "import", str(f))

            row = trial("import", import_cmd, work, d, n, span, rng, i, mark="server" if args.import_moment == "any" else "writing")
            row["format"] = fmt
            out["import"]["trials"].append(row)
        for kind in ("bulk", "import"):
            trials = out[kind]["trials"]
            if not trials:
                continue
            out[kind]["summary"] = {
                "kills": len(trials),
                "hit_while_running": sum(t["hit"] for t in trials),
                "opened_every_time": sum(t["opened"] for t in trials),
                "rerun_equal_to_clean": sum(bool(t.get("rerun_equal")) for t in trials),
                "states": {s: sum(t.get("state") == s for t in trials) for s in ("empty", "partial", "complete")},
            }
    finally:
        out["open_race_retries"] = RACES[0]  # "Connection refused" at start-up, retried (issue 12)
        out["seconds"] = round(time.monotonic() - t0, 1)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            out["work"] = str(work)
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
