"""GeoJSON and KML of places and districts: private addresses generalised to 2 decimal
places for every role without true addresses, exact for police; districts counted."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from mapping.export.geo import write_geojson, write_kml
from tests.mapping.export_world import HOME, HOME_LAT, HOME_LON, scoped_world

META = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 2, "role": "analyst"}
KML = "{http://www.opengis.net/kml/2.2}"


def features(path, kind):
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        f["properties"].get("entity_id") or f["properties"]["name"]: f
        for f in document["features"]
        if f["properties"]["feature"] == kind
    }


@pytest.mark.parametrize(
    "role,expected",
    [
        ("analyst", (round(HOME_LON, 2), round(HOME_LAT, 2))),
        ("practitioner", (round(HOME_LON, 2), round(HOME_LAT, 2))),
        ("police", (HOME_LON, HOME_LAT)),
    ],
)
def test_address_coordinates_by_role(tmp_path, role, expected):
    path = tmp_path / "map.geojson"
    write_geojson(scoped_world(role), path, META)
    home = features(path, "place")[HOME]
    assert tuple(home["geometry"]["coordinates"]) == pytest.approx(expected, abs=1e-9)
    assert home["properties"]["coordinates_generalised"] is (role != "police")


def test_non_private_places_keep_their_coordinates(tmp_path):
    path = tmp_path / "map.geojson"
    write_geojson(scoped_world("analyst"), path, META)
    park = features(path, "place")["P-PARK"]
    assert park["geometry"]["coordinates"] == [-1.6002, 52.2001]
    assert park["properties"]["young_people_linked"] == 3
    assert park["properties"]["harms_linked"] == "cce: 2; cse: 1; missing: 1; radicalisation: 1"


def test_districts_are_counted(tmp_path):
    boundaries = tmp_path / "districts.geojson"
    square = {
        "type": "Polygon",
        "coordinates": [[[-2, 52], [-1, 52], [-1, 53], [-2, 53], [-2, 52]]],
    }
    boundaries.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": name}, "geometry": square}
                    for name in ("North", "South")
                ],
            }
        ),
        encoding="utf-8",
    )
    from mapping.export.geo import district_features

    found = {
        f["properties"]["name"]: f["properties"]
        for f in district_features(scoped_world("police"), boundaries)
    }
    assert (found["North"]["young_people"], found["North"]["places"]) == (2, 2)
    assert (found["South"]["young_people"], found["South"]["places"]) == (1, 1)


def test_kml_parses_with_metadata_and_points(tmp_path):
    path = tmp_path / "map.kml"
    write_kml(scoped_world("analyst"), path, {**META, "notice": "a\x01b <i>x</i>"})
    root = etree.parse(str(path)).getroot()
    assert "OFFICIAL-SENSITIVE" in root.find(f"{KML}Document/{KML}name").text
    marks = {p.find(f"{KML}name").text: p for p in root.iter(f"{KML}Placemark")}
    home = marks[HOME].find(f"{KML}Point/{KML}coordinates").text
    assert home == f"{round(HOME_LON, 2)},{round(HOME_LAT, 2)}"
    assert "Riverside park" in marks
    assert "<i>" not in path.read_text(encoding="utf-8")  # text is escaped, never markup
