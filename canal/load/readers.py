"""Read tabular sources (CSV, TSV, Excel, JSON, JSON Lines) into numbered rows.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first data
row of a CSV is row 2; in JSON Lines the row is the line number.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from canal.errors import LoaderError

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "excel",
    ".xlsm": "excel",
}


def format_of(path: Path, declared: str | None = None) -> str:
    """The format of a source file: declared, else from its extension."""
    if declared:
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoaderError(f"cannot tell the format of {path.name}; set 'format' in the spec", file=str(path))
    return fmt


def decode(data: bytes, path: Path, encoding: str = "auto") -> str:
    """Decode bytes: a declared encoding, or what :func:`detect_encoding` finds.

    >>> decode("名称".encode("gb18030"), Path("x.csv"))
    '名称'
    >>> decode("a,b".encode("utf-16"), Path("x.csv"))
    'a,b'
    """
    enc = encoding if encoding and encoding != "auto" else _detect(data[: 1 << 16], [data], path)
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoaderError(f"cannot decode as {enc}: {exc}", file=str(path)) from None


def _detect(head: bytes, chunks: Iterable[bytes], path: Path) -> str:
    """The encoding of a text that starts with ``head`` (``chunks``: all of it, read once
    when there is no byte order mark, to tell UTF-8 from GB18030)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head[:4096].count(b"\x00") > max(1, len(head[:4096]) // 100):  # a stray NUL is a bad cell, many a binary file
        raise LoaderError("this is a binary file, not text (UTF-16 needs a byte order mark, or set 'encoding')", file=str(path))
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            dec.decode(chunk)
        dec.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("gb18030")  # the head may end inside a character: judged on complete ones
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            raise LoaderError(f"not UTF-8 and not GB18030/GBK (byte {exc.start}); set 'encoding' in the spec", file=str(path)) from None
    return "gb18030"


def detect_encoding(path: Path, encoding: str = "auto") -> str:
    """The encoding to read ``path`` with: the declared one, else UTF-16 or UTF-8 by their
    byte order mark, else UTF-8 when every byte of the file decodes as UTF-8, else GB18030.
    This is the one place canal decides how to decode a text source."""
    if encoding and encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise LoaderError(f"unknown encoding {encoding!r}", file=str(path)) from None
        return encoding
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            fh.seek(0)
            return _detect(head, iter(lambda: fh.read(1 << 20), b""), path)
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror}", file=str(path)) from None


def field_size_limit() -> int:
    """The largest CSV cell canal reads, in characters: ``CANAL_CSV_FIELD_LIMIT`` (default 16 MiB)."""
    import os

    raw = os.environ.get("CANAL_CSV_FIELD_LIMIT", "")
    try:
        return int(raw) if raw else 16 << 20
    except ValueError:
        raise LoaderError(f"CANAL_CSV_FIELD_LIMIT must be a number of characters, not {raw!r}") from None


def csv_rows(path: Path, fmt: str, encoding: str = "auto") -> Iterator[tuple[int, list[str]]]:
    """Stream the records of a CSV/TSV file as ``(row_number, cells)``; the header is row 1.

    Blank records are skipped (their numbers too count, as in a spreadsheet). The one CSV
    reader of canal: incremental loads, the bulk path and import files all read through it.
    """
    enc = detect_encoding(path, encoding)
    csv.field_size_limit(field_size_limit())
    try:
        fh = open(path, encoding=enc, newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror}", file=str(path)) from None
    with fh:
        reader = csv.reader(fh, delimiter="," if fmt == "csv" else "\t")
        n = 0
        try:
            for n, cells in enumerate(reader, start=1):
                if cells or n == 1:
                    yield n, cells
        except csv.Error as exc:
            why = str(exc)
            if "field larger than field limit" in why:
                why = f"a cell is longer than {field_size_limit()} characters (set CANAL_CSV_FIELD_LIMIT to read it)"
            raise LoaderError(f"malformed CSV: {why}", file=str(path), row=n + 1) from None
        except UnicodeDecodeError as exc:
            raise LoaderError(f"cannot decode as {enc}: {exc.reason}; set 'encoding' in the spec", file=str(path), row=n + 1) from None


def header_of(cells: list[str], path: Path) -> list[str]:
    """Column names of a header row (stripped; a repeated name is an error)."""
    names = [h.strip() for h in cells]
    dupes = {f for f, n in Counter(names).items() if n > 1}  # not list.count: quadratic in wide headers
    if dupes:
        raise LoaderError(f"duplicate column(s) {sorted(dupes)}", file=str(path), row=1)
    return names


class ShortRow(LoaderError):
    """A record with fewer (or more) cells than the header."""


def row_shape_error(cells: list[str], header: list[str], path: Path, row: int, allow_short: bool) -> ShortRow | None:
    """Why a record's cell count does not fit the header (``None`` when it does).

    >>> row_shape_error(["a"], ["x", "y"], Path("f.csv"), 3, False).message
    'the row has 1 cells, the header 2 columns (allow it with short_rows: allow)'
    """
    if len(cells) == len(header) or (allow_short and len(cells) < len(header)):
        return None
    if len(cells) > len(header):
        return ShortRow(f"the row has {len(cells)} cells, the header {len(header)} columns", file=str(path), row=row)
    return ShortRow(f"the row has {len(cells)} cells, the header {len(header)} columns (allow it with short_rows: allow)", file=str(path), row=row)


def read_table(
    path: Path,
    fmt: str | None = None,
    encoding: str = "auto",
    *,
    records: str | None = None,
    sheet: str | None = None,
    allow_short: bool = False,
    bad: Callable[[LoaderError], None] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(row_number, record)`` for every record of a source file.

    ``records`` is the dotted path to the list of records inside a JSON document
    (e.g. ``results.bindings`` for SPARQL JSON results); ``sheet`` picks an Excel sheet.
    A ``.json`` file that holds one JSON object per line is read as JSON Lines. A CSV
    record with more cells than the header, or fewer (unless ``allow_short``), is a bad
    row: given to ``bad`` (which may raise or set it aside), raised without it.
    """
    fmt = format_of(path, fmt)
    if fmt == "excel":
        yield from _read_excel(path, sheet)
        return
    if fmt in ("csv", "tsv"):
        rows = csv_rows(path, fmt, encoding)
        first = next(rows, None)
        if first is None:
            return
        header = header_of(first[1], path)
        width = len(header)
        for i, cells in rows:
            problem = row_shape_error(cells, header, path, i, allow_short)
            if problem is not None:
                if bad is None:
                    raise problem
                bad(problem)
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield i, {k: v.strip() for k, v in zip(header, cells, strict=True)}
        return
    enc = detect_encoding(path, encoding)
    try:
        text = path.read_text(encoding=enc)
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise LoaderError(f"cannot decode as {enc}: {exc.reason}; set 'encoding' in the spec", file=str(path)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if fmt == "json" and records is None and _looks_like_jsonl(text):
        fmt = "jsonl"
    if fmt == "jsonl":
        yield from _read_jsonl(text, path)
    elif fmt == "json":
        yield from _read_json(text, path, records)
    else:
        raise LoaderError(f"unsupported format {fmt!r}", file=str(path))


def header(path: Path, fmt: str | None = None, encoding: str = "auto", sheet: str | None = None) -> list[str] | None:
    """The column names of a table (CSV, TSV, Excel), read without its rows; ``None`` for
    formats without a header (JSON)."""
    fmt = format_of(path, fmt)
    if fmt in ("csv", "tsv"):
        first = next(csv_rows(path, fmt, encoding), None)
        return header_of(first[1], path) if first else []
    if fmt == "excel":
        for _row, rec in _read_excel(path, sheet, header_only=True):
            return list(rec)
        return []
    return None


def _read_jsonl(text: str, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise LoaderError(f"malformed JSON: {why}", file=str(path), row=i) from None
        if not isinstance(rec, dict):
            raise LoaderError("a JSON Lines record must be an object", file=str(path), row=i)
        yield i, rec


def _read_json(text: str, path: Path, records: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise LoaderError(f"malformed JSON: {why}", file=str(path)) from None
    if records:
        items: Any = doc
        for part in records.split("."):
            items = items.get(part) if isinstance(items, dict) else None
        items = items if isinstance(items, list) else None
    else:
        items = doc if isinstance(doc, list) else next((v for v in doc.values() if isinstance(v, list)), None) if isinstance(doc, dict) else None
    if items is None:
        raise LoaderError("a JSON source must be a list of objects (or an object holding one)", file=str(path))
    for i, rec in enumerate(items, start=1):
        if not isinstance(rec, dict):
            raise LoaderError("every item must be an object", file=str(path), row=i)
        yield i, rec


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
        return True
    except (ValueError, RecursionError):
        return False


def _read_excel(path: Path, sheet: str | None, *, header_only: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds
        raise LoaderError(f"cannot read Excel workbook: {exc}", file=str(path)) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise LoaderError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})", file=str(path))
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [str(h).strip() if h is not None else "" for h in header]
        dupes = {f for f, n in Counter(names).items() if f and n > 1}
        if dupes:
            raise LoaderError(f"duplicate column(s) {sorted(dupes)}", file=str(path), row=1)
        if header_only:
            yield 1, {k: k for k in names if k}
            return
        for i, values in enumerate(rows, start=2):
            if all(v is None or v == "" for v in values):
                continue
            rec = {}
            for k, v in zip(names, values, strict=False):
                if k:
                    rec[k] = v.strip() if isinstance(v, str) else ("" if v is None else v)
            yield i, rec
    finally:
        wb.close()
