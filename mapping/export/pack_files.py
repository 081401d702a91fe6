"""Draw the meeting pack's slides as PowerPoint (python-pptx), PDF (reportlab) and an
offline interactive HTML page; and the writers ``python -m mapping export --meeting`` uses.

PowerPoint and PDF draw the same measured pages (mapping.export.pack_layout): the same
title, text, pictures and table frames in the same places, so a table never runs under
another and a district's title always heads its pictures. Every slide and page carries the
OFFICIAL-SENSITIVE marking top and bottom, with who the copy is for and its review-by date
when the caller names them (mapping.marking, the same line as every export's header). Type is large (titles 28 pt, text 16 pt, tables
14 pt) so the pack reads on a projector; the PowerPoint carries speaker notes.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mapping.export import pack_layout as lay
from mapping.export.pack import PackData, Slide, load_pack_data, pack_slides
from mapping.export.pack_html import meeting_page
from mapping.marking import Copy, copy_of, marking_line
from mapping.model import MODEL
from mapping.store import Store

if TYPE_CHECKING:
    from pptx.dml.color import RGBColor
    from pptx.slide import Slide as PptxSlide
    from reportlab.pdfgen.canvas import Canvas

    from mapping.export.options import ExportData, ExportOptions, Metadata
    from mapping.meeting import Agenda

RED = (0xB0, 0x00, 0x20)
HEADER_FILL = (0xE8, 0xE8, 0xE8)
PPTX_FONT = "Arial"  # Helvetica's widths (and Liberation Sans's), which the layout measures


def _rgb(colour: tuple[int, int, int]) -> RGBColor:
    from pptx.dml.color import RGBColor

    return RGBColor(*colour)  # type: ignore[no-untyped-call]  # python-pptx leaves RGBColor.__new__ untyped


def pages_of(slides: list[Slide]) -> list[lay.Page]:
    return [page for slide in slides for page in lay.layout(slide)]


def _fit(png: bytes, width: float, height: float) -> tuple[float, float]:
    from reportlab.lib.utils import ImageReader

    w, h = ImageReader(io.BytesIO(png)).getSize()
    scale = min(width / w, height / h)
    return w * scale, h * scale


# -- PowerPoint ----------------------------------------------------------------------------
def pptx_bytes(slides: list[Slide], copy: Copy | None = None) -> bytes:
    """The deck; each slide's bars say :func:`mapping.marking.marking_line` of ``copy``."""
    from pptx import Presentation
    from pptx.util import Pt

    marking = marking_line(copy)

    deck = Presentation()
    deck.slide_width, deck.slide_height = Pt(lay.PAGE_W), Pt(lay.PAGE_H)
    blank = deck.slide_layouts[6]
    for page in pages_of(slides):
        slide = deck.slides.add_slide(blank)
        _marking_bar(slide, 0, marking)
        _marking_bar(slide, lay.PAGE_H - lay.BAR, marking)
        _text(slide, [page.title], lay.MARGIN, lay.TITLE_TOP, lay.CONTENT_W, lay.TITLE_SIZE, True)
        if page.lines:
            _text(slide, page.lines, lay.MARGIN, lay.BODY_TOP, lay.CONTENT_W, lay.BODY_SIZE)
        for png, x, y, width, height in page.images:
            w, h = _fit(png, width, height)
            slide.shapes.add_picture(io.BytesIO(png), Pt(x + (width - w) / 2), Pt(y), Pt(w), Pt(h))
        for placed in page.tables:
            _pptx_table(slide, placed)
        if page.notes:
            slide.notes_slide.notes_text_frame.text = page.notes
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _marking_bar(slide: PptxSlide, top: float, marking: str) -> None:
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Emu, Pt

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Pt(top), Pt(lay.PAGE_W), Pt(lay.BAR))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(RED)
    bar.line.fill.background()
    frame = bar.text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.margin_top = frame.margin_bottom = 0
    frame.margin_left = frame.margin_right = Pt(lay.MARGIN)
    frame.word_wrap = False  # one line: band_size already fits it in the margins
    run = frame.paragraphs[0].add_run()
    run.text = marking
    run.font.size, run.font.bold, run.font.name = Pt(lay.band_size(marking)), True, PPTX_FONT
    run.font.color.rgb = _rgb((0xFF, 0xFF, 0xFF))
    frame.paragraphs[0].alignment = PP_ALIGN.CENTER


def _text(
    slide: PptxSlide,
    lines: list[str],
    x: float,
    y: float,
    width: float,
    size: float,
    bold: bool = False,
) -> None:
    """Lines already wrapped by the layout, one paragraph each, at the layout's leading."""
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Pt

    box = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(width), Pt(len(lines) * size * lay.LEADING))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    for number, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        paragraph.line_spacing = Pt(size * lay.LEADING)
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, PPTX_FONT


def _pptx_table(slide: PptxSlide, placed: lay.PlacedTable) -> None:
    from pptx.util import Pt

    t = placed.table
    caption = lay.wrap(lay._caption(t), placed.width, lay.CAPTION_SIZE, bold=True)
    _text(slide, caption, placed.x, placed.y, placed.width, lay.CAPTION_SIZE, True)
    if not t.rows:
        _text(
            slide,
            [lay.EMPTY_TEXT],
            placed.x,
            placed.y + placed.caption_h,
            placed.width,
            lay.CELL_SIZE,
        )
        return
    x, y, width, height = placed.frame
    shape = slide.shapes.add_table(
        len(t.rows) + 1, len(t.columns), Pt(x), Pt(y), Pt(width), Pt(height)
    )
    grid = shape.table
    grid.first_row = True
    grid.horz_banding = False
    for number, w in enumerate(placed.col_widths):
        grid.columns[number].width = Pt(w)
    for number, h in enumerate(placed.row_heights):
        grid.rows[number].height = Pt(h)
    for r, row in enumerate([t.columns, *t.rows]):
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.margin_left = cell.margin_right = Pt(lay.PAD_X)
            cell.margin_top = cell.margin_bottom = Pt(lay.PAD_Y)
            cell.fill.solid()  # type: ignore[no-untyped-call]  # python-pptx: untyped there
            cell.fill.fore_color.rgb = _rgb(HEADER_FILL if r == 0 else (0xFF, 0xFF, 0xFF))
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.line_spacing = Pt(lay.CELL_SIZE * lay.LEADING)
            run = paragraph.add_run()
            run.text = value
            run.font.size, run.font.bold, run.font.name = Pt(lay.CELL_SIZE), r == 0, PPTX_FONT
            run.font.color.rgb = _rgb((0, 0, 0))


# -- PDF -----------------------------------------------------------------------------------
def pdf_bytes(slides: list[Slide], copy: Copy | None = None) -> bytes:
    """One PDF page per layout page, drawn where the layout put things (no flowing, so a
    title can never be left on one page while its pictures go to the next); the bars say
    :func:`mapping.marking.marking_line` of ``copy``."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(lay.PAGE_W, lay.PAGE_H))
    canvas.setTitle("MACE meeting pack")
    marking = marking_line(copy)
    canvas.setSubject(marking)
    for number, page in enumerate(pages_of(slides), start=1):
        _pdf_marking(canvas, number, marking)
        _pdf_lines(canvas, [page.title], lay.MARGIN, lay.TITLE_TOP, lay.TITLE_SIZE, True)
        _pdf_lines(canvas, page.lines, lay.MARGIN, lay.BODY_TOP, lay.BODY_SIZE)
        for png, x, y, width, height in page.images:
            w, h = _fit(png, width, height)
            canvas.drawImage(
                ImageReader(io.BytesIO(png)), x + (width - w) / 2, lay.PAGE_H - y - h, w, h
            )
        for placed in page.tables:
            _pdf_table(canvas, placed)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pdf_lines(
    canvas: Canvas, lines: list[str], x: float, y: float, size: float, bold: bool = False
) -> None:
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(lay.BOLD if bold else lay.FONT, size)
    line = size * lay.LEADING
    for number, text in enumerate(lines):
        baseline = y + number * line + (line - size) / 2 + 0.8 * size
        canvas.drawString(x, lay.PAGE_H - baseline, text)


def _pdf_table(canvas: Canvas, placed: lay.PlacedTable) -> None:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph
    from reportlab.platypus import Table as RTable

    t = placed.table
    caption = lay.wrap(lay._caption(t), placed.width, lay.CAPTION_SIZE, bold=True)
    _pdf_lines(canvas, caption, placed.x, placed.y, lay.CAPTION_SIZE, True)
    if not t.rows:
        _pdf_lines(canvas, [lay.EMPTY_TEXT], placed.x, placed.y + placed.caption_h, lay.CELL_SIZE)
        return
    size, leading = lay.CELL_SIZE, lay.CELL_SIZE * lay.LEADING
    body = ParagraphStyle("cell", fontName=lay.FONT, fontSize=size, leading=leading)
    head = body.clone("head", fontName=lay.BOLD)
    cells = [
        [Paragraph(html.escape(v), head if r == 0 else body) for v in row]
        for r, row in enumerate([t.columns, *t.rows])
    ]
    grid = RTable(cells, colWidths=placed.col_widths, rowHeights=placed.row_heights)
    grid.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("LEFTPADDING", (0, 0), (-1, -1), lay.PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), lay.PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), lay.PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), lay.PAD_Y),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(*(c / 255 for c in HEADER_FILL))),
        ]
    )
    x, y, width, height = placed.frame
    grid.wrapOn(canvas, width, height)
    grid.drawOn(canvas, x, lay.PAGE_H - y - height)


def _pdf_marking(canvas: Canvas, number: int, marking: str) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(*(c / 255 for c in RED))
    canvas.rect(0, lay.PAGE_H - lay.BAR, lay.PAGE_W, lay.BAR, stroke=0, fill=1)
    canvas.rect(0, 0, lay.PAGE_W, lay.BAR, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    bottom = f"{marking} · page {number}"
    for text, baseline in ((marking, lay.PAGE_H - 18), (bottom, 8)):
        canvas.setFont(lay.BOLD, lay.band_size(text))
        canvas.drawCentredString(lay.PAGE_W / 2, baseline, text)
    canvas.restoreState()


# -- HTML and the writers ------------------------------------------------------------------
def meeting_html(data: PackData, slides: list[Slide], copy: Copy | None = None) -> str:
    """The offline interactive page: a tab per agenda item, each district with its own
    network (mapping.export.pack_html)."""
    return meeting_page(data.agenda, slides, data.graph, marking=marking_line(copy))


PACK_FORMATS = ("pptx", "pdf", "html")


def build_pack(
    data: PackData,
    formats: tuple[str, ...] = PACK_FORMATS,
    progress: Callable[[float, str], None] | None = None,
    *,
    boundaries_file: Path | None = None,
    copy: Copy | None = None,
) -> dict[str, bytes]:
    """Every format of the pack from one computed agenda and one set of slides (pictures
    drawn once, over ``boundaries_file``'s districts if given). ``progress(fraction, what)``
    is told as the pack is built. ``copy`` (who the pack is for, its review-by date) is
    drawn in every marking band; without it the bands carry the bare marking."""
    unknown = [f for f in formats if f not in PACK_FORMATS]
    if unknown:
        raise ValueError(f"unknown pack format {unknown[0]!r}")
    images = any(f != "html" for f in formats)

    def step(fraction: float, what: str) -> None:
        if progress:
            progress(0.8 * fraction, what)

    slides = pack_slides(data, with_images=images, progress=step, boundaries_file=boundaries_file)
    files: dict[str, bytes] = {}
    writers = {
        "pptx": lambda: pptx_bytes(slides, copy),
        "pdf": lambda: pdf_bytes(slides, copy),
        "html": lambda: meeting_html(data, slides, copy).encode("utf-8"),
    }
    for number, fmt in enumerate(formats):
        if progress:
            progress(0.8 + 0.2 * number / len(formats), f"Writing the {fmt.upper()}")
        files[fmt] = writers[fmt]()
    if progress:
        progress(1.0, "Pack ready")
    return files


def pack_label(agenda: Agenda, built_at: datetime | None = None) -> str:
    """What a download says it is: the meeting, the role it was built for and when."""
    when = (built_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    meeting = agenda.meeting
    return (
        f"Pack for the meeting of {meeting['meeting_date']} (dataset version "
        f"{meeting['dataset_version']}), built for the {MODEL.roles[agenda.role].label} role "
        f"at {when}. Set up again or change role and it is no longer offered."
    )


def make_pack(
    store: Store, meeting_date: date, role: str, fmt: str, boundaries_file: Path | None = None
) -> bytes:
    """The pack for the meeting on ``meeting_date`` as ``fmt`` (pptx, pdf or html) bytes:
    computed from ``store`` here, then drawn by :func:`build_pack`."""
    data = load_pack_data(store, meeting_date, role)
    return build_pack(data, (fmt,), boundaries_file=boundaries_file)[fmt]


def write_pack(fmt: str) -> Callable[[ExportData, Path, Metadata, ExportOptions], None]:
    """A FORMATS writer of the pack as ``fmt``, from the agenda computed before it
    (:func:`mapping.export.run.prepare`, for ``--meeting``)."""

    def write(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
        if data.pack is None:
            raise SystemExit(f"--format {fmt} makes a meeting pack: give --meeting YYYY-MM-DD")
        files = build_pack(
            data.pack, (fmt,), boundaries_file=options.boundaries_file, copy=copy_of(metadata)
        )
        out.write_bytes(files[fmt])

    return write
