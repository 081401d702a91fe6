"""End to end: the demo role picked in the sidebar survives a change of page.

Streamlit forgets a widget's value when a run does not draw it; without pages.common's
KEPT_ACROSS_PAGES the demo role silently fell back to the first role (police) on the next
page, and the audit log recorded views under a role the person had not picked. (AppTest
does not reproduce the browser's page switch, hence a browser test.)
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import wait_for_app

pytestmark = pytest.mark.e2e


def role_shown(page) -> str:
    return page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.evaluate(
        "e => e.querySelector('input').value"
    )


def test_demo_role_is_kept_across_pages(app_server, page):
    server = app_server()
    page.set_default_timeout(60_000)
    page.goto(server.url)
    wait_for_app(page)
    assert role_shown(page) == "Analyst"
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.get_by_role(
        "combobox"
    ).click()
    page.get_by_role("option", name="Practitioner", exact=True).click()
    wait_for_app(page)
    assert role_shown(page) == "Practitioner"
    for link in ("Clusters and overlap", "MACE meeting", "Map of places", "Network"):
        page.get_by_role("link", name=link).click()
        wait_for_app(page, settle=800)
        if link != "MACE meeting":  # the meeting page has no sidebar filters
            assert role_shown(page) == "Practitioner", link
    assert page.external_requests == []
