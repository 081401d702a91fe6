"""Spreadsheet-bound exports (CSV tables, XLSX, ANB CSV): no live formula from a hostile
corpus, headers as documented in docs/exports.md, metadata rows on top."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.export.anb import ANB_COLUMNS, write_anb
from mapping.export.geo import PLACE_PROPERTIES
from mapping.export.tables import (
    METADATA_KEYS,
    TABLE_FIELDS,
    build_tables,
    neutralise,
    write_csv,
    write_xlsx,
)
from tests.mapping.export_world import FORMULA_CORPUS, formula_world, scoped_world

DOCS = Path(__file__).resolve().parents[2] / "docs" / "exports.md"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
META = {
    "marking": "OFFICIAL-SENSITIVE",
    "dataset_version": 7,
    "exported_at": "2026-11-29",
    "role": "police",
    "filters": '{"districts": ["North"]}',
    "notice": "=1+1",
}


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula(cells) -> None:
    for cell in cells:
        # A bare negative number (e.g. a longitude) is data, not a formula.
        assert not (cell.startswith(DANGEROUS) and not is_number(cell)), repr(cell)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    scoped = formula_world()
    write_csv(build_tables(scoped), folder / "tables", META)
    write_xlsx(build_tables(scoped), folder / "map.xlsx", META)
    write_anb(scoped, folder / "anb.csv", META)
    return folder


@pytest.mark.parametrize("name", ["entities", "links", "clusters", "hotspots"])
def test_csv_tables_hold_no_formula(hostile, name):
    rows = read_csv_rows(hostile / "tables" / f"{name}.csv")
    assert_no_formula(cell for row in rows for cell in row)


def test_corpus_text_is_kept_behind_a_quote(hostile):
    cells = {cell for row in read_csv_rows(hostile / "tables" / "entities.csv") for cell in row}
    for text in FORMULA_CORPUS:
        assert "'" + text in cells


def test_anb_csv_holds_no_formula(hostile):
    rows = read_csv_rows(hostile / "anb.csv")
    assert_no_formula(cell for row in rows for cell in row)
    target = rows[6].index("Entity2_Identity")
    assert {"'" + text for text in FORMULA_CORPUS} <= {row[target] for row in rows[7:]}


def test_xlsx_has_no_formula_cells(hostile):
    book = openpyxl.load_workbook(hostile / "map.xlsx")
    assert book.sheetnames == ["README", "Entities", "Links", "Clusters", "Hotspots"]
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert_no_formula([cell.value])
                    seen += cell.value.startswith("'=")
    assert seen >= 5  # the corpus did arrive, neutralised


def test_xlsx_readme_holds_the_metadata(hostile):
    readme = openpyxl.load_workbook(hostile / "map.xlsx")["README"]
    values = {row[0]: row[1] for row in readme.iter_rows(values_only=True)}
    assert values["marking"] == "OFFICIAL-SENSITIVE" and values["dataset_version"] == 7
    assert values["notice"] == "'=1+1"


def test_csv_starts_with_six_metadata_rows(tmp_path):
    write_csv(build_tables(scoped_world("analyst")), tmp_path, META)
    rows = read_csv_rows(tmp_path / "links.csv")
    assert [r[0].split(":")[0] for r in rows[:6]] == [f"# {k}" for k in METADATA_KEYS]
    assert rows[0] == ["# marking: OFFICIAL-SENSITIVE"]
    assert tuple(rows[6]) == TABLE_FIELDS["links"]
    assert len(rows) == 7 + 6  # six links are visible to an analyst


def documented_anb_columns() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("<!-- anb-spec:start -->")[1].split("<!-- anb-spec:end -->")[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


def test_anb_header_matches_the_documented_specification(tmp_path):
    write_anb(scoped_world("police"), tmp_path / "anb.csv", META)
    rows = read_csv_rows(tmp_path / "anb.csv")
    assert rows[6] == documented_anb_columns()
    assert tuple(rows[6]) == ANB_COLUMNS
    assert all(len(row) == len(ANB_COLUMNS) for row in rows[7:])
    link = rows[6].index("Link_Identity")
    by_link = {row[link]: dict(zip(rows[6], row, strict=True)) for row in rows[7:]}
    restricted = by_link["LINK-RESTRICTED-C"]
    assert (
        restricted["Source_Evaluation"],
        restricted["Intelligence_Assessment"],
        restricted["Handling_Code"],
        restricted["Grading"],
    ) == ("2", "C", "C", "2CC")
    assert restricted["Entity2_ANB_Type"] == "Location"
    assert restricted["Entity1_ANB_Type"] == "Person"


def test_every_exported_column_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    columns = {c for fields in TABLE_FIELDS.values() for c in fields} | set(PLACE_PROPERTIES)
    missing = sorted(c for c in columns if f"`{c}`" not in text)
    assert not missing, f"undocumented export columns: {missing}"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(DANGEROUS),
        max_size=12,
    )
)
def test_neutralise_never_leaves_a_formula_and_keeps_the_text(text):
    cell = neutralise(text)
    assert not cell.startswith(DANGEROUS)
    assert cell in (text, "'" + text)
