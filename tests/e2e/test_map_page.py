"""End to end, in headless Chromium with every external request blocked: the map page draws
the sample world's places and district boundaries, a click on a place fills its evidence
panel; and a standalone map with a hostile place name shows it as text with no dialog.
Screenshots: artifacts/screenshots/map_*.png (docs/map.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapping.graph import Scope, build_scoped_graph
from mapping.render.map import map_html
from mapping.render.map_data import build_map_data
from tests.e2e.harness import screenshot, wait_for_app
from tests.mapping.conftest import tables_from

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
DISTRICTS = json.loads((ROOT / "sample_data" / "districts.geojson").read_text("utf-8"))
HOSTILE = "<img src=x onerror=alert(1)>${alert(2)}`x`"


@pytest.fixture(scope="module")
def server(app_server):
    return app_server()  # demo mode: the fictional sample world


def map_frame(page):
    """The st_folium iframe once Leaflet has drawn places into it."""
    page.locator("iframe[title*='st_folium']").wait_for(timeout=60_000)
    for _ in range(150):
        frame = next((f for f in page.frames if "st_folium" in f.url), None)
        if (
            frame is not None
            and frame.evaluate("document.querySelectorAll('path.cs-place').length") > 0
        ):
            return frame
        page.wait_for_timeout(200)
    raise AssertionError("the map never drew any place")


def click_marker(page, marker) -> None:
    """Click a marker with the mouse at its centre once the map is in view (a locator click
    scrolls Streamlit's main area under the pointer and lands beside the marker)."""
    page.locator("iframe[title*='st_folium']").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = marker.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_map_page_draws_the_sample_world_and_a_click_shows_evidence(server, page):
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_role("link", name="Map of places").click()
    wait_for_app(page)
    frame = map_frame(page)
    places = frame.locator("path.cs-place")
    assert places.count() >= 40  # the sample world's places in scope, all located
    assert frame.locator("path.cs-district").count() == len(DISTRICTS["features"])
    assert frame.locator("path.cs-line").count() > 0
    assert frame.locator(".leaflet-tile").count() == 0  # no tiles by default
    assert frame.locator(".leaflet-control-attribution a").count() == 0
    expect(page.get_by_text("Click a place on the map")).to_be_visible()
    screenshot(page, "map_page")

    click_marker(page, places.last)  # the largest marker is drawn last, on top
    wait_for_app(page)
    expect(page.get_by_text("Selected place")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("link(s) behind this place's connections")).to_be_visible()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("Young people with harm")
    screenshot(page, "map_page_place_clicked")
    page.get_by_text("Online spaces (no location)").scroll_into_view_if_needed()
    screenshot(page, "map_page_online_spaces")
    assert page.console_errors == []
    assert page.external_requests == []


def test_hostile_place_name_stays_text_in_chromium(page):
    entities = [
        dict(entity_id="YP-1", entity_type="young_person", label="YP-1", harms="cce"),
        dict(
            entity_id="P-1",
            entity_type="place",
            label=HOSTILE,
            place_kind="shop",
            lat=54.5,
            lon=2.5,
        ),
    ]
    links = [dict(source_id="YP-1", target_id="P-1", link_type="frequents")]
    scoped = build_scoped_graph(tables_from(entities, links), Scope(include_stale=True))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(map_html(build_map_data(scoped, []), meta="hostile"))
    marker = page.locator("path.cs-place")
    marker.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text(HOSTILE)
    marker.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(HOSTILE)
    page.wait_for_timeout(500)  # time for an injected onerror to fire, were there one
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    screenshot(page, "map_hostile_name")
    assert page.external_requests == []


@pytest.mark.parametrize("role,areas", [("partner", 1), ("analyst", 0)])
def test_partner_map_draws_the_home_address_as_an_area_in_chromium(page, role, areas):
    """A partner's map has the home address as a dashed grid-cell rectangle (no marker) that
    says "area, not the address" on hover and click; an analyst's keeps the marker."""
    from tests.mapping.export_world import scoped_world

    scoped = scoped_world(role)
    data = build_map_data(scoped, [])
    page.set_content(map_html(data, meta=role))
    area = page.locator("path.cs-area")
    assert area.count() == areas
    located = sum(1 for p in data.places if p.lat is not None)
    assert page.locator("path.cs-place").count() == located - areas
    if areas:
        area.hover()
        expect(page.locator(".leaflet-tooltip")).to_contain_text("area, not the address")
        area.click()
        expect(page.locator(".leaflet-popup-content")).to_contain_text("area, not the address")
        box = area.bounding_box()
        assert box["width"] > 5 and box["height"] > 5  # a drawn area, not a dot
        screenshot(page, "map_partner_area")
    assert page.external_requests == []
