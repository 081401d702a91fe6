"""police.uk street crime in Camden (../shared/realdata/, see its README): incidents at
anonymised snap points given in British National Grid are located at import, and the
GeoJSON export draws its district layer from the boundaries file given
(MAPPING_BOUNDARIES_FILE), not the fictional sample districts."""

from __future__ import annotations

import csv
import json

import pytest
from shapely.geometry import Point, shape

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.cli import main
from mapping.store import Store
from tests.mapping.conftest import TODAY
from tests.mapping.realdata import REALDATA

CAMDEN = REALDATA / "camden_crimes_2021.csv"
BOUNDARIES = REALDATA.parent / "geo" / "england_lad_may2024_buc.geojson"
pytestmark = pytest.mark.skipif(
    not (CAMDEN.is_file() and BOUNDARIES.is_file()), reason="needs ../shared/realdata and geo"
)
KEY = Pseudonymiser(b"camden-test-key-" * 3)


@pytest.fixture(scope="module")
def camden(tmp_path_factory):
    folder = tmp_path_factory.mktemp("camden")
    with CAMDEN.open(encoding="utf-8", newline="") as handle:
        crimes = list(csv.DictReader(handle))[::5]  # every fifth record keeps the test quick
    points = {}
    for crime in crimes:
        points.setdefault((crime["x"], crime["y"]), f"SNAP-{len(points) + 1:04d}")
    people = [f"CASE-{n:03d}" for n in range(1, 61)]  # fictional case ids, one per incident
    entities = ["entity_id,entity_type,place_kind,easting,northing"]
    entities += [f"{p},young_person,," for p in people]
    entities += [f"{pid},place,other,{x},{y}" for (x, y), pid in points.items()]
    incidents = ["incident_id,date,place_id,person_id,source_agency,grading,role"]
    for number, crime in enumerate(crimes):
        place = points[(crime["x"], crime["y"])]
        person = people[number % len(people)]
        incidents.append(
            f"INC-{crime['rownames']},{crime['date']},{place},{person},police,2BP,victim"
        )
    paths = []
    for name, lines in (("entities", entities), ("incidents", incidents)):
        path = folder / f"{name}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    store = Store(f"sqlite:///{folder / 'map.sqlite'}")
    result = import_files([Source(p, p.name) for p in paths], store, KEY, today=TODAY)
    return folder, store, result, len(points)


def test_snap_points_are_located_from_bng(camden):
    _, store, result, points = camden
    places = store.read_version().entities.query("entity_type == 'place'")
    assert len(places) == points
    assert places["lat"].notna().all() and places["lon"].notna().all()
    assert not [p for p in result.warnings if p.kind == "place not located"]


def test_geojson_district_layer_is_the_boundaries_file_given(camden, monkeypatch, capsys):
    folder, store, _, points = camden
    monkeypatch.setenv("MAPPING_BOUNDARIES_FILE", str(BOUNDARIES))
    out = folder / "camden.geojson"
    code = main(
        [
            "export",
            "--format",
            "geojson",
            "--out",
            str(out),
            "--db",
            store.url,
            "--role",
            "police",
            "--include-stale",
        ]
    )
    assert code == 0
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    districts = {
        f["properties"]["name"]: f for f in features if f["properties"].get("feature") == "district"
    }
    assert "Camden" in districts and len(districts) == 296  # the ONS file, not Wyvern Vale
    camden_shape = shape(districts["Camden"]["geometry"])
    placed = [f for f in features if f["properties"].get("feature") == "place"]
    assert len(placed) == points
    # The BUC boundaries are generalised (to about 500 m): about 91% of the snap points fall
    # inside Camden's polygon and every one within 0.005 degrees of it.
    inside = sum(camden_shape.contains(Point(f["geometry"]["coordinates"])) for f in placed)
    assert inside >= 0.85 * len(placed), (inside, len(placed))
    near = camden_shape.buffer(0.005)
    assert all(near.contains(Point(f["geometry"]["coordinates"])) for f in placed)
