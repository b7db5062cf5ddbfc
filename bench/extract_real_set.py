"""The real evaluation set for ``canal extract``: excerpts of public news pages with hand-made gold.

    python bench/extract_real_set.py build      # derive offsets, evidence, split and manifest; validate
    python bench/extract_real_set.py check      # validate only (exit 1 on a problem)
    python bench/extract_real_set.py stats      # articles, entities by class and relations by type, per split

Each article is ``bench/extract_real/articles/NAME.txt`` (the page excerpt as stored, never
fetched again) and ``NAME.json`` (the gold, format in ``docs/annotation.md``). The annotator writes
``entities`` and ``relations`` plus ``url``, ``lang``, ``title``, ``retrieved``; ``build`` adds
``site``, ``split`` (by a hash of the site, so no site is in both splits), ``mentions`` (offsets of
every name and alias) and ``relation_evidence`` (offsets of the evidence sentences), and writes
``manifest.tsv``. ``bench/extract_eval.py --set real`` scores the extractor on it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REAL_DIR = HERE / "extract_real"
ARTICLES = REAL_DIR / "articles"
MANIFEST = REAL_DIR / "manifest.tsv"

#: Share of sites in the dev split (the rest is test).
DEV_SHARE = 0.6

#: Entity classes the scorer knows (bench/extract_eval.py GROUPS) besides ontology node classes.
VALUE_CLASSES = ("Money", "Date")

#: Pages held out for an independent evaluation: never in this set, nor anything from their sites.
HELD_OUT = (
    "dbsqp.com/article/43244",
    "finance.china.com.cn/roll/20170524/4223438.shtml",
    "3news.cn/news/guandian1/2016/0317/127266.html",
    "opt.cas.cn/gb2019/xwzx/cmdt/202108/t20210825_6168548.html",
    "sn.xinhuanet.com/2020-08/30/c_1126430527.htm",
    "cfgw.net.cn/epaper/content/202207/20/content_50863.htm",
    "paper.chinahightech.com/pc/content/202510/20/content_158515.html",
    "gubaposthk.eastmoney.com/news,002230,1634618705.html",
    "agreataffair.com/gzdt/202411/t20241114_5008960.html",
    "finance.stockstar.com/IG2022072000000045.shtml",
    "news.ifeng.com/c/8pMoe7jXRLJ",
    "young.metyol.com/20231243/463898.html",
    "scjjrb.com/2023/07/20/99371114.html",
    "m.baijiantest.com/infoDetails/83/14356949",
    "chinaleatheroid.com/index.php?action=detail&do=news&id=2166",
    "techcrunch.com/2015/05/14/oxford-sciences-innovation-fund/",
    "globalventuring.com/university/oxford-rolls-out-300m-fund/",
    "fiercebiotech.com/biotech/oxford-science-enterprises-clinches-ps250m-emerging-science-and-spinouts",
    "ecns.cn/business/2016/03-23/204031.shtml",
    "thetimes.co.uk/article/vaccitech-gets-168m-injection-for-new-treatments-5m3r9kh75",
)

_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "co"}


def site_of(url: str) -> str:
    """The registrable site of an address: ``sn.xinhuanet.com`` → ``xinhuanet.com``, ``x.gov.cn`` kept whole."""
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


#: Sites of the same publishers as held-out sites (Global University Venturing also publishes here).
RELATED_SITES = ("globaluniversityventuring.com",)

HELD_OUT_SITES = frozenset(site_of(u) for u in HELD_OUT) | frozenset(RELATED_SITES)


def split_of(site: str) -> str:
    """``dev`` or ``test``, decided by a hash of the site (stable across runs and machines)."""
    h = int.from_bytes(hashlib.sha256(site.encode("utf-8")).digest()[:4], "big") / 2**32
    return "dev" if h < DEV_SHARE else "test"


def article_names() -> list[str]:
    return sorted(p.stem for p in ARTICLES.glob("*.json"))


def load_gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ARTICLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def splits() -> dict[str, str]:
    """Article name → split, for ``bench/extract_eval.py --set real``."""
    return {n: load_gold(n)["split"] for n in article_names()}


# --- derived fields ------------------------------------------------------------

_SENT_END = re.compile(r"[。！？!?；;\n]|(?<=[a-z0-9\)\"”’])\.(?=\s)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of the text, trimmed of spaces."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _surfaces(item: list[Any]) -> list[str]:
    return [item[0], *(item[2] if len(item) > 2 else [])]


def find_mentions(text: str, entities: list[list[Any]], blocked: list[str] | None = None) -> list[list[int]]:
    """Every occurrence of every name and alias, longest first, no overlaps: ``[start, end, entity index]``.

    ``blocked`` lists longer strings that contain a name but are not a mention of it (``集美大道``, a road,
    holds the district ``集美``); their occurrences are skipped.
    """
    forms = sorted({(s, i) for i, item in enumerate(entities) for s in _surfaces(item)}, key=lambda x: (-len(x[0]), x[1], x[0]))
    taken = [False] * len(text)
    for b in blocked or []:
        for m in re.finditer(re.escape(b), text):
            for k in range(*m.span()):
                taken[k] = True
    found: list[list[int]] = []
    for surface, idx in forms:
        ascii_word = surface.isascii()
        for m in re.finditer(re.escape(surface), text):
            s, e = m.span()
            if any(taken[s:e]):
                continue
            if ascii_word and ((s > 0 and text[s - 1].isalnum() and text[s - 1].isascii()) or (e < len(text) and text[e].isalnum() and text[e].isascii())):
                continue  # "UK" inside "UKRI"
            for k in range(s, e):
                taken[k] = True
            found.append([s, e, idx])
    return sorted(found)


def evidence(text: str, mentions: list[list[int]], src: int, tgt: int) -> list[int] | None:
    """The shortest run of whole sentences holding a mention of both ends (earliest on ties)."""
    sents = sentences(text)

    def sent_index(pos: int) -> int:
        return next((k for k, (s, e) in enumerate(sents) if s <= pos < e), len(sents) - 1)

    a = [sent_index(m[0]) for m in mentions if m[2] == src]
    b = [sent_index(m[0]) for m in mentions if m[2] == tgt]
    best = None
    for i in a:
        for j in b:
            lo, hi = min(i, j), max(i, j)
            if best is None or (hi - lo, lo) < (best[1] - best[0], best[0]):
                best = (lo, hi)
    if best is None:
        return None
    return [sents[best[0]][0], sents[best[1]][1]]


# --- validation ----------------------------------------------------------------


def validate(name: str, gold: dict[str, Any], text: str) -> list[str]:
    """Problems of one gold file (empty when it is sound)."""
    from canal.ontology import load_ontology

    onto = load_ontology()
    classes = set(onto.node_classes) | set(VALUE_CLASSES)
    rel_types = set(onto.relations)
    problems: list[str] = []
    names: dict[str, str] = {}
    for item in gold["entities"]:
        ename, cls = item[0], item[1]
        if cls not in classes:
            problems.append(f"{name}: entity {ename!r}: class {cls!r} is not an ontology class")
        if ename in names:
            problems.append(f"{name}: entity {ename!r} annotated twice")
        names[ename] = cls
        for s in _surfaces(item):
            if s not in text:
                problems.append(f"{name}: entity {ename!r}: surface {s!r} is not in the text")
    if "mentions" in gold:
        found = {m[2] for m in gold["mentions"]}
        problems += [f"{name}: entity {item[0]!r} has no mention left (blocked or inside a longer name)" for i, item in enumerate(gold["entities"]) if i not in found]
    for m in gold.get("mentions", []):
        s, e, idx = m
        if text[s:e] not in _surfaces(gold["entities"][idx]):
            problems.append(f"{name}: mention {m} does not match its entity")
    for k, r in enumerate(gold["relations"]):
        src, typ, tgt = r[0], r[1], r[2]
        if typ not in rel_types:
            problems.append(f"{name}: relation {r}: type {typ!r} is not in the ontology")
            continue
        if src not in names or tgt not in names:
            problems.append(f"{name}: relation {r}: an end is not an annotated entity")
            continue
        if names[src] in VALUE_CLASSES or names[tgt] in VALUE_CLASSES or not onto.allows(typ, names[src], names[tgt]):
            problems.append(f"{name}: relation {r}: {names[src]} -{typ}-> {names[tgt]} is not allowed by the ontology")
        if len(r) > 3 and (not isinstance(r[3], (int, float)) or len(r) < 5 or not isinstance(r[4], str)):
            problems.append(f"{name}: relation {r}: amount must be a number followed by a currency")
        ev = gold.get("relation_evidence")
        if ev is not None and (k >= len(ev) or ev[k] is None):
            problems.append(f"{name}: relation {r}: no evidence sentence")
    if len({tuple(r[:3]) for r in gold["relations"]}) != len(gold["relations"]):
        problems.append(f"{name}: a relation is annotated twice")
    url = gold.get("url", "")
    if any(h in url for h in HELD_OUT) or site_of(url) in HELD_OUT_SITES:
        problems.append(f"{name}: {url} is held out for independent evaluation")
    if gold.get("lang") != name[:2]:
        problems.append(f"{name}: lang {gold.get('lang')!r} does not match the file name")
    return problems


KEY_ORDER = ("split", "lang", "site", "url", "title", "retrieved", "entities", "relations", "blocked", "mentions", "relation_evidence")


def _dump(gold: dict[str, Any]) -> str:
    """One line per entity, relation and list of offsets: diffable and easy to edit by hand."""
    parts = []
    for key in KEY_ORDER:
        if key not in gold:
            continue
        val = gold[key]
        if key in ("entities", "relations"):
            body = ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in val)
            parts.append(f'"{key}": [\n  {body}]' if val else f'"{key}": []')
        else:
            parts.append(f'"{key}": {json.dumps(val, ensure_ascii=False)}')
    return "{" + ",\n".join(parts) + "}\n"


def build(*, write: bool = True) -> list[str]:
    """Derive site, split, mentions and evidence for every article, write the manifest; return the problems."""
    problems: list[str] = []
    rows = []
    for name in article_names():
        gold = load_gold(name)
        text = (ARTICLES / f"{name}.txt").read_text(encoding="utf-8")
        gold["site"] = site_of(gold["url"])
        gold["split"] = split_of(gold["site"])
        index = {item[0]: i for i, item in enumerate(gold["entities"])}
        gold["mentions"] = find_mentions(text, gold["entities"], gold.get("blocked"))
        gold["relation_evidence"] = [
            evidence(text, gold["mentions"], index[r[0]], index[r[2]]) if r[0] in index and r[2] in index else None for r in gold["relations"]
        ]
        problems += validate(name, gold, text)
        rows.append([name, gold["lang"], gold["split"], gold["site"], gold["url"], gold.get("title", ""), gold.get("retrieved", ""), str(len(text)), str(len(gold["entities"])), str(len(gold["relations"]))])
        if write:
            (ARTICLES / f"{name}.json").write_text(_dump(gold), encoding="utf-8")
    if write:
        head = ["id", "lang", "split", "site", "url", "title", "retrieved", "chars", "entities", "relations"]
        MANIFEST.write_text("\n".join("\t".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    return problems


def stats() -> dict[str, Any]:
    """Counts per split: articles by language, sites, entities by class, relations by type."""
    from collections import Counter

    out: dict[str, Any] = {}
    for part in ("dev", "test", "all"):
        golds = [(n, load_gold(n)) for n in article_names()]
        golds = [(n, g) for n, g in golds if part == "all" or g["split"] == part]
        out[part] = {
            "articles": len(golds),
            "languages": dict(sorted(Counter(g["lang"] for _, g in golds).items())),
            "sites": len({g["site"] for _, g in golds}),
            "entities": sum(len(g["entities"]) for _, g in golds),
            "mentions": sum(len(g["mentions"]) for _, g in golds),
            "relations": sum(len(g["relations"]) for _, g in golds),
            "entities_by_class": dict(sorted(Counter(e[1] for _, g in golds for e in g["entities"]).items())),
            "relations_by_type": dict(sorted(Counter(r[1] for _, g in golds for r in g["relations"]).items())),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["build", "check", "stats"])
    args = ap.parse_args()
    if args.command == "stats":
        print(json.dumps(stats(), ensure_ascii=False, indent=2))
        return
    problems = build(write=args.command == "build")
    for p in problems:
        print(p, file=sys.stderr)
    print(json.dumps({"articles": len(article_names()), "problems": len(problems)}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
