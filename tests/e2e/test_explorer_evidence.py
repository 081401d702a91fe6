"""End to end, in headless Chromium at 1366x768 and 1920x1080: click a link on the network
and find its agency, grading and both dates inside the viewport without scrolling sideways;
a practitioner is told how many links were withheld for their role.

The app runs in demo mode on the tiny explorer world plus one handling-code-C link.
Screenshots: artifacts/screenshots/explorer-evidence-*.png (copies in docs/screenshots/).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import networkx as nx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.harness import wait_for_app
from tests.e2e.test_explorer import SHOTS, choose, drawn, explorer_frame, shoot, wait_redrawn
from tests.explorer_world import HANDLING_C_LINK, LINKS, import_world

pytestmark = pytest.mark.e2e
VIEWPORTS = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def evidence_server(app_server, tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-evidence")
    (data / "demo").mkdir()
    import_world(
        f"sqlite:///{data / 'demo' / 'demo.sqlite'}",
        data / "demo" / "demo.key",
        data,
        links=LINKS + HANDLING_C_LINK,
    )
    return app_server({"MAPPING_DATA_DIR": str(data)}).url


def click_an_edge(page, frame) -> str:
    """Click the middle of a drawn link (one whose middle is clear of entities)."""
    page.locator("iframe[title*='network_explorer']").scroll_into_view_if_needed()
    box = page.locator("iframe[title*='network_explorer']").bounding_box()
    point = frame.evaluate(
        """() => { const n = window.explorerNetwork; const ids = n.body.data.edges.getIds();
        n.fit({animation: false});
        for (const id of ids.sort()) {
          const e = n.body.edges[id]; const a = n.getPosition(e.fromId), b = n.getPosition(e.toId);
          const mid = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
          if (n.getNodeAt(n.canvasToDOM(mid)) !== undefined) continue;
          const d = n.canvasToDOM(mid);
          const r = document.getElementById('network').getBoundingClientRect();
          return {id: id, x: d.x + r.left, y: d.y + r.top};
        } return null; }"""
    )
    assert point, "no link whose middle is clear of entities"
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    return point["id"]


def in_viewport(page, locator, size) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size[0]
        and box["y"] + box["height"] <= size[1]
    )


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_link_evidence_in_view_and_withheld_notice(evidence_server, size, new_page):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(60_000)
    page.goto(evidence_server)
    frame = explorer_frame(page)

    # A practitioner may not see handling code C: the page says one link was withheld.
    sidebar = page.locator("[data-testid='stSidebar']")
    choose(
        page, sidebar.locator("[data-testid='stSelectbox']").filter(has_text="role"), "Practitioner"
    )
    wait_for_app(page)
    notice = page.get_by_text("1 link(s) withheld for your role (Practitioner)")
    expect(notice).to_be_visible()
    frame = explorer_frame(page)

    # Click a link: its evidence comes into view, full width, with no sideways scrolling.
    edge = click_an_edge(page, frame)
    table = page.locator("[data-testid='evidence-table']")
    table.wait_for()
    wait_for_app(page)
    page.wait_for_timeout(800)  # the scroll into view runs once the section is drawn
    expect(page.get_by_role("heading", name="Evidence:")).to_be_visible()
    headings = [t.strip() for t in table.locator("th").all_inner_texts()]
    for name in ("Agency", "Grading", "First seen", "Last seen"):
        assert name in headings, headings
        column = headings.index(name)
        assert in_viewport(page, table.locator("th").nth(column), size), name
        cell = table.locator("tbody tr").first.locator("td").nth(column)
        assert in_viewport(page, cell, size), name
        if name.endswith("seen"):
            assert cell.inner_text().count("/") == 2  # dd/mm/yyyy
    grading = table.locator("th abbr")
    assert "3x5x2" in grading.get_attribute("title")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain], body, html')]"
        ".some(e => e.scrollWidth > e.clientWidth + 1)"
    )
    assert not overflow, "the page scrolls sideways"
    assert edge
    shoot(page, "evidence-link-clicked", size)
    assert page.external_requests == []


def click_first_row(page, table) -> None:
    """Tick the first row of a Streamlit dataframe (its row marker, left of the first cell)."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 36 + 17)


@pytest.mark.parametrize(
    ("link", "first"), [("Hotspots", "Chicken Palace"), ("Connectors", "Chicken Palace")]
)
def test_ranked_pages_open_an_items_evidence(evidence_server, new_page, link, first):
    page = new_page(width=1366, height=768)
    page.set_default_timeout(60_000)
    page.goto(evidence_server)
    wait_for_app(page)
    page.get_by_role("link", name=link).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=link)).to_be_visible()
    expect(page.get_by_text("link(s) withheld for your role (Analyst)")).to_be_visible()
    table = page.locator("[data-testid='stDataFrame']").first
    expect(table).to_be_visible()
    page.get_by_text("in this scope · click a row").wait_for()
    click_first_row(page, table)
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"Evidence: {first}")).to_be_visible()
    evidence = page.locator("[data-testid='evidence-table']")
    headings = evidence.locator("th").all_inner_texts()
    assert "Agency" in headings and "Grading" in headings
    assert evidence.locator("tbody tr").count() >= 3  # three flagged young people at least
    shoot(page, f"{link.lower()}-evidence", (1366, 768))
    assert page.external_requests == []


def drawn_caption(page) -> str:
    return page.get_by_text("Dataset version").first.inner_text()


def prepared_download(page):
    """Press "Prepare the file" until its download button shows, and return that button.

    The explorer component sends its view back after a redraw, which reruns the script; a
    click that lands during that rerun is dropped by Streamlit (seen once in a full CI run,
    never alone). The file is only written on a click that the script saw, so pressing again
    is what a person would do and proves the same thing.
    """
    download = page.get_by_role("button", name=re.compile(r"Download network-view"))
    for _ in range(4):
        page.get_by_role("button", name="Prepare the file").click()
        wait_for_app(page)
        try:
            download.wait_for(state="visible", timeout=20_000)
            return download
        except PlaywrightTimeout:
            continue
    raise AssertionError("no download button after pressing Prepare the file four times")


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_time_bar_narrows_undo_restores_and_the_view_exports(evidence_server, new_page, size):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(60_000)
    page.goto(evidence_server)
    frame = explorer_frame(page)
    whole = drawn(frame)
    before = drawn_caption(page)
    assert "time bar" not in before

    # Narrow the time bar to its last month: fewer links drawn, and the caption says so.
    slider = page.get_by_role("slider").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    slider.press("End")
    wait_for_app(page)
    narrowed = wait_redrawn(frame, whole)
    after = drawn_caption(page)
    assert re.search(r"time bar 11/2026–11/2026: \d+ of 16 links", after), after
    assert len(narrowed.split(",")) < len(whole.split(","))
    shoot(page, "time-bar-narrowed", size)

    # Undo puts the whole time range back.
    page.get_by_role("button", name=re.compile(r"^Undo")).click()
    wait_for_app(page)
    assert wait_redrawn(frame, narrowed) == whole
    assert "time bar" not in drawn_caption(page)

    # Export exactly the view: GraphML, then read it back.
    wait_for_app(page)
    page.get_by_text("Export this view").click()
    with page.expect_download() as download:
        prepared_download(page).click()
    path = download.value.path()
    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == len(whole.split(","))
    assert graph.graph.get("marking") == "OFFICIAL-SENSITIVE"

    # And the picture: a PNG with the marking band, as drawn.
    with page.expect_download() as download:
        frame.locator("[data-testid='explorer-save-png']").click()
    picture = Path(download.value.path()).read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", picture[16:24])
    assert width >= 300 and height >= 300
    saved = SHOTS / f"explorer-saved-picture-{size[0]}x{size[1]}.png"  # to look at its band
    saved.write_bytes(picture)
    # The band names who saved it and when to review it (mapping.marking): wider than the
    # bare marking's text, so the white text runs further across the red band than it did.
    from PIL import Image

    band = Image.open(saved).convert("RGB")
    row = [band.getpixel((x, y)) for y in range(6, 22) for x in range(width)]
    assert band.getpixel((2, 2)) == (0xB0, 0x00, 0x20)  # the red band at the top
    white = [i % width for i, (r, g, b) in enumerate(row) if min(r, g, b) > 200]
    assert white and max(white) - min(white) > 0.35 * width, (min(white), max(white), width)
    assert page.external_requests == []
