"""Precision and recall of ``canal extract`` on the annotated evaluation set (prints JSON).

    python bench/extract_eval.py                 # dev, test and all splits
    python bench/extract_eval.py --errors dev    # also list false positives / negatives of a split
    python bench/extract_eval.py --seeds ../shared/seeds   # coverage of the demo graph from the seed articles
    python bench/extract_eval.py --set real      # the real articles of bench/extract_real/ (dev and test split by site)

The evaluation set (``bench/extract_eval/``) is one ``NAME.txt`` (or ``.html`` / ``.md``) article and one ``NAME.json``
gold file per article, written by the canal developers (fictional organisations):
``{"split": "dev"|"test", "entities": [[name, class, [aliases]]...], "relations": [[source, type, target, amount?, currency?]...]}``.
Entities are compared per article as (normalised name, class group); money by normalised
(amount, currency); dates by ISO text; relations as (source, type, target) on normalised names
(``collaboratesWith``, symmetric, in either direction).
Rules were tuned on ``dev`` only; ``test`` articles were written before tuning and not looked at while tuning.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from canal.extract import extract_article, read_article
from canal.extract.lexicon import normalise
from canal.extract.values import find_dates, find_money

HERE = Path(__file__).resolve().parent
EVAL_DIR = HERE / "extract_eval"

GROUPS = {
    "ResearchInstitute": "institute", "University": "university", "Laboratory": "lab", "Enterprise": "enterprise",
    "Fund": "fund", "GovernmentGuidanceFund": "fund", "VentureCapital": "fund", "Investor": "fund",
    "Alliance": "alliance", "GovernmentBody": "government", "IndustrialPark": "park", "PilotPlatform": "pilot platform",
    "TechnologyTransferCentre": "other organisation", "Incubator": "other organisation", "SharingPlatform": "other organisation",
    "Organisation": "other organisation", "StockExchange": "other organisation", "Technology": "technology", "Product": "product", "Region": "place",
    "Money": "money", "Date": "date",
}


_RUBY = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zü]*[)）]")


def _key(name: str, cls: str) -> str:
    # pages that flatten <ruby> print pinyin after characters (產(chǎn)業(yè)); the extractor drops it
    name = _RUBY.sub("", name)
    if cls in ("Money", "Date"):
        from canal.resolve.names import to_simplified

        name = to_simplified(name)
    if cls == "Money":
        got = find_money(name)
        return f"{got[0].value[0]:.0f} {got[0].value[1]}" if got else name
    if cls == "Date":
        if re.fullmatch(r"\d{4}(-\d{2}){0,2}", name):
            return name
        got = find_dates(name)
        return str(got[0].value) if got else name
    return normalise(name)


#: Relation classifier: None = as the shipped model says, True = on, False = off (``--classifier``).
CLASSIFIER: bool | None = None

#: Relations compared in both directions (the gold lists collaboratesWith in text order).
SYMMETRIC = frozenset({"collaboratesWith"})


def _same(s: str, t: str, o: str, g: tuple[Any, ...]) -> bool:
    """A predicted (source, type, target) of normalised names matches gold ``(source aliases, type, target aliases, ...)``."""
    return t == g[1] and ((s in g[0] and o in g[2]) or (t in SYMMETRIC and o in g[0] and s in g[2]))


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def evaluate(names: list[str], eval_dir: Path = EVAL_DIR) -> tuple[dict[str, Any], dict[str, Any]]:
    """Scores over the named articles of ``eval_dir`` and the errors made."""
    ent: dict[str, Counter[str]] = defaultdict(Counter)
    rel: dict[str, Counter[str]] = defaultdict(Counter)
    money_ok = money_n = 0
    scored: list[tuple[float, bool]] = []
    gold_total = 0
    errors: dict[str, Any] = {}
    for name in names:
        gold = json.loads((eval_dir / f"{name}.json").read_text(encoding="utf-8"))
        article = next(p for p in sorted(eval_dir.glob(f"{name}.*")) if p.suffix != ".json")
        ex = extract_article(read_article(article), classifier=CLASSIFIER)
        # entities ------------------------------------------------------------
        gold_ents = []
        for item in gold["entities"]:
            gname, gcls = item[0], item[1]
            aliases = {_key(x, gcls) for x in [gname, *(item[2] if len(item) > 2 else [])]}
            gold_ents.append((GROUPS[gcls], aliases, gname))
        pred: set[tuple[str, str]] = {(GROUPS.get(e.cls, "other organisation"), _key(e.name, e.cls)) for e in ex.entities}
        pred |= {("money", f"{m.value[0]:.0f} {m.value[1]}") for m in ex.values("Money")}
        pred |= {("date", str(m.value)) for m in ex.values("Date")}
        fps, fns = [], []
        for group, key in sorted(pred):
            if any(g == group and key in al for g, al, _ in gold_ents):
                ent[group]["tp"] += 1
            else:
                ent[group]["fp"] += 1
                fps.append(f"{group}: {key}")
        for group, al, gname in gold_ents:
            if not any(g == group and k in al for g, k in pred):
                ent[group]["fn"] += 1
                fns.append(f"{group}: {gname}")
        # relations -----------------------------------------------------------
        ent_alias = {gname: al for _, al, gname in gold_ents}

        def aliases(n: str, _al: dict[str, set[str]] = ent_alias) -> set[str]:
            return _al.get(n, {normalise(n)})

        gold_rels = [(aliases(r[0]), r[1], aliases(r[2]), r[3] if len(r) > 3 else None, r[4] if len(r) > 4 else None, f"{r[0]} {r[1]} {r[2]}") for r in gold["relations"]]
        pred_rels = {(normalise(r.source_name), r.type, normalise(r.target_name)): r for r in ex.relations}
        rfp, rfn = [], []
        for (s, t, o), r in sorted(pred_rels.items()):
            match = [g for g in gold_rels if _same(s, t, o, g)]
            scored.append((r.confidence, bool(match)))
            if match:
                rel[t]["tp"] += 1
                if match[0][3] is not None:
                    money_n += 1
                    if r.amount is not None and abs(r.amount - match[0][3]) < 1 and r.currency == match[0][4]:
                        money_ok += 1
            else:
                rel[t]["fp"] += 1
                rfp.append(f"{r.source_name} {t} {r.target_name} [{r.method}]")
        gold_total += len(gold_rels)
        for g in gold_rels:
            if not any(_same(s, t, o, g) for s, t, o in pred_rels):
                rel[g[1]]["fn"] += 1
                rfn.append(g[5])
        errors[name] = {"entity_fp": fps, "entity_fn": fns, "relation_fp": rfp, "relation_fn": rfn}

    def block(table: dict[str, Counter[str]]) -> dict[str, Any]:
        tot = Counter[str]()
        for c in table.values():
            tot.update(c)
        return {"overall": _prf(tot["tp"], tot["fp"], tot["fn"]), "by_class": {k: _prf(v["tp"], v["fp"], v["fn"]) for k, v in sorted(table.items())}}

    return {
        "articles": len(names),
        "entities": block(ent),
        "relations": block(rel),
        "money_amount_correct_on_matched_money_relations": f"{money_ok}/{money_n}",
        "relations_by_min_confidence": {
            str(th): _prf(sum(1 for c, ok in scored if c >= th and ok), sum(1 for c, ok in scored if c >= th and not ok), gold_total - sum(1 for c, ok in scored if c >= th and ok))
            for th in (0.0, 0.4, 0.5, 0.6, 0.7)
        },
    }, errors


def seed_coverage(seeds: Path, demo: Path, *, with_graph: bool) -> dict[str, Any]:
    """Share of the demo graph's organisations and money flows that extraction proposes from the seed articles."""
    from canal.extract.lexicon import Lexicon

    ents = list(csv.DictReader((demo / "entities.csv").open(encoding="utf-8")))
    rels = list(csv.DictReader((demo / "relationships.csv").open(encoding="utf-8")))
    sources = {r["id"]: r["file"] for r in csv.DictReader((demo / "sources.csv").open(encoding="utf-8"))}
    from canal.ontology import load_ontology

    onto = load_ontology()
    lexicon = None
    if with_graph:
        import networkx as nx

        g: nx.MultiDiGraph = nx.MultiDiGraph()
        for e in ents:
            g.add_node(e["id"], cls=e["class"], name=e["name"], nameEn=e["name_en"], nameZh=e["name_zh"], aliases=[a for a in e["aliases"].split("|") if a])
        lexicon = Lexicon.from_graph(g)
    from canal.resolve import Gazetteer

    gaz = Gazetteer()
    for e in ents:
        gaz.add(e["id"], [x for x in [e["name"], e["name_en"], e["name_zh"], *e["aliases"].split("|")] if x])
    linked: dict[str, set[str]] = defaultdict(set)
    found_names: dict[str, set[str]] = defaultdict(set)
    found_ids: dict[str, set[str]] = defaultdict(set)
    flows: dict[str, list[tuple[str, str, str, float | None]]] = defaultdict(list)
    amounts: dict[str, set[float]] = defaultdict(set)
    for sid, fname in sources.items():
        ex = extract_article(read_article(seeds / fname), lexicon=lexicon, classifier=CLASSIFIER)
        found_names[sid] = {normalise(e.name) for e in ex.entities}
        found_ids[sid] = {e.node_id for e in ex.entities if e.existing}
        for e in ex.entities:
            linked[sid] |= {i for i, score in gaz.lookup(e.name)[:1] if score >= 0.85}
        for r in ex.relations:
            if r.type in ("investsIn", "grantsTo"):
                ends = []
                for end_name in (r.source_name, r.target_name):
                    hit = gaz.lookup(end_name)[:1]
                    ends.append(hit[0][0] if hit and hit[0][1] >= 0.85 else normalise(end_name))
                flows[sid].append((ends[0], r.type, ends[1], r.amount))
        amounts[sid] = {round(m.value[0]) for m in ex.values("Money")}
    org_total = org_hit = org_linked = 0
    missed: list[str] = []
    names_of: dict[str, set[str]] = {}
    for e in ents:
        al = {normalise(x) for x in [e["name"], e["name_en"], e["name_zh"], *e["aliases"].split("|")] if x}
        names_of[e["id"]] = al
        if not onto.is_a(e["class"], "Organisation"):
            continue
        org_total += 1
        if al & found_names[e["source"]] or e["id"] in found_ids[e["source"]]:
            org_hit += 1
        if e["id"] in linked[e["source"]] or e["id"] in found_ids[e["source"]]:
            org_linked += 1
        else:
            missed.append(e["id"])
    flow_total = flow_amount = flow_edge = 0
    for r in rels:
        if r["type"] not in ("investsIn", "grantsTo") or not r["amount"]:
            continue
        flow_total += 1
        amt = float(r["amount"])
        if round(amt) in amounts[r["source"]]:
            flow_amount += 1
        s_al = names_of.get(r["source_id"], set()) | {r["source_id"]}
        t_al = names_of.get(r["target_id"], set()) | {r["target_id"]}
        if any(s in s_al and t == r["type"] and o in t_al for s, t, o, _ in flows[r["source"]]):
            flow_edge += 1
    return {
        "gazetteer_from_demo_graph": with_graph,
        "organisations_found_exact_name": f"{org_hit}/{org_total}",
        "organisations_found_linked": f"{org_linked}/{org_total}",
        "organisation_recall_linked": round(org_linked / org_total, 3) if org_total else None,
        "money_flows_with_amount_found": f"{flow_amount}/{flow_total}",
        "money_flows_as_relation_found": f"{flow_edge}/{flow_total}",
        "organisations_missed_linked": missed,
    }


CHAIN_CLASSES = ("Organisation", "Technology", "Product")


def seed_relations(seeds: Path, demo: Path) -> dict[str, Any]:
    """Share of the demo graph's relationships between organisations, technologies and money
    (investsIn / grantsTo with an amount) that extraction proposes from the seed articles,
    with the demo graph as gazetteer (the normal case: new articles about a known system).

    A demo relationship counts as proposed when a candidate of the same article has the same
    type and both ends linked to the same demo nodes (ends linked through the graph's names;
    a symmetric type in either direction). It is **stated** when both ends are named (a name or
    alias of the demo graph) in one sentence of its source article; many demo relationships are
    inferences from the whole article (customerOf, upstreamOf, basedOn) that no sentence states,
    so the share is also given over the stated ones.
    """
    import networkx as nx
    from extract_real_set import sentences as split_sentences

    from canal.extract.lexicon import Lexicon
    from canal.ontology import load_ontology

    onto = load_ontology()
    ents = {e["id"]: e for e in csv.DictReader((demo / "entities.csv").open(encoding="utf-8"))}
    rels = list(csv.DictReader((demo / "relationships.csv").open(encoding="utf-8")))
    sources = {r["id"]: r["file"] for r in csv.DictReader((demo / "sources.csv").open(encoding="utf-8"))}
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for e in ents.values():
        g.add_node(e["id"], cls=e["class"], name=e["name"], nameEn=e["name_en"], nameZh=e["name_zh"], aliases=[a for a in e["aliases"].split("|") if a])
    lexicon = Lexicon.from_graph(g)
    proposed: dict[str, set[tuple[str, str, str]]] = {}
    sents: dict[str, list[str]] = {}
    for sid, fname in sources.items():
        art = read_article(seeds / fname)
        ex = extract_article(art, lexicon=lexicon, classifier=CLASSIFIER)
        proposed[sid] = {(r.source, r.type, r.target) for r in ex.relations}
        sents[sid] = [_fold(art.text[a:b]) for a, b in split_sentences(art.text)]
    forms = {nid: _surface_patterns(e) for nid, e in ents.items()}

    def stated(r: dict[str, str]) -> bool:
        s_rx, t_rx = forms.get(r["source_id"]), forms.get(r["target_id"])
        return bool(s_rx and t_rx) and any(s_rx.search(x) and t_rx.search(x) for x in sents.get(r["source"], []))  # type: ignore[union-attr]

    def chain(nid: str) -> bool:
        cls = ents.get(nid, {}).get("class", "")
        return any(onto.is_a(cls, c) for c in CHAIN_CLASSES if cls in onto.classes)

    per_type: dict[str, Counter[str]] = defaultdict(Counter)
    missed: list[str] = []
    for r in rels:
        money = r["type"] in ("investsIn", "grantsTo") and bool(r["amount"])
        if not (chain(r["source_id"]) and chain(r["target_id"])) and not money:
            continue
        pair = proposed.get(r["source"], set())
        hit = (r["source_id"], r["type"], r["target_id"]) in pair or (
            onto.relation(r["type"]).symmetric and (r["target_id"], r["type"], r["source_id"]) in pair
        )
        said = stated(r)
        per_type[r["type"]]["hit" if hit else "miss"] += 1
        if said:
            per_type[r["type"]]["stated_hit" if hit else "stated_miss"] += 1
        if not hit:
            missed.append(f"{r['source_id']} {r['type']} {r['target_id']}{' (stated)' if said else ''}")
    hit = sum(c["hit"] for c in per_type.values())
    total = sum(c["hit"] + c["miss"] for c in per_type.values())
    s_hit = sum(c["stated_hit"] for c in per_type.values())
    s_total = sum(c["stated_hit"] + c["stated_miss"] for c in per_type.values())
    return {
        "relationships_in_scope": total,
        "proposed": hit,
        "share": round(hit / total, 3) if total else None,
        "stated_in_scope": s_total,
        "stated_proposed": s_hit,
        "stated_share": round(s_hit / s_total, 3) if s_total else None,
        "by_type": {t: f"{c['hit']}/{c['hit'] + c['miss']}" for t, c in sorted(per_type.items())},
        "stated_by_type": {t: f"{c['stated_hit']}/{c['stated_hit'] + c['stated_miss']}" for t, c in sorted(per_type.items()) if c["stated_hit"] + c["stated_miss"]},
        "missed": missed,
    }


def _fold(text: str) -> str:
    from canal.resolve.names import to_simplified

    return to_simplified(text).lower()


def _surface_patterns(e: dict[str, str]) -> re.Pattern[str] | None:
    """Any name or alias of a demo node (two characters or more; whole words for Latin ones)."""
    forms = {_fold(x.strip()) for x in [e["name"], e["name_en"], e["name_zh"], *e["aliases"].split("|")] if len(x.strip()) >= 2}
    if not forms:
        return None
    parts = [rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])" if re.search(r"[a-z0-9]", f) else re.escape(f) for f in sorted(forms, key=len, reverse=True)]
    return re.compile("|".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", choices=["dev", "test", "all"], default=None, help="List false positives and negatives for a split.")
    ap.add_argument("--seeds", type=Path, default=None, help="Folder of the five seed articles: report demo-graph coverage instead.")
    ap.add_argument("--set", dest="eval_set", choices=["own", "real"], default="own", help="own: the self-written articles (bench/extract_eval/); real: the real articles (bench/extract_real/).")
    ap.add_argument("--demo", type=Path, default=HERE.parent / "loaders" / "demo", help="Folder of the demo graph CSV files.")
    ap.add_argument("--classifier", choices=["auto", "on", "off"], default="auto", help="Relation classifier: as the shipped model says (auto), always, never.")
    args = ap.parse_args()
    global CLASSIFIER
    CLASSIFIER = {"auto": None, "on": True, "off": False}[args.classifier]
    t0 = time.perf_counter()
    if args.seeds:
        out = {
            "cold": seed_coverage(args.seeds, args.demo, with_graph=False),
            "with_graph_gazetteer": seed_coverage(args.seeds, args.demo, with_graph=True),
            "relationships_with_graph_gazetteer": seed_relations(args.seeds, args.demo),
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if args.eval_set == "real":
        from extract_real_set import ARTICLES, splits

        eval_dir, split = ARTICLES, splits()
    else:
        eval_dir = EVAL_DIR
        split = {p.stem: json.loads(p.read_text(encoding="utf-8"))["split"] for p in EVAL_DIR.glob("*.json")}
    names = sorted(split)
    report: dict[str, Any] = {"set": args.eval_set}
    errs: dict[str, Any] = {}
    for part in ("dev", "test", "all"):
        chosen = [n for n in names if part == "all" or split[n] == part]
        report[part], e = evaluate(chosen, eval_dir)
        report[part]["languages"] = dict(Counter(n[:2] for n in chosen))
        if part == args.errors:
            errs = e
    report["seconds"] = round(time.perf_counter() - t0, 2)
    if args.errors:
        report["errors"] = errs
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
