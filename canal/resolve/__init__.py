"""Entity resolution: normalised names, identifiers with check digits, a gazetteer,
blocking and fuzzy candidates, recorded and reversible merges, a review report.

>>> normalise_name("清華大學")
'清华大学'
>>> g = Gazetteer(); g.add("thu", ["清华大学", "Tsinghua University"]); g.lookup("清華大學")
[('thu', 1.0)]
"""

from canal.resolve.engine import (
    Match,
    Resolution,
    ReviewPair,
    merge_props,
    names_of,
    read_alias_groups,
    resolve,
    write_review,
)
from canal.resolve.gazetteer import Gazetteer
from canal.resolve.identifiers import (
    IDENTIFIER_KEYS,
    lei_valid,
    normalise_identifier,
    qid_valid,
    ror_valid,
    uscc_check_char,
    uscc_valid,
    vat_valid,
)
from canal.resolve.names import blocking_keys, fold_name, normalise_name, similarity, to_simplified

__all__ = [
    "IDENTIFIER_KEYS",
    "Gazetteer",
    "Match",
    "Resolution",
    "ReviewPair",
    "blocking_keys",
    "fold_name",
    "lei_valid",
    "merge_props",
    "names_of",
    "normalise_identifier",
    "normalise_name",
    "qid_valid",
    "read_alias_groups",
    "resolve",
    "ror_valid",
    "similarity",
    "to_simplified",
    "uscc_check_char",
    "uscc_valid",
    "vat_valid",
    "write_review",
]
