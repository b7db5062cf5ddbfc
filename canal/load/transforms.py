"""Named value transforms and record readers that a loader spec may call by name.

A spec stays declarative: when a source needs a little code (ROR's nested JSON, a
date written ``20230821``, a stock code ``600373.SH``), the code is registered here
under a name and the spec names it (``transform: yyyymmdd``, ``reader: ror``).

>>> apply_transforms(["yyyymmdd"], "20230821")
'2023-08-21'
>>> apply_transforms(["ror_suffix"], "https://ror.org/02v51f717")
'02v51f717'
>>> apply_transforms(["stock_code"], "600373.SH")
'600373'
>>> apply_transforms(["latitude"], "52.2033051,0.124862"), apply_transforms(["longitude"], "52.2033051,0.124862")
('52.2033051', '0.124862')
>>> apply_transforms(["iso_country"], "UK"), apply_transforms(["vat"], "MISSING"), apply_transforms(["web_url"], "www.cnr.it")
('GB', None, 'http://www.cnr.it')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

Transform = Callable[[Any], Any]
Reader = Callable[[Iterable[tuple[int, dict[str, Any]]]], Iterator[tuple[int, dict[str, Any]]]]

TRANSFORMS: dict[str, Transform] = {}
READERS: dict[str, Reader] = {}


def transform(name: str) -> Callable[[Transform], Transform]:
    """Register a value transform under ``name`` (returns ``None`` to drop a value)."""

    def deco(fn: Transform) -> Transform:
        TRANSFORMS[name] = fn
        return fn

    return deco


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a record reader: it turns source records into flat records."""

    def deco(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return deco


def apply_transforms(names: Iterable[str], value: Any) -> Any:
    """Apply the named transforms in order; lists are transformed element by element."""
    for name in names:
        fn = TRANSFORMS[name]
        if isinstance(value, list):
            value = [y for y in (fn(x) for x in value) if y is not None and y != ""] or None
        elif value is not None:
            value = fn(value)
        if value is None:
            return None
    return value


@transform("strip")
def _strip(v: Any) -> Any:
    return v.strip() if isinstance(v, str) else v


@transform("lower")
def _lower(v: Any) -> Any:
    return str(v).lower()


@transform("upper")
def _upper(v: Any) -> Any:
    return str(v).upper()


@transform("last_segment")
def _last_segment(v: Any) -> Any:
    """The last part of a hyphenated path: ``a-b-c`` -> ``c``."""
    return str(v).rsplit("-", 1)[-1]


@transform("yyyymmdd")
def _yyyymmdd(v: Any) -> Any:
    text = str(v).strip()
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


@transform("year")
def _year(v: Any) -> Any:
    m = re.match(r"^\+?(\d{4})", str(v).strip())
    return int(m.group(1)) if m else None


@transform("stock_code")
def _stock_code(v: Any) -> Any:
    """``600373.SH`` / ``sz000001`` -> ``600373`` / ``000001``."""
    m = re.search(r"(\d{6})", str(v))
    return m.group(1) if m else None


@transform("ror_suffix")
def _ror_suffix(v: Any) -> Any:
    m = re.search(r"(0[a-z0-9]{6}[0-9]{2})\s*$", str(v).strip())
    return m.group(1) if m else None


@transform("ror_url")
def _ror_url(v: Any) -> Any:
    suffix = _ror_suffix(v)
    return f"https://ror.org/{suffix}" if suffix else None


@transform("wikidata_qid")
def _wikidata_qid(v: Any) -> Any:
    m = re.search(r"(Q\d+)\s*$", str(v).strip())
    return m.group(1) if m else None


@transform("http_url")
def _http_url(v: Any) -> Any:
    text = str(v).strip()
    return text if re.match(r"^https?://\S+$", text) else None


def normalise_vat(v: Any) -> str | None:
    """A VAT number in one form: capitals, no spaces, dots, dashes or slashes, Greece as ``EL``;
    ``None`` for a placeholder without a single digit (``MISSING``, ``N/A``)."""
    text = re.sub(r"[\s.\-/]", "", str(v).upper())
    if text.startswith("GR"):  # Greece's VAT prefix is EL, not its ISO code
        text = "EL" + text[2:]
    return text if any(c.isdigit() for c in text[2:]) else None


@transform("vat")
def _vat(v: Any) -> Any:
    """A VAT number normalised (:func:`normalise_vat`); placeholders without digits are absent values."""
    return normalise_vat(v)


_EU_COUNTRY = {"UK": "GB", "EL": "GR"}


@transform("iso_country")
def _iso_country(v: Any) -> Any:
    """ISO 3166 alpha-2 from the EU's own codes (``UK`` -> ``GB``, ``EL`` -> ``GR``)."""
    text = str(v).strip().upper()
    return _EU_COUNTRY.get(text, text)


def _coordinate(v: Any, i: int) -> Any:
    parts = str(v).split(",")
    # anything but a "lat,long" pair is passed on whole, so that it fails as a number (a bad row, not a silent drop)
    return parts[i].strip() if len(parts) == 2 else str(v)


@transform("latitude")
def _latitude(v: Any) -> Any:
    """The latitude of a ``"lat,long"`` pair."""
    return _coordinate(v, 0)


@transform("longitude")
def _longitude(v: Any) -> Any:
    """The longitude of a ``"lat,long"`` pair."""
    return _coordinate(v, 1)


@transform("web_url")
def _web_url(v: Any) -> Any:
    """The first web address in a cell: ``http(s)://`` kept, a bare host name (``www.cnr.it``)
    gets ``http://``; Unicode hyphens become ``-`` and a sentence's final dot goes.
    Cells with several addresses (``a.com & b.com``, ``a.eu; b.eu``) give the first one.
    """
    text = str(v).translate({0x2010: "-", 0x2011: "-"})
    for token in re.split(r"[\s;,&|]+", text):
        token = token.rstrip(".")
        if re.match(r"^https?://\S+$", token, re.IGNORECASE):
            return token
        if re.match(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", token):
            return "http://" + token
    return None


# -- readers ------------------------------------------------------------------------

_ROR_CLASS_PRIORITY = ("education", "facility", "funder", "company", "government", "healthcare", "nonprofit", "archive", "other")


@reader("ror")
def _ror(records: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Flatten ROR schema v2 records.

    Adds ``name`` (ror_display), ``name_en`` / ``name_zh`` (labels by language),
    ``aliases`` (every other name, acronyms included), ``type`` (the main type, by the
    priority education > facility > funder > company > government > healthcare >
    nonprofit > archive > other), ``wikidata``, ``country``, ``city``, ``website`` and
    keeps ``relationships`` for ``explode``.
    """
    for row, rec in records:
        names = rec.get("names") or []
        display = next((n["value"] for n in names if "ror_display" in (n.get("types") or [])), None)
        labels = [n for n in names if "label" in (n.get("types") or [])]
        name_en = next((n["value"] for n in labels if n.get("lang") == "en"), None)
        name_zh = next((n["value"] for n in labels if (n.get("lang") or "").startswith("zh")), None)
        aliases = sorted({n["value"] for n in names if n.get("value") and n["value"] != display})
        types = rec.get("types") or []
        main = next((t for t in _ROR_CLASS_PRIORITY if t in types), types[0] if types else None)
        ext = {e.get("type"): e for e in rec.get("external_ids") or []}
        wd = ext.get("wikidata")
        wikidata = (wd.get("preferred") or (wd.get("all") or [None])[0]) if wd else None
        loc = ((rec.get("locations") or [{}])[0] or {}).get("geonames_details") or {}
        website = next((li.get("value") for li in rec.get("links") or [] if li.get("type") == "website"), None)
        flat = dict(rec)
        flat.update(
            {
                "name": display,
                "name_en": name_en,
                "name_zh": name_zh,
                "aliases": aliases or None,
                "type": main,
                "wikidata": wikidata,
                "country": loc.get("country_code"),
                "city": loc.get("name"),
                "website": website,
            }
        )
        yield row, flat


@reader("sparql_json")
def _sparql_json(records: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """One flat record per SPARQL result binding: ``{var: value}`` (plus ``var@lang``)."""
    for row, rec in records:
        out: dict[str, Any] = {}
        for var, cell in rec.items():
            if isinstance(cell, dict) and "value" in cell:
                out[var] = cell["value"]
                if cell.get("xml:lang"):
                    out[f"{var}@lang"] = cell["xml:lang"]
            else:
                out[var] = cell
        yield row, out
