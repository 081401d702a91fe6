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
from mapping.meeting import Actor, districts_of, save_meeting

DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def packs(sample_world):
    store, _p, _truth = sample_world
    save_meeting(store, DAY, by=Actor("chair-1", "chair"))
    return store, {f: make_pack(store, DAY, "chair", f) for f in ("pptx", "pdf", "html")}


def deck_text(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    return [
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        for slide in deck.slides
    ]


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
    cells = " ".join(
        c.text
        for slide in deck.slides
        for s in slide.shapes
        if s.has_table
        for row in s.table.rows
        for c in row.cells
    )
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
        assert (
            main(
                [
                    "export",
                    "--db",
                    store.url,
                    "--format",
                    fmt,
                    "--meeting",
                    DAY.isoformat(),
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        assert out.stat().st_size > 10_000
    assert PdfReader(str(tmp_path / "pack.pdf")).pages


def embedded_networks(text: str) -> dict:
    import json

    return json.loads(re.search(r"var networks = (\{.*?\});\n", text).group(1))


def test_html_has_a_tab_and_its_own_network_per_district(packs):
    from mapping.export.pack import load_agenda

    store, files = packs
    text = files["html"].decode("utf-8")
    agenda = load_agenda(store, DAY, "chair")
    districts = [item for item in agenda.items if item.district]
    tabs = re.findall(r'<button role="tab" data-item="(\d+)"[^>]*>([^<]*)</button>', text)
    assert [label for _i, label in tabs] == [
        "Opening",
        *(i.district for i in districts),
        "Online",
        "Summary",
        "Actions",
    ]
    networks = embedded_networks(text)
    assert sorted(networks, key=int) == [i for i, label in tabs[1:-3]]
    for (index, _label), item in zip(tabs[1:-3], districts, strict=True):
        drawn = {n["id"] for n in networks[index]["nodes"]}
        assert drawn == set(item.nodes)  # the district's own network, not the whole meeting's
        assert f'id="network-{index}"' in text
    assert len({frozenset(n["id"] for n in v["nodes"]) for v in networks.values()}) == len(
        districts
    )
    assert text.count("vis.Network(") == 1 and text.count("OFFICIAL-SENSITIVE") >= 2


def test_html_escapes_data_text():
    from types import SimpleNamespace

    import networkx as nx

    from mapping.export.pack import Slide, Table
    from mapping.export.pack_html import meeting_page

    evil = '<script>alert("x")</script>'
    graph = nx.Graph()
    graph.add_node("YP-ABC", entity_type="young_person", label=evil, harms=[], district=evil)
    item = SimpleNamespace(district=evil, nodes=["YP-ABC"])
    agenda = SimpleNamespace(
        meeting={"meeting_date": "2026-11-01", "dataset_version": 1}, role="chair", items=[item]
    )
    slides = [Slide(f"District: {evil}", [evil], [Table(evil, [evil], [[evil]])], section=evil)]
    text = meeting_page(agenda, slides, graph)
    assert evil not in text and "&lt;script&gt;alert" in text


def test_codes_on_a_crowded_picture_do_not_overlap():
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from mapping.export.pack_images import place_labels

    figure, ax = plt.subplots(figsize=(8, 6))
    ax.scatter(range(100), range(100))
    crowd = [(f"AD-{n:012d}", 50 + n % 3, 50 + n // 3) for n in range(9)]  # nine in a clump
    place_labels(ax, crowd)
    renderer = figure.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # words, not leaders
    plt.close(figure)
    assert sorted(t.get_text() for t in ax.texts) == sorted(c for c, _x, _y in crowd)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_table_columns_never_break_a_code_or_a_date():
    from mapping.export.pack_layout import (
        CELL_SIZE,
        CONTENT_W,
        HALF_W,
        PAD_X,
        column_widths,
        least_width,
        text_width,
    )

    columns = ["code", "kind", "young people", "harms", "adults of concern", "last seen"]
    rows = [
        ["AR-UEWVVYBKPOWR", "transport hub", "7", "CCE 3, RAD 1, MISS 3, SYV 1", "0", "2026-10-27"]
    ] * 3
    # Too wide for half a slide without breaking a word, so the layout gives it the width.
    assert least_width(columns, rows) > HALF_W
    widths = column_widths(columns, rows, CONTENT_W)
    assert abs(sum(widths) - CONTENT_W) < 1e-6
    for column, width in zip(zip(columns, *rows, strict=True), widths, strict=True):
        longest = max(
            text_width(w, CELL_SIZE, bold=n == 0)
            for n, text in enumerate(column)
            for w in text.split()
        )
        assert width >= longest + 2 * PAD_X, (column[0], width)
    short = column_widths(["code", "flagged pupils"], [["PL-012", "6"]], 440)
    assert short[1] >= text_width("flagged pupils", CELL_SIZE, bold=True) + 2 * PAD_X
