"""The meeting pack as a reader sees it: the PowerPoint's table frames never overlap one
another, the marking bars or the slide's edge, and no word in a cell is wider than its
column (a code or a date never breaks); LibreOffice opens the deck and renders every slide
(PDF, then PNG with pdftoppm) with the OFFICIAL-SENSITIVE marking top and bottom; and in
the PDF a district's pictures always sit under the district's title."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from mapping import meeting as mt
from mapping.export.pack import pack_data
from mapping.export.pack_files import build_pack
from mapping.export.pack_layout import BAR, PAD_X, PAGE_H, PAGE_W, text_width
from mapping.store import Store

DAY = date(2026, 11, 1)
CHAIR = mt.Actor("chair-1", "chair")


def points(emu) -> float:
    return Emu(emu).pt


@pytest.fixture(scope="module")
def files(sample_world, tmp_path_factory):
    shared, _p, _truth = sample_world
    copy = tmp_path_factory.mktemp("pack-render") / "map.sqlite"  # this module's meetings
    with sqlite3.connect(shared.url.removeprefix("sqlite:///")) as source:  # stay out of the
        with sqlite3.connect(copy) as target:  # session's shared world (WAL included)
            source.backup(target)
    store = Store(f"sqlite:///{copy}")
    first = mt.save_meeting(store, date(2026, 8, 1), by=CHAIR)
    district = mt.districts_of(store, store.latest_version())[1]
    mt.record_action(
        store,
        first["id"],
        by=CHAIR,
        district=district,
        target_kind="context",
        target_id="PL-001",
        tactic="location_patrols",
        owner_agency="police",
        description="Evening patrols",
        due_date=date(2026, 9, 1),
    )
    meeting = mt.save_meeting(store, DAY, by=CHAIR)
    return build_pack(pack_data(store, mt.build_agenda(store, meeting, "chair")), ("pptx", "pdf"))


def frames(slide) -> list[tuple[float, float, float, float]]:
    return [
        (points(s.left), points(s.top), points(s.width), points(s.height))
        for s in slide.shapes
        if s.has_table
    ]


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_no_two_table_frames_overlap_and_codes_never_break(files):
    deck = Presentation(io.BytesIO(files["pptx"]))
    tables = 0
    for number, slide in enumerate(deck.slides, start=1):
        boxes = frames(slide)
        tables += len(boxes)
        for i, a in enumerate(boxes):
            assert not any(overlap(a, b) for b in boxes[i + 1 :]), f"slide {number}"
            assert a[1] >= BAR and a[1] + a[3] <= PAGE_H - BAR, f"slide {number}: under a bar"
            assert a[0] >= 0 and a[0] + a[2] <= PAGE_W, f"slide {number}: off the slide"
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            grid = shape.table
            heights = sum(points(r.height) for r in grid.rows)
            assert abs(heights - points(shape.height)) < 1, "the frame is the rows' height"
            for r, row in enumerate(grid.rows):
                for c, cell in enumerate(row.cells):
                    room = points(grid.columns[c].width) - 2 * PAD_X
                    size = cell.text_frame.paragraphs[0].runs[0].font.size.pt
                    for word in cell.text.split():
                        assert text_width(word, size, bold=r == 0) <= room, (number, word)
    assert tables >= 20  # the sample world's districts really have tables


def test_every_slide_is_marked(files):
    deck = Presentation(io.BytesIO(files["pptx"]))
    for number, slide in enumerate(deck.slides, start=1):
        bars = [
            s
            for s in slide.shapes
            if s.has_text_frame and s.text_frame.text == "OFFICIAL-SENSITIVE"
        ]
        tops = sorted(points(s.top) for s in bars)
        assert tops == [0, PAGE_H - BAR], f"slide {number} lacks a marking bar"


def test_pdf_keeps_each_district_title_with_its_pictures(files):
    pages = PdfReader(io.BytesIO(files["pdf"])).pages
    deck = Presentation(io.BytesIO(files["pptx"]))
    assert len(pages) == len(deck.slides)  # the same pages in both formats
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert "OFFICIAL-SENSITIVE" in text
        if page.images:
            assert "District:" in text, f"page {number}: pictures without their title"


def test_libreoffice_renders_every_slide_with_its_marking(files, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice or pdftoppm missing: run the suite through scripts/test.sh")
        pytest.skip("LibreOffice (soffice) not installed: scripts/test.sh installs it")
    deck = tmp_path / "pack.pptx"
    deck.write_bytes(files["pptx"])
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    rendered = PdfReader(tmp_path / "pack.pdf").pages
    slides = len(Presentation(io.BytesIO(files["pptx"])).slides)
    assert len(rendered) == slides
    for number, page in enumerate(rendered, start=1):
        assert page.extract_text().count("OFFICIAL-SENSITIVE") == 2, f"slide {number}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(tmp_path / "pack.pdf"), str(tmp_path / "slide")],
        check=True,
        timeout=300,
    )
    from PIL import Image

    pictures = sorted(Path(tmp_path).glob("slide-*.png"))
    assert len(pictures) == slides
    for picture in pictures:
        image = Image.open(picture).convert("RGB")
        width, height = image.size
        for y in (2, height - 3):  # the red bars are drawn, not only written
            red, green, blue = image.getpixel((width // 4, y))
            assert red > 150 and green < 60 and blue < 80, (picture.name, y)
