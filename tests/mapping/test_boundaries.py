"""One boundaries file for everything that draws districts: MAPPING_BOUNDARIES_FILE is
honoured by the GeoJSON and KML exports and by the meeting pack's map pictures, as it
already was by the map (the bug of issue 12: those two read the sample's file directly)."""

from __future__ import annotations

import json

from mapping import settings
from mapping.export import pack_images
from mapping.export.formats import FORMATS
from mapping.export.options import ExportData, options_from
from tests.mapping.export_world import scoped_world

META = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 2, "role": "analyst"}
SQUARE = {"type": "Polygon", "coordinates": [[[-2, 52], [-1, 52], [-1, 53], [-2, 53], [-2, 52]]]}


def write(fmt, out) -> None:
    """Export as the CLI does: options built from the settings in force."""
    FORMATS[fmt](ExportData(scoped_world("analyst")), out, META, options_from(settings.current()))


def boundaries(tmp_path, name="Testshire"):
    path = tmp_path / "ours.geojson"
    feature = {"type": "Feature", "properties": {"name": name}, "geometry": SQUARE}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return path


def test_geojson_export_draws_the_configured_districts(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPING_BOUNDARIES_FILE", str(boundaries(tmp_path)))
    out = tmp_path / "map.geojson"
    write("geojson", out)
    districts = [
        f["properties"]["name"]
        for f in json.loads(out.read_text("utf-8"))["features"]
        if f["properties"]["feature"] == "district"
    ]
    assert districts == ["Testshire"]


def test_kml_export_draws_the_configured_districts(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPING_BOUNDARIES_FILE", str(boundaries(tmp_path, "Kmlshire")))
    out = tmp_path / "map.kml"
    write("kml", out)
    text = out.read_text("utf-8")
    assert "Kmlshire" in text and "Ashby Marsh" not in text


def test_pack_map_picture_draws_the_configured_districts(tmp_path, monkeypatch):
    ours = boundaries(tmp_path)
    monkeypatch.setenv("MAPPING_BOUNDARIES_FILE", str(ours))
    read = []
    original = pack_images._districts

    def spy(path):
        read.append(path)
        return original(path)

    monkeypatch.setattr(pack_images, "_districts", spy)
    picture = pack_images.map_png(
        scoped_world("analyst").graph,
        districts_file=options_from(settings.current()).boundaries_file,
    )
    assert picture.startswith(b"\x89PNG") and read == [str(ours)]


def test_a_missing_boundaries_file_draws_no_districts(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPING_BOUNDARIES_FILE", str(tmp_path / "absent.geojson"))
    out = tmp_path / "map.geojson"
    write("geojson", out)
    kinds = {f["properties"]["feature"] for f in json.loads(out.read_text("utf-8"))["features"]}
    assert kinds == {"place"}
