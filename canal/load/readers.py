"""Read tabular sources (CSV, TSV, Excel, JSON, JSON Lines) into numbered rows.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first data
row of a CSV is row 2; in JSON Lines the row is the line number.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
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
    """Decode bytes: a declared encoding, or UTF-8 (with or without BOM), then GB18030.

    >>> decode("名称".encode("gb18030"), Path("x.csv"))
    '名称'
    """
    if encoding and encoding != "auto":
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise LoaderError(f"cannot decode as {encoding}: {exc}", file=str(path)) from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoaderError("this is a binary file, not text", file=str(path))
    for enc in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise LoaderError(
            f"not UTF-8 and not GB18030/GBK (byte {exc.start}); set 'encoding' in the spec", file=str(path)
        ) from None


def read_table(
    path: Path,
    fmt: str | None = None,
    encoding: str = "auto",
    *,
    records: str | None = None,
    sheet: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(row_number, record)`` for every record of a source file.

    ``records`` is the dotted path to the list of records inside a JSON document
    (e.g. ``results.bindings`` for SPARQL JSON results); ``sheet`` picks an Excel sheet.
    A ``.json`` file that holds one JSON object per line is read as JSON Lines.
    """
    fmt = format_of(path, fmt)
    if fmt == "excel":
        yield from _read_excel(path, sheet)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror}", file=str(path)) from None
    text = decode(data, path, encoding)
    if fmt == "json" and records is None and _looks_like_jsonl(text):
        fmt = "jsonl"
    if fmt in ("csv", "tsv"):
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t")
        if reader.fieldnames is None:
            return
        dupes = {f for f, n in Counter(reader.fieldnames).items() if n > 1}  # not list.count: quadratic in wide headers
        if dupes:
            raise LoaderError(f"duplicate column(s) {sorted(dupes)}", file=str(path), row=1)
        try:
            for i, rec in enumerate(reader, start=2):
                if None in rec:
                    raise LoaderError("more cells than columns", file=str(path), row=i)
                yield i, {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
        except csv.Error as exc:
            raise LoaderError(f"malformed CSV: {exc}", file=str(path), row=reader.line_num) from None
    elif fmt == "jsonl":
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
    elif fmt == "json":
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
    else:
        raise LoaderError(f"unsupported format {fmt!r}", file=str(path))


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.splitlines()[:3] if ln.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
        return True
    except (ValueError, RecursionError):
        return False


def _read_excel(path: Path, sheet: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
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
