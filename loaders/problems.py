"""Import problems: what went wrong, where the analyst will find it, and what to do.

A problem names the file, sheet, row (as numbered in Excel: the header is row 1) and
column, and describes the value by its kind only, never the raw value of a person field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: str
    file: str
    sheet: str
    row: int | None
    column: str | None
    kind: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{self.severity.upper()}: {', '.join(where)}: {self.message}"

    def as_row(self) -> dict:
        return asdict(self)


class ImportFailed(Exception):
    """Raised when an import has errors; nothing has been stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == ERROR]
        super().__init__(f"import refused: {len(errors)} error(s); nothing was stored")


def value_kind(value: object) -> str:
    """Describe a value without repeating it (safe for person fields)."""
    text = "" if value is None else str(value)
    if not text.strip():
        return "a blank cell"
    if text.strip().lstrip("=+-@").replace(".", "", 1).isdigit():
        return f"a number of {len(text.strip())} characters"
    if text.lstrip()[:1] in "=+-@":
        return "text starting with a formula character"
    return f"text of {len(text)} characters"
