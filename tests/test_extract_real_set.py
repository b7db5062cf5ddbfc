"""The real evaluation set for the extractor (bench/extract_real/): sound gold, clean split, no held-out page."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def real_set() -> ModuleType:
    if not any((ROOT / "bench" / "extract_real" / "articles").glob("*.txt")):
        pytest.skip("the article excerpts are kept in the repository only, not in source distributions")
    spec = importlib.util.spec_from_file_location("extract_real_set", ROOT / "bench" / "extract_real_set.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_real_set", module)
    spec.loader.exec_module(module)
    return module


def _manifest() -> list[dict[str, str]]:
    with (ROOT / "bench" / "extract_real" / "manifest.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_no_held_out_page_or_site(real_set: ModuleType) -> None:
    """None of the pages kept for an independent evaluation, nor anything else from their sites, is in the set."""
    held_out_sites = {real_set.site_of(u) for u in real_set.HELD_OUT}
    assert {"xinhuanet.com", "cas.cn", "ifeng.com", "techcrunch.com", "thetimes.co.uk", "globalventuring.com"} <= held_out_sites
    for name in real_set.article_names():
        url = real_set.load_gold(name)["url"]
        assert not any(h in url for h in real_set.HELD_OUT), (name, url)
        assert real_set.site_of(url) not in held_out_sites, (name, url)
    for row in _manifest():
        assert not any(h in row["url"] for h in real_set.HELD_OUT)
        assert row["site"] not in held_out_sites
    # The same events are not in the set either (Oxford Sciences Innovation / Science Enterprises fund raises, Vaccitech).
    for name in real_set.article_names():
        text = (real_set.ARTICLES / f"{name}.txt").read_text(encoding="utf-8").lower()
        assert "oxford sciences innovation" not in text and "oxford science enterprises" not in text and "vaccitech" not in text, name


def test_gold_files_are_sound(real_set: ModuleType) -> None:
    """Offsets, classes, relation types, domain/range and ends all check; the stored derived fields are up to date."""
    assert real_set.build(write=False) == []
    for name in real_set.article_names():
        gold = real_set.load_gold(name)
        text = (real_set.ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
        assert gold["mentions"] == real_set.find_mentions(text, gold["entities"], gold.get("blocked")), name
        for start, end, idx in gold["mentions"]:
            item = gold["entities"][idx]
            assert text[start:end] in [item[0], *(item[2] if len(item) > 2 else [])]
        assert len(gold["relation_evidence"]) == len(gold["relations"])
        for (start, end), rel in zip(gold["relation_evidence"], gold["relations"], strict=True):
            assert 0 <= start < end <= len(text), (name, rel)


def test_size_languages_and_split_by_site(real_set: ModuleType) -> None:
    rows = _manifest()
    names = real_set.article_names()
    assert [r["id"] for r in rows] == names
    langs = Counter(r["lang"] for r in rows)
    assert len(rows) >= 60 and langs["zh"] >= 45 and langs["en"] >= 15
    by_site: dict[str, set[str]] = {}
    for r in rows:
        by_site.setdefault(r["site"], set()).add(r["split"])
        assert r["split"] == real_set.split_of(r["site"]) == real_set.load_gold(r["id"])["split"]
    assert all(len(s) == 1 for s in by_site.values()), "a site is in both splits"
    assert max(Counter(r["site"] for r in rows).values()) <= 4
    for part in ("dev", "test"):
        assert {r["lang"] for r in rows if r["split"] == part} == {"zh", "en"}


def test_no_seed_text(real_set: ModuleType) -> None:
    """No article repeats text of the seed articles (checked on 40-character runs when the seeds are present)."""
    candidates = [ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds"]
    seeds = next((c for c in candidates if c.is_dir()), None)
    if seeds is None:
        pytest.skip("no shared/seeds folder beside the checkout")
    seed_texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(seeds.iterdir()) if p.is_file()]
    for name in real_set.article_names():
        text = (real_set.ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
        chunks = [text[k : k + 40] for k in range(0, max(len(text) - 40, 1), 40)]
        for chunk in chunks:
            if len(chunk.strip()) >= 30:
                assert not any(chunk in seed for seed in seed_texts), (name, chunk)


def test_site_of_and_split_are_stable(real_set: ModuleType) -> None:
    assert real_set.site_of("http://sn.xinhuanet.com/2020-08/30/x.htm") == "xinhuanet.com"
    assert real_set.site_of("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert real_set.site_of("alumni.fudan.edu.cn/a") == "fudan.edu.cn"
    assert real_set.split_of("bbc.co.uk") in ("dev", "test")
    assert real_set.split_of("bbc.co.uk") == real_set.split_of("bbc.co.uk")
    assert json.loads(json.dumps(real_set.splits())) == real_set.splits()
