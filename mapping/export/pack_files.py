"""Draw the meeting pack's slides as PowerPoint (python-pptx), PDF (reportlab) and an
offline interactive HTML page; and the writers ``python -m mapping export --meeting`` uses.

Every slide and page carries the OFFICIAL-SENSITIVE marking top and bottom. Type is large
(titles 30 pt, text 18 pt, tables 14 pt) so the pack reads on a projector.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from mapping.export.pack import Slide, load_agenda, meeting_graph, pack_slides
from mapping.export.pack_html import meeting_page
from mapping.model import MARKING, MODEL
from mapping.store import Store

RED = (0xB0, 0x00, 0x20)


# -- PowerPoint ----------------------------------------------------------------------------
def pptx_bytes(slides: list[Slide]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    for slide in slides:
        page = deck.slides.add_slide(blank)
        _marking_bar(page, Inches(0), Inches(13.333))
        _marking_bar(page, Inches(7.5 - 0.35), Inches(13.333))
        _text(
            page,
            slide.title,
            Inches(0.4),
            Inches(0.45),
            Inches(12.5),
            Inches(0.8),
            Pt(30),
            bold=True,
        )
        top = 1.25
        if slide.lines:
            _text(
                page,
                "\n".join(slide.lines),
                Inches(0.4),
                Inches(top),
                Inches(12.5),
                Inches(0.4 * len(slide.lines)),
                Pt(18),
            )
            top += 0.42 * len(slide.lines) + 0.1
        if slide.images:
            width = 12.5 / len(slide.images)
            for number, image in enumerate(slide.images):
                page.shapes.add_picture(
                    io.BytesIO(image),
                    Inches(0.4 + number * width),
                    Inches(top),
                    height=Inches(7.5 - 0.5 - top),
                )
        _pptx_tables(page, slide.tables, top)
        if slide.notes:
            page.notes_slide.notes_text_frame.text = slide.notes
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _marking_bar(page, top, width) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    bar = page.shapes.add_textbox(0, top, width, Inches(0.35))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor(*RED)
    run = bar.text_frame.paragraphs[0].add_run()
    run.text = MARKING
    run.font.size, run.font.bold = Pt(14), True
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    from pptx.enum.text import PP_ALIGN

    bar.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER


def _text(page, text, left, top, width, height, size, bold=False) -> None:
    box = page.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    for number, line in enumerate(text.split("\n")):
        paragraph = box.text_frame.paragraphs[0] if number == 0 else box.text_frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = size, bold


def _pptx_tables(page, tables, top: float) -> None:
    """Tables two to a row, captions above, 14 pt."""
    from pptx.util import Inches, Pt

    for number, t in enumerate(tables):
        left = 0.4 + (number % 3) * 4.2
        row_top = top + (number // 3) * 2.9
        _text(
            page,
            t.caption + (f" (and {t.more} more)" if t.more else ""),
            Inches(left),
            Inches(row_top),
            Inches(4.0),
            Inches(0.4),
            Pt(16),
            bold=True,
        )
        if not t.rows:
            _text(
                page,
                "None in this period.",
                Inches(left),
                Inches(row_top + 0.4),
                Inches(4.0),
                Inches(0.4),
                Pt(14),
            )
            continue
        shape = page.shapes.add_table(
            len(t.rows) + 1,
            len(t.columns),
            Inches(left),
            Inches(row_top + 0.45),
            Inches(4.0),
            Inches(0.3 * (len(t.rows) + 1)),
        )
        for r, row in enumerate([t.columns, *t.rows]):
            for c, value in enumerate(row):
                run = shape.table.cell(r, c).text_frame.paragraphs[0].add_run()
                run.text = value
                run.font.size = Pt(12)


# -- PDF -----------------------------------------------------------------------------------
def pdf_bytes(slides: list[Slide]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RTable

    page = (960, 540)  # 16:9, like the slides
    title = ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=28, leading=34)
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=16, leading=21)
    caption = ParagraphStyle("c", fontName="Helvetica-Bold", fontSize=15, leading=19)
    story = []
    for slide in slides:
        story += [Paragraph(html.escape(slide.title), title), Spacer(1, 6)]
        story += [Paragraph(html.escape(line), body) for line in slide.lines]
        if slide.images:
            height = 400 - 21 * len(slide.lines)
            width = 900 / len(slide.images)
            pictures = [_image(Image, image, width - 10, height) for image in slide.images]
            story.append(RTable([pictures], colWidths=[width] * len(pictures)))
        story += _pdf_tables(slide.tables, RTable, Paragraph, caption, body, colors)
        story.append(PageBreak())
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=30,
        rightMargin=30,
        topMargin=36,
        bottomMargin=34,
        title="MACE meeting pack",
        subject=MARKING,
    )
    document.build(story, onFirstPage=_pdf_marking, onLaterPages=_pdf_marking)
    return buffer.getvalue()


def _image(image_class, png: bytes, max_width: float, max_height: float):
    from reportlab.lib.utils import ImageReader

    width, height = ImageReader(io.BytesIO(png)).getSize()
    scale = min(max_width / width, max_height / height)
    return image_class(io.BytesIO(png), width=width * scale, height=height * scale)


def _pdf_tables(tables, table_class, paragraph, caption, body, colors) -> list:
    """Tables two to a row so a district's four tables fit one page."""
    cells = []
    for t in tables:
        heading = paragraph(
            html.escape(t.caption + (f" (and {t.more} more)" if t.more else "")), caption
        )
        if t.rows:
            cell = body.clone("cell", fontSize=12, leading=14)
            grid_rows = [
                [paragraph(html.escape(v), cell) for v in row] for row in [t.columns, *t.rows]
            ]
            inner = table_class(grid_rows, hAlign="LEFT", colWidths=_widths(t, 440))
            inner.setStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ]
            )
        else:
            inner = paragraph("None in this period.", body)
        cells.append([heading, inner])
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    if not rows:
        return []
    grid = table_class(
        [row + [""] * (2 - len(row)) for row in rows], colWidths=[450, 450], hAlign="LEFT"
    )
    grid.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])
    return [grid]


def _widths(t, total: float, font: str = "Helvetica", size: float = 12) -> list[float]:
    """Column widths measured in points so that no word breaks: every column gets at least
    its longest word (of the header or any value: codes and dates stay whole), then the
    room left goes to the columns whose full text does not fit yet (a harm list wraps at
    its commas). Headers stay on one line when everything fits."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 8  # the cell padding (3 pt each side, set in _pdf_tables) and a little air

    def width(text: str) -> float:
        return stringWidth(text, font, size) + pad

    columns = [[col, *(row[i] for row in t.rows)] for i, col in enumerate(t.columns)]
    least = [max(width(w) for text in col for w in text.split() or [""]) for col in columns]
    wanted = [max(width(text) for text in col) for col in columns]
    if sum(wanted) <= total:
        return [w * total / sum(wanted) for w in wanted]
    if sum(least) >= total:
        return [w * total / sum(least) for w in least]
    # Room goes to values first (a harm list on fewer lines), to headers only after that.
    values = [
        max([m] + [width(text) for text in col[1:]]) for m, col in zip(least, columns, strict=True)
    ]
    room = total - sum(least)
    short = [v - m for v, m in zip(values, least, strict=True)]
    if sum(short) >= room:
        return [m + room * s / sum(short) for m, s in zip(least, short, strict=True)]
    room, short = total - sum(values), [w - v for w, v in zip(wanted, values, strict=True)]
    return [v + room * s / sum(short) for v, s in zip(values, short, strict=True)]


def _pdf_marking(canvas, document) -> None:
    width, height = document.pagesize
    canvas.saveState()
    canvas.setFillColorRGB(*(c / 255 for c in RED))
    canvas.rect(0, height - 24, width, 24, stroke=0, fill=1)
    canvas.rect(0, 0, width, 22, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(width / 2, height - 17, MARKING)
    canvas.drawCentredString(width / 2, 6, f"{MARKING} · page {document.page}")
    canvas.restoreState()


# -- HTML and the writers ------------------------------------------------------------------
def meeting_html(store: Store, agenda, slides: list[Slide]) -> str:
    """The offline interactive page: a tab per agenda item, each district with its own
    network (mapping.export.pack_html)."""
    return meeting_page(agenda, slides, meeting_graph(store, agenda))


PACK_FORMATS = ("pptx", "pdf", "html")


def build_pack(
    store: Store,
    agenda,
    formats=PACK_FORMATS,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, bytes]:
    """Every format of the pack from one agenda and one set of slides (pictures drawn
    once). ``progress(fraction, what)`` is told as the pack is built."""
    unknown = [f for f in formats if f not in PACK_FORMATS]
    if unknown:
        raise ValueError(f"unknown pack format {unknown[0]!r}")
    images = any(f != "html" for f in formats)

    def step(fraction: float, what: str) -> None:
        if progress:
            progress(0.8 * fraction, what)

    slides = pack_slides(store, agenda, with_images=images, progress=step)
    files: dict[str, bytes] = {}
    writers = {
        "pptx": lambda: pptx_bytes(slides),
        "pdf": lambda: pdf_bytes(slides),
        "html": lambda: meeting_html(store, agenda, slides).encode("utf-8"),
    }
    for number, fmt in enumerate(formats):
        if progress:
            progress(0.8 + 0.2 * number / len(formats), f"Writing the {fmt.upper()}")
        files[fmt] = writers[fmt]()
    if progress:
        progress(1.0, "Pack ready")
    return files


def pack_label(agenda, built_at: datetime | None = None) -> str:
    """What a download says it is: the meeting, the role it was built for and when."""
    when = (built_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    meeting = agenda.meeting
    return (
        f"Pack for the meeting of {meeting['meeting_date']} (dataset version "
        f"{meeting['dataset_version']}), built for the {MODEL.roles[agenda.role].label} role "
        f"at {when}. Set up again or change role and it is no longer offered."
    )


def make_pack(store: Store, meeting_date: date, role: str, fmt: str) -> bytes:
    """The pack for the meeting on ``meeting_date`` as ``fmt`` (pptx, pdf or html) bytes."""
    return build_pack(store, load_agenda(store, meeting_date, role), (fmt,))[fmt]


def write_pack(fmt: str):
    """A FORMATS writer: needs ``--meeting``; the role is the scoped graph's role."""

    def write(scoped, out: Path, metadata: dict, args) -> None:
        meeting_date = getattr(args, "meeting", None)
        if meeting_date is None:
            raise SystemExit(f"--format {fmt} makes a meeting pack: give --meeting YYYY-MM-DD")
        out.write_bytes(
            make_pack(Store(getattr(args, "db", None)), meeting_date, scoped.scope.role, fmt)
        )

    return write
