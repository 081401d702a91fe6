"""End to end, in headless Chromium: upload and map a workbook, import it, search a young
person by case ID, click an entity, open a cluster, change a filter. Every step is
screenshotted at 1366x768 and 1920x1080 into artifacts/screenshots/, and no request may
leave localhost.

The app runs in demo mode with MAPPING_ALLOW_DEMO_IMPORT=1, a switch only tests set (see
docs/explorer.md). The uploaded file is sample_data/sample_world.xlsx when present, else a
workbook made from tests/explorer_world.py; one header is renamed so it must be mapped.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from loaders.columns import Profile, detect
from loaders.read import read_file
from tests.e2e.harness import wait_for_app
from tests.explorer_world import ENTITIES, LINKS, import_world

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
SAMPLE = ROOT / "sample_data" / "sample_world.xlsx"
RENAMED = "Kind of association"
VIEWPORTS = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def explorer_server(app_server, tmp_path_factory):
    """The app on a demo data folder holding the tiny world as version 1, imports allowed."""
    data = tmp_path_factory.mktemp("e2e-data")
    (data / "demo").mkdir()
    import_world(f"sqlite:///{data / 'demo' / 'demo.sqlite'}", data / "demo" / "demo.key", data)
    return app_server({"MAPPING_DATA_DIR": str(data), "MAPPING_ALLOW_DEMO_IMPORT": "1"}).url


@pytest.fixture(scope="module")
def upload_file(tmp_path_factory) -> Path:
    """The workbook to upload, with the link-type header renamed so it needs mapping."""
    folder = tmp_path_factory.mktemp("upload")
    if SAMPLE.exists():
        book = openpyxl.load_workbook(SAMPLE)
    else:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, text in (("entities", ENTITIES), ("links", LINKS)):
            sheet = book.create_sheet(name)
            for row in csv.reader(io.StringIO(text)):
                sheet.append(row)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=10):
            for cell in row:
                if cell.value == "link_type":
                    cell.value = RENAMED
    path = folder / "world for upload.xlsx"
    book.save(path)
    return path


def a_young_person_id(path: Path) -> str:
    for raw in read_file(path):
        sheet = detect(raw, Profile())
        if sheet is not None and sheet.role == "entities":
            young = sheet.frame[sheet.frame["entity_type"].str.contains("young", case=False)]
            return str(young["entity_id"].iloc[0]).strip()
    raise AssertionError("no young person in the upload")


def explorer_frame(page):
    page.wait_for_selector("iframe[title*='network_explorer']", timeout=60_000)
    for _ in range(100):
        frame = next((f for f in page.frames if "network_explorer" in f.url), None)
        if frame is not None and frame.evaluate("document.body.hasAttribute('data-drawn')"):
            return frame
        time.sleep(0.2)
    raise AssertionError("the network was never drawn")


def drawn(frame) -> str:
    return frame.evaluate(
        "window.explorerNetwork ? window.explorerNetwork.body.data.nodes"
        ".getIds().sort().join(',') : ''"
    )


def wait_redrawn(frame, before: str) -> str:
    for _ in range(450):  # up to 90 s: CI machines can be slow
        now = drawn(frame)
        if now and now != before:
            return now
        time.sleep(0.2)
    raise AssertionError("the network did not change")


def click_node(page, frame, node_id: str) -> None:
    page.locator("iframe[title*='network_explorer']").scroll_into_view_if_needed()
    point = frame.evaluate(
        """(id) => { const n = window.explorerNetwork;
        n.moveTo({position: n.getPosition(id), animation: false});  // centre it, as a person would
        const d = n.canvasToDOM(n.getPosition(id));
        const r = document.getElementById('network').getBoundingClientRect();
        return {x: d.x + r.left, y: d.y + r.top}; }""",
        node_id,
    )
    box = page.locator("iframe[title*='network_explorer']").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def first_node(frame, test: str) -> str:
    return frame.evaluate(
        f"window.explorerNetwork.body.data.nodes.get().filter(n => {test}).map(n => n.id).sort()[0]"
    )


def choose(page, widget, option: str | None = None) -> None:
    """Open a select widget and pick ``option`` (the first one when None); retried because a
    rerun can close the list under the pointer."""
    for _ in range(5):
        widget.scroll_into_view_if_needed()
        widget.get_by_role("combobox").click()
        options = page.get_by_role("option")
        target = (
            options.first if option is None else page.get_by_role("option", name=option, exact=True)
        )
        try:
            target.click(timeout=5_000)
            return
        except PlaywrightError:
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose {option!r}")


def shoot(page, step: str, size) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"explorer-{step}-{size[0]}x{size[1]}.png"))


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_explorer_end_to_end(explorer_server, upload_file, size, new_page):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(60_000)
    page.goto(explorer_server)
    explorer_frame(page)

    # 1. Upload, map the renamed column, check, import.
    page.get_by_role("link", name="Import data").click()
    page.locator("input[type=file]").set_input_files(str(upload_file))
    page.get_by_text("1. Map columns").wait_for()
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=RENAMED)
    choose(page, box, "link_type")
    expect(box.get_by_role("combobox")).to_have_value("link_type")
    shoot(page, "1-upload-mapped", size)
    page.get_by_role("button", name="Check for problems").click()
    page.get_by_text("error(s)").first.wait_for()
    page.get_by_text("I have checked the mapping").click()
    # The sample world records young people as suspects: the page asks for its own tick.
    page.get_by_text("I confirm the young people listed above").click()
    page.get_by_role("button", name="Import as a new dataset version").click()
    page.get_by_text("Imported as dataset version").wait_for(timeout=120_000)
    shoot(page, "2-imported", size)

    # 2. Search a young person by raw case ID: opened, and the ID is not kept.
    page.get_by_role("link", name="Network").click()
    frame = explorer_frame(page)
    whole = drawn(frame)
    raw_id = a_young_person_id(upload_file)
    search = page.get_by_role("textbox", name="Find a young person")
    search.fill(raw_id)
    search.press("Enter")
    page.get_by_role("button", name="Open network").wait_for()
    expect(page.get_by_role("combobox", name="Results")).to_have_value(
        re.compile(r"^YP-.*by case ID")
    )
    assert search.input_value() == ""
    page.get_by_role("button", name="Open network").click()
    focused = wait_redrawn(frame, whole)
    expect(page.get_by_text("Linked to", exact=True)).to_be_visible()
    shoot(page, "3-search-case-id", size)

    # 3. Click a place: the side panel fills with it and its evidence.
    place = first_node(frame, "n.shape === 'triangle' || n.shape === 'diamond'")
    click_node(page, frame, place)
    wait_for_app(page)
    page.get_by_text("Kind of place").or_(page.get_by_text("Platform")).first.wait_for()
    expect(page.get_by_text("link(s) behind this entity")).to_be_visible()
    page.get_by_text("link(s) behind this entity").scroll_into_view_if_needed()
    shoot(page, "4-side-panel", size)

    # 4. Start from clusters and open one.
    page.get_by_role("button", name="Back to the whole map").click()
    expect(page.get_by_role("button", name="Back to the whole map")).to_have_count(0)
    whole = wait_redrawn(frame, focused)
    page.get_by_text("Start from clusters").click()
    collapsed = wait_redrawn(frame, whole)
    cluster = first_node(frame, "n.id.startsWith('cluster:C')")
    shoot(page, "5-clusters", size)
    click_node(page, frame, cluster)
    opened = wait_redrawn(frame, collapsed)
    assert cluster not in opened.split(",")
    shoot(page, "6-cluster-opened", size)

    # 5. A filter changes the graph.
    sidebar = page.locator("[data-testid='stSidebar']")
    districts = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Districts")
    wait_for_app(page)  # the cluster's opening rerun must be over, or it closes the list
    for _ in range(5):
        districts.scroll_into_view_if_needed()
        districts.get_by_role("combobox").click()
        listed = page.get_by_role("option").filter(has_not_text="Select all").first
        try:
            district = listed.inner_text(timeout=10_000)
            break
        except PlaywrightError:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("the Districts list never opened")
    page.get_by_role("option", name=district, exact=True).click()
    page.keyboard.press("Escape")
    wait_redrawn(frame, opened)
    expect(districts).to_contain_text(district)
    shoot(page, "7-filtered", size)
    assert raw_id not in page.content()
    assert page.external_requests == []  # the harness aborts and records them
