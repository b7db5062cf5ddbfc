"""Facts from Chinese and English articles, with evidence (``canal extract``).

Read an article (:func:`read_article`), find entities and relations
(:func:`extract_article`), write them to a review file (:func:`write_review`), let a person
accept, reject or fix each line, then load the result (:func:`load_review`) through the
normal validation path with ``method='extracted'``. Everything runs offline: jieba with a
private dictionary, suffix and trigger patterns, and a gazetteer built from the graph.
"""

from __future__ import annotations

from canal.extract.document import MAX_BYTES, Article, article_from_text, read_article
from canal.extract.lexicon import Lexicon
from canal.extract.pipeline import Entity, Extraction, Relation, extract_article

__all__ = [
    "MAX_BYTES",
    "Article",
    "Entity",
    "Extraction",
    "Lexicon",
    "Relation",
    "article_from_text",
    "extract_article",
    "read_article",
]
