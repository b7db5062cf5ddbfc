"""Train the relation classifier on the real dev split and measure it by cross-validation.

    python bench/extract_train_relations.py            # 5-fold CV by site on dev, then train on all dev and write the model
    python bench/extract_train_relations.py --cv-only  # the CV table only

Only the dev articles of ``bench/extract_real/`` are read (the test split is never opened here).
Folds group whole sites. For every fold the classifier is trained on the other folds and scored,
alone and together with the trigger rules, at several probability thresholds; the threshold and
combination chosen by CV are written into ``canal/extract/relation_model.json`` with the weights.
The model is a softmax regression over ``none`` / ``TYPE>`` / ``TYPE<`` trained by full-batch
gradient descent (numpy, deterministic: no random state).
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_eval import EVAL_DIR, SYMMETRIC, _same
from extract_real_set import ARTICLES, load_gold, splits

from canal.extract import extract_article, read_article
from canal.extract.classifier import MODEL_PATH, Model, allowed_labels, pair_features, sentence_pairs
from canal.extract.lexicon import normalise
from canal.extract.pipeline import _paragraph_langs, simplified_same_length
from canal.ontology import load_ontology

MODES = ("rules", "classifier", "union", "filter", "filter+classifier")
FILTER_AT = 0.2  # "filter": a rule's relation is kept when the classifier gives it at least FILTER_AT × threshold
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_COUNT = 2
L2 = 1e-3
STEPS = 300
POS_WEIGHT = 2.0


def _aliases(gold: dict[str, Any]) -> dict[str, set[str]]:
    return {e[0]: {normalise(x) for x in [e[0], *(e[2] if len(e) > 2 else [])]} for e in gold["entities"]}


#: Relation types the self-written set annotates (its gold says nothing about the others).
OWN_TYPES = frozenset({"develops", "investsIn", "locatedIn", "adopts", "licensedTo", "memberOf", "spinOffOf", "grantsTo", "transferredTo", "hosts", "leads"})


def own_dev() -> dict[str, tuple[Path, dict[str, Any]]]:
    """The dev split of the self-written set (bench/extract_eval/), as extra training articles."""
    out = {}
    for g in sorted(EVAL_DIR.glob("*.json")):
        gold = json.loads(g.read_text(encoding="utf-8"))
        if gold["split"] == "dev":
            art = next(p for p in sorted(EVAL_DIR.glob(f"{g.stem}.*")) if p.suffix != ".json")
            out["own:" + g.stem] = (art, {**gold, "site": "own"})
    return out


def prepare(names: list[str], cache: Path | None) -> dict[str, Any]:
    """Per article: rule triples, candidate pairs (features, gold label, names), gold relations."""
    if cache is not None and cache.exists():
        data: dict[str, Any] = pickle.loads(cache.read_bytes())
        if set(data) >= set(names):
            return {n: data[n] for n in names}
    own = own_dev()
    out: dict[str, Any] = {}
    for name in names:
        path, gold = own[name] if name in own else (ARTICLES / f"{name}.txt", load_gold(name))
        al = _aliases(gold)
        gold_rels = [(al.get(r[0], {normalise(r[0])}), r[1], al.get(r[2], {normalise(r[2])})) for r in gold["relations"]]
        art = read_article(path)
        ex = extract_article(art, classifier=False)
        text = art.text
        blocks = _paragraph_langs(text, "auto")
        seen = simplified_same_length(text) if any(lg == "zh" for _, _, lg in blocks) else text
        pairs = []
        for m1, m2, s0, s1, lg, cross in sentence_pairs(seen, ex.mentions, blocks):
            n1, n2 = normalise(m1.name), normalise(m2.name)
            label = "none"
            for s, t, o in gold_rels:
                if n1 in s and n2 in o:
                    label = t + ">"
                elif n2 in s and n1 in o:
                    label = t + (">" if t in SYMMETRIC else "<")
                else:
                    continue
                break
            pairs.append({"x": cross, "f": pair_features(seen, m1, m2, s0, s1, lg, cross=cross), "y": label, "n1": n1, "n2": n2, "c1": m1.cls, "c2": m2.cls})
        rules = {(normalise(r.source_name), r.type, normalise(r.target_name)) for r in ex.relations}
        out[name] = {"names": {normalise(m.name) for m in ex.mentions}, "site": gold["site"], "pairs": pairs, "rules": rules, "gold": gold_rels}
    if cache is not None:
        cache.write_bytes(pickle.dumps(out))
    return out


def train(pairs: list[dict[str, Any]], labels: list[str]) -> Model:
    """Softmax regression on the pairs (full-batch gradient descent with AdaGrad steps)."""
    onto = load_ontology()
    counts = Counter(f for p in pairs for f in set(p["f"]))
    vocab = sorted(f for f, c in counts.items() if c >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocab)}
    lab_index = {lab: i for i, lab in enumerate(labels)}
    n, v, k = len(pairs), len(vocab), len(labels)
    rows: list[int] = []
    cols: list[int] = []
    y = np.zeros(n, dtype=np.int64)
    mask = np.zeros((n, k), dtype=bool)
    dummy = Model(labels, {}, [0.0] * k, 0.5)
    from canal.extract.mentions import Mention

    for i, p in enumerate(pairs):
        ids = sorted({index[f] for f in p["f"] if f in index})
        rows.extend([i] * len(ids))
        cols.extend(ids)
        m1 = Mention(0, 0, "", p["c1"], "", 1.0)
        m2 = Mention(0, 0, "", p["c2"], "", 1.0)
        mask[i] = allowed_labels(dummy, onto, m1, m2)
        if p.get("own"):
            mask[i] &= [lab == "none" or lab[:-1] in OWN_TYPES for lab in labels]
        lab = p["y"] if p["y"] in lab_index and mask[i, lab_index[p["y"]]] else "none"
        y[i] = lab_index[lab]
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    w = np.zeros((v, k))
    b = np.zeros(k)
    gw = np.full((v, k), 1e-8)
    gb = np.full(k, 1e-8)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    # relations are rare among the pairs: weigh them up so that "none" does not win by default
    npos = max(1, int((y != lab_index["none"]).sum()))
    sw = np.where(y == lab_index["none"], 1.0, POS_WEIGHT * (n - npos) / npos)[:, None]
    lr = 0.5
    for _ in range(STEPS):
        s = np.zeros((n, k))
        np.add.at(s, r, w[c])
        s += b
        s[~mask] = -1e9
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        prob = e / e.sum(axis=1, keepdims=True)
        g = sw * (prob - onehot) / n
        dw = np.zeros((v, k))
        np.add.at(dw, c, g[r])
        dw += L2 * w
        db = g.sum(axis=0)
        gw += dw * dw
        gb += db * db
        w -= lr * dw / np.sqrt(gw)
        b -= lr * db / np.sqrt(gb)
    weights = {f: [round(float(x), 4) for x in w[i]] for f, i in index.items() if np.abs(w[i]).max() >= 1e-3}
    return Model(labels, weights, [round(float(x), 4) for x in b], 0.5)


def predict(model: Model, pairs: list[dict[str, Any]], th: float) -> set[tuple[str, str, str]]:
    onto = load_ontology()
    from canal.extract.mentions import Mention

    out = set()
    for p in pairs:
        allowed = allowed_labels(model, onto, Mention(0, 0, "", p["c1"], "", 1.0), Mention(0, 0, "", p["c2"], "", 1.0))
        lab, pr = model.predict(p["f"], allowed)
        if lab == "none" or pr < th:
            continue
        rel, way = lab[:-1], lab[-1]
        out.add((p["n1"], rel, p["n2"]) if way == ">" else (p["n2"], rel, p["n1"]))
    return out


def triple_probs(model: Model, pairs: list[dict[str, Any]]) -> dict[tuple[str, str, str], float]:
    """Highest probability the classifier gives each (source, type, target) over the article's pairs."""
    onto = load_ontology()
    from canal.extract.mentions import Mention

    out: dict[tuple[str, str, str], float] = {}
    for p in pairs:
        allowed = allowed_labels(model, onto, Mention(0, 0, "", p["c1"], "", 1.0), Mention(0, 0, "", p["c2"], "", 1.0))
        for lab, pr in zip(model.labels, model.probs(p["f"], allowed), strict=True):
            if lab == "none" or pr == 0.0:
                continue
            rel, way = lab[:-1], lab[-1]
            key = (p["n1"], rel, p["n2"]) if way == ">" else (p["n2"], rel, p["n1"])
            out[key] = max(out.get(key, 0.0), pr)
            if rel in SYMMETRIC:
                rkey = (key[2], rel, key[0])
                out[rkey] = max(out.get(rkey, 0.0), pr)
    return out


def score(pred: set[tuple[str, str, str]], gold: list[tuple[set[str], str, set[str]]]) -> tuple[int, int, int]:
    """tp, fp, fn as in ``bench/extract_eval.py`` (collaboratesWith matches in both directions)."""
    tp = sum(1 for x in pred if any(_same(*x, g) for g in gold))
    fn = sum(1 for g in gold if not any(_same(*x, g) for x in pred))
    return tp, len(pred) - tp, fn


def folds_by_site(data: dict[str, Any], k: int = 5) -> list[list[str]]:
    """Sites to k folds of similar article counts (largest sites first, deterministic)."""
    by_site: dict[str, list[str]] = {}
    for n in sorted(data):
        by_site.setdefault(data[n]["site"], []).append(n)
    folds: list[list[str]] = [[] for _ in range(k)]
    for site in sorted(by_site, key=lambda s: (-len(by_site[s]), s)):
        min(folds, key=lambda f: (len(f), folds.index(f))).extend(by_site[site])
    return folds


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def label_set(pairs: list[dict[str, Any]]) -> list[str]:
    counts = Counter(p["y"] for p in pairs if p["y"] != "none")
    return ["none", *sorted(lab for lab, c in counts.items() if c >= 2)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--with-own", action="store_true", help="Also train on the dev split of the self-written set (bench/extract_eval/).")
    ap.add_argument("--cache", type=Path, default=None, help="Pickle of the prepared dev pairs (speeds up reruns).")
    args = ap.parse_args()
    dev = sorted(n for n, s in splits().items() if s == "dev")
    extra = sorted(own_dev()) if args.with_own else []
    data = prepare(dev + extra, args.cache)
    for n in extra:
        for p in data[n]["pairs"]:
            p["own"] = True
    own_pairs = [p for n in extra for p in data[n]["pairs"]]
    data = {n: data[n] for n in dev}
    folds = folds_by_site(data)
    # per fold, per (mode, threshold): tp, fp, fn
    table: dict[tuple[str, float], list[tuple[int, int, int]]] = {}
    for fold in folds:
        train_pairs = [p for n in dev if n not in fold for p in data[n]["pairs"]] + own_pairs
        model = train(train_pairs, label_set(train_pairs))
        for th in THRESHOLDS:
            tot: dict[str, list[int]] = {m: [0, 0, 0] for m in MODES}
            for n in fold:
                cls = predict(model, data[n]["pairs"], th)
                tp = triple_probs(model, data[n]["pairs"])
                kept = {x for x in data[n]["rules"] if tp.get(x, 1.0) >= FILTER_AT * th}
                preds = {"rules": data[n]["rules"], "classifier": cls, "union": cls | data[n]["rules"], "filter": kept, "filter+classifier": kept | cls}
                for mode, pred in preds.items():
                    for j, x in enumerate(score(pred, data[n]["gold"])):
                        tot[mode][j] += x
            for mode, (tp, fp, fn) in tot.items():
                table.setdefault((mode, th), []).append((tp, fp, fn))
    report: dict[str, Any] = {"folds": [len(f) for f in folds], "pairs": sum(len(d["pairs"]) for d in data.values()), "cv": {}}
    best: tuple[float, str, float] = (-1.0, "rules", 1.0)
    for (mode, th), per in sorted(table.items()):
        if mode == "rules" and th != THRESHOLDS[0]:
            continue
        ps, rs, fs = zip(*(prf(*x) for x in per), strict=True)
        pooled = prf(*(sum(x[j] for x in per) for j in range(3)))
        key = mode if mode == "rules" else f"{mode}@{th}"
        report["cv"][key] = {
            "P": f"{statistics.mean(ps):.3f} ± {statistics.pstdev(ps):.3f}",
            "R": f"{statistics.mean(rs):.3f} ± {statistics.pstdev(rs):.3f}",
            "F1": f"{statistics.mean(fs):.3f} ± {statistics.pstdev(fs):.3f}",
            "pooled": [round(x, 3) for x in pooled],
        }
        # precision first: F0.5 of the pooled figures
        p, r, _ = pooled
        f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        if mode != "rules" and f05 > best[0]:
            best = (f05, mode, th)
    rp, rr, _ = prf(*(sum(x[j] for x in table[("rules", THRESHOLDS[0])]) for j in range(3)))
    rules_f05 = 1.25 * rp * rr / (0.25 * rp + rr) if rp + rr else 0.0
    # the classifier is on by default only if it beats the rules alone in CV (precision first)
    mode = best[1] if best[0] > rules_f05 else "off"
    report["chosen"] = {"mode": mode, "best_with_classifier": f"{best[1]}@{best[2]}", "threshold": best[2], "pooled_F0.5": round(best[0], 3), "rules_F0.5": round(rules_f05, 3)}
    if not args.cv_only:
        all_pairs = [p for n in dev for p in data[n]["pairs"]] + own_pairs
        model = train(all_pairs, label_set(all_pairs))
        out = {"labels": model.labels, "bias": model.bias, "threshold": best[2], "mode": mode, "trained_on": f"{len(dev)} dev articles of bench/extract_real", "weights": model.weights}
        MODEL_PATH.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
        report["model"] = {"labels": len(model.labels), "features": len(model.weights), "bytes": MODEL_PATH.stat().st_size}
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
