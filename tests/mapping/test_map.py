"""The map: counts per place and online space, peer-group lines, home addresses moved for
roles without true addresses, hostile names kept as text, no external host, and the
``export --format map`` command on a stored version and on the sample world."""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from mapping import geo, settings
from mapping.analysis.clusters import Cluster, find_clusters
from mapping.cli import main
from mapping.explorer import node_links
from mapping.export.options import options_from
from mapping.graph import Scope, build_scoped_graph
from mapping.render.map import map_html, place_popup
from mapping.render.map_data import (
    all_links_caption,
    build_map_data,
    clicked_place,
    context_rows,
    online_space_rows,
)
from mapping.store import Store
from tests.mapping.conftest import TODAY, tables_from

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)>${alert(2)}`x`"
ROW = next(csv.DictReader((ROOT / "sample_data" / "postcodes.csv").open(encoding="utf-8")))
HOME_LAT, HOME_LON = 54.12345, 2.56789
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "code.jquery.com",
    "cdnjs.cloudflare.com",
    "netdna.bootstrapcdn.com",
    "unpkg.com",
    "d3js.org",
)
#: URLs that appear inside the vendored files but are never fetched: the SVG namespace,
#: Leaflet's default attribution link (replaced by plain text), and links in comments of
#: leaflet.css (browser bug reports) and leaflet-heat.js (project pages).
NOT_FETCHED = {
    "http://www.w3.org/2000/svg",
    "https://leafletjs.com",
    "https://github.com/mourner/simpleheat",
    "https://github.com/Leaflet/Leaflet.heat",
    "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
    "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",
}

ENTITIES = [
    dict(entity_id="YP-1", entity_type="young_person", label="YP-1", district="North", harms="cce"),
    dict(entity_id="YP-2", entity_type="young_person", label="YP-2", district="North", harms="cse"),
    dict(entity_id="YP-3", entity_type="young_person", label="YP-3", district="North"),
    dict(
        entity_id="YP-4",
        entity_type="young_person",
        label="YP-4",
        district="South",
        harms="radicalisation",
    ),
    dict(
        entity_id="P-1",
        entity_type="place",
        label=HOSTILE,
        place_kind="takeaway",
        lat=54.5,
        lon=2.5,
    ),
    dict(
        entity_id="P-2",
        entity_type="place",
        label="Bus station",
        place_kind="transport_hub",
        district="North",
        postcode=ROW["postcode"],
    ),
    dict(entity_id="P-3", entity_type="place", label="Nowhere known", place_kind="other"),
    dict(
        entity_id="AR-1",
        entity_type="place",
        label="AR-1",
        place_kind="address",
        district="North",
        lat=HOME_LAT,
        lon=HOME_LON,
    ),
    dict(entity_id="O-1", entity_type="online_space", label=HOSTILE, platform="chat"),
]
LINKS = (
    [dict(source_id="YP-1", target_id="YP-2")]
    + [
        dict(source_id=young, target_id=place, link_type="frequents")
        for young, place in (
            ("YP-1", "P-1"),
            ("YP-2", "P-1"),
            ("YP-3", "P-1"),
            ("YP-1", "P-2"),
            ("YP-2", "P-2"),
            ("YP-2", "AR-1"),
            ("YP-4", "P-3"),
        )
    ]
    + [
        dict(source_id="YP-1", target_id="O-1", link_type="member_of"),
        dict(source_id="YP-4", target_id="O-1", link_type="member_of"),
    ]
)
CLUSTER = Cluster(
    id="C01",
    members=["YP-1", "YP-2", "P-1", "P-2", "AR-1"],
    young_people=["YP-1", "YP-2"],
    adults=[],
    contexts=["P-1", "P-2", "AR-1"],
    harms={"cce": 1, "cse": 1},
    ideologies={},
    multi_harm_young_people=[],
    overlap=True,
    protective={},
)
BOUNDARIES = gpd.GeoDataFrame(
    {"district": ["North", "South"]},
    geometry=[box(2.0, 54.4, 3.0, 55.0), box(2.0, 54.0, 3.0, 54.4)],
    crs="EPSG:4326",
)


def scoped_for(role: str):
    return build_scoped_graph(
        tables_from(ENTITIES, LINKS), Scope(role=role, include_stale=True, today=TODAY)
    )


def data_for(role: str = "analyst"):
    return build_map_data(
        scoped_for(role),
        [CLUSTER],
        postcodes=geo.PostcodeTable.from_file(ROOT / "sample_data" / "postcodes.csv"),
        boundaries=BOUNDARIES,
    )


def test_places_carry_counts_harms_clusters_and_evidence():
    data = data_for()
    place = next(p for p in data.places if p.id == "P-1")
    assert (place.flagged_young_people, place.young_people) == (2, 3)
    assert place.harms == {"cce": 1, "cse": 1} and place.overlap
    assert place.clusters == ["C01"]
    assert len(place.evidence) == 3
    assert place.district == "North"  # blank district filled by the spatial join
    assert data.assigned == {"P-1": "North"}
    bus = next(p for p in data.places if p.id == "P-2")
    assert (bus.lat, bus.lon, bus.located_by) == (float(ROW["lat"]), float(ROW["lon"]), "postcode")
    assert [p.id for p in data.not_located] == ["P-3"]
    assert data.districts["North"] == {"young_people": 3, "flagged_young_people": 2, "places": 3}


def test_online_spaces_are_listed_with_the_same_counts_and_not_drawn():
    data = data_for()
    assert "O-1" not in {p.id for p in data.places}
    rows = online_space_rows(data)
    assert rows.loc[0, "id"] == "O-1"
    assert rows.loc[0, "young people with harm flags"] == 2
    assert rows.loc[0, "harm flags"] == "CCE 1, RAD 1"


def test_popup_and_panel_say_what_their_link_counts_count():
    """The popup counts links to young people; the panel lists every link of the place and
    its caption says how the two numbers relate, so 3 and 4 never look like a contradiction."""
    entities = ENTITIES + [
        dict(entity_id="AD-1", entity_type="adult", adult_role="person_of_concern")
    ]
    links = LINKS + [dict(source_id="AD-1", target_id="P-1", link_type="frequents")]
    scoped = build_scoped_graph(
        tables_from(entities, links), Scope(include_stale=True, today=TODAY)
    )
    place = next(p for p in build_map_data(scoped, [CLUSTER]).places if p.id == "P-1")
    assert "<th>Links to young people</th><td>3: " in place_popup(place)
    assert ("Links to young people", "3") in context_rows(place)
    every = node_links(scoped.graph, "P-1")
    assert len(every) == 4
    assert all_links_caption(place, every) == (
        "All 4 link(s) behind this place's connections: "
        "3 to young people, 1 to adults and other places"
    )
    assert "links to young people" in online_space_rows(data_for()).columns


def test_peer_lines_join_places_a_cluster_shares():
    lines = data_for().peer_lines
    assert [(line["cluster"], line["from"], line["to"]) for line in lines] == [
        ("C01", "P-1", "P-2")
    ]  # the home address has one member of C01 only
    assert lines[0]["young_people"] == 2 and len(lines[0]["evidence"]) == 4


def test_heat_weights_only_places_with_flagged_young_people():
    heat = {(round(lat, 4), round(lon, 4)): weight for lat, lon, weight in data_for().heat}
    assert heat[(54.5, 2.5)] == 3.0
    assert (round(float(ROW["lat"]), 4), round(float(ROW["lon"]), 4)) in heat


@pytest.mark.parametrize(
    ("role", "shown"), [("analyst", (54.12, 2.57)), ("police", (HOME_LAT, HOME_LON))]
)
def test_home_address_position_depends_on_role(role, shown):
    data = data_for(role)
    home = next(p for p in data.places if p.id == "AR-1")
    assert (home.lat, home.lon) == shown
    page = map_html(data, BOUNDARIES)
    assert (str(HOME_LAT) in page) is (role == "police")


def test_hostile_names_render_as_text_in_the_html_source():
    page = map_html(data_for(), BOUNDARIES)
    assert "<img" not in page and "${alert" not in page and "`x`" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;\\u0026#36;{alert(2)}" in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#36;{alert(2)}&#96;x&#96;" in page  # list


def _urls(text: str) -> set[str]:
    return set(re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>)]*", text))


def _split_assets(page: str) -> tuple[str, str]:
    """The page with data: URLs cut out, and the decoded text of those data: URLs."""
    decoded = [
        base64.b64decode(m).decode("utf-8", "replace")
        for m in re.findall(r"data:[a-z/]+;base64,([A-Za-z0-9+/=]+)", page)
    ]
    return re.sub(r"data:[a-z/]+;base64,[A-Za-z0-9+/=]+", "data:", page), "\n".join(decoded)


def test_map_references_no_external_host(monkeypatch):
    monkeypatch.delenv("MAPPING_TILE_URL", raising=False)
    page, assets = _split_assets(map_html(data_for(), BOUNDARIES))
    assert "L.map(" in page and "L.heatLayer" in page and "L.tileLayer" not in page
    assert _urls(page) == set()
    assert {u for u in _urls(assets) if not u.startswith("//")} <= NOT_FETCHED
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not any(host in page + assets for host in CDN_HOSTS)


def test_only_the_configured_tile_server_is_referenced(monkeypatch):
    monkeypatch.setenv("MAPPING_TILE_URL", "https://tiles.council.example/{z}/{x}/{y}.png")
    monkeypatch.setenv("MAPPING_TILE_ATTRIBUTION", "<b>Council</b> tiles")
    tiles = options_from(settings.current()).tiles  # as the CLI and the map page build them
    page, _ = _split_assets(map_html(data_for(), BOUNDARIES, tiles=tiles))
    assert {u.split("/")[2] for u in _urls(page)} == {"tiles.council.example"}
    assert "<b>Council" not in page


def test_a_click_is_resolved_to_a_place():
    data = data_for()
    assert (
        clicked_place(data, {"last_active_drawing": {"properties": {"place_id": "P-2"}}}) == "P-2"
    )
    assert clicked_place(data, {"last_object_clicked": {"lat": 54.5, "lng": 2.5}}) == "P-1"
    assert (
        clicked_place(
            data,
            {
                "last_active_drawing": {"properties": {"place_id": "NO"}},
                "last_object_clicked": {"lat": 0, "lng": 0},
            },
        )
        is None
    )
    assert clicked_place(data, None) is None


def test_cli_writes_the_standalone_map(tmp_path, monkeypatch):
    monkeypatch.delenv("MAPPING_BOUNDARIES_FILE", raising=False)
    url = f"sqlite:///{tmp_path / 'map.sqlite'}"
    Store(url).write_version(tables_from(ENTITIES, LINKS), created_by="test", sources=[])
    out = tmp_path / "map.html"
    assert (
        main(
            [
                "export",
                "--format",
                "map",
                "--out",
                str(out),
                "--db",
                url,
                "--role",
                "analyst",
                "--include-stale",
            ]
        )
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "OFFICIAL-SENSITIVE" in page and "Dataset version 1" in page
    assert "Bus station" in page and str(HOME_LAT) not in page


def test_sample_world_map(sample_world):
    store, pseudonymiser, truth = sample_world
    version = store.latest_version()
    scoped = build_scoped_graph(
        store.read_version(version), Scope(role="analyst", today=TODAY, include_stale=True), version
    )
    boundaries = geo.read_boundaries(geo.boundaries_file())
    data = build_map_data(
        scoped, find_clusters(scoped), postcodes=geo.default_postcodes(), boundaries=boundaries
    )
    assert data.not_located == [] and data.outside == []
    assert set(data.districts) == {d["name"] for d in truth["districts"]}
    trap_house = pseudonymiser.code(truth["county_lines"]["trap_house"], "AR")
    drawn = next(p for p in data.places if p.id == trap_house)
    assert drawn.generalised and "cce" in drawn.harms
    server = next(s for s in data.online_spaces if s.id == truth["online_server"]["online_space"])
    assert server.harms.get("radicalisation", 0) >= len(truth["online_server"]["young_people"]) - 1
    takeaway = next(p for p in data.places if p.id == truth["cse_group"]["takeaway"])
    assert takeaway.district == truth["cse_group"]["district"] and "cse" in takeaway.harms
