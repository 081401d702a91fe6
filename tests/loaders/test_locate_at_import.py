"""Places recorded with only a postcode or a grid reference are located on import (issue #6),
so the store and the GeoJSON/KML exports hold their coordinates."""

import csv
from datetime import date
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
POSTCODES = {
    r["postcode"]: (float(r["lat"]), float(r["lon"]))
    for r in csv.DictReader((SAMPLE / "postcodes.csv").open(encoding="utf-8"))
}


@pytest.fixture(autouse=True)
def sample_postcode_table(monkeypatch):
    monkeypatch.setenv("MAPPING_POSTCODE_TABLE", str(SAMPLE / "postcodes.csv"))


def _import(tmp_path, names):
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    sources = [Source(SAMPLE / n if isinstance(n, str) else n, Path(n).name) for n in names]
    result = import_files(
        sources, store, Pseudonymiser(b"locate-key-" * 3), today=date(2026, 11, 29)
    )
    return store.read_version(), result


def test_sample_places_with_only_a_postcode_get_coordinates(tmp_path):
    rows = list(csv.DictReader((SAMPLE / "entities.csv").open(encoding="utf-8")))
    postcode_only = {
        r["entity_id"]: r["postcode"]
        for r in rows
        if r["entity_type"] == "place"
        and r["place_kind"] != "address"
        and not r["lat"]
        and r["postcode"]
    }
    assert len(postcode_only) == 5
    tables, result = _import(tmp_path, ["entities.csv", "links.csv", "incidents.csv"])
    stored = tables.entities.set_index("entity_id")
    for place, postcode in postcode_only.items():
        assert (stored.at[place, "lat"], stored.at[place, "lon"]) == POSTCODES[postcode]
    places = tables.entities[tables.entities["entity_type"] == "place"]
    assert places[["lat", "lon"]].notna().all().all()
    assert not [p for p in result.warnings if p.kind == "place not located"]


GRID = """entity_id,entity_type,label,district,place_kind,postcode,Eastings,Northings,lat,lon
PL-G,place,Grid Cafe,Northmoor,takeaway,,651409.903,313177.270,,
PL-K,place,Kept Cafe,Northmoor,takeaway,FX1 1PE,651409.903,313177.270,54.1,2.1
PL-H,place,9 Fictional Row,Northmoor,address,FX1 1PE,,,,
PL-X,place,Lost Cafe,Northmoor,takeaway,ZZ9 9ZZ,,,,
PL-N,place,Nowhere Cafe,Northmoor,takeaway,,,,,
"""


def test_grid_references_and_home_postcodes_are_located_then_addresses_generalised(tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(GRID, encoding="utf-8")
    tables, result = _import(tmp_path, [path])
    stored = tables.entities.set_index("label")
    assert (round(stored.at["Grid Cafe", "lat"], 3), round(stored.at["Grid Cafe", "lon"], 3)) == (
        52.658,
        1.716,
    )
    assert (stored.at["Kept Cafe", "lat"], stored.at["Kept Cafe", "lon"]) == (54.1, 2.1)
    assert "easting" not in tables.entities.columns  # read on import, never stored
    home = tables.entities[tables.entities["entity_id"].str.startswith("AR-")].iloc[0]
    lat, lon = POSTCODES["FX1 1PE"]
    assert (home["lat"], home["lon"]) == (round(lat, 3), round(lon, 3))
    assert home["postcode"] == "FX1" and home["label"] == home["entity_id"]
    lost = [
        (p.file, p.sheet, p.row, p.column) for p in result.warnings if p.kind == "place not located"
    ]
    assert lost == [("places.csv", "", 5, "postcode"), ("places.csv", "", 6, "postcode")]
    assert "ZZ9" not in " ".join(str(p) for p in result.warnings)
