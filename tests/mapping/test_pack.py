"""Meeting pack: the PPTX and PDF open, hold every district's section and the marking on
every slide and page; a partner's pack leaves out adults of concern; the HTML asks for
nothing outside the file; the CLI writes all three."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader

from mapping.cli import main
from mapping.export.pack_files import make_pack
from mapping.meeting import districts_of, save_meeting

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def packs(sample_world):
    store, _p, _truth = sample_world
    save_meeting(store, DAY)
    return store, {f: make_pack(store, DAY, "chair", f) for f in ("pptx", "pdf", "html")}


def deck_text(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    return ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
            for slide in deck.slides]


def test_every_district_and_marking_in_pptx_and_pdf(packs):
    store, files = packs
    slides = deck_text(files["pptx"])
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages]
    for district in districts_of(store, store.latest_version()):
        assert any(f"District: {district}" in s for s in slides)
        assert any(f"District: {district}" in p for p in pages)
    assert all(s.count("OFFICIAL-SENSITIVE") == 2 for s in slides)
    assert all("OFFICIAL-SENSITIVE" in p for p in pages)


def all_text(data: bytes) -> str:
    deck = Presentation(io.BytesIO(data))
    cells = " ".join(c.text for slide in deck.slides for s in slide.shapes if s.has_table
                     for row in s.table.rows for c in row.cells)
    return cells + "\n".join(deck_text(data))


def test_partner_pack_has_no_adult_of_concern_codes(packs):
    store, files = packs
    assert "AD-" in all_text(files["pptx"])  # the chair's pack names adults by code
    assert "AD-" not in all_text(make_pack(store, DAY, "partner", "pptx"))


def test_html_is_self_contained_and_coded(packs):
    text = packs[1]["html"].decode("utf-8")
    assert "OFFICIAL-SENSITIVE" in text and "District:" in text
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)


def test_cli_writes_the_pack(sample_world, tmp_path):
    store = sample_world[0]
    for fmt in ("pptx", "pdf", "html"):
        out = tmp_path / f"pack.{fmt}"
        assert main(["export", "--db", store.url, "--format", fmt, "--meeting",
                     DAY.isoformat(), "--out", str(out)]) == 0
        assert out.stat().st_size > 10_000
    assert PdfReader(str(tmp_path / "pack.pdf")).pages
