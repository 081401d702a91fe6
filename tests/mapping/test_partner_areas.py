"""Home addresses reach partners as generalised areas (issue 18 item 15), never as points.

Every geo output a partner gets (GeoJSON, KML, the map page and ``--format map``, the meeting
pack's map picture) draws a home address as the ~1 km grid cell its rounded coordinates
stand for, and says so ("area, not the address"); analysts and practitioners keep the
rounded point and police the true one (``test_export_geo.py``).
"""

from __future__ import annotations

import io
import json

import pytest
from lxml import etree
from PIL import Image

from mapping.analysis.clusters import find_clusters
from mapping.export.geo import write_geojson, write_kml
from mapping.export.pack_images import map_png
from mapping.render.map import legend_html, place_items
from mapping.render.map_data import build_map_data, context_rows
from tests.mapping.export_world import HOME, HOME_LAT, HOME_LON, scoped_world

META = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 2, "role": "partner"}
KML = "{http://www.opengis.net/kml/2.2}"


def place_features(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"]["entity_id"]: f
        for f in document["features"]
        if f["properties"]["feature"] == "place"
    }


def test_partner_geojson_draws_the_home_address_as_its_grid_cell(tmp_path):
    path = tmp_path / "map.geojson"
    write_geojson(scoped_world("partner"), path, META)
    home = place_features(path)[HOME]
    assert home["geometry"]["type"] == "Polygon"
    ring = home["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert ring[0] == ring[-1] and len(ring) == 5
    # a 0.01-degree square around the rounded point, holding the true address inside it
    assert max(lats) - min(lats) == pytest.approx(0.01) == max(lons) - min(lons)
    assert min(lats) < HOME_LAT < max(lats) and min(lons) < HOME_LON < max(lons)
    assert (min(lats) + max(lats)) / 2 == pytest.approx(52.12)
    assert home["properties"]["shown_as"] == "area, not the address"
    assert home["properties"]["coordinates_generalised"] is True
    park = place_features(path)["P-PARK"]
    assert park["geometry"] == {"type": "Point", "coordinates": [-1.6002, 52.2001]}
    assert park["properties"]["shown_as"] == "point"


@pytest.mark.parametrize("role", ["analyst", "practitioner", "police"])
def test_other_roles_keep_a_point(tmp_path, role):
    path = tmp_path / "map.geojson"
    write_geojson(scoped_world(role), path, META)
    home = place_features(path)[HOME]
    assert home["geometry"]["type"] == "Point"
    assert home["properties"]["shown_as"] == "point"


def test_partner_kml_has_a_polygon_and_no_point_for_the_home_address(tmp_path):
    path = tmp_path / "map.kml"
    write_kml(scoped_world("partner"), path, META)
    root = etree.parse(str(path)).getroot()
    marks = {p.find(f"{KML}name").text: p for p in root.iter(f"{KML}Placemark")}
    home = marks[HOME]
    assert home.find(f"{KML}Point") is None
    ring = home.find(f"{KML}Polygon/{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates")
    corners = [tuple(map(float, c.split(","))) for c in ring.text.split()]
    assert len(corners) == 5
    assert min(c[1] for c in corners) < HOME_LAT < max(c[1] for c in corners)
    values = {d.get("name"): d.find(f"{KML}value").text for d in home.iter(f"{KML}Data")}
    assert values["shown_as"] == "area, not the address"
    assert marks["Riverside park"].find(f"{KML}Point") is not None


def map_of(role):
    scoped = scoped_world(role)
    return build_map_data(scoped, find_clusters(scoped, seed=0))


def test_partner_map_draws_a_rectangle_with_no_marker_for_the_home_address():
    data = map_of("partner")
    items = {i["id"]: i for i in place_items(data)}
    home = items[HOME]
    assert home["shape"] == "area" and "point" not in home
    (south, west), (north, east) = home["bounds"]
    assert south < HOME_LAT < north and west < HOME_LON < east
    assert north - south == pytest.approx(0.01)
    assert "area, not the address" in home["tooltip"]
    assert "area, not the address" in home["popup"]
    assert items["P-PARK"]["shape"] == "place"
    assert "area, not the address" in legend_html(data)
    home_context = next(p for p in data.places if p.id == HOME)
    assert "area, not the address" in dict(context_rows(home_context))["Located by"]


@pytest.mark.parametrize("role", ["analyst", "practitioner"])
def test_analyst_and_practitioner_map_keep_the_rounded_point(role):
    items = {i["id"]: i for i in place_items(map_of(role))}
    assert items[HOME]["shape"] == "place"
    assert items[HOME]["point"] == pytest.approx([round(HOME_LAT, 2), round(HOME_LON, 2)])


def test_partner_pack_map_draws_the_cell_other_roles_leave_the_address_off():
    graph = scoped_world("partner").graph
    without_home = graph.copy()
    without_home.remove_node(HOME)
    partner = Image.open(io.BytesIO(map_png(graph, role="partner"))).convert("RGB")
    analyst = Image.open(io.BytesIO(map_png(graph, role="analyst"))).convert("RGB")
    nothing = Image.open(io.BytesIO(map_png(without_home, role="analyst"))).convert("RGB")
    # the analyst's picture is the same as one without the address: it is left off
    assert analyst.size == nothing.size and analyst.tobytes() == nothing.tobytes()
    # the partner's picture draws something more: the hatched cell and its legend entry
    assert partner.tobytes() != analyst.tobytes()


def test_real_camden_points_as_home_addresses_each_fall_in_their_partner_cell(tmp_path):
    """Real English geography (police.uk's Camden points, BNG converted by pyproj) stored as
    home addresses: every partner polygon is a 0.01-degree cell that holds its true point,
    no partner feature is a Point, and police get the true point back."""
    import csv

    from mapping.geo import bng_to_wgs84
    from tests.mapping.conftest import TODAY, tables_from
    from tests.mapping.realdata import REALDATA

    with (REALDATA / "camden_crimes_2021.csv").open(encoding="utf-8", newline="") as handle:
        points = sorted({(float(r["x"]), float(r["y"])) for r in csv.DictReader(handle)})[:300]
    true = {}
    entities = [dict(entity_id="YP-1", entity_type="young_person", harms="cce")]
    links = []
    for number, (east, north) in enumerate(points):
        lat, lon = bng_to_wgs84(east, north)
        home = f"AR-CAMDEN-{number:04d}"
        true[home] = (float(lat), float(lon))
        entities.append(
            dict(entity_id=home, entity_type="place", place_kind="address", lat=lat, lon=lon)
        )
        links.append(dict(source_id="YP-1", target_id=home, link_type="frequents"))
    tables = tables_from(entities, links)
    from mapping.graph import Scope, build_scoped_graph

    for role in ("partner", "police"):
        path = tmp_path / f"{role}.geojson"
        write_geojson(build_scoped_graph(tables, Scope(role=role, today=TODAY), 1), path, META)
        found = place_features(path)
        assert set(found) == set(true)
        for home, (lat, lon) in true.items():
            geometry = found[home]["geometry"]
            if role == "police":
                assert geometry["coordinates"] == pytest.approx([lon, lat], abs=1e-9)
                continue
            assert geometry["type"] == "Polygon"
            ring = geometry["coordinates"][0]
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            assert min(lats) <= lat <= max(lats) and min(lons) <= lon <= max(lons), home
            assert max(lats) - min(lats) == pytest.approx(0.01)
