"""Read CSV/TSV files and XLSX workbooks into text-only tables, one per sheet.

Every cell is read as text (``007`` stays ``007``); formulas are never evaluated and external
links never followed. Encodings are detected from byte-order marks or strict decoding and
the choice is reported, never guessed silently. Workbooks whose declared uncompressed size
is beyond ``MAX_XLSX_UNCOMPRESSED`` are refused before they are opened.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from loaders.problems import ERROR, WARNING, ImportFailed, Problem

#: Largest total uncompressed size a workbook may declare (zip-bomb guard).
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
#: Largest compression ratio accepted for any one member of a workbook.
MAX_XLSX_RATIO = 200
#: How many leading rows are searched for the header row (merged title rows above it).
HEADER_SEARCH_ROWS = 10


@dataclass
class RawSheet:
    """One table read from a file, all cells text, with where it came from."""

    file: str
    sheet: str
    frame: pd.DataFrame
    header_row: int = 1  # as numbered in Excel
    notes: list[Problem] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(path: Path, display_name: str | None = None) -> list[RawSheet]:
    """Read one file into its sheets. ``display_name`` is what problems call the file."""
    name = display_name or Path(path).name
    suffix = Path(display_name or path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(Path(path), name)
    if suffix in (".csv", ".tsv", ".txt"):
        return [read_delimited(Path(path), name)]
    raise ImportFailed([Problem(
        ERROR, name, "", None, None, "file type",
        f"files of type '{suffix or 'none'}' cannot be imported; use .xlsx, .xlsm, .csv or .tsv",
    )])


# -- delimited text ------------------------------------------------------------------------
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def detect_encoding(data: bytes) -> tuple[str, str | None]:
    """Return (encoding, note). A note tells the analyst when we fell back."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, None
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return "utf-16-le", "no byte-order mark; read as UTF-16 little-endian"
    try:
        data.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", "not UTF-8 or Windows-1252; read as Latin-1: check accented letters"
    return "cp1252", "not UTF-8; read as Windows-1252 (an Excel 'CSV' export): check accented letters"


def detect_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if sample.count("\t") > sample.count(",") else ","


def read_delimited(path: Path, name: str) -> RawSheet:
    data = path.read_bytes()
    encoding, note = detect_encoding(data)
    text = data.decode(encoding)
    first_lines = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS + 5])
    delimiter = detect_delimiter(first_lines)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
            header=None, skip_blank_lines=False, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise ImportFailed([Problem(
            ERROR, name, "", None, None, "unreadable",
            f"the file could not be read as a table ({type(exc).__name__}); "
            "check it is a CSV export with one header row",
        )]) from None
    sheet = RawSheet(name, "", frame)
    if note:
        sheet.notes.append(Problem(WARNING, name, "", None, None, "encoding", note))
    return sheet


# -- workbooks -----------------------------------------------------------------------------
def check_workbook_size(path: Path, name: str) -> None:
    """Refuse zip bombs by the sizes the archive declares, before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise ImportFailed([Problem(
            ERROR, name, "", None, None, "not a workbook",
            "the file is not a valid .xlsx workbook; re-save it from Excel as .xlsx",
        )]) from None
    total = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if total > MAX_XLSX_UNCOMPRESSED or worst > MAX_XLSX_RATIO:
        raise ImportFailed([Problem(
            ERROR, name, "", None, None, "oversize workbook",
            f"the workbook declares {total // (1024 * 1024)} MB uncompressed "
            f"(limit {MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB, ratio limit {MAX_XLSX_RATIO}); "
            "split it or export the sheets as CSV",
        )])


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path, name: str) -> list[RawSheet]:
    import openpyxl  # uses defusedxml when it is installed

    check_workbook_size(path, name)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ImportFailed([Problem(
            ERROR, name, "", None, None, "unreadable workbook",
            f"the workbook could not be opened ({type(exc).__name__}); re-save it from Excel",
        )]) from None
    sheets = []
    try:
        for worksheet in book.worksheets:
            rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="string")
            sheets.append(RawSheet(name, worksheet.title, frame.fillna("")))
    finally:
        book.close()
    return sheets
