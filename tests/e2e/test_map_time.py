"""End to end, in headless Chromium at 1366x768 and 1920x1080 on the sample world: the map
page's time bar narrows what the map draws and says so in its caption; Full range puts every
month back; Play through steps the range on by itself and Stop holds it.
Screenshots: artifacts/screenshots/explorer-map-time-*.png (copies in docs/screenshots/)."""

from __future__ import annotations

import re

import pytest

from mapping.explorer import parse_month
from tests.e2e.harness import wait_for_app
from tests.e2e.test_explorer import shoot
from tests.e2e.test_map_page import map_frame

pytestmark = pytest.mark.e2e
VIEWPORTS = [(1366, 768), (1920, 1080)]
NOTE = re.compile(r"time bar (\d\d/\d{4})–(\d\d/\d{4}): ([\d,]+) of ([\d,]+) links")


@pytest.fixture(scope="module")
def server(app_server):
    return app_server()  # demo mode: the fictional sample world


def caption(page) -> str:
    return page.get_by_text(re.compile(r"places drawn")).first.inner_text()


def drawn_places(page) -> int:
    return int(re.match(r"(\d+) places drawn", caption(page)).group(1))


def wait_caption(page, test, tries: int = 120) -> str:
    for _ in range(tries):
        text = caption(page)
        if test(text):
            return text
        page.wait_for_timeout(250)
    raise AssertionError(f"caption never changed as expected: {caption(page)}")


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_time_bar_narrows_full_range_restores_and_play_steps(server, new_page, size):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(60_000)
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_role("link", name="Map of places").click()
    wait_for_app(page)
    map_frame(page)
    whole = drawn_places(page)
    assert "time bar" not in caption(page)

    # The last month only: fewer links and fewer places, and the caption says how many.
    slider = page.get_by_role("slider").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    slider.press("End")
    wait_for_app(page)
    text = wait_caption(page, lambda t: "time bar" in t)
    first, last, shown, total = NOTE.search(text).groups()
    assert first == last
    assert int(shown.replace(",", "")) < int(total.replace(",", ""))
    assert drawn_places(page) < whole
    # the caption saying so at the top, the map, the histogram and the range under it
    page.get_by_text(re.compile(r"places drawn")).first.evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    shoot(page, "map-time-narrowed", size)

    # Full range puts every month back.
    page.get_by_role("button", name="Full range").click()
    wait_for_app(page)
    wait_caption(page, lambda t: "time bar" not in t)
    assert drawn_places(page) == whole

    # Play through: starts at the first month, moves on by itself, Stop holds the range.
    page.get_by_role("button", name="Play through").click()
    start = NOTE.search(wait_caption(page, lambda t: "time bar" in t)).group(1)
    moved = wait_caption(page, lambda t: bool(NOTE.search(t)) and NOTE.search(t).group(1) != start)
    assert parse_month(NOTE.search(moved).group(1)) > parse_month(start)
    page.get_by_role("button", name="Stop").click()
    wait_for_app(page, settle=2_500)
    held = NOTE.search(caption(page)).group(1)
    page.wait_for_timeout(5_000)  # more than two play steps
    assert NOTE.search(caption(page)).group(1) == held
    assert page.external_requests == []
