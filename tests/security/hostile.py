"""Hostile workbooks generated on demand (never committed): the dimension bomb and friends
from issue 18's sweep. Used by tests/security/test_resource_limits.py and
benchmarks/hostile_import.py."""

from __future__ import annotations

import random
import string
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/{sheet_part}" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="links" sheetId="1" state="{state}" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/{sheet_part}"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HIDDEN = ' hidden="1"'


def link_rows_xml(extra_rows: str = "", hidden: tuple[int, ...] = ()) -> str:
    head = "".join(
        _cell(f"{col}1", h)
        for col, h in zip("ABC", ("source_id", "target_id", "link_type"), strict=True)
    )
    body = "".join(
        f'<row r="{r}"{HIDDEN if r in hidden else ""}>'
        + "".join(
            _cell(f"{col}{r}", v) for col, v in zip("ABC", (f"P{r}", f"Q{r}", "peer"), strict=True)
        )
        + "</row>"
        for r in range(2, 5)
    )
    return f'<row r="1">{head}</row>{body}{extra_rows}'


def write_workbook(
    path: Path,
    sheet_xml: str,
    *,
    dimension: str = "A1:C4",
    state: str = "visible",
    sheet_part: str = "sheet1.xml",
    extra_parts: dict[str, bytes] | None = None,
) -> Path:
    """A minimal .xlsx with one sheet called ``links`` holding ``sheet_xml`` rows."""
    sheet = (
        f'{SHEET_HEAD}<dimension ref="{dimension}"/><sheetData>{sheet_xml}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheet_part=sheet_part))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(state=state))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(sheet_part=sheet_part))
        archive.writestr(f"xl/worksheets/{sheet_part}", sheet)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return path


def dimension_bomb(path: Path) -> Path:
    """``dimension A1:XFD1048576`` and one cell at XFD1048576 (a few KB on disk)."""
    return write_workbook(
        path,
        '<row r="1048576">' + _cell("XFD1048576", "x") + "</row>",
        dimension="A1:XFD1048576",
    )


def far_cell(path: Path) -> Path:
    """An honest small dimension, but a real cell at XFD1048576 (the extent is counted)."""
    return write_workbook(
        path, link_rows_xml('<row r="1048576">' + _cell("XFD1048576", "x") + "</row>")
    )


def many_entries(path: Path, count: int = 10_000) -> Path:
    return write_workbook(
        path, link_rows_xml(), extra_parts={f"xl/media/p{i}.xml": b"<a/>" for i in range(count)}
    )


def doctype_in_odd_part(path: Path) -> Path:
    """The sheet part is called ``sheet1.bin`` and declares a DOCTYPE."""
    write_workbook(path, link_rows_xml(), sheet_part="sheet1.bin")
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/worksheets/sheet1.bin"] = parts["xl/worksheets/sheet1.bin"].replace(
        b"<worksheet", b'<!DOCTYPE w [<!ENTITY x "y">]><worksheet', 1
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def long_text(characters: int) -> str:
    """Letters that do not compress away (so the ratio limit does not answer first)."""
    return "".join(random.Random(characters).choices(string.ascii_letters, k=characters))


def long_cell(path: Path, characters: int) -> Path:
    text = long_text(characters)
    row = f'<row r="5">{_cell("A5", "P5")}{_cell("B5", text)}{_cell("C5", "peer")}</row>'
    return write_workbook(path, link_rows_xml(row), dimension="A1:C5")


def hidden_sheet(path: Path) -> Path:
    return write_workbook(path, link_rows_xml(), state="hidden")


def hidden_rows(path: Path) -> Path:
    return write_workbook(path, link_rows_xml(hidden=(3,)))
