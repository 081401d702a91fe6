"""In Chromium against a real app server: no page serves data before sign-in (even on a
freshly started server, where Streamlit may fall back to the pages/ folder), and hostile
labels in the explorer's canvas and tooltips stay text."""

from __future__ import annotations

import pytest

from tests.security.conftest import PASSWORD
from tests.security.server import app_server
from tests.security.world import import_world

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
PAYLOAD = '<img src=x onerror="window.__xss=1">${window.__xss=2}'
URLS = ["admin", "network", "clusters", "import", ""]


@pytest.fixture(scope="module")
def server(tmp_path_factory, users_file):
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    import_world(url, folder / "k.key", folder / "in", payload=PAYLOAD)
    env = {
        "MAPPING_USERS_FILE": str(users_file),
        "MAPPING_DB": url,
        "MAPPING_KEY_FILE": str(folder / "k.key"),
        "MAPPING_DATA_DIR": str(folder),
    }
    with app_server(env) as (base, _process), sync_api.sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield base, browser
        browser.close()


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
    )
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp]", timeout=30_000)
    page.wait_for_timeout(2500)  # let the script run finish
    return context, page


@pytest.mark.parametrize("path", URLS)  # the first request reaches a fresh server
def test_no_url_serves_data_before_sign_in(server, path):
    base, browser = server
    context, page = open_page(browser, f"{base}/{path}")
    text = page.inner_text("body")
    context.close()
    assert "Dataset version" not in text and "YP-" not in text and "Kebab" not in text
    assert "Traceback" not in text


def test_hostile_labels_stay_text_in_the_explorer(server):
    base, browser = server
    context, page = open_page(browser, base)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_label("User name").fill("pc")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("iframe", timeout=30_000)
    frame = _explorer_frame(page)
    frame.wait_for_function("() => window.explorerNetwork !== undefined", timeout=30_000)
    box = page.locator("iframe").first.bounding_box()
    frame.wait_for_selector("body[data-drawn]", timeout=30_000)
    page.wait_for_timeout(1000)
    spots = frame.evaluate("""() => { const n = window.explorerNetwork;
        const r = document.getElementById('network').getBoundingClientRect();
        const p = n.getPositions(); return Object.keys(p).map(id => {
            const d = n.canvasToDOM(p[id]); return {x: d.x + r.left, y: d.y + r.top}; }); }""")
    tips = []
    for spot in spots:
        page.mouse.move(box["x"] + spot["x"], box["y"] + spot["y"])
        page.wait_for_timeout(400)
        tips.append(
            frame.evaluate("""() => { const t = document.querySelector('.vis-tooltip');
            return t && t.style.visibility !== 'hidden' ? t.innerText : ''; }""")
        )
    injected = [
        f.evaluate(
            "() => [window.__xss, document.querySelectorAll('img[src=x], [onerror]').length]"
        )
        for f in page.frames
    ]
    context.close()
    assert any(PAYLOAD in tip for tip in tips), tips  # shown, literally, as text
    assert all(x == [None, 0] for x in injected)
    assert dialogs == []


def _explorer_frame(page):
    for frame in page.frames:
        try:
            if frame.evaluate(
                "() => typeof window.explorerNetwork !== 'undefined' || "
                "!!document.querySelector('#network, [data-testid=network]')"
            ):
                return frame
        except Exception:  # noqa: BLE001, S112  (frames still loading)
            continue
    return page.frames[-1]
