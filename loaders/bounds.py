"""Resource limits checked before a workbook is parsed, so a small hostile file cannot take
the server's memory (issue 18 item 4: a 4.7 KB workbook declaring ``A1:XFD1048576`` took
the CLI to 2.7 GB).

Everything here streams the archive's bytes in chunks and keeps only counters: entry count,
part names, the sheet's declared dimension, the extent and number of the cells it really
holds, hidden rows, and the longest text run of any part (a cell longer than Excel itself
allows). Messages name the file, sheet and limit, never a cell's value. No Streamlit, no
database.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from loaders.problems import ERROR, ImportFailed, Problem

if TYPE_CHECKING:
    import pandas as pd

#: Most entries a workbook archive may hold (real exports hold tens).
MAX_ZIP_ENTRIES = 1000
#: Longest part name accepted (OPC part names are short paths).
MAX_PART_NAME = 255
#: Most cells one sheet may span (rows x columns of the rectangle read) or hold.
MAX_SHEET_CELLS = 5_000_000
#: Most columns a sheet may span (the import template has 17).
MAX_COLUMNS = 500
#: Longest cell text, in characters: Excel's own limit for one cell.
MAX_FIELD_CHARS = 32_767
#: Longest run of XML text bytes without markup: a cell's characters as UTF-8, with room
#: for escapes (``&amp;`` is 5 bytes for one character).
MAX_TEXT_RUN_BYTES = MAX_FIELD_CHARS * 6

_CHUNK = 1 << 20
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\sr=\"([0-9]{1,7})\"")
_HIDDEN = re.compile(rb"\shidden=\"(?:1|true)\"")
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"([A-Z]{1,3})?([0-9]{1,7})?(?::([A-Z]{1,3})([0-9]{1,7}))?\""
)


def refused(name: str, sheet: str, kind: str, message: str) -> ImportFailed:
    return ImportFailed([Problem(ERROR, name, sheet, None, None, kind, message)])


def column_number(letters: bytes | str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    number = 0
    for letter in letters.decode("ascii") if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_archive(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse too many entries and unsafe part names, from the central directory only."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_ENTRIES:
        raise refused(
            name,
            "",
            "too many parts",
            f"the workbook holds {len(members):,} parts (limit {MAX_ZIP_ENTRIES:,}); "
            "re-save it from Excel or export the sheets as CSV",
        )
    for member in members:
        part = member.filename
        unsafe = (
            len(part) > MAX_PART_NAME
            or part.startswith(("/", "\\"))
            or "\\" in part
            or ".." in part.split("/")
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in part)
        )
        if unsafe:
            raise refused(
                name,
                "",
                "unsafe part name",
                "the workbook holds a part whose name is too long, absolute, climbs out of "
                "the archive or has control characters; re-save it from Excel",
            )


class RunMeter:
    """The longest run of bytes without ``<`` in the chunks fed to it: XML text cannot hold
    a raw ``<``, so this bounds the longest text node (a cell, a shared string)."""

    def __init__(self) -> None:
        self.longest = 0
        self._run = 0

    def feed(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if first == -1:
            self._run += len(chunk)
        else:
            inner = max(map(len, chunk[first + 1 :].split(b"<")), default=0)
            self.longest = max(self.longest, self._run + first, inner)
            self._run = len(chunk) - chunk.rfind(b"<") - 1
        self.longest = max(self.longest, self._run)


def longest_text_run(chunks: Iterable[bytes]) -> int:
    """The longest run of bytes without ``<`` across ``chunks``."""
    meter = RunMeter()
    for chunk in chunks:
        meter.feed(chunk)
    return meter.longest


@dataclass
class SheetExtent:
    """What a worksheet part declares and holds, counted without parsing it."""

    declared_rows: int = 0
    declared_columns: int = 0
    rows: int = 0  # highest row number with a cell or a row element
    columns: int = 0  # highest column number with a cell
    cells: int = 0
    hidden_rows: list[int] = field(default_factory=list)


def scan_worksheet(handle: IO[bytes]) -> SheetExtent:
    """Count a worksheet part's cells and extent from its bytes, chunk by chunk."""
    extent = SheetExtent()
    tail = b""
    first = True
    for chunk in iter(lambda: handle.read(_CHUNK), b""):
        window = tail + chunk
        cut = window.rfind(b">") + 1  # only whole tags; the rest waits for the next chunk
        body, tail = window[:cut], window[cut:]
        if first and (found := _DIMENSION.search(body)):
            _, top_row, last_col, last_row = found.groups()
            extent.declared_rows = int(last_row or top_row or 0)
            extent.declared_columns = column_number(last_col or found.group(1) or b"A")
            first = False
        extent.cells += len(_CELL.findall(body))
        for letters, number in _CELL_REF.findall(body):
            extent.columns = max(extent.columns, column_number(letters))
            extent.rows = max(extent.rows, int(number))
        for attributes in _ROW.findall(body):
            row = _ROW_NUMBER.search(attributes)
            if row:
                extent.rows = max(extent.rows, int(row.group(1)))
            if _HIDDEN.search(attributes) and row and len(extent.hidden_rows) < 1000:
                extent.hidden_rows.append(int(row.group(1)))
        if extent.cells > MAX_SHEET_CELLS:
            break  # enough to refuse; do not read the rest
    return extent


def check_extent(extent: SheetExtent, name: str, sheet: str) -> None:
    """Refuse a sheet whose declared or real size is beyond the limits."""
    for what, rows, columns in (
        ("declares", extent.declared_rows, extent.declared_columns),
        ("spans", extent.rows, extent.columns),
    ):
        if columns > MAX_COLUMNS or rows * columns > MAX_SHEET_CELLS:
            raise refused(
                name,
                sheet,
                "oversize sheet",
                f"the sheet {what} {rows:,} rows by {columns:,} columns (limits "
                f"{MAX_COLUMNS} columns and {MAX_SHEET_CELLS:,} cells); delete unused rows "
                "and columns in Excel or export the sheet as CSV",
            )
    if extent.cells > MAX_SHEET_CELLS:
        raise refused(
            name,
            sheet,
            "oversize sheet",
            f"the sheet holds more than {MAX_SHEET_CELLS:,} cells; split it or export it as CSV",
        )


def hidden_rows_problem(name: str, sheet: str, rows: list[int]) -> Problem:
    shown = ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
    return Problem(
        ERROR,
        name,
        sheet,
        rows[0],
        None,
        "hidden rows",
        f"{len(rows):,} row(s) are hidden in Excel (rows {shown}); unhide them and check "
        "they belong in the import, or delete them, then import again",
    )


def hidden_sheet_problem(name: str, sheet: str) -> Problem:
    from loaders.problems import WARNING

    return Problem(
        WARNING,
        name,
        sheet,
        None,
        None,
        "hidden sheet",
        "the sheet is hidden in Excel and was not imported; unhide it in Excel and import "
        "again if it should be",
    )


def long_field_problem(name: str, sheet: str, row: int | None, column: str | None) -> Problem:
    return Problem(
        ERROR,
        name,
        sheet,
        row,
        column,
        "field too long",
        f"a cell holds more than {MAX_FIELD_CHARS:,} characters (Excel's own limit for one "
        "cell); shorten it or leave it out",
    )


def nul_problem(name: str, sheet: str, row: int | None, column: str | None) -> Problem:
    return Problem(
        ERROR,
        name,
        sheet,
        row,
        column,
        "NUL character",
        "a cell holds a NUL character, usually the sign of a damaged or binary file; "
        "re-export the file from its source system",
    )


#: Characters that reorder how text is displayed (right-to-left overrides and isolates).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_PATTERN = "[" + BIDI_CONTROLS + "]"


def bidi_problem(frame: pd.DataFrame, name: str, sheet: str) -> Problem | None:
    """A warning counting cells holding bidirectional control characters, which can make an
    id or a label display in a misleading order (kept as written), or None."""
    from loaders.problems import WARNING

    cells = 0
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position].astype("string")
        cells += int(column.str.contains(_BIDI_PATTERN, regex=True).fillna(False).sum())
    if not cells:
        return None
    return Problem(
        WARNING,
        name,
        sheet,
        None,
        None,
        "bidirectional characters",
        f"{cells:,} cell(s) hold right-to-left or other direction-control characters, which "
        "can make an id or a label display in a misleading order; they were kept as "
        "written: check those cells in the source system",
    )
