"""End to end, in headless Chromium: run a MACE meeting on the fictional sample world (demo
mode): set it up, step through every agenda item in the presentation view, record an
action, make and download the pack; the PPTX and PDF open and hold every district's
section; the next meeting shows the action as outstanding. No request may leave localhost.
Screenshots go to artifacts/screenshots/ (docs/meeting.md uses them)."""

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


def set_up(page, day: str) -> None:
    """Open the set-up, type the meeting date (DD/MM/YYYY) and set the meeting up."""
    for part, value in zip(("day", "month", "year"), day.split("/"), strict=True):
        page.get_by_role("spinbutton", name=f"{part}, Meeting date").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close the calendar, then leave the field: the date is sent
    page.locator("h1").first.click()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Set up meeting").click()
    page.get_by_text("Item 1 of").wait_for(timeout=120_000)


def test_run_a_meeting(app_url, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = []
    with playwright.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
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
        page.goto(app_url)
        page.get_by_role("link", name="MACE meeting").click()
        set_up(page, "01/10/2026")
        page.get_by_text("Presentation view").click()
        wait_for_app(page)
        total = int(page.get_by_text("Item 1 of").inner_text().split()[-1])
        assert total == 1 + len(DISTRICTS) + 1  # and online spaces across districts
        seen = []
        for number in range(1, total + 1):
            page.get_by_text(f"Item {number} of {total}").wait_for(timeout=60_000)
            wait_for_app(page)
            seen.append(page.locator("h2").first.inner_text())
            if number == 2:  # the first district: large metrics, a timer that ticks
                check_presentation(page)
            page.screenshot(path=str(SHOTS / f"meeting_item_{number:02d}.png"))
            if number == 3:  # record an action in the second district's item
                page.get_by_role("button", name="Record action").click()
                page.get_by_text("Action recorded.").wait_for(timeout=30_000)
            if number < total:
                page.get_by_role("button", name="Next").click()
        assert all(any(d in title for title in seen) for d in DISTRICTS)
        page.get_by_role("button", name="Make meeting pack").click()
        files = {}
        for fmt in ("PPTX", "PDF", "HTML"):
            button = page.get_by_role("button", name=f"Download {fmt}")
            button.wait_for(timeout=120_000)
            with page.expect_download() as download:
                button.click()
            path = tmp_path / f"pack.{fmt.lower()}"
            download.value.save_as(path)
            files[fmt] = path
        page.screenshot(path=str(SHOTS / "meeting_pack.png"))
        check_pack(files, seen[2])
        check_html_pack(browser, files["HTML"])
        # The next meeting: the action recorded above is shown as outstanding.
        page.get_by_text("Presentation view").click()
        page.get_by_text("Set up the meeting").click()
        set_up(page, "01/12/2026")
        page.get_by_test_id("stTable").first.wait_for(timeout=30_000)
        page.screenshot(path=str(SHOTS / "meeting_next_outstanding.png"))
        outstanding = page.get_by_test_id("stTable").first.inner_text()
        assert "2026-10-01" in outstanding  # agreed at the first meeting
        browser.close()
    assert outside == []


def check_presentation(page) -> None:
    """Metric values are enlarged (the CSS reaches the value's paragraph) and the item timer
    ticks every second on its own, without a click."""
    size = page.evaluate("""() => parseFloat(getComputedStyle(document.querySelector(
        '[data-testid="stMetricValue"] p')).fontSize)""")
    assert size >= 48, size  # 3.5rem; the body text in the presentation view is 1.5rem
    page.get_by_label("Minutes per item (0 = no timer)").fill("5")
    page.keyboard.press("Enter")
    wait_for_app(page)
    bar = page.get_by_test_id("stProgress")
    bar.get_by_text("of 5:00 on this item").wait_for(timeout=30_000)
    first = bar.inner_text()
    page.wait_for_timeout(2500)
    assert bar.inner_text() != first, first


def check_html_pack(browser, path: Path) -> None:
    """The HTML pack opens offline; each district's tab draws that district's own network."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    counts = []
    for district in DISTRICTS[:2]:
        page.get_by_role("tab", name=district).click()
        drawn = page.locator("section.item:not([hidden]) .network[data-drawn]")
        drawn.wait_for(timeout=30_000)
        counts.append(int(drawn.get_attribute("data-drawn")))
    page.screenshot(path=str(SHOTS / "meeting_pack_html.png"))
    page.close()
    assert all(n > 0 for n in counts) and counts[0] != counts[1], counts
    assert errors == [] and all(url.startswith("file:") for url in requests), requests


def check_pack(files: dict, district_title: str) -> None:
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
    assert "Location patrols" in cells  # the action recorded (first tactic listed)
    assert "OFFICIAL-SENSITIVE" in files["HTML"].read_text(encoding="utf-8")
