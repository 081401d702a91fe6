"""Readers: defence in depth against XML tricks, big files, encodings reported."""

from datetime import date

import openpyxl.xml
import pytest

import loaders.xmlsafety
from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from loaders.read import read_file
from mapping.store import Store
from tests.fixtures.import_corpus import (
    LAUGHS,
    LINK_HEAD,
    SHEETS,
    entity_sheet,
    text_file,
    with_member,
    workbook,
)


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_openpyxl_alone_refuses_sheet_entities(tmp_path, monkeypatch):
    """Even with our byte scan switched off, the parser itself refuses the entity."""
    [path] = with_member(
        workbook("laughs.xlsx", SHEETS), "xl/worksheets/sheet1.xml", entity_sheet(LAUGHS)
    )(tmp_path)
    monkeypatch.setattr(loaders.xmlsafety, "check_xml_members", lambda archive, name: None)
    with pytest.raises(ImportFailed) as failure:
        read_file(path)
    assert failure.value.problems[0].kind in ("XML entity declaration", "unreadable workbook")


def test_marker_split_across_chunks_is_found():
    assert loaders.xmlsafety.stream_has_markers([b"xx<!DOC", b"TYPE y>"])
    assert not loaders.xmlsafety.stream_has_markers([b"<graphml>", b"</graphml>"])


def test_encoding_and_delimiter_are_reported(tmp_path):
    [path] = text_file("l.csv", [LINK_HEAD, "007,CS-2,peer,,,Café,"], "cp1252", ";")(tmp_path)
    [sheet] = read_file(path)
    assert sheet.read_as == {"encoding": "cp1252", "delimiter": ";"}
    assert sheet.frame.iloc[1, 0] == "007"


def test_100mb_csv_imports(tmp_path):
    """A 100 MB export with long narrative notes (dropped unless opted in) imports whole."""
    note = "Seen near the bus station after school; " * 24  # ~1 KB of narrative per row
    row = 'CS-{n:05d},CS-{m:05d},seen_together,01/02/2026,2026-03-04,police,2BP,1,"{note}"\n'
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(LINK_HEAD + ",weight,notes\n")
        n = 0
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(
                "".join(
                    row.format(n=(n + i) % 5000, m=(n + i + 1) % 5000, note=note)
                    for i in range(1000)
                )
            )
            n += 1000
    store = Store(f"sqlite:///{tmp_path / 'big.sqlite'}")
    result = import_files(
        [Source(path, "big.csv")], store, Pseudonymiser(b"k" * 32), today=date(2026, 11, 29)
    )
    assert result.links == n
    assert store.read_version().links["notes"].isna().all()
    store.dispose()
    assert (tmp_path / "big.sqlite").stat().st_size < 60 * 1024 * 1024  # notes not stored
