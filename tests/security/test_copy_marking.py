"""Issue 18 group 15: every export's marking says who the copy is for and when to review it.

The CSV tables, the ANB CSV and the summary CSV carry it on their first header row (still
six rows above the header, so readers that skip six keep working); the PDF and PowerPoint
packs in the bands top and bottom of every page, at a size that fits the page; the HTML pack
in its bands. A hostile recipient (a formula, a newline, a bidirectional override, a long
name) arrives as one neutral line that fits.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from mapping.cli import main
from mapping.export import pack_layout as lay
from mapping.export.pack_files import pdf_bytes, pptx_bytes
from mapping.export.pack_layout import Table
from mapping.export.tables import METADATA_KEYS, neutralise
from mapping.marking import RECIPIENT_MAX, Copy, clean_recipient, copy_for, marking_line
from mapping.meeting import Actor, save_meeting
from mapping.model import MARKING
from mapping.store import Store

DAY = date(2026, 11, 1)
HOSTILE = '=HYPERLINK("http://x")\n\u202eMs\tLee'
CLEANED = '=HYPERLINK("http://x") Ms Lee'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from tests.security.world import import_world

    folder = tmp_path_factory.mktemp("copy-marking")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    import_world(url, folder / "k.key", folder / "in")
    save_meeting(Store(url), DAY, by=Actor("chair-1", "chair"))
    return url, folder


def export(world, fmt: str, out: str, *extra: str) -> Path:
    url, folder = world
    argv = ["export", "--db", url, "--format", fmt, "--out", str(folder / out)]
    assert main([*argv, "--role", "chair", "--recipient", HOSTILE, *extra]) == 0
    return folder / out


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def review_by(days: int = 28) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_a_recipient_becomes_one_neutral_line():
    assert clean_recipient(HOSTILE) == CLEANED
    assert clean_recipient(" \u200b\n ") == "not named"
    long = clean_recipient("W" * 200)
    assert len(long) == RECIPIENT_MAX and long.endswith("…")


def test_csv_tables_and_anb_name_the_copy_on_the_marking_row(world, monkeypatch):
    monkeypatch.setenv("MAPPING_EXPORT_REVIEW_DAYS", "7")
    line = f"# marking: {MARKING} · for {CLEANED} · review by {review_by(7)}"
    for rows in (
        rows_of(export(world, "csv", "tables") / "links.csv"),
        rows_of(export(world, "anb", "anb.csv")),
    ):
        assert rows[0] == [line]
        # still six metadata rows, then the header: readers that skip six rows keep working
        assert [r[0].split(":")[0] for r in rows[:6]] == [f"# {k}" for k in METADATA_KEYS]
        assert not rows[6][0].startswith("#")
        assert len({len(r) for r in rows[6:]}) == 1  # no row broken by the newline
        assert all(
            not c.startswith(FORMULA_STARTS) for r in rows for c in r if c.strip("-.0123456789")
        )


def test_summary_csv_names_the_copy(world):
    rows = rows_of(export(world, "summary", "summary.csv"))
    assert rows[0][0].startswith(f"# {MARKING} · for {CLEANED} · review by {review_by()}")
    assert neutralise(rows[0][0]) == rows[0][0]  # a "#" row: never read as a formula


def test_pdf_and_pptx_packs_carry_the_copy_in_every_band(world):
    line = f"{MARKING} · for {CLEANED} · review by {review_by()}"
    pdf = export(world, "pdf", "pack.pdf", "--meeting", DAY.isoformat())
    pages = PdfReader(pdf).pages
    assert pages
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert text.count(line) == 2, number  # top band, and bottom band with the page number
        assert f"{line} · page {number}" in text
    pptx = export(world, "pptx", "pack.pptx", "--meeting", DAY.isoformat())
    deck = Presentation(str(pptx))
    for number, slide in enumerate(deck.slides, start=1):
        bars = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text == line]
        assert sorted(round(s.top.pt) for s in bars) == [0, round(lay.PAGE_H - lay.BAR)], number


def test_html_pack_names_the_copy_escaped(world):
    text = export(world, "html", "pack.html", "--meeting", DAY.isoformat()).read_text("utf-8")
    escaped = f"{MARKING} · for =HYPERLINK(&quot;http://x&quot;) Ms Lee · review by"
    assert text.count(escaped) == 2 and "\u202e" not in text


def test_the_longest_recipient_fits_the_band():
    copy = Copy(clean_recipient("W" * 200), "2027-01-02")
    line = marking_line(copy)
    slide_line = f"{line} · page 999"
    size = lay.band_size(slide_line)
    assert lay.BAND_LEAST <= size < lay.BAND_SIZE  # it had to shrink, and could
    assert lay.text_width(slide_line, size, bold=True) <= lay.CONTENT_W
    assert lay.band_size(marking_line(None)) == lay.BAND_SIZE  # the bare marking as before
    slide = _one_slide()
    deck = Presentation(io.BytesIO(pptx_bytes([slide], copy)))
    (bar, _bottom) = [
        s for s in deck.slides[0].shapes if s.has_text_frame and s.text_frame.text == line
    ]
    assert bar.text_frame.paragraphs[0].runs[0].font.size.pt == lay.band_size(line)
    assert bar.text_frame.word_wrap is False
    text = PdfReader(io.BytesIO(pdf_bytes([slide], copy))).pages[0].extract_text()
    assert line in text


def test_a_pack_without_a_copy_keeps_the_bare_marking():
    deck = Presentation(io.BytesIO(pptx_bytes([_one_slide()])))
    bars = [s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame]
    assert bars.count(MARKING) == 2


def test_copy_for_counts_the_review_days():
    assert copy_for("ana", 10, date(2026, 12, 25)) == Copy("ana", "2027-01-04")


def _one_slide():
    from mapping.export.pack import Slide

    return Slide(title="Opening", lines=["One line"], tables=[Table("T", ["a"], [["1"]])])
