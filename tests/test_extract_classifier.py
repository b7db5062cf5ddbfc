"""The relation classifier (canal/extract/classifier.py): the shipped model loads, scores are
deterministic, and sentences written for this test (fictional organisations) yield the
expected relations. The model is retrained by ``bench/extract_train_relations.py``."""

from __future__ import annotations

import json

from canal.extract import article_from_text, extract_article
from canal.extract.classifier import MODEL_PATH, classify_pairs, load_model, pair_features, sentence_pairs
from canal.extract.mentions import find_mentions
from canal.extract.pipeline import _paragraph_langs
from canal.ontology import load_ontology

FOUNDED = "松江湾天使投资基金由星河控股集团有限公司发起设立，总规模10亿元。"
INVEST = "北辰创投向星河量子科技有限公司投资3000万元。"


def _proposals(text: str, threshold: float = 0.3) -> list[tuple[str, str, str, float]]:
    ms = find_mentions(text, "zh")
    got = classify_pairs(text, ms, _paragraph_langs(text, "auto"), load_ontology(), threshold=threshold)
    return [(rel, s.name, t.name, p) for rel, s, t, _, _, p in got]


def test_the_shipped_model_loads_and_is_small() -> None:
    model = load_model()
    assert model is not None
    assert model.labels[0] == "none" and len(model.labels) > 3
    assert model.mode in ("union", "off") and 0 < model.threshold < 1
    assert MODEL_PATH.stat().st_size < 500_000
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert all(len(w) == len(data["labels"]) for w in data["weights"].values())


def test_features_and_scores_are_deterministic() -> None:
    ms = find_mentions(FOUNDED, "zh")
    pairs = sentence_pairs(FOUNDED, ms, _paragraph_langs(FOUNDED, "auto"))
    assert pairs
    a = [pair_features(FOUNDED, m1, m2, s0, s1, lg, cross=x) for m1, m2, s0, s1, lg, x in pairs]
    b = [pair_features(FOUNDED, m1, m2, s0, s1, lg, cross=x) for m1, m2, s0, s1, lg, x in pairs]
    assert a == b
    assert _proposals(FOUNDED) == _proposals(FOUNDED)


def test_a_written_sentence_yields_the_expected_relation() -> None:
    assert [(r, s, t) for r, s, t, _ in _proposals(FOUNDED)] == [("foundedBy", "松江湾天使投资基金", "星河控股集团有限公司")]
    assert ("investsIn", "北辰创投", "星河量子科技有限公司") in [(r, s, t) for r, s, t, _ in _proposals(INVEST)]


def test_only_relations_the_ontology_allows_are_proposed() -> None:
    onto = load_ontology()
    text = FOUNDED + INVEST + "2021年，星河量子科技有限公司与北辰大学签署战略合作协议。"
    ms = find_mentions(text, "zh")
    for rel, s, t, _, _, _ in classify_pairs(text, ms, _paragraph_langs(text, "auto"), onto, threshold=0.0):
        assert onto.allows(rel, s.cls, t.cls)


def test_extraction_with_the_classifier_keeps_the_rules_and_marks_its_own() -> None:
    art = article_from_text(FOUNDED + INVEST, name="a.txt")
    off = extract_article(art, classifier=False)
    on = extract_article(art, classifier=True)
    key = {(r.source_name, r.type, r.target_name) for r in off.relations}
    assert key <= {(r.source_name, r.type, r.target_name) for r in on.relations}
    assert all(r.method == "classifier" for r in on.relations if (r.source_name, r.type, r.target_name) not in key)
