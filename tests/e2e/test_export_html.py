"""The standalone HTML export works from a USB stick on an offline machine: opened from a
file in headless Chromium with every network request blocked, it draws the graph, asks
for nothing outside the file, and shows hostile labels as text (never as markup)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mapping.export.formats import FORMATS
from mapping.export.options import ExportData, ExportOptions
from mapping.export.run import export_metadata
from tests.mapping.export_world import ENTITIES, LINKS, scoped_world

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
HOSTILE = '<img src=x onerror="window.__pwned=1">"&\'</script><b>'


@pytest.fixture(scope="module")
def html_export(tmp_path_factory):
    entities = [dict(e) for e in ENTITIES]
    entities[4]["label"] = HOSTILE  # the park's name
    scoped = scoped_world("analyst", entities, LINKS)
    path = tmp_path_factory.mktemp("html") / "map.html"
    metadata = export_metadata(scoped)
    FORMATS["html"](ExportData(scoped), path, {**metadata, "filters": HOSTILE}, ExportOptions())
    return path, scoped.graph.number_of_nodes()


def test_page_has_no_external_reference(html_export):
    text = html_export[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", text, re.IGNORECASE)
    assert "<script src" not in text.lower()
    assert HOSTILE not in text and "<img" not in text


def test_drawn_offline_in_headless_chromium(html_export):
    path, nodes = html_export
    requested = []
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 768})

        def block(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                requested.append(route.request.url)
                route.abort()

        page.route("**/*", block)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_selector("#network[data-drawn]", timeout=20_000)
        drawn = int(page.get_attribute("#network", "data-drawn"))
        painted = page.evaluate("""() => {
            const c = document.querySelector('#network canvas');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
            return n; }""")
        pwned = page.evaluate("() => window.__pwned")
        marking = page.inner_text(".marking")
        meta = page.inner_text(".meta")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "export_html_offline.png"), full_page=True)
        browser.close()
    assert drawn == nodes == 6
    assert painted > 1000  # the canvas has nodes and edges on it, not a blank area
    assert requested == [] and errors == []
    assert pwned is None
    assert marking == "OFFICIAL-SENSITIVE"
    assert HOSTILE in meta  # shown as the literal text
    assert len(LINKS) == 7
