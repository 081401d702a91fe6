"""Every export format obeys the role's redactions and neutralises spreadsheet formulas.

Formats are read from the export registry, so a new format is covered the day it lands.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from loaders.pseudonymise import Pseudonymiser
from mapping.cli import main
from mapping.export.formats import FORMATS, out_name
from mapping.lookup import lookup
from mapping.store import Store
from tests.security.world import RAW_NAMES, import_world

FORMULAS = [
    '=HYPERLINK("http://x.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    import_world(url, folder / "k.key", folder / "in")
    pseudonymiser = Pseudonymiser.from_file(folder / "k.key")
    store = Store(url)
    codes = {raw: lookup(store, raw, pseudonymiser) for raw in ("TR-1", "TR-A", "TR-C")}
    return url, folder, codes


def export(url: str, fmt: str, role: str, out: Path) -> str:
    """Run the CLI export and return all the text the output holds (zips opened, PDFs read)."""
    assert (
        main(
            [
                "export",
                "--db",
                url,
                "--format",
                fmt,
                "--out",
                str(out),
                "--role",
                role,
                "--meeting",
                "2026-11-29",
            ]
        )
        == 0
    )
    files = [out] if out.is_file() else sorted(p for p in out.rglob("*") if p.is_file())
    files += sorted(p for p in out.parent.glob(out.stem + "*") if p.is_file() and p != out)
    return "\n".join(readable(p.read_bytes()) for p in files)


def readable(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(readable(archive.read(n)) for n in archive.namelist())
    if data[:5] == b"%PDF-":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_analyst_export_never_holds_the_handling_code_c_link(world, tmp_path, fmt):
    url, _folder, codes = world
    text = export(url, fmt, "analyst", tmp_path / out_name(fmt, "out"))
    assert codes["TR-C"] not in text
    assert not any(name in text for name in RAW_NAMES)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_partner_export_holds_no_adult_of_concern(world, tmp_path, fmt):
    url, _folder, codes = world
    text = export(url, fmt, "partner", tmp_path / out_name(fmt, "out"))
    assert codes["TR-A"] not in text and codes["TR-C"] not in text


def test_police_export_does_hold_the_restricted_adult(world, tmp_path):
    # The control for the two tests above: the code is findable when the role may see it.
    url, _folder, codes = world
    assert codes["TR-C"] in export(url, "graphml", "police", tmp_path / "out.graphml")


def _cells(path: Path) -> list[str]:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
        return [
            str(c.value)
            for ws in book
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
    import csv

    files = [path] if path.is_file() else sorted(path.rglob("*.csv"))
    assert files
    return [cell for f in files for row in csv.reader(f.open(encoding="utf-8-sig")) for cell in row]


@pytest.mark.parametrize("fmt", sorted({"csv", "xlsx"} & set(FORMATS)))
@pytest.mark.parametrize("formula", FORMULAS)
def test_spreadsheet_exports_neutralise_formulas(tmp_path_factory, fmt, formula):
    folder = tmp_path_factory.mktemp("f")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    import_world(url, folder / "k.key", folder / "in", payload="")
    with Store(url).engine.begin() as conn:  # a label as a hostile case system might send it
        conn.exec_driver_sql("UPDATE entities SET label = ? WHERE entity_id = 'PL-X'", (formula,))
    out = folder / "out" / f"export.{fmt}"
    assert main(["export", "--db", url, "--format", fmt, "--out", str(out)]) == 0
    cells = _cells(out)
    assert any(formula in c for c in cells)  # the label is there...
    assert not [c for c in cells if c.startswith(("=", "+", "@", "-2+"))]
