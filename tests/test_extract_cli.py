"""``canal extract`` end to end on the real embedded FalkorDB: review file, edits, loading, linking."""

from __future__ import annotations

import json
from pathlib import Path

from canal.extract import Lexicon, extract_article, read_article
from canal.extract.review import load_review, records
from canal.model import Node
from canal.store import GraphStore, open_store

from .conftest import canal_cmd

FIX = Path(__file__).parent / "fixtures" / "extract"


def _edit(path: Path, change: dict[str, str]) -> None:
    """Set decisions: keys are record ids or 'relationship' / 'node' for all of a kind."""
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    for rec in lines:
        for key, decision in change.items():
            if rec.get("id") == key or rec.get("kind") == key:
                rec["decision"] = decision
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")


def test_review_edit_and_load_back_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    review = tmp_path / "facts.jsonl"
    res = canal_cmd("--db", str(db), "extract", str(FIX / "zh_pilot.html"), str(FIX / "en_alliance.md"), "--review", str(review))
    assert res.returncode == 0, res.stderr
    recs = [json.loads(x) for x in review.read_text(encoding="utf-8").splitlines()]
    assert recs[0]["kind"] == "header"
    ids = {r["id"]: r for r in recs[1:]}
    grant = next(r for r in ids.values() if r["kind"] == "relationship" and r["relationship"]["type"] == "grantsTo" and "松江湾" in r["relationship"]["source_name"])
    invest = next(r for r in ids.values() if r["kind"] == "relationship" and r["relationship"]["type"] == "investsIn")
    # accept every relationship, but reject the grant; fix the investment amount
    _edit(review, {"relationship": "accept", grant["id"]: "reject"})
    lines = [json.loads(x) for x in review.read_text(encoding="utf-8").splitlines()]
    for rec in lines:
        if rec.get("id") == invest["id"]:
            rec["decision"] = "fix"
            rec["relationship"]["amount"] = 35_000_000
    review.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    res = canal_cmd("--db", str(db), "extract", str(review), "--load", "--format", "json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["relationships"] == sum(1 for r in lines if r.get("kind") == "relationship") - 1
    with open_store(str(db)) as s:
        rows = s.query(
            "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.method = 'extracted' RETURN a.name, type(r), b.name, r.amount, r.currency, r.evidence ORDER BY a.name"
        ).rows
        node_methods = s.query("MATCH (n:Entity) RETURN DISTINCT n.method").rows
    got = {(a, t, b) for a, t, b, *_ in rows}
    assert ("松江湾市天使投资引导基金", "INVESTS_IN", "海岚电子科技有限公司") in got
    assert ("Northbridge University", "LEADS", "Northbridge Robotics Alliance") in got
    assert not any(t == "GRANTS_TO" and a == "松江湾市科学技术局" for a, t, b in got)
    amount = next(r[3] for r in rows if r[1] == "INVESTS_IN")
    assert amount == 35_000_000
    assert all("[zh_pilot.html:" in r[5] or "[en_alliance.md:" in r[5] for r in rows)
    assert node_methods == [("extracted",)]
    # loading the same review twice changes nothing (upserts on stable ids)
    again = json.loads(canal_cmd("--db", str(db), "extract", str(review), "--load", "--format", "json").stdout)
    with open_store(str(db)) as s:
        assert s.counts().total_relationships == out["relationships"]
    assert again["relationships"] == out["relationships"]


def test_load_directly_with_a_confidence_threshold(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    res = canal_cmd("--db", str(db), "extract", str(FIX / "en_alliance.md"), "--load", "--min-confidence", "0.6", "--format", "json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    with open_store(str(db)) as s:
        conf = s.query("MATCH ()-[r]->() RETURN min(r.confidence), count(r)").rows[0]
    assert conf[1] == out["relationships"] > 0 and conf[0] >= 0.6


def test_mentions_link_to_existing_nodes_instead_of_duplicating(store: GraphStore) -> None:
    store.ensure_indexes()
    store.upsert_nodes([Node("kestrel", "Enterprise", {"name": "Kestrel Automation", "aliases": ["Kestrel Automation Co., Ltd."]})])
    lex = Lexicon.from_graph(store.to_networkx())
    ex = extract_article(read_article(FIX / "en_alliance.md"), lexicon=lex)
    kestrel = next(e for e in ex.entities if e.node_id == "kestrel")
    assert kestrel.existing and kestrel.link_score == 1.0
    recs = records(ex)
    for r in recs:
        r.update(decision="accept", line=1, file="x.jsonl")
    res = load_review(store, recs)
    assert res.linked == 1
    assert store.query("MATCH (n:Enterprise) RETURN count(n)").scalar() == 1
    assert store.query("MATCH (n:Enterprise {id: 'kestrel'}) RETURN n.name").scalar() == "Kestrel Automation"
    assert store.query("MATCH (:Enterprise {id: 'kestrel'})-[r]->(:Alliance) RETURN type(r)").rows == [("MEMBER_OF",)]


def test_bad_inputs_are_reported_and_the_run_continues(tmp_path: Path) -> None:
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    res = canal_cmd("--db", str(tmp_path / "x.db"), "extract", "--no-graph", str(binary), str(empty), str(FIX / "en_alliance.md"), "--format", "json")
    assert res.returncode == 0
    assert "scan.txt: this is a binary file, not text" in res.stderr
    assert "empty.md: empty file" in res.stderr
    assert "Traceback" not in res.stderr
    out = json.loads(res.stdout)
    assert len(out["failed_inputs"]) == 2 and out["facts"]
    only_bad = canal_cmd("--db", str(tmp_path / "x.db"), "extract", "--no-graph", str(binary))
    assert only_bad.returncode == 1 and "Traceback" not in only_bad.stderr


def test_a_folder_stands_for_its_articles(tmp_path: Path) -> None:
    res = canal_cmd("--db", str(tmp_path / "x.db"), "extract", "--no-graph", str(FIX), "--format", "json")
    assert res.returncode == 0, res.stderr
    articles = {Path(f["article"]).name for f in json.loads(res.stdout)["facts"]}
    assert articles == {"zh_pilot.html", "en_alliance.md", "chain_story.txt"}


def test_unwritable_review_file_is_a_clean_error(tmp_path: Path) -> None:
    res = canal_cmd("--db", str(tmp_path / "x.db"), "extract", "--no-graph", str(FIX / "en_alliance.md"), "--review", str(tmp_path / "no" / "r.jsonl"))
    assert res.returncode == 1 and "cannot write the review file" in res.stderr and "Traceback" not in res.stderr


def test_option_misuse_is_a_clean_error(tmp_path: Path) -> None:
    res = canal_cmd("--db", str(tmp_path / "x.db"), "extract", str(FIX / "en_alliance.md"), "--review", str(tmp_path / "r.jsonl"), "--load")
    assert res.returncode == 2 and "either --review" in res.stderr
    res = canal_cmd("--db", str(tmp_path / "x.db"), "extract", str(tmp_path / "r.jsonl"))
    assert res.returncode == 2 and "--load" in res.stderr
