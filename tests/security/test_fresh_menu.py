"""In Chromium against a freshly started server (issue 18 group 15): the first request never
shows Streamlit's raw listing of the pages/ folder (every file, helpers included), which it
drew for seconds before app.py's st.navigation ran. The sidebar menu is app.py's own
(st.page_link), with the pages the role may open under the same titles.

Everything the sidebar shows is recorded from the first byte by a MutationObserver, so a
listing that shows for a moment between two screenshots is still seen. Screenshots at about
1 s and once the menu is drawn: artifacts/screenshots/fresh-menu-*.png.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.security.conftest import PASSWORD
from tests.security.server import app_server
from tests.security.world import import_world

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
#: The pages/ folder's helper modules (not pages): the raw listing named them too.
HELPERS = {p.stem for p in (ROOT / "pages").glob("*.py") if not p.stem.startswith("_")} - set(
    re.findall(
        r'"pages/(\w+)\.py"',
        (ROOT / "app.py").read_text() + (ROOT / "pages" / "sign_in.py").read_text(),
    )
)
SHOTS = ROOT / "artifacts" / "screenshots"
#: What the sidebar ever showed: Streamlit's own menu (stSidebarNav) and the sidebar's text.
OBSERVE = """
window.__seen = [];
new MutationObserver(() => {
  const nav = document.querySelector('[data-testid=stSidebarNav]');
  const side = document.querySelector('[data-testid=stSidebar]');
  const text = (nav ? 'NAV ' : '') + (side ? side.innerText : '');
  const last = window.__seen[window.__seen.length - 1];
  if (text && last !== text) { window.__seen.push(text); }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
ANALYST_MENU = [
    "Network",
    "Clusters and overlap",
    "Hotspots",
    "Connectors",
    "Map of places",
    "MACE meeting",
    "Strategic summary",
    "Import data",
    "Audit and requests",
]
PARTNER_MENU = ANALYST_MENU[:7]  # no import, no audit log


def listing_words(text: str) -> set[str]:
    """Helper modules' names as Streamlit's pages/ listing spells them ("import steps")."""
    lines = {line.strip() for line in text.split("\n")}
    return {n.replace("_", " ") for n in HELPERS} & lines


def menu(page) -> list[str]:
    links = page.locator(".st-key-menu a")
    return [links.nth(i).inner_text().split("\n")[-1].strip() for i in range(links.count())]


@pytest.mark.parametrize(
    ("size", "user", "expected"),
    [((1366, 768), "ana", ANALYST_MENU), ((1920, 1080), "pam", PARTNER_MENU)],
    ids=["1366x768-analyst", "1920x1080-partner"],
)
def test_a_fresh_server_never_lists_the_pages_folder(tmp_path, users_file, size, user, expected):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    env = {
        "MAPPING_USERS_FILE": str(users_file),
        "MAPPING_DB": url,
        "MAPPING_KEY_FILE": str(tmp_path / "k.key"),
        "MAPPING_DATA_DIR": str(tmp_path),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"fresh-menu-{size[0]}x{size[1]}"
    with app_server(env) as (base, _process), sync_api.sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.add_init_script(OBSERVE)
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
        )
        start = time.monotonic()
        page.goto(base, wait_until="commit")  # the server's first page request
        page.wait_for_timeout(max(0, 1000 - 1000 * (time.monotonic() - start)))
        page.screenshot(path=str(SHOTS / f"{name}-1s.png"))
        page.get_by_label("User name").fill(user)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        sync_api.expect(page.locator(".st-key-menu a").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / f"{name}-menu.png"))
        seen = page.evaluate("window.__seen")
        shown = menu(page)
        page.get_by_role("link", name="MACE meeting").click()
        sync_api.expect(page.get_by_role("heading", name="MACE meeting")).to_be_visible(
            timeout=60_000
        )
        assert page.url.endswith("/meeting")  # the page's URL path is kept
        browser.close()
    assert seen, "the observer saw the sidebar"
    assert not [t for t in seen if t.startswith("NAV ")]  # Streamlit's menu never drawn
    assert not [t for t in seen if listing_words(t)], [listing_words(t) for t in seen]
    assert shown == expected
