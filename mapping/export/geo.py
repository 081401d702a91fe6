"""GeoJSON and KML of the places in scope (points) and the districts (polygons), for GIS.

Only places with coordinates are written. A private address's coordinates are rounded to
two decimal places (about 1 km) for every role that does not see true addresses
(``model.GENERALISED_DECIMALS``, by the scoped graph; each feature says
``coordinates_generalised``). Districts
come from the boundaries file the caller gives (``ExportOptions.boundaries_file``, from
``MAPPING_BOUNDARIES_FILE``), with the number of young people and places in scope counted
per district; none without one. No tiles or URLs.

For a role with ``home_addresses_as_areas`` (partners) a home address is written as its
grid cell, a Polygon (``mapping.geo.shown_area``), never a Point; every place says how it is
drawn in ``shown_as`` ("point", or "area, not the address").
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lxml import etree

from mapping import geo
from mapping.analysis.harms import harm_profile
from mapping.export.graphml import xml_text
from mapping.export.options import Metadata
from mapping.export.records import entity_rows, is_blank, link_rows
from mapping.graph import ScopedGraph
from mapping.model import AREA_NOT_ADDRESS

PLACE_PROPERTIES = (
    "entity_id",
    "label",
    "entity_type",
    "place_kind",
    "district",
    "postcode",
    "coordinates_generalised",
    "shown_as",
    "first_seen",
    "last_seen",
    "links",
    "young_people_linked",
    "harms_linked",
)
KML_NS = "http://www.opengis.net/kml/2.2"

#: A GeoJSON object (a feature, its properties, a geometry) as JSON holds it: Any, because
#: its members differ in type (text, counts, coordinates, nested objects).
Json = dict[str, Any]


def _harms_near(scoped: ScopedGraph, node: str) -> tuple[int, str]:
    """How many young people are linked to ``node`` in scope, and their harm flags counted."""
    graph = scoped.graph
    young = [n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"]
    counts = harm_profile(graph, young)["harms"]
    return len(young), "; ".join(f"{h}: {c}" for h, c in sorted(counts.items()))


def place_features(scoped: ScopedGraph) -> list[Json]:
    """GeoJSON features of the places in scope that have coordinates: points, and for
    roles that draw home addresses as areas, their grid cells as polygons."""
    features = []
    for row in entity_rows(scoped, link_rows(scoped)):
        if row["entity_type"] != "place" or row["lat"] is None or row["lon"] is None:
            continue
        young, harms = _harms_near(scoped, row["entity_id"])
        props = {
            **{k: row.get(k) for k in PLACE_PROPERTIES},
            "young_people_linked": young,
            "harms_linked": harms,
        }
        cell = geo.shown_area(
            row["lat"], row["lon"], bool(row["coordinates_generalised"]), scoped.scope.role
        )
        geometry: Json = (
            {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
            if cell is None
            else {"type": "Polygon", "coordinates": [geo.area_ring(cell)]}
        )
        props["shown_as"] = "point" if cell is None else AREA_NOT_ADDRESS
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features


def district_features(scoped: ScopedGraph, boundaries: Path | None) -> list[Json]:
    """District polygons with counts of young people and places in scope (none if no file)."""
    if boundaries is None or not boundaries.is_file():
        return []
    source = json.loads(boundaries.read_text(encoding="utf-8"))
    kinds = Counter((d.get("district"), d["entity_type"]) for _, d in scoped.graph.nodes(data=True))
    features = []
    for feature in source.get("features", []):
        name = (feature.get("properties") or {}).get("name")
        props = {
            **(feature.get("properties") or {}),
            "feature": "district",
            "young_people": kinds[(name, "young_person")],
            "places": kinds[(name, "place")],
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": feature.get("geometry")}
        )
    return features


def geo_document(scoped: ScopedGraph, metadata: Metadata, boundaries: Path | None = None) -> Json:
    places = place_features(scoped)
    for feature in places:
        feature["properties"]["feature"] = "place"
    return {
        "type": "FeatureCollection",
        "name": "Contextual safeguarding places and districts",
        "metadata": {k: v for k, v in metadata.items() if not is_blank(v)},
        "features": district_features(scoped, boundaries) + places,
    }


def write_geojson(
    scoped: ScopedGraph, path: Path, metadata: Metadata, boundaries: Path | None = None
) -> None:
    """The places and ``boundaries``' districts as one GeoJSON FeatureCollection."""
    path.write_text(
        json.dumps(
            geo_document(scoped, metadata, boundaries), ensure_ascii=False, indent=1, default=str
        ),
        encoding="utf-8",
    )


def _kml(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _extended(placemark: etree._Element, properties: Mapping[str, object]) -> None:
    data = _kml(placemark, "ExtendedData")
    for key, value in properties.items():
        if not is_blank(value):
            _kml(_kml(data, "Data", name=key), "value", value)


def _geometry(placemark: etree._Element, geometry: Json) -> None:
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        _kml(_kml(placemark, "Point"), "coordinates", f"{lon},{lat}")
    elif geometry["type"] == "Polygon":
        ring = " ".join(f"{x},{y}" for x, y, *_ in geometry["coordinates"][0])
        boundary = _kml(_kml(placemark, "Polygon"), "outerBoundaryIs")
        _kml(_kml(boundary, "LinearRing"), "coordinates", ring)


def write_kml(
    scoped: ScopedGraph, path: Path, metadata: Metadata, boundaries: Path | None = None
) -> None:
    """KML 2.2: a Document (metadata in its description and ExtendedData) with folders of
    districts and places; every property is an ExtendedData value."""
    document = geo_document(scoped, metadata, boundaries)
    root = etree.Element(f"{{{KML_NS}}}kml", nsmap={None: KML_NS})
    doc = _kml(root, "Document")
    _kml(doc, "name", f"{metadata.get('marking', '')} contextual safeguarding places")
    _kml(doc, "description", json.dumps(document["metadata"], sort_keys=True, default=str))
    _extended(doc, document["metadata"])
    for kind, title in (("district", "Districts"), ("place", "Places")):
        folder = _kml(doc, "Folder")
        _kml(folder, "name", title)
        for feature in document["features"]:
            props = feature["properties"]
            if props.get("feature") != kind or not feature.get("geometry"):
                continue
            placemark = _kml(folder, "Placemark")
            _kml(placemark, "name", props.get("label") or props.get("name") or "")
            _extended(placemark, props)
            _geometry(placemark, feature["geometry"])
    etree.ElementTree(root).write(
        str(path), encoding="utf-8", xml_declaration=True, pretty_print=True
    )
