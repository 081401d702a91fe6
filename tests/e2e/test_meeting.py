"""End to end, in headless Chromium at 1920x1080, on the fictional sample world (demo mode):

- the chair sets up a meeting, records an action (description, named owner), makes the
  pack (progress, then downloads that say which meeting, role and time they are for); the
  PPTX, PDF and HTML open and hold every district; after setting up the next meeting no
  old download is offered; at that meeting the chair closes the action with an outcome and
  sees it reviewed there;
- the presentation view fills the screen with one item, shows the district's network fully
  on screen and moves on with PageDown, Space and the arrow keys (a clicker's keys);
- a partner agency's view is read-only: no set-up, no action or minutes forms, no pack.

No request may leave localhost. Screenshots go to artifacts/screenshots/ (docs/meeting.md
uses some of them)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.harness import wait_for_app

playwright = pytest.importorskip("playwright.sync_api")
PlaywrightTimeout = playwright.TimeoutError
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DISTRICTS = [
    f["properties"]["name"]
    for f in json.loads((ROOT / "sample_data" / "districts.geojson").read_text(encoding="utf-8"))[
        "features"
    ]
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("meeting-data")
    port = free_port()
    env = dict(os.environ, MAPPING_DATA_DIR=str(data))
    env.pop("MAPPING_USERS_FILE", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(
                ("http://localhost", "ws://localhost", "data:", "about:", "blob:")
            )
            else (outside.append(route.request.url), route.abort())
        ),
    )
    yield page
    page.close()
    assert outside == [], outside


def open_meeting(page, app_url: str, role_label: str) -> None:
    """Open the app, pick the demo role (on the Network page's sidebar), go to the meeting."""
    page.goto(app_url)
    wait_for_app(page, timeout=240_000)  # the first visit generates the demo world
    picker = page.get_by_test_id("stSidebar").get_by_text("View as role (demo)")
    picker.wait_for(timeout=120_000)
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    box.click()
    page.get_by_role("option", name=role_label, exact=True).click()
    wait_for_app(page)
    page.get_by_role("link", name="MACE meeting").click()
    wait_for_app(page)


def set_up(page, day: str) -> None:
    """Open the set-up, type the meeting date (DD/MM/YYYY) and set the meeting up."""
    expander = page.get_by_text("Set up the meeting")
    if not page.get_by_role("button", name="Set up meeting").is_visible():
        expander.click()
    for part, value in zip(("day", "month", "year"), day.split("/"), strict=True):
        page.get_by_role("spinbutton", name=f"{part}, Meeting date").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close the calendar, then leave the field: the date is sent
    page.locator("h1").first.click()
    wait_for_app(page, settle=1500)  # the date's own rerun (it moves the period) has finished
    page.get_by_role("button", name="Set up meeting").click()
    page.get_by_text("Item 1 of").wait_for(timeout=120_000)
    wait_for_app(page, settle=1000)  # the set-up's rerun, not the page before it


def close_action(page, status: str, outcome: str) -> None:
    """Close the first action in "Close or update an action" with STATUS and OUTCOME.

    The radio and the text box are checked before the form is sent, so a click that landed
    on an element a rerun replaced is seen here, not as a missing row later. A form sent
    while a rerun is under way can be dropped by Streamlit; the form then still holds what
    was typed (it clears only on a submit the script saw), and a person presses Save again.
    """
    box = page.get_by_label("Outcome (what happened; codes only)")
    if not box.is_visible():
        page.get_by_text("Close or update an action").click()
    box.wait_for(state="visible", timeout=30_000)
    radio = page.get_by_role("radio", name=status, exact=True)
    for _ in range(3):
        page.get_by_text(status, exact=True).click()
        box.fill(outcome)
        if radio.is_checked() and box.input_value() == outcome:
            break
        wait_for_app(page)
    assert radio.is_checked() and box.input_value() == outcome, "the form did not take the input"
    for _ in range(3):
        page.get_by_role("button", name="Save the outcome").click()
        wait_for_app(page, settle=1000)
        table = page.get_by_test_id("stTable").first
        try:
            table.get_by_text(outcome).wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            if box.is_visible() and box.input_value() != outcome:
                break  # the form was sent and cleared, yet the table does not show it
    alerts = page.get_by_test_id("stAlert").all_inner_texts()
    raise AssertionError(
        f"outcome not shown in the review table; alerts: {alerts}; "
        f"table: {page.get_by_test_id('stTable').first.inner_text()[:600]}"
    )


def test_chair_runs_a_meeting_and_closes_an_action_at_the_next(page, app_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_meeting(page, app_url, "MACE chair")
    set_up(page, "01/10/2026")
    total = int(page.get_by_text("Item 1 of").inner_text().split()[-1])
    assert total == 1 + len(DISTRICTS) + 1  # opening, seven districts, online spaces
    for _ in range(2):  # the second district
        page.get_by_role("button", name="Next").click()
        wait_for_app(page)
    page.get_by_label("What is to be done (codes only, no names)").fill("Evening patrols")
    page.get_by_label("Named owner (post or practitioner)").fill("Neighbourhood sergeant")
    page.get_by_role("button", name="Record action").click()
    page.get_by_text("Action recorded.").wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Make meeting pack").click()
    label = page.get_by_text("Pack for the meeting of 2026-10-01")
    label.wait_for(timeout=180_000)
    assert "MACE chair role" in label.inner_text()
    files = {}
    for fmt in ("PPTX", "PDF", "HTML"):
        button = page.get_by_role("button", name=f"Download {fmt}")
        with page.expect_download() as download:
            button.click()
        path = tmp_path / f"pack.{fmt.lower()}"
        download.value.save_as(path)
        files[fmt] = path
    page.screenshot(path=str(SHOTS / "meeting_pack.png"), full_page=True)
    check_pack(files)
    # The next meeting: no old download is offered, the action is to be reviewed.
    set_up(page, "01/12/2026")
    assert page.get_by_role("button", name="Download PPTX").count() == 0
    page.get_by_text("No pack made for this meeting and role yet.").wait_for()
    review = page.get_by_test_id("stTable").first
    assert "2026-10-01" in review.inner_text() and "open (overdue)" in review.inner_text()
    close_action(page, "done", "Patrols held, no sightings")
    review = page.get_by_test_id("stTable").first
    assert "done 2026-12-01" in review.inner_text()
    page.screenshot(path=str(SHOTS / "meeting_next_reviewed.png"), full_page=True)


def test_presentation_fills_the_screen_and_moves_on_with_the_keyboard(page, app_url):
    open_meeting(page, app_url, "MACE chair")
    set_up(page, "01/11/2026")
    page.get_by_role("button", name="Next").click()  # the first district
    wait_for_app(page)
    page.get_by_text("Presentation view").click()
    wait_for_app(page)
    deck = page.frame_locator("iframe").first
    deck.get_by_text("Item 2 of").wait_for(timeout=60_000)
    network = deck.locator("section.item:not([hidden]) .network[data-drawn]")
    network.wait_for(timeout=60_000)
    box = network.bounding_box()
    assert box and box["width"] > 900 and box["height"] > 550, box  # large on a projector
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080, box
    legend = deck.locator("section.item:not([hidden]) .legend")
    fits = False
    for _ in range(10):  # the frame may still be laying out just after the drawing
        fits = legend.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
        if fits:
            break
        page.wait_for_timeout(500)
    assert fits, "the legend is cut off: every line of it must be on screen"
    marks = deck.locator(".marking")
    assert marks.count() == 2
    bottom = marks.nth(1).bounding_box()
    assert bottom and bottom["y"] + bottom["height"] <= 1080  # the marking stays on screen
    page.screenshot(path=str(SHOTS / "meeting_presentation.png"))
    page.keyboard.press("PageDown")
    deck.locator("section.item:not([hidden])").get_by_text("Item 3 of").wait_for(timeout=10_000)
    page.keyboard.press(" ")
    deck.locator("section.item:not([hidden])").get_by_text("Item 4 of").wait_for(timeout=10_000)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageUp")
    deck.locator("section.item:not([hidden])").get_by_text("Item 2 of").wait_for(timeout=10_000)
    page.keyboard.press("ArrowRight")
    shown = deck.locator("section.item:not([hidden])")
    shown.get_by_text("Item 3 of").wait_for(timeout=10_000)
    assert "District:" in shown.locator("h1").inner_text()


def test_partner_view_is_read_only(page, app_url):
    open_meeting(page, app_url, "Partner agency")
    page.get_by_text("Read-only view for the Partner agency role").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Set up meeting").count() == 0
    page.get_by_text("Item 1 of").wait_for(timeout=120_000)
    for _ in range(2):
        page.get_by_role("button", name="Next").click()
        wait_for_app(page)
    assert page.get_by_role("button", name="Record action").count() == 0
    assert page.get_by_text("Close or update an action").count() == 0
    assert page.get_by_text("Attendance and decisions").count() == 0
    assert page.get_by_role("button", name="Make meeting pack").count() == 0
    page.screenshot(path=str(SHOTS / "meeting_partner_read_only.png"), full_page=True)


def check_pack(files: dict) -> None:
    from pptx import Presentation
    from pypdf import PdfReader

    deck = Presentation(str(files["PPTX"]))
    deck_text = "\n".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    cells = "\n".join(
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )
    pdf_text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(files["PDF"].read_bytes())).pages
    )
    for district in DISTRICTS:
        assert f"District: {district}" in deck_text
        assert f"District: {district}" in pdf_text
    assert deck_text.count("OFFICIAL-SENSITIVE") >= 2 * len(deck.slides)
    assert "Location patrols" in cells and "Neighbourhood sergeant" in cells
    assert "OFFICIAL-SENSITIVE" in files["HTML"].read_text(encoding="utf-8")
