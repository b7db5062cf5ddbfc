"""The one exception tree of canal.

Every error canal raises on purpose is a :class:`CanalError`; third-party errors are
wrapped where they enter, so callers catch one family:

>>> try:
...     raise LoaderError("bad value", file="a.csv", row=3, field="amount")
... except CanalError as exc:
...     print(exc)
a.csv, row 3, field 'amount': bad value
"""

from __future__ import annotations


class CanalError(Exception):
    """Base class of every error canal raises deliberately."""

    exit_code: int = 1


class ConfigError(CanalError):
    """Bad settings, flags or environment variables."""

    exit_code = 2


class SchemaError(CanalError):
    """The ontology is inconsistent, or data does not fit it."""


class LoaderError(CanalError):
    """Bad loader spec or bad input data; names file, row and field when known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        where: list[str] = []
        if self.file:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class SpecError(LoaderError):
    """A loader spec names something its source does not have (e.g. a column): the spec
    needs fixing, so the load stops before reading rows (exit status 2)."""

    exit_code = 2


class BadRows(LoaderError):
    """A load met bad rows: ``rejects`` holds them (``file``, ``row``, ``field`` of this
    error are the first one's), the message lists the first :data:`SHOWN` and the count."""

    SHOWN = 20

    def __init__(self, rejects: list[tuple[str | None, int | None, str | None, str]]) -> None:
        self.rejects = rejects
        file, row, fieldname, message = rejects[0]
        super().__init__(message, file=file, row=row, field=fieldname)
        if len(rejects) > 1:
            lines = [str(LoaderError(m, file=f, row=r, field=c)) for f, r, c, m in rejects[: self.SHOWN]]
            more = f"\n  ... and {len(rejects) - self.SHOWN} more" if len(rejects) > self.SHOWN else ""
            self.args = (f"{len(rejects)} bad rows (nothing was loaded; --skip-bad sets them aside):\n  " + "\n  ".join(lines) + more,)

    def __str__(self) -> str:
        return str(self.args[0])


class StoreError(CanalError):
    """The graph store failed, is locked or unreachable."""


class StoreLockedError(StoreError):
    """Another process holds the database file."""


class QueryError(StoreError):
    """A Cypher query was refused or failed."""


class ReadOnlyError(QueryError):
    """A write query was sent through a read-only call."""


class ValidationError(CanalError):
    """Data does not conform to the SHACL shapes."""
