"""A coordinator's answer flows back: gap and match decisions recorded in the graph, honoured later,
kept through a reload of the demo and an export -> import round trip, flagged on maps; the data/canal
filter in every output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from canal.gaps import find_gaps
from canal.maps import map_data
from canal.store import GraphStore, open_store
from tests.conftest import canal_cmd


def _gaps(db: str, *args: str) -> list[dict[str, Any]]:
    res = canal_cmd("--db", db, "gaps", "--format", "json", *args)
    assert res.returncode == 0, res.stderr
    out: list[dict[str, Any]] = json.loads(res.stdout)
    return out


def test_basis_and_type_filters_work_in_table_json_and_csv(demo_store: GraphStore) -> None:
    db = demo_store.settings.db
    demo_store.close()
    every = _gaps(db)
    assert every and all(g["basis"] in ("data", "canal") and g["settle"] for g in every)
    data = _gaps(db, "--basis", "data", "--type", "missing_pilot")
    assert data and {(g["type"], g["basis"]) for g in data} == {("missing_pilot", "data")}
    assert _gaps(db, "--basis", "canal") == []
    res = canal_cmd("--db", db, "gaps", "--format", "csv", "--basis", "data", "--type", "segment_gap")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and {(r["type"], r["basis"]) for r in rows} == {("segment_gap", "data")}
    assert all(r["id"].startswith("gap-") and r["settle"] for r in rows)
    res = canal_cmd("--db", db, "gaps", "--basis", "data", "--type", "capital_gap")
    assert res.returncode == 0 and "capital_gap" in res.stdout and "missing_pilot" not in res.stdout
    assert "data gap" in res.stdout
    assert canal_cmd("--db", db, "gaps", "--basis", "nonsense").returncode != 0


def test_a_dismissed_gap_stays_dismissed_after_the_demo_is_reloaded_and_after_an_rdf_round_trip(
    demo_store: GraphStore, tmp_path: Path
) -> None:
    db = demo_store.settings.db
    demo_store.close()
    every = _gaps(db)
    icv = next(g for g in every if g["type"] == "capital_gap" and g["nodes"][0] == "icv-project")
    dmto = next(g for g in every if g["type"] == "missing_pilot" and g["nodes"][0] == "dmto")
    # a dismissal needs a reason; an unknown id is a clean error
    res = canal_cmd("--db", db, "gaps", "--dismiss", icv["id"])
    assert res.returncode != 0 and "--reason" in res.stderr
    res = canal_cmd("--db", db, "gaps", "--dismiss", "gap-000000000000", "--reason", "x")
    assert res.returncode != 0 and "no gap" in res.stderr
    res = canal_cmd("--db", db, "gaps", "--dismiss", icv["id"], "--reason", "the zone's investment company built the line",
                    "--by", "Coordinator Wang")
    assert res.returncode == 0 and "dismissed by Coordinator Wang" in res.stdout, res.stderr
    res = canal_cmd("--db", db, "gaps", "--confirm", dmto["id"], "--reason", "no pilot record exists", env={"USER": "li"})
    assert res.returncode == 0, res.stderr

    def check(path: str) -> None:
        shown = _gaps(path)
        assert icv["id"] not in {g["id"] for g in shown}
        by_id = {g["id"]: g for g in _gaps(path, "--all")}
        r = by_id[icv["id"]]["review"]
        assert (r["decision"], r["reviewer"], r["reason"]) == ("dismissed", "Coordinator Wang", "the zone's investment company built the line")
        assert r["reviewedAt"][:4].isdigit()
        assert by_id[dmto["id"]]["basis"] == "canal" and by_id[dmto["id"]]["review"]["decision"] == "confirmed"
        assert [g["id"] for g in _gaps(path, "--basis", "canal")] == [dmto["id"]]
        # the other gaps keep their ids
        assert {g["id"] for g in every} == set(by_id)

    check(db)
    res = canal_cmd("--db", db, "validate")  # decisions conform to the SHACL shapes
    assert res.returncode == 0 and "conforms: yes" in res.stdout, res.stdout
    res = canal_cmd("--db", db, "demo", cwd=tmp_path)  # reload the demo sources
    assert res.returncode == 0, res.stderr
    check(db)
    ttl = tmp_path / "canal.ttl"
    assert canal_cmd("--db", db, "export", "--format", "ttl", "-o", str(ttl)).returncode == 0
    assert "Coordinator Wang" in ttl.read_text(encoding="utf-8")
    other = str(tmp_path / "imported.db")
    res = canal_cmd("--db", other, "import", str(ttl))
    assert res.returncode == 0, res.stderr
    check(other)
    # maps draw the dismissed gap, flagged
    with open_store(other) as s:
        G = s.to_networkx()
    data = map_data(G, gaps=find_gaps(G, show_dismissed=True))
    flagged = [g for g in data["gaps"] if g["dismissed"]]
    assert [g["nodes"][0] for g in flagged] == ["icv-project"] and "dismissed by Coordinator Wang" in flagged[0]["en"]
    # review nodes are left out of the measures: the same gaps as before the decisions
    after = find_gaps(G, show_dismissed=True)
    assert sorted(g.id for g in after) == sorted(g["id"] for g in every)
    assert after[0].id == dmto["id"]  # confirmed: a canal gap, listed before data gaps of equal severity


def test_match_accept_and_reject_are_recorded_and_honoured(demo_store: GraphStore) -> None:
    db = demo_store.settings.db
    demo_store.close()
    res = canal_cmd("--db", db, "match", "--for", "dmto", "--top", "3", "--write-proposals", "--format", "json")
    assert res.returncode == 0, res.stderr
    proposed = [c["target"] for c in json.loads(res.stdout)]
    assert len(proposed) == 3
    res = canal_cmd("--db", db, "match", "--reject", "dmto", proposed[0])
    assert res.returncode != 0 and "--reason" in res.stderr
    res = canal_cmd("--db", db, "match", "--reject", "dmto", proposed[0], "--reason", "sister company, not an adopter")
    assert res.returncode == 0 and "rejected" in res.stdout, res.stderr
    assert canal_cmd("--db", db, "match", "--accept", "dmto", proposed[1], "--by", "Zhang").returncode == 0
    res = canal_cmd("--db", db, "match", "--accept", "dmto", "no-such-node")
    assert res.returncode != 0 and "no proposed match" in res.stderr
    with open_store(db) as s:
        status = dict(s.query("MATCH (a:Entity {id: 'dmto'})-[p:PROPOSED_MATCH]->(b:Entity) RETURN b.id, p.status").rows)
        reviews = s.query("MATCH (r:Review)-[:REVIEWS]->(n:Entity) RETURN r.decision, r.reviewer, collect(n.id) ORDER BY r.decision").rows
    assert status[proposed[0]] == "rejected" and status[proposed[1]] == "accepted"
    assert [(d, w, sorted(ns)) for d, w, ns in reviews] == [
        ("accepted", "Zhang", sorted(["dmto", proposed[1]])),
        ("rejected", reviews[1][1], sorted(["dmto", proposed[0]])),
    ]
    # a rejected match is not proposed again
    res = canal_cmd("--db", db, "match", "--for", "dmto", "--top", "10", "--format", "json")
    assert proposed[0] not in [c["target"] for c in json.loads(res.stdout)]


def test_a_recorded_absence_makes_a_canal_gap_in_the_library_and_the_cli(demo_store: GraphStore) -> None:
    # a source says DMTO went to production without a pilot run (here a made-up statement for the test)
    G = demo_store.to_networkx()
    G.nodes["dmto"]["lacks"] = ["pilot"]
    (g,) = [g for g in find_gaps(G, types=["missing_pilot"]) if g.anchor == "dmto"]
    assert g.basis == "canal" and g.evidence[-1] == "dmto: a source records no pilot"
    assert [x.anchor for x in find_gaps(G, bases=["canal"])] == ["dmto"]
    # an absence of another kind leaves the gap a data gap
    G.nodes["dmto"]["lacks"] = ["capital"]
    assert [x.basis for x in find_gaps(G, types=["missing_pilot"]) if x.anchor == "dmto"] == ["data"]
    demo_store.execute("MATCH (n:Entity {id: 'dmto'}) SET n.lacks = ['pilot'] RETURN n.id")
    db = demo_store.settings.db
    demo_store.close()
    assert [(x["nodes"][0], x["basis"]) for x in _gaps(db, "--basis", "canal")] == [("dmto", "canal")]
