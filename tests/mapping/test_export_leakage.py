"""Every export format honours the access rules and carries its metadata, and every export
is recorded in the audit log.

A handling-code C link (and the place only it reaches) must be absent from every format for
an analyst and present for police; the marking and dataset version must be in every file.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from mapping import settings
from mapping.audit import list_audit
from mapping.export.formats import FORMATS, MEETING_PACK_FORMATS
from mapping.export.options import options_from
from mapping.export.run import MARKING, export_metadata, prepare, run_export
from mapping.store import Store
from tests.mapping.export_world import (
    HOME,
    HOME_LAT,
    RESTRICTED_LINK,
    RESTRICTED_PLACE,
    scoped_world,
)

#: Exports of a scoped graph. Meeting packs are built from a meeting's agenda and checked for
#: redaction in tests/mapping/test_pack.py.
#: The strategic summary holds suppressed counts only (no entity, no link): it is checked
#: below for its marking and for holding no code at all.
AGGREGATE_FORMATS = {"summary"} & set(FORMATS)
GRAPH_FORMATS = sorted(set(FORMATS) - MEETING_PACK_FORMATS - AGGREGATE_FORMATS)
#: The HTML page draws one edge per pair of entities, so it carries entities, not link ids.
CARRIES_LINK_IDS = set(GRAPH_FORMATS) - {"html", "geojson", "kml"}


def export_text(path: Path) -> str:
    """All the text a person opening the export could see."""
    if path.is_dir():
        return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        return "\n".join(
            str(v)
            for s in book.worksheets
            for row in s.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    return path.read_text(encoding="utf-8")


def write(fmt: str, role: str, folder: Path) -> str:
    scoped = scoped_world(role)
    out = folder / f"map.{fmt}"
    options = options_from(settings.current())
    FORMATS[fmt](prepare(fmt, scoped, options), out, export_metadata(scoped), options)
    return export_text(out)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_restricted_link_absent_for_analyst(fmt, tmp_path):
    text = write(fmt, "analyst", tmp_path)
    assert RESTRICTED_LINK not in text
    assert RESTRICTED_PLACE not in text
    assert "YP-2" in text or fmt in (
        "geojson",
        "kml",
        "map",
    )  # not simply empty; maps list no people
    assert f"{HOME_LAT}" not in text  # the address is generalised


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_restricted_link_present_for_police(fmt, tmp_path):
    text = write(fmt, "police", tmp_path)
    assert RESTRICTED_PLACE in text
    if fmt in CARRIES_LINK_IDS:
        assert RESTRICTED_LINK in text


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_every_format_carries_marking_and_version(fmt, tmp_path):
    text = write(fmt, "analyst", tmp_path)
    assert MARKING in text
    assert "dataset_version" in text or "Dataset version 1" in text
    assert "analyst" in text  # the role it was exported for


def test_partner_sees_no_link_to_an_adult_of_concern(tmp_path):
    text = write("graphml", "partner", tmp_path)
    assert "AD-1" not in text and "victim_offender" not in text


def test_run_export_records_who_what_and_scope(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    scoped = scoped_world("analyst")
    detail = run_export(store, scoped, "anb", tmp_path / "out" / "anb.csv", user="analyst-a")
    assert (tmp_path / "out" / "anb.csv").is_file()
    rows = list_audit(store, action="export")
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["user_name"], row["role"], row["dataset_version"]) == ("analyst-a", "analyst", 1)
    recorded = json.loads(row["detail"])
    assert recorded["format"] == "anb" and recorded["links"] == len(scoped.links) == 6
    assert recorded["scope"]["role"] == "analyst" and detail["file"] == "anb.csv"
    assert HOME not in row["detail"]  # the audit keeps counts and scope, not the contents


def test_run_export_refuses_an_unknown_format(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    with pytest.raises(ValueError, match="unknown export format"):
        run_export(store, scoped_world(), "docx", tmp_path / "x.docx", user="a")
    assert list_audit(store, action="export").empty


@pytest.mark.parametrize("fmt", sorted(AGGREGATE_FORMATS))
@pytest.mark.parametrize("role", ["analyst", "police"])
def test_aggregate_formats_hold_counts_only(fmt, role, tmp_path):
    text = write(fmt, role, tmp_path)
    assert MARKING in text
    assert "dataset version 1" in text.lower()
    for prefix in ("YP-", "AD-", "PL-", "P-ONLY", RESTRICTED_LINK, HOME):
        assert prefix not in text
