"""Read CSV/TSV files and XLSX workbooks into text-only tables, one per sheet.

Every cell is read as text (``007`` stays ``007``; a number cell as its zero-padding
format shows it, else as typed and remembered by position so an id column can be warned); formulas are never evaluated and external
links never followed. Encodings are detected from byte-order marks or strict decoding and
the choice is reported, never guessed silently. Workbooks whose declared uncompressed size
is beyond ``MAX_XLSX_UNCOMPRESSED``, that hold too many parts, unsafe part names, a DTD in
any part or a cell longer than Excel allows are refused before they are opened; each sheet's
declared dimension and real extent are counted from its bytes and capped before it is read
(``loaders.bounds``). Hidden sheets are left out with a warning; hidden rows are an error.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from loaders import bounds
from loaders.problems import ERROR, WARNING, ImportFailed, Problem
from loaders.rawsheet import RawSheet

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

#: Largest total uncompressed size a workbook may declare (zip-bomb guard).
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
#: Largest compression ratio accepted for any one member of a workbook.
MAX_XLSX_RATIO = 200
#: How many leading rows are searched for the header row (merged title rows above it).
HEADER_SEARCH_ROWS = 10


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
    if suffix in (".graphml", ".gexf"):
        from loaders.graphfile import read_network

        return read_network(Path(path), name, suffix[1:])
    raise ImportFailed(
        [
            Problem(
                ERROR,
                name,
                "",
                None,
                None,
                "file type",
                f"files of type '{suffix or 'none'}' cannot be imported; use .xlsx, .xlsm, .csv, .tsv, "
                ".graphml or .gexf",
            )
        ]
    )


# -- delimited text ------------------------------------------------------------------------
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly, read in blocks (no second copy in memory)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """Return (encoding, note). A note tells the analyst when we fell back."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, None
    if len(head) >= 4 and head[1:2] == b"\x00" and head[3:4] == b"\x00":
        return "utf-16-le", "no byte-order mark; read as UTF-16 little-endian"
    if _decodes(path, "utf-8"):
        return "utf-8", None
    if _decodes(path, "cp1252"):
        return "cp1252", (
            "not UTF-8; read as Windows-1252 (an Excel 'CSV' export): check accented letters"
        )
    return "latin-1", "not UTF-8 or Windows-1252; read as Latin-1: check accented letters"


def detect_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def _head_text(path: Path, encoding: str, lines: int) -> list[str]:
    with open(path, encoding=encoding, newline="") as handle:
        return [line for _, line in zip(range(lines), handle, strict=False)]


def read_delimited(path: Path, name: str) -> RawSheet:
    """Read a CSV/TSV into a text table, whatever its encoding and delimiter."""
    encoding, note = detect_encoding(path)
    head = _head_text(path, encoding, HEADER_SEARCH_ROWS + 5)
    delimiter = detect_delimiter("".join(head))
    # Title rows above the header have fewer cells: size the table from the widest early row.
    try:
        width = max((len(r) for r in csv.reader(head, delimiter=delimiter)), default=1)
    except csv.Error:  # a field beyond the csv module's own limit (131,072 characters)
        raise ImportFailed([bounds.long_field_problem(name, "", None, None)]) from None
    try:
        frame = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            header=None,
            names=range(max(width, 1)),
            skip_blank_lines=False,
            engine="c",
            encoding=encoding,
            encoding_errors="strict",
        )
    except (pd.errors.ParserError, ValueError, UnicodeError) as exc:
        raise ImportFailed(
            [
                Problem(
                    ERROR,
                    name,
                    "",
                    None,
                    None,
                    "unreadable",
                    f"the file could not be read as a table ({_first_line(exc)}); check every row has "
                    "as many cells as the header row and quotes are closed",
                )
            ]
        ) from None
    check_field_lengths(frame, name, "")
    sheet = RawSheet(name, "", frame, read_as={"encoding": encoding, "delimiter": delimiter})
    if note:
        sheet.notes.append(Problem(WARNING, name, "", None, None, "encoding", note))
    bidi = bounds.bidi_problem(frame, name, "")
    if bidi:
        sheet.notes.append(bidi)
    return sheet


def check_field_lengths(frame: pd.DataFrame, name: str, sheet: str, first_row: int = 1) -> None:
    """Refuse a table holding a cell longer than ``bounds.MAX_FIELD_CHARS`` or a NUL
    character (no echo)."""
    for position in range(frame.shape[1]):
        lengths = frame.iloc[:, position].astype("string").str.len()
        too_long = lengths > bounds.MAX_FIELD_CHARS
        if too_long.any():
            row = int(too_long.to_numpy().nonzero()[0][0]) + first_row
            raise ImportFailed(
                [bounds.long_field_problem(name, sheet, row, f"column {position + 1}")]
            )
        nul = frame.iloc[:, position].astype("string").str.contains("\x00", regex=False)
        if nul.fillna(False).any():
            row = int(nul.fillna(False).to_numpy().nonzero()[0][0]) + first_row
            raise ImportFailed([bounds.nul_problem(name, sheet, row, f"column {position + 1}")])


def _first_line(exc: Exception) -> str:
    """The parser's own message names line numbers and counts, never cell values."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120] if "line" in text or "field" in text else type(exc).__name__


# -- workbooks -----------------------------------------------------------------------------
def check_workbook_size(path: Path, name: str) -> None:
    """Refuse zip bombs by the sizes the archive declares, before anything is inflated,
    then refuse any XML part that declares a DTD or entities."""
    from loaders.xmlsafety import check_xml_members

    try:
        with zipfile.ZipFile(path) as archive:
            bounds.check_archive(archive, name)
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
            if total > MAX_XLSX_UNCOMPRESSED or worst > MAX_XLSX_RATIO:
                raise ImportFailed(
                    [
                        Problem(
                            ERROR,
                            name,
                            "",
                            None,
                            None,
                            "oversize workbook",
                            f"the workbook declares {total // (1024 * 1024)} MB uncompressed (limit "
                            f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB, ratio limit "
                            f"{MAX_XLSX_RATIO}); split it or export the sheets as CSV",
                        )
                    ]
                )
            check_xml_members(archive, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise ImportFailed(
            [
                Problem(
                    ERROR,
                    name,
                    "",
                    None,
                    None,
                    "not a workbook",
                    "the file is not a valid .xlsx workbook; re-save it from Excel as .xlsx",
                )
            ]
        ) from None


#: A number format that pads with zeros (``000``, ``"P"0000``): Excel shows 7 as ``007``.
_ZERO_PADDED = re.compile(r'^(?:"([^"]*)")?(0+)$')


def number_text(value: int | float, number_format: str | None) -> tuple[str, bool]:
    """A number cell as Excel shows it, and whether the format said how (zero-padded ids
    such as ``007`` stored as 7 with the format ``000``); otherwise read as typed.

    >>> number_text(7, "000"), number_text(7, "General")
    (('007', True), ('7', False))
    """
    padded = _ZERO_PADDED.match(number_format or "")
    if padded and float(value).is_integer() and value >= 0:
        return f"{padded.group(1) or ''}{int(value):0{len(padded.group(2))}d}", True
    return cell_text(value), False


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
    """Every worksheet as text. Formulas stay unevaluated text and are remembered by
    position; external links are dropped; macros in ``.xlsm`` are never loaded."""
    import openpyxl  # parses through defusedxml/lxml without entity resolution

    check_workbook_size(path, name)
    try:
        book = openpyxl.load_workbook(
            path, read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise ImportFailed(
            [
                Problem(
                    ERROR,
                    name,
                    "",
                    None,
                    None,
                    "unreadable workbook",
                    f"the workbook could not be opened ({type(exc).__name__}); re-save it from Excel",
                )
            ]
        ) from None
    try:
        sheets = []
        for worksheet in book.worksheets:
            hidden = worksheet.sheet_state != "visible"
            if hidden:  # never read: a hidden sheet is not what the analyst looked at
                sheets.append(
                    RawSheet(
                        name,
                        worksheet.title,
                        pd.DataFrame(dtype="string"),
                        notes=[bounds.hidden_sheet_problem(name, worksheet.title)],
                    )
                )
                continue
            extent = _checked_extent(book, worksheet, name)
            sheet = _read_worksheet(name, worksheet)
            if extent.hidden_rows:
                sheet.notes.append(
                    bounds.hidden_rows_problem(name, worksheet.title, extent.hidden_rows)
                )
            sheets.append(sheet)
        return sheets
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. defusedxml refusing a sheet entity
        from defusedxml import DefusedXmlException

        from loaders.xmlsafety import entity_trick

        if isinstance(exc, DefusedXmlException):
            raise entity_trick(name) from None
        raise ImportFailed(
            [
                Problem(
                    ERROR,
                    name,
                    "",
                    None,
                    None,
                    "unreadable workbook",
                    f"a sheet could not be read ({type(exc).__name__}); re-save it from Excel",
                )
            ]
        ) from None
    finally:
        book.close()


def _checked_extent(book: Workbook, worksheet: ReadOnlyWorksheet, name: str) -> bounds.SheetExtent:
    """Count the sheet's declared and real size from its bytes and refuse it when too big,
    before openpyxl pads every row out to the declared dimension."""
    with book._archive.open(worksheet._worksheet_path) as handle:  # noqa: SLF001
        extent = bounds.scan_worksheet(handle)
    bounds.check_extent(extent, name, worksheet.title)
    return extent


def _read_worksheet(name: str, worksheet: ReadOnlyWorksheet) -> RawSheet:
    numbers: set[tuple[int, int]] = set()
    rows = []
    for r, cells in enumerate(worksheet.iter_rows()):
        row = []
        for c, cell in enumerate(cells):
            value = cell.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                text, as_shown = number_text(value, cell.number_format)
                if not as_shown:  # typed as a number: an id may have lost leading zeros
                    numbers.add((r, c))
                row.append(text)
            else:
                row.append(cell_text(value))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    formulas = {
        (r, c)
        for r, row in enumerate(rows)
        for c, v in enumerate(row)
        if v.startswith("=") and len(v) > 1
    }
    frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="string")
    check_field_lengths(frame, name, worksheet.title)
    bidi = bounds.bidi_problem(frame, name, worksheet.title)
    return RawSheet(
        name,
        worksheet.title,
        frame.fillna(""),
        notes=[bidi] if bidi else [],
        formulas=formulas,
        numbers=numbers,
        read_as={"format": "xlsx"},
    )
