"""In Chromium against a real signed-in app server (issue 18 group 12): clicking a person on
the network explorer opens their details, and that read is written to the audit log with
the clicked code and where it came from."""

from __future__ import annotations

import json

import pytest

from mapping import audit
from mapping.store import Store
from tests.e2e.test_explorer import click_node, explorer_frame
from tests.security.conftest import PASSWORD
from tests.security.server import app_server
from tests.security.world import import_world

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(tmp_path_factory, users_file):
    folder = tmp_path_factory.mktemp("click-audit")
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


def test_clicking_a_person_in_the_explorer_is_audited(server):
    base, browser, url = server
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(base)
        page.get_by_label("User name").fill("ana")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        sync_api.expect(page.get_by_role("heading", name="Network map")).to_be_visible(
            timeout=120_000
        )
        frame = explorer_frame(page)
        person = frame.evaluate(
            "window.explorerNetwork.body.data.nodes.getIds()"
            ".filter(id => id.startsWith('YP-')).sort()[0]"
        )
        assert person, "no young person drawn"
        before = audit.list_audit(Store(url), action="view", user="ana")
        assert person not in " ".join(before["detail"])
        click_node(page, frame, person)
        for _ in range(150):  # the click reaches the server as a rerun
            rows = audit.list_audit(Store(url), action="view", user="ana")
            details = [json.loads(d) for d in rows["detail"]]
            if any(person in d.get("entities", []) for d in details):
                break
            page.wait_for_timeout(200)
        clicked = [d for d in details if person in d.get("entities", [])]
        assert clicked and clicked[0].get("from") == "click", details
        assert rows.iloc[0]["role"] == "analyst"
    finally:
        context.close()
