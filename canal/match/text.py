"""Bilingual text similarity: Chinese character bigrams, English words, TF-IDF cosine.

Chinese has no spaces, so every run of CJK characters is cut into overlapping character
bigrams (a single character stays a unigram); English and other Latin text is cut into
lower-cased words of two or more letters, with a small stop list and a plural ``s``
folded. Tokens from both languages live in one vocabulary, so a bilingual description
matches Chinese-only and English-only ones. Weights are TF-IDF (sublinear term frequency,
smoothed inverse document frequency), each row normalised to unit length, so the
similarity of two documents is the dot product of their rows (cosine, 0..1).

>>> tokens("DMTO甲醇制烯烃 technologies")
['甲醇', '醇制', '制烯', '烯烃', 'dmto', 'technology']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z]")
_STOP = """a an and are as at be by for from has have in into is it its of on or that the this
to was were which with their they than then there these those also can new use used
using such other its our we via per not"""
_STOP_EU = """de la le les des du et en di del della dei y e der die das und von fur zu van het voor
och og da do dos das na no"""
_LEGAL = """gmbh mbh ltd limited plc llp inc llc corp co kg ag sa sas sarl sl slu spa srl bv nv oy ab
as aps sp zoo ev eg"""
STOPWORDS = frozenset(_STOP.split()) | frozenset(_STOP_EU.split()) | frozenset(_LEGAL.split())
"""Words that carry no meaning for matching: English and common European function words, legal forms."""


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    if word in STOPWORDS or len(word) < 2:
        return ""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_BIGRAM = re.compile(r"(?=([\u3400-\u9fff\uf900-\ufaff]{2}))")
_SINGLE = re.compile(r"(?<![\u3400-\u9fff\uf900-\ufaff])[\u3400-\u9fff\uf900-\ufaff](?![\u3400-\u9fff\uf900-\ufaff])")


def tokens(text: str) -> list[str]:
    """Chinese character bigrams first, then folded English words."""
    out: list[str] = _BIGRAM.findall(text)
    out += _SINGLE.findall(text)
    for w in _WORD.findall(_CJK.sub(" ", text).lower()):
        f = _fold(w)
        if f:
            out.append(f)
    return out


def tfidf(
    docs: Sequence[str],
    *,
    max_df: float = 0.05,
    min_df: int = 1,
    max_terms: int | None = None,
) -> tuple[sp.csr_matrix, list[str]]:
    """Unit-length TF-IDF rows (float32 CSR), one per document, and the terms (columns).

    Terms in more than ``max_df`` of the documents (a share, and more than 100 documents)
    are dropped: they match everything and would make the candidate lists dense. ``max_terms`` keeps only the
    heaviest terms of each document (pruning for very large corpora).

    >>> m, terms = tfidf(["甲醇制烯烃", "甲醇制烯烃工艺", "铝板带矫直"], max_df=1.0)
    >>> round(float(m[0].multiply(m[1]).sum()), 2), round(float(m[0].multiply(m[2]).sum()), 2)
    (0.73, 0.0)
    """
    vocab: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    counts: list[float] = []
    for doc in docs:
        tf = Counter(tokens(doc))
        ids = sorted(vocab.setdefault(tok, len(vocab)) for tok in tf)
        inv = {vocab[tok]: c for tok, c in tf.items()}
        indices.extend(ids)
        counts.extend(1.0 + math.log(inv[j]) for j in ids)
        indptr.append(len(indices))
    n = len(docs)
    m = sp.csr_matrix(
        (np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(n, max(len(vocab), 1)),
    )
    terms = sorted(vocab, key=vocab.__getitem__)
    if n == 0:
        return m, terms
    df = np.bincount(m.indices, minlength=m.shape[1]).astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    keep = (df >= min_df) & (df <= max(100.0, max_df * n))
    idf[~keep] = 0.0
    m = sp.csr_matrix(m.multiply(idf.astype(np.float32)[None, :]))
    m.eliminate_zeros()
    if max_terms is not None:
        m = _prune_rows(m, max_terms)
    return normalise_rows(m), terms


def normalise_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """Scale every non-empty row to unit Euclidean length."""
    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ m)


def _prune_rows(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    rows = []
    for i in range(m.shape[0]):
        a, b = m.indptr[i], m.indptr[i + 1]
        if b - a <= k:
            continue
        data = m.data[a:b]
        cut = np.partition(data, b - a - k)[b - a - k]
        low = data < cut
        data[low] = 0.0
        rows.append(i)
    if rows:
        m.eliminate_zeros()
    return m
