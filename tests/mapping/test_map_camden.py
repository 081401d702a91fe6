"""The map on real geography: Camden's street-level crime points (police.uk, OGL v3.0) as
places, with the real ONS district boundaries of England. The view must frame the borough
(not England, not the sample world) and nearly every place must fall inside a district.
Data: ../shared/realdata/camden_crimes_2021.csv and ../shared/geo/ (see their README)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from mapping import geo
from mapping.graph import Scope, build_scoped_graph
from mapping.render.map import boundaries_near, build_map, map_extent
from mapping.render.map_data import build_map_data, outside_note
from tests.mapping.conftest import TODAY, tables_from

SHARED = Path(__file__).resolve().parents[3] / "shared"
CAMDEN = SHARED / "realdata" / "camden_crimes_2021.csv"
BOUNDARIES = SHARED / "geo" / "england_lad_may2024_buc.geojson"
pytestmark = pytest.mark.skipif(
    not (CAMDEN.exists() and BOUNDARIES.exists()), reason="shared real data not mounted"
)


@pytest.fixture(scope="module")
def camden():
    crimes = pd.read_csv(CAMDEN)
    points = crimes.drop_duplicates(["x", "y"]).reset_index(drop=True)
    lat, lon = geo.bng_to_wgs84(points["x"].to_numpy(), points["y"].to_numpy())
    entities, links = [], []
    for number, (la, lo) in enumerate(zip(lat, lon, strict=True)):
        place, young = f"PL-{number:05d}", f"YP-{number:05d}"
        entities.append(
            dict(
                entity_id=place,
                entity_type="place",
                label=place,
                place_kind="other",
                lat=la,
                lon=lo,
            )
        )
        entities.append(dict(entity_id=young, entity_type="young_person", label=young, harms="cce"))
        links.append(dict(source_id=young, target_id=place, link_type="frequents"))
    scoped = build_scoped_graph(tables_from(entities, links), Scope(today=TODAY))
    boundaries = geo.read_boundaries(BOUNDARIES)
    data = build_map_data(scoped, [], boundaries=boundaries)
    return data, boundaries


def test_nearly_every_camden_place_is_inside_a_district(camden):
    data, _ = camden
    assert len(data.places) > 1_000  # about 1,400 distinct points
    inside = 1 - len(data.outside) / len(data.places)
    assert inside >= 0.98, outside_note(data)
    districts = pd.Series([p.district for p in data.places]).value_counts()
    assert districts.index[0] == "Camden" and districts.iloc[0] / len(data.places) >= 0.9


def test_the_view_frames_the_borough_not_england(camden):
    data, boundaries = camden
    west, south, east, north = boundaries[boundaries["district"] == "Camden"].total_bounds
    (s, w), (n, e) = map_extent(data, boundaries)
    # the extent sits on the borough: within a kilometre or so of its bounding box ...
    assert south - 0.01 <= s and n <= north + 0.01 and west - 0.015 <= w and e <= east + 0.015
    # ... and covers most of it (not one corner of England)
    assert (n - s) >= 0.8 * (north - south) and (e - w) >= 0.8 * (east - west)
    html = build_map(data, boundaries, legend=False).get_root().render()
    bounds = re.search(
        r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", html
    )
    assert bounds, "the map must fit its bounds"
    assert [round(float(v), 4) for v in bounds.groups()] == [round(v, 4) for v in (s, w, n, e)]


def test_only_boundaries_near_the_data_are_drawn(camden):
    data, boundaries = camden
    near = boundaries_near(boundaries, map_extent(data, boundaries))
    assert "Camden" in set(near["district"])
    assert len(near) < 40 < len(boundaries)  # inner London, not all 296 districts
