"""Import problems: what went wrong, where the analyst will find it, and what to do.

A problem names the file, sheet, row (as numbered in Excel: the header is row 1) and
column, and describes the value by its kind only, never the raw value of a person field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loaders.values import UnknownTerm

#: What problems of one kind in one column share: severity, file, sheet, column, kind.
ProblemKey = tuple[str, str, str, str | None, str]

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
        where = [printable(self.file)]
        if self.sheet:
            where.append(f"sheet {printable(self.sheet)}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{self.severity.upper()}: {', '.join(where)}: {printable(self.message)}"

    def as_row(self) -> dict[str, object]:
        return asdict(self)


class ImportFailed(Exception):
    """Raised when an import has errors; nothing has been stored."""

    def __init__(self, problems: list[Problem], unknown_terms: Iterable[UnknownTerm] = ()) -> None:
        self.problems = problems
        #: loaders.values.UnknownTerm for each term no vocabulary knows (with counts).
        self.unknown_terms = list(unknown_terms)
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


#: How many problems of one kind in one column are listed before the rest are counted.
MAX_LISTED = 20


def group_repeated(
    problems: list[Problem],
    counts: dict[ProblemKey, int] | None = None,
    more_rows: dict[ProblemKey, list[int]] | None = None,
) -> list[Problem]:
    """Keep the first ``MAX_LISTED`` problems of each kind in each column and add one line
    saying how many more rows have it (the docs' promise; a flood is never listed whole).

    ``counts`` and ``more_rows`` carry totals and first unlisted rows already counted by a
    collector that stopped listing; without them they are counted from ``problems``.
    """
    counts = dict(counts or {})
    more_rows = {k: list(v) for k, v in (more_rows or {}).items()}
    seen: dict[ProblemKey, int] = {}
    listed: list[Problem] = []
    last: dict[ProblemKey, int] = {}
    for problem in problems:
        key = (problem.severity, problem.file, problem.sheet, problem.column, problem.kind)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= MAX_LISTED:
            listed.append(problem)
            last[key] = len(listed)
        else:
            rows = more_rows.setdefault(key, [])
            if problem.row is not None and len(rows) < 5:
                rows.append(problem.row)
    for key, n in seen.items():
        counts[key] = max(counts.get(key, 0), n)
    summaries = []
    for key, position in last.items():
        extra = counts[key] - min(seen[key], MAX_LISTED)
        if extra <= 0:
            continue
        rows = more_rows.get(key, [])
        shown = f" (rows {', '.join(map(str, rows))}{', …' if extra > len(rows) else ''})"
        severity, file, sheet, column, kind = key
        summaries.append(
            (
                position,
                Problem(
                    severity,
                    file,
                    sheet,
                    None,
                    column,
                    kind,
                    f"{extra} more row(s) have the same problem{shown if rows else ''}; "
                    f"the first {MAX_LISTED} are listed",
                ),
            )
        )
    for position, summary in sorted(summaries, key=lambda item: -item[0]):
        listed.insert(position, summary)
    return listed


def printable(text: object) -> str:
    r"""``text`` with control, format and bidirectional characters shown as escapes, so a
    file name holding a newline or a right-to-left override cannot forge or reorder lines
    on a terminal or in a log.

    >>> print(printable("a\nb\u202ec"))
    a\nb\u202ec
    """
    import unicodedata

    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf") and ch != " ":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
