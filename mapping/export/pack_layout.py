"""Where everything goes on a pack slide, measured once for the PowerPoint and the PDF.

A slide (mapping.export.pack.Slide) becomes one or more :class:`Page` s of 960 x 540
points (13.33 x 7.5 in, 16:9): the title, the lines of text wrapped to their measured
height, the pictures in the room left, and the tables flowed into two columns (a table too
wide for half the page takes the full width) from the top down. A table that does not fit
below the others goes to a continuation page with the same title, so no table is ever
drawn over another or under the marking bar. Text is measured with Helvetica's metrics
(the PowerPoint asks for Arial, which has the same widths, as has Liberation Sans), every
column is at least as wide as its longest word so a code or a date never breaks, and a
row's height is its wrapped lines' height, so the frame drawn is the frame the text needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, cast

from reportlab.pdfbase.pdfmetrics import stringWidth

PAGE_W, PAGE_H = 960.0, 540.0
MARGIN = 29.0
BAR = 25.0  # the OFFICIAL-SENSITIVE bars, top and bottom
TITLE_SIZE, BODY_SIZE, CAPTION_SIZE, CELL_SIZE = 28.0, 16.0, 15.0, 14.0
LEADING = 1.25  # line height as a multiple of the font size
PAD_X, PAD_Y = 4.0, 2.0  # cell margins (left/right, top/bottom), the same in both formats
GAP = 14.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
CONTENT_W = PAGE_W - 2 * MARGIN
HALF_W = (CONTENT_W - GAP) / 2
TITLE_TOP = BAR + 8
BODY_TOP = TITLE_TOP + TITLE_SIZE * LEADING + 4
BOTTOM = PAGE_H - BAR - 8
EMPTY_TEXT = "None in this period."


@dataclass
class Table:
    """A table of a pack slide: text only (already codes, never names of people)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    more: int = 0


def text_width(text: str, size: float, bold: bool = False) -> float:
    return cast(float, stringWidth(text, BOLD if bold else FONT, size))  # reportlab: untyped


#: The marking bars' type: this size, or smaller down to BAND_LEAST when a long recipient
#: makes the line wider than the page less its margins (mapping.marking cuts recipients so
#: the line always fits at BAND_LEAST).
BAND_SIZE, BAND_LEAST = 14.0, 8.0


def band_size(text: str) -> float:
    """The largest size from BAND_SIZE down to BAND_LEAST (half points) at which the bold
    line ``text`` fits the page width less its margins."""
    size = BAND_SIZE
    while size > BAND_LEAST and text_width(text, size, bold=True) > CONTENT_W:
        size -= 0.5
    return size


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap at spaces; a word wider than ``width`` stays whole on its line."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width(trial, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


class SlideContent(Protocol):
    """What :func:`layout` reads of a slide (``mapping.export.pack.Slide``, which imports
    this module for :class:`Table`, so it is named here by its shape)."""

    title: str
    lines: list[str]
    tables: list[Table]
    images: list[bytes]
    section: str | None
    notes: str


@dataclass
class PlacedTable:
    table: Table
    x: float
    y: float  # top edge, from the top of the page
    width: float
    caption_h: float
    col_widths: list[float]
    row_heights: list[float]  # header first; empty when the table has no rows

    @property
    def height(self) -> float:
        return (
            self.caption_h + sum(self.row_heights) + (0 if self.row_heights else _line(CELL_SIZE))
        )

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """The table grid itself (x, y, width, height), below its caption."""
        return (self.x, self.y + self.caption_h, sum(self.col_widths), sum(self.row_heights))


@dataclass
class Page:
    title: str
    lines: list[str]  # already wrapped to CONTENT_W at BODY_SIZE
    section: str | None
    notes: str = ""
    images: list[tuple[bytes, float, float, float, float]] = field(default_factory=list)
    tables: list[PlacedTable] = field(default_factory=list)

    @property
    def body_height(self) -> float:
        return len(self.lines) * _line(BODY_SIZE)


def _line(size: float) -> float:
    return size * LEADING


def column_widths(
    columns: list[str], rows: list[list[str]], total: float, size: float = CELL_SIZE
) -> list[float]:
    """Widths in points: every column at least its longest word (header or value) so that
    no word breaks; the room left goes first to values that do not fit yet, then to headers.
    When even the longest words do not fit, they are scaled (the caller avoids this by
    giving such a table the full width)."""
    pad = 2 * PAD_X + 2  # cell margins and a little air

    def width(text: str, bold: bool = False) -> float:
        return text_width(text, size, bold) + pad

    cols = [[c, *(row[i] for row in rows)] for i, c in enumerate(columns)]
    least = [
        max(
            [width(w, True) for w in col[0].split() or [""]]
            + [width(w) for t in col[1:] for w in t.split() or [""]]
        )
        for col in cols
    ]
    wanted = [max([width(col[0], True)] + [width(t) for t in col[1:]]) for col in cols]
    if sum(wanted) <= total:
        return [w * total / sum(wanted) for w in wanted]
    if sum(least) >= total:
        return [w * total / sum(least) for w in least]
    values = [max([m] + [width(t) for t in col[1:]]) for m, col in zip(least, cols, strict=True)]
    room = total - sum(least)
    short = [v - m for v, m in zip(values, least, strict=True)]
    if sum(short) >= room:
        return [m + room * s / sum(short) for m, s in zip(least, short, strict=True)]
    room, short = total - sum(values), [w - v for w, v in zip(wanted, values, strict=True)]
    return [v + room * s / sum(short) for v, s in zip(values, short, strict=True)]


def least_width(columns: list[str], rows: list[list[str]], size: float = CELL_SIZE) -> float:
    """The narrowest a table can be with no word broken."""
    pad = 2 * PAD_X + 2
    return sum(
        max(
            text_width(w, size, i == 0) + pad
            for i, t in enumerate([c, *(r[n] for r in rows)])
            for w in t.split() or [""]
        )
        for n, c in enumerate(columns)
    )


def row_heights(
    columns: list[str], rows: list[list[str]], widths: list[float], size: float = CELL_SIZE
) -> list[float]:
    heights = []
    for number, row in enumerate([columns, *rows]):
        lines = max(
            len(wrap(value, w - 2 * PAD_X - 1, size, bold=number == 0))
            for value, w in zip(row, widths, strict=True)
        )
        heights.append(lines * _line(size) + 2 * PAD_Y + 2)
    return heights


def _caption(table: Table) -> str:
    return table.caption + (f" (and {table.more} more)" if table.more else "")


def measure(table: Table, width: float) -> PlacedTable:
    caption_lines = wrap(_caption(table), width, CAPTION_SIZE, bold=True)
    caption_h = len(caption_lines) * _line(CAPTION_SIZE) + 3
    if not table.rows:
        return PlacedTable(table, 0, 0, width, caption_h, [], [])
    widths = column_widths(table.columns, table.rows, width)
    return PlacedTable(
        table, 0, 0, width, caption_h, widths, row_heights(table.columns, table.rows, widths)
    )


def _is_wide(table: Table) -> bool:
    """Full width when half the page would break a word or wrap the table a lot."""
    if not table.rows:
        return False
    if least_width(table.columns, table.rows) > HALF_W or len(table.columns) >= 7:
        return True
    half = measure(table, HALF_W)
    full = measure(table, CONTENT_W)
    return half.height > 1.4 * full.height


def _split(placed: PlacedTable, room: float) -> tuple[Table, Table] | None:
    """The table cut after the last row that fits in ``room`` (header repeated on the
    rest), or None when not even one row fits."""
    from dataclasses import replace

    t = placed.table
    used = placed.caption_h + placed.row_heights[0]
    fits = 0
    for h in placed.row_heights[1:]:
        if used + h > room:
            break
        used, fits = used + h, fits + 1
    if fits == 0 or fits == len(t.rows):
        return None
    head = replace(t, rows=t.rows[:fits], more=0)
    rest = replace(t, caption=f"{t.caption} (continued)", rows=t.rows[fits:])
    return head, rest


def layout(slide: SlideContent) -> list[Page]:
    """The slide's page(s): the first has the title, lines and pictures; tables flow in two
    columns and continue on pages titled "(continued)" when they do not fit."""
    lines = [line for text in slide.lines for line in wrap(text, CONTENT_W, BODY_SIZE)]
    first = Page(slide.title, lines, slide.section, slide.notes)
    top = BODY_TOP + first.body_height + (6 if lines else 0)
    if slide.images:
        width = (CONTENT_W - GAP * (len(slide.images) - 1)) / len(slide.images)
        first.images = [
            (image, MARGIN + n * (width + GAP), top, width, BOTTOM - top)
            for n, image in enumerate(slide.images)
        ]
        top = BOTTOM
    pages = [first]
    cursors = [top, top]
    queue = list(slide.tables)
    while queue:
        table = queue.pop(0)
        wide = _is_wide(table)
        placed = measure(table, CONTENT_W if wide else HALF_W)
        column = 0 if cursors[0] <= cursors[1] else 1
        y = max(cursors) if wide else cursors[column]
        if y + placed.height > BOTTOM:
            parts = _split(placed, BOTTOM - y) if placed.row_heights else None
            if parts is None and y > BODY_TOP:  # start a fresh page and try again there
                pages.append(Page(f"{slide.title} (continued)", [], slide.section))
                cursors = [BODY_TOP, BODY_TOP]
                queue.insert(0, table)
                continue
            if parts is not None:
                table, rest = parts
                queue.insert(0, rest)
                placed = measure(table, placed.width)
        placed.x = MARGIN if wide else MARGIN + column * (HALF_W + GAP)
        placed.y = y
        if wide:
            cursors = [y + placed.height + GAP] * 2
        else:
            cursors[column] = y + placed.height + GAP
        pages[-1].tables.append(placed)
    return pages
