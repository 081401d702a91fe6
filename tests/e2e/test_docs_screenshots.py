"""The screenshots in docs/screenshots/ (docs/explorer.md, docs/map.md), taken as a user
sees each view at 1366x768 and 1920x1080: the network with a link's evidence, a person's
network with its path, the time bar, the Hotspots and Connectors pages with a row's
evidence, the map of the sample world, and the map of Camden's real street-crime points
with the ONS district boundaries. Each step asserts what it shows before it is taken.

Run it, look at artifacts/screenshots/docs-*.png, and copy them to docs/screenshots/.
"""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from tests.e2e.harness import wait_for_app
from tests.e2e.test_explorer import explorer_frame, shoot
from tests.e2e.test_explorer_evidence import click_an_edge, click_first_row
from tests.mapping.realdata import REALDATA

pytestmark = pytest.mark.e2e
VIEWPORTS = [(1366, 768), (1920, 1080)]
CAMDEN = REALDATA / "camden_crimes_2021.csv"
BOUNDARIES = REALDATA.parent / "geo" / "england_lad_may2024_buc.geojson"


@pytest.fixture(scope="module")
def demo(app_server):
    return app_server().url  # demo mode: the fictional sample world


@pytest.fixture(scope="module")
def camden(app_server, tmp_path_factory):
    if not (CAMDEN.is_file() and BOUNDARIES.is_file()):
        pytest.skip("needs ../shared/realdata and geo")
    data = tmp_path_factory.mktemp("camden-app")
    (data / "demo").mkdir()
    with CAMDEN.open(encoding="utf-8", newline="") as handle:
        crimes = list(csv.DictReader(handle))
    points: dict = {}
    for crime in crimes:
        points.setdefault((crime["x"], crime["y"]), f"SNAP-{len(points) + 1:04d}")
    people = [f"CASE-{n:03d}" for n in range(1, 301)]  # fictional case ids
    entities = ["entity_id,entity_type,place_kind,harms,easting,northing"]
    entities += [f"{p},young_person,,{'cce' if n % 3 else 'cse'},," for n, p in enumerate(people)]
    entities += [f"{pid},place,other,,{x},{y}" for (x, y), pid in points.items()]
    incidents = ["incident_id,date,place_id,person_id,source_agency,grading,role"]
    for number, crime in enumerate(crimes[::3]):
        place = points[(crime["x"], crime["y"])]
        incidents.append(
            f"INC-{crime['rownames']},{crime['date']},{place},{people[number % 300]},"
            "police,2BP,victim"
        )
    sources = []
    for name, lines in (("entities", entities), ("incidents", incidents)):
        path = data / f"{name}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        sources.append(Source(path, path.name))
    from mapping.store import Store

    import_files(
        sources,
        Store(f"sqlite:///{data / 'demo' / 'demo.sqlite'}"),
        Pseudonymiser.from_file(data / "demo" / "demo.key"),
    )
    return app_server(
        {"MAPPING_DATA_DIR": str(data), "MAPPING_BOUNDARIES_FILE": str(BOUNDARIES)}
    ).url


def open_page(page, url, link):
    page.goto(url)
    wait_for_app(page)
    if link != "Network":
        page.get_by_role("link", name=link).click()
        wait_for_app(page)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_network_views(demo, new_page, size):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(90_000)
    open_page(page, demo, "Network")
    frame = explorer_frame(page)
    shoot(page, "docs-network-whole", size)
    search = page.get_by_role("textbox", name="Find a young person")
    search.fill("chicken  palace")  # a double space still finds it
    search.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Open network").click()
    wait_for_app(page)
    frame = explorer_frame(page)
    expect(page.get_by_text(re.compile(r"within 1 link"))).to_be_visible()
    shoot(page, "docs-network-focus", size)
    click_an_edge(page, frame)
    page.locator("[data-testid='evidence-table']").wait_for()
    wait_for_app(page)
    page.wait_for_timeout(800)
    expect(
        page.locator("[data-testid='evidence-table'] th").filter(has_text="Agency")
    ).to_be_in_viewport()
    shoot(page, "docs-network-evidence", size)
    page.locator("[data-testid='stSidebar']").get_by_text(
        "Show stale links"
    ).scroll_into_view_if_needed()
    slider = page.get_by_role("slider").first
    slider.scroll_into_view_if_needed()
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"time bar \d\d/\d{4}"))).to_be_attached()
    page.get_by_text("Time bar: links seen between").scroll_into_view_if_needed()
    shoot(page, "docs-network-time-bar", size)
    page.locator(".legend").first.scroll_into_view_if_needed()
    shoot(page, "docs-network-legend", size)
    assert page.external_requests == []


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("link", ["Hotspots", "Connectors"])
def test_ranked_views(demo, new_page, size, link):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(90_000)
    open_page(page, demo, link)
    table = page.locator("[data-testid='stDataFrame']").first
    expect(table).to_be_visible()
    shoot(page, f"docs-{link.lower()}", size)
    click_first_row(page, table)
    wait_for_app(page)
    page.locator("[data-testid='evidence-table']").wait_for()
    page.wait_for_timeout(800)
    shoot(page, f"docs-{link.lower()}-evidence", size)
    assert page.external_requests == []


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_map_views(demo, camden, new_page, size):
    for name, url in (("sample", demo), ("camden", camden)):
        page = new_page(width=size[0], height=size[1])
        page.set_default_timeout(90_000)
        open_page(page, url, "Map of places")
        if name == "camden":  # 2021 is long past the review-by date: show it on request
            page.locator("[data-testid='stSidebar']").get_by_text("Show stale links").click()
            wait_for_app(page)
        page.locator("iframe[title*='st_folium']").wait_for()
        frame = next(f for f in page.frames if "st_folium" in f.url)
        frame.locator("path.cs-place").first.wait_for(timeout=90_000)
        assert frame.locator("path.cs-place").count() > 10
        page.locator("iframe[title*='st_folium']").scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        shoot(page, f"docs-map-{name}", size)
        if name == "camden":
            expect(page.get_by_text("outside every district boundary")).to_have_count(0)
        assert page.external_requests == []
