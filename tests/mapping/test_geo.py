"""Geography: grid references and postcodes to WGS84, boundaries read and joined, home
addresses generalised. Expected values come from the Ordnance Survey's published worked
example, the fictional postcode table read with the csv module, and the boundary files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mapping import geo

ROOT = Path(__file__).resolve().parents[2]
ONS_DISTRICTS = Path("/work/shared/geo/england_lad_may2024_buc.geojson")
SAMPLE_ROWS = list(csv.DictReader((ROOT / "sample_data" / "postcodes.csv").open(encoding="utf-8")))
SAMPLE_DISTRICTS = json.loads((ROOT / "sample_data" / "districts.geojson").read_text("utf-8"))

# OS "A guide to coordinate systems in Great Britain", Annex C worked example:
# E 651409.903, N 313177.270 is OSGB36 52°39'27.2531"N 1°43'4.5177"E.
OS_E, OS_N = 651409.903, 313177.270
OS_OSGB36 = (52 + 39 / 60 + 27.2531 / 3600, 1 + 43 / 60 + 4.5177 / 3600)


def test_grid_reference_projection_matches_the_os_worked_example():
    """The projection itself (no datum shift) reproduces the OS's OSGB36 latitude and
    longitude to about 1 cm."""
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:27700", "EPSG:4277", always_xy=True).transform(OS_E, OS_N)
    assert lat == pytest.approx(OS_OSGB36[0], abs=1e-7)
    assert lon == pytest.approx(OS_OSGB36[1], abs=1e-7)


def test_grid_reference_to_wgs84_applies_the_datum_shift():
    """WGS84 differs from OSGB36 by the datum shift: about +0.0004 degrees of latitude and
    -0.0019 of longitude in Norfolk. pyproj's Helmert shift is good to ~5 m, so we allow
    1e-4 degrees (~11 m north-south, ~7 m east-west) around 52.6580, 1.7161."""
    lat, lon = geo.bng_to_wgs84(OS_E, OS_N)
    assert lat == pytest.approx(52.6580, abs=1e-4)
    assert lon == pytest.approx(1.7161, abs=1e-4)
    assert lat - OS_OSGB36[0] == pytest.approx(0.0004, abs=1e-4)
    assert lon - OS_OSGB36[1] == pytest.approx(-0.0019, abs=2e-4)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("fx11pe", "FX1 1PE"),
        (" FX1  1PE ", "FX1 1PE"),
        ("LS1 1UR", "LS1 1UR"),
        ("FX3", "FX3"),
        (None, ""),
    ],
)
def test_postcodes_are_normalised(typed, normal):
    assert geo.normalise_postcode(typed) == normal


def test_fictional_postcode_table_looks_up_full_codes_and_outward_areas():
    table = geo.PostcodeTable.from_file(ROOT / "sample_data" / "postcodes.csv")
    row = SAMPLE_ROWS[0]
    assert table.locate(row["postcode"].lower().replace(" ", "")) == (
        float(row["lat"]),
        float(row["lon"]),
    )
    assert table.district(row["postcode"]) == row["district"]
    outward = row["postcode"].split()[0]
    area = [r for r in SAMPLE_ROWS if r["postcode"].split()[0] == outward]
    mean = (
        sum(float(r["lat"]) for r in area) / len(area),
        sum(float(r["lon"]) for r in area) / len(area),
    )
    assert table.locate(outward) == pytest.approx(mean)
    assert table.locate(f"{outward} 9ZZ") == pytest.approx(mean)  # unknown unit: its area
    assert table.locate("ZZ9 9ZZ") is None


def test_ons_style_table_with_grid_references_is_converted():
    frame = pd.DataFrame(
        {
            "pcds": ["NR1 1AA"],
            "oseast1m": [str(OS_E)],
            "osnrth1m": [str(OS_N)],
            "laua": ["E07000000"],
        }
    )
    table = geo.PostcodeTable.from_frame(frame)
    lat, lon = table.locate("NR11AA")
    assert (lat, lon) == pytest.approx(geo.bng_to_wgs84(OS_E, OS_N))
    assert table.district("NR1 1AA") == "E07000000"
    with pytest.raises(ValueError, match="postcode column"):
        geo.PostcodeTable.from_frame(pd.DataFrame({"lat": [1], "lon": [2]}))


def test_places_are_located_by_coordinates_then_grid_then_postcode():
    row = SAMPLE_ROWS[3]
    places = pd.DataFrame(
        {
            "entity_id": ["a", "b", "c", "d", "e"],
            "lat": [54.5, None, None, None, None],
            "lon": [2.1, None, None, None, None],
            "easting": [None, OS_E, None, None, None],
            "northing": [None, OS_N, None, None, None],
            "postcode": ["FX1 1PE", None, row["postcode"], row["postcode"].split()[0], "ZZ1 1ZZ"],
        }
    )
    located = geo.locate_places(
        places, geo.PostcodeTable.from_file(ROOT / "sample_data" / "postcodes.csv")
    ).set_index("entity_id")
    assert list(located["located_by"]) == [
        "coordinates",
        "grid reference",
        "postcode",
        "postcode area",
        "not located",
    ]
    assert (located.at["a", "lat"], located.at["a", "lon"]) == (54.5, 2.1)
    assert located.at["b", "lat"] == pytest.approx(52.6580, abs=1e-4)
    assert (located.at["c", "lat"], located.at["c", "lon"]) == (
        float(row["lat"]),
        float(row["lon"]),
    )
    assert pd.isna(located.at["e", "lat"])
    assert places["lat"].isna().sum() == 4  # input not changed


def _centre(feature) -> tuple[float, float]:
    ring = feature["geometry"]["coordinates"][0]
    return (
        sum(p[1] for p in ring[:-1]) / (len(ring) - 1),
        sum(p[0] for p in ring[:-1]) / (len(ring) - 1),
    )


def test_spatial_join_on_the_sample_districts():
    boundaries = geo.read_boundaries(ROOT / "sample_data" / "districts.geojson")
    names = [f["properties"]["name"] for f in SAMPLE_DISTRICTS["features"]]
    assert list(boundaries["district"]) == names
    rows = [
        {"entity_id": name, "lat": _centre(f)[0], "lon": _centre(f)[1], "district": None}
        for name, f in zip(names, SAMPLE_DISTRICTS["features"], strict=True)
    ]
    first, second = names[0], names[1]
    rows += [
        {"entity_id": "sea", "lat": 0.0, "lon": 0.0, "district": None},
        {
            "entity_id": "kept",
            **dict(zip(("lat", "lon"), _centre(SAMPLE_DISTRICTS["features"][0]), strict=True)),
            "district": second,
        },
        {"entity_id": "unlocated", "lat": None, "lon": None, "district": None},
    ]
    join = geo.assign_districts(pd.DataFrame(rows), boundaries)
    assert {n: join.districts[n] for n in names} == {n: n for n in names}
    assert join.assigned == {n: n for n in names}
    assert join.outside == ["sea"]
    assert join.districts["kept"] == second  # a recorded district is not overwritten...
    assert join.disagree == {"kept": (second, first)}  # ...but the disagreement is reported
    assert join.districts["unlocated"] is None


@pytest.mark.skipif(not ONS_DISTRICTS.is_file(), reason="ONS boundaries are not on this machine")
def test_spatial_join_on_real_ons_district_boundaries():
    boundaries = geo.read_boundaries(ONS_DISTRICTS)
    leeds_lat, leeds_lon = geo.bng_to_wgs84(429900, 433900)  # Leeds city centre, SE 299 339
    places = pd.DataFrame(
        {
            "entity_id": ["leeds", "manchester", "bristol", "atlantic"],
            "lat": [leeds_lat, 53.4794, 51.4545, 55.0],
            "lon": [leeds_lon, -2.2453, -2.5879, -10.0],
            "district": None,
        }
    )
    join = geo.assign_districts(places, boundaries)
    assert join.assigned == {
        "leeds": "Leeds",
        "manchester": "Manchester",
        "bristol": "Bristol, City of",
    }
    assert join.outside == ["atlantic"]


def test_boundaries_from_a_zipped_shapefile_and_from_bytes(tmp_path):
    frame = gpd.GeoDataFrame(
        {"LAD24NM": ["Alpha", "Beta"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326"
    )
    frame.to_crs("EPSG:27700").to_file(tmp_path / "districts.shp")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("districts.*"):
            zipped.write(part, part.name)
    read = geo.read_boundaries(archive.getvalue(), filename="upload.zip")
    assert list(read["district"]) == ["Alpha", "Beta"]
    assert read.crs.to_epsg() == 4326
    assert read.geometry[0].bounds == pytest.approx((0, 0, 1, 1), abs=1e-6)
    as_json = frame.rename(columns={"LAD24NM": "area"}).to_json().encode()
    assert list(geo.read_boundaries(as_json, "area", "b.geojson")["district"]) == ["Alpha", "Beta"]
    with pytest.raises(ValueError, match="no district name column"):
        geo.read_boundaries(as_json, filename="b.geojson")


@pytest.mark.parametrize(
    ("role", "moved"), [("analyst", True), ("chair", True), ("partner", True), ("police", False)]
)
def test_home_addresses_are_generalised_for_roles_without_true_addresses(role, moved):
    home = {"entity_type": "place", "place_kind": "address"}
    lat, lon, generalised = geo.shown_coordinates("AR-X", home, 54.12345, 2.56789, role)
    assert generalised is moved
    assert (lat, lon) == ((54.12, 2.57) if moved else (54.12345, 2.56789))


def test_coded_place_is_treated_as_a_home_and_other_places_keep_their_point():
    coded = {"entity_type": "place", "place_kind": None}
    assert geo.shown_coordinates("AR-X", coded, 54.126, 2.5, "analyst")[:2] == (54.13, 2.5)
    park = {"entity_type": "place", "place_kind": "park"}
    assert geo.shown_coordinates("PL-1", park, 54.126, 2.5, "analyst") == (54.126, 2.5, False)
