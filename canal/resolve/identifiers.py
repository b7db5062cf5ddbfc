"""Organisation identifiers: USCC, LEI and ROR (with their check digits), EU VAT numbers, Wikidata QIDs.

>>> uscc_valid("91350100M000100Y43")
True
>>> uscc_valid("91350100M000100Y44")
False
>>> lei_valid("5493001KJTIIGC8Y1R12")
True
>>> ror_valid("https://ror.org/02v51f717"), ror_valid("02v51f718")
(True, False)
>>> normalise_identifier("ror", "02v51f717"), normalise_identifier("wikidata", "wd:Q42")
('https://ror.org/02v51f717', 'Q42')
>>> normalise_identifier("vat", "de 292.392.848"), normalise_identifier("vat", "GR998219694")
('DE292392848', 'EL998219694')
>>> normalise_identifier("vat", "MISSING") is None
True
"""

from __future__ import annotations

import re

from canal.load.transforms import normalise_vat

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

IDENTIFIER_KEYS = ("uscc", "lei", "vat", "ror", "wikidata")
"""Property keys that identify an organisation, strongest evidence for a merge."""


def uscc_check_char(first17: str) -> str:
    """The check character (GB 32100-2015) of the first 17 characters of a USCC."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    """True for an 18-character unified social credit code with a correct check character."""
    code = code.strip().upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def lei_valid(code: str) -> bool:
    """True for a 20-character LEI whose ISO 7064 MOD 97-10 checksum is right."""
    code = code.strip().upper()
    if not re.fullmatch(r"[0-9A-Z]{18}[0-9]{2}", code):
        return False
    return int("".join(str(int(c, 36)) for c in code)) % 97 == 1


def vat_valid(code: str) -> bool:
    """True for a VAT number in the EU form: two capital letters for the country, then 2 to 16
    letters or digits with at least one digit (placeholders such as ``MISSING`` are refused).

    National check digits differ per country and are not tested.
    """
    return bool(re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,16}", code)) and any(c.isdigit() for c in code[2:])


def ror_valid(value: str) -> bool:
    """True for a ROR id (bare or as https://ror.org/ URL) with a correct checksum."""
    m = re.fullmatch(r"(?:https?://ror\.org/)?(0[0-9a-hjkmnp-tv-z]{6})([0-9]{2})", value.strip().lower())
    if not m:
        return False
    n = 0
    for c in m.group(1):
        n = n * 32 + _CROCKFORD.index(c)
    return 98 - (n * 100) % 97 == int(m.group(2))


def qid_valid(value: str) -> bool:
    """True for a Wikidata item id such as ``Q42`` (there is no check digit)."""
    return bool(re.fullmatch(r"Q[1-9][0-9]*", value.strip()))


def normalise_identifier(key: str, value: str) -> str | None:
    """The canonical form of an identifier, or ``None`` if it is not valid."""
    text = str(value).strip()
    if key == "uscc":
        text = text.upper().replace(" ", "")
        return text if uscc_valid(text) else None
    if key == "lei":
        text = text.upper().replace(" ", "")
        return text if lei_valid(text) else None
    if key == "vat":
        vat = normalise_vat(text)
        return vat if vat and vat_valid(vat) else None
    if key == "ror":
        if not ror_valid(text):
            return None
        return "https://ror.org/" + text.lower().rsplit("/", 1)[-1]
    if key == "wikidata":
        m = re.search(r"(Q[1-9][0-9]*)$", text)
        return m.group(1) if m else None
    return text or None
