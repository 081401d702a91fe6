"""In Chromium against a real app server (issue 18 item 3): a partner and a practitioner
find no import, meeting set-up or action controls, and a forged in-app navigation to the
hidden import page is refused and audited."""

from __future__ import annotations

import json

import pytest

from mapping import audit
from mapping.store import Store
from tests.security.conftest import PASSWORD
from tests.security.server import app_server
from tests.security.world import import_world

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
WRITE_CONTROLS = ["Set up meeting", "Record action", "Save the outcome", "Check for problems"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, users_file):
    folder = tmp_path_factory.mktemp("roles")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    import_world(url, folder / "k.key", folder / "in")
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
        yield base, browser, url
        browser.close()


def signed_in(browser, base: str, user: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
    )
    page.goto(base)
    page.get_by_label("User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    sync_api.expect(page.get_by_role("heading", name="Network map")).to_be_visible(timeout=60_000)
    return context, page


def settle(page) -> None:
    page.wait_for_timeout(1500)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000
    )


@pytest.mark.parametrize("user", ["pam", "pra"])
def test_no_write_controls_and_a_forged_import_is_refused(server, user):
    base, browser, url = server
    context, page = signed_in(browser, base, user)
    try:
        nav = page.locator(".st-key-menu").inner_text()  # app.py's sidebar menu
        assert "Import data" not in nav and "Audit" not in nav
        page.get_by_role("link", name="MACE meeting").click()
        sync_api.expect(page.get_by_role("heading", name="MACE meeting")).to_be_visible(
            timeout=60_000
        )
        settle(page)
        for label in WRITE_CONTROLS:
            assert page.get_by_role("button", name=label).count() == 0, label
        # A forged request: the browser is made to ask for the hidden import page in this
        # signed-in session, as a crafted link or a replayed navigation would.
        page.evaluate(
            "() => { history.pushState({}, '', '/import');"
            " window.dispatchEvent(new PopStateEvent('popstate')); }"
        )
        sync_api.expect(page.get_by_text("may not import data")).to_be_visible(timeout=60_000)
        assert page.locator("[data-testid=stFileUploader]").count() == 0
    finally:
        context.close()
    denied = audit.list_audit(Store(url), action="denied", user=user)
    assert "import" in {json.loads(d)["action"] for d in denied["detail"]}
