"""Geography for places: coordinates, postcodes, district boundaries, and what a map may show.

A MACE meeting acts on locations, so every place should land on the map in the right
district. This module turns what the data holds (lat/lon, British National Grid eastings and
northings, or a postcode) into WGS84 coordinates, reads district boundaries the analyst
uploads (GeoJSON, a zipped shapefile, GeoPackage), gives a district to places recorded
without one (spatial join) and reports places that fall outside every boundary.

Everything is offline: the postcode lookup reads a table file (the fictional
``sample_data/postcodes.csv``, or an ONS Postcode Directory extract; see docs/map.md), and
pyproj converts grid references with the datum shift it ships with. It never renders, and
it never sees names of people: places are the only entities it locates, and a private
address is generalised by :func:`shown_coordinates` for every role that must not see it.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from mapping import settings
from mapping.model import MODEL, generalise_coordinate, generalised_cell

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    from pyproj import Transformer

#: Columns recognised in a postcode table (lower-cased), ONS names included.
POSTCODE_COLUMNS = {
    "postcode": ("postcode", "pcds", "pcd", "pcd2", "pcd7", "pcd8"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "lng", "longitude"),
    "easting": ("easting", "eastings", "oseast1m", "east"),
    "northing": ("northing", "northings", "osnrth1m", "north"),
    "district": ("district", "laua", "lad", "oslaua"),
}
#: Columns that may name a district in a boundaries file, in order of preference.
NAME_COLUMNS = ("name", "district", "lad24nm", "lad23nm", "lad22nm", "lad21nm", "lad_name")


def normalise_postcode(value: object) -> str:
    """Upper case, single space before the inward code: ``fx11pe`` -> ``FX1 1PE``."""
    text = re.sub(r"\s+", "", str(value or "")).upper()
    return f"{text[:-3]} {text[-3:]}" if len(text) > 4 else text


@lru_cache(maxsize=1)
def _bng_transformer() -> Transformer:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def bng_to_wgs84(easting: ArrayLike, northing: ArrayLike) -> tuple[Any, Any]:
    """British National Grid (EPSG:27700) eastings/northings in metres -> (lat, lon) WGS84.

    Uses pyproj's Helmert datum shift (no OSTN15 grid is downloaded), good to about 5 m:
    plenty for placing a takeaway in its neighbourhood. Accepts scalars or arrays.

    Examples
    --------
    >>> lat, lon = bng_to_wgs84(651409.903, 313177.270)
    >>> round(lat, 3), round(lon, 3)
    (52.658, 1.716)
    """
    lon, lat = _bng_transformer().transform(easting, northing)
    return lat, lon


@dataclass
class PostcodeTable:
    """An offline postcode -> (lat, lon, district) lookup, with outward-code centroids.

    A home address is stored with its outward code only (``FX3``), so the table also answers
    outward codes with the mean point of the postcodes it holds in that outward area.
    """

    points: dict[str, tuple[float, float, str | None]]
    outward: dict[str, tuple[float, float]] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PostcodeTable:
        columns = _recognise(frame.columns)
        if "postcode" not in columns:
            raise ValueError("a postcode table needs a postcode column (postcode, pcds, pcd)")
        table = pd.DataFrame({"postcode": frame[columns["postcode"]].map(normalise_postcode)})
        if {"lat", "lon"} <= columns.keys():
            table["lat"] = pd.to_numeric(frame[columns["lat"]], errors="coerce")
            table["lon"] = pd.to_numeric(frame[columns["lon"]], errors="coerce")
        elif {"easting", "northing"} <= columns.keys():
            east = pd.to_numeric(frame[columns["easting"]], errors="coerce")
            north = pd.to_numeric(frame[columns["northing"]], errors="coerce")
            table["lat"], table["lon"] = bng_to_wgs84(east.to_numpy(), north.to_numpy())
        else:
            raise ValueError("a postcode table needs lat/lon or easting/northing columns")
        district = frame[columns["district"]] if "district" in columns else None
        table["district"] = (
            district.astype(object).where(district.notna(), None) if district is not None else None
        )
        table = table.dropna(subset=["lat", "lon"])
        points = {
            r.postcode: (float(r.lat), float(r.lon), r.district)
            for r in table.itertuples(index=False)
        }
        table["outward"] = table["postcode"].str.split(" ").str[0]
        means = table.groupby("outward")[["lat", "lon"]].mean()
        outward = {k: (float(r.lat), float(r.lon)) for k, r in means.iterrows()}
        return cls(points, outward)

    @classmethod
    def from_file(cls, path: Path | str) -> PostcodeTable:
        """Read a CSV (or .xlsx) postcode table: ONS ``pcds``/``lat``/``long`` or
        ``oseast1m``/``osnrth1m`` columns work as they come."""
        path = Path(path)
        read = pd.read_excel if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv
        return cls.from_frame(read(path, dtype=str))

    def locate(self, postcode: object) -> tuple[float, float] | None:
        """(lat, lon) of a full postcode, else of its outward area; None when unknown."""
        code = normalise_postcode(postcode)
        if not code:
            return None
        if code in self.points:
            return self.points[code][:2]
        return self.outward.get(code.split(" ")[0])

    def district(self, postcode: object) -> str | None:
        found = self.points.get(normalise_postcode(postcode))
        return found[2] if found else None


def _recognise(columns: Iterable[Hashable]) -> dict[str, Hashable]:
    lowered = {str(c).strip().lower(): c for c in columns}
    found: dict[str, Hashable] = {}
    for key, names in POSTCODE_COLUMNS.items():
        match = next((lowered[n] for n in names if n in lowered), None)
        if match is not None:
            found[key] = match
    return found


def boundaries_file() -> Path | None:
    """District boundaries in use (``MAPPING_BOUNDARIES_FILE``, else the fictional sample's),
    or None when that file does not exist. The map, the GIS exports and the pack's pictures
    all draw these."""
    path = settings.current().boundaries_file
    return path if path.is_file() else None


def default_postcodes() -> PostcodeTable | None:
    """The table named by ``MAPPING_POSTCODE_TABLE``, else the fictional sample table."""
    path = settings.current().postcode_table
    return _cached_table(str(path), path.stat().st_mtime) if path.is_file() else None


@lru_cache(maxsize=2)
def _cached_table(path: str, mtime: float) -> PostcodeTable:
    return PostcodeTable.from_file(path)  # the same for every user: reference data only


def locate_places(places: pd.DataFrame, postcodes: PostcodeTable | None = None) -> pd.DataFrame:
    """Coordinates for each place: recorded lat/lon first, then eastings/northings, then the
    postcode (full, else its outward area). Adds ``lat``, ``lon`` and ``located_by``
    (``coordinates``, ``grid reference``, ``postcode``, ``postcode area`` or ``not located``).
    The input frame is not changed.
    """
    frame = places.copy()
    for column in ("lat", "lon"):
        values = frame[column] if column in frame else pd.Series(None, index=frame.index)
        frame[column] = pd.to_numeric(values, errors="coerce")
    frame["located_by"] = "coordinates"
    missing = frame["lat"].isna() | frame["lon"].isna()
    if {"easting", "northing"} <= set(frame.columns):
        east = pd.to_numeric(frame["easting"], errors="coerce")
        north = pd.to_numeric(frame["northing"], errors="coerce")
        grid = missing & east.notna() & north.notna()
        if grid.any():
            lat, lon = bng_to_wgs84(east[grid].to_numpy(), north[grid].to_numpy())
            frame.loc[grid, "lat"], frame.loc[grid, "lon"] = lat, lon
            frame.loc[grid, "located_by"] = "grid reference"
            missing &= ~grid
    frame.loc[missing, "located_by"] = "not located"
    if postcodes is not None and "postcode" in frame:
        for index in frame.index[missing]:
            code = normalise_postcode(frame.at[index, "postcode"])
            point = postcodes.locate(code)
            if point is not None:
                frame.loc[index, ["lat", "lon"]] = point
                frame.at[index, "located_by"] = (
                    "postcode" if code in postcodes.points else "postcode area"
                )
    return frame


def read_boundaries(
    source: str | Path | bytes | bytearray, name_column: str | None = None, filename: str = ""
) -> gpd.GeoDataFrame:
    """District boundaries from a GeoJSON, a zipped shapefile, a .shp or a GeoPackage.

    ``source`` is a path or the uploaded bytes (then ``filename`` gives the kind). Returns a
    GeoDataFrame in WGS84 with a ``district`` column (from ``name_column`` or the first of
    NAME_COLUMNS present) and the geometry; other columns are dropped.
    """
    if isinstance(source, (bytes, bytearray)):
        suffix = Path(filename).suffix.lower() or ".geojson"
        if suffix == ".zip":
            with tempfile.TemporaryDirectory() as folder:
                with zipfile.ZipFile(io.BytesIO(source)) as archive:
                    shapes = [n for n in archive.namelist() if n.lower().endswith(".shp")]
                    if not shapes:
                        raise ValueError("the zip file holds no .shp shapefile")
                    archive.extractall(
                        folder,
                        [
                            n
                            for n in archive.namelist()
                            if not n.startswith(("/", "..")) and ".." not in n
                        ],
                    )
                frame = gpd.read_file(Path(folder) / shapes[0])
        else:
            frame = gpd.read_file(io.BytesIO(bytes(source)))
    else:
        frame = gpd.read_file(source)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    frame = frame.to_crs("EPSG:4326")
    lowered = {str(c).lower(): c for c in frame.columns}
    column = name_column or next((lowered[n] for n in NAME_COLUMNS if n in lowered), None)
    if column is None or column not in frame.columns:
        raise ValueError(f"no district name column; give one of: {', '.join(frame.columns)}")
    out = gpd.GeoDataFrame(
        {"district": frame[column].astype(str)}, geometry=frame.geometry, crs="EPSG:4326"
    )
    return out[out.geometry.notna() & ~out.geometry.is_empty].reset_index(drop=True)


@dataclass
class DistrictJoin:
    """What the spatial join found: a district for each located place, and the exceptions.

    ``assigned`` place id -> district given by the boundaries (recorded district was blank);
    ``outside`` ids of located places inside no boundary (check the coordinates or the file);
    ``disagree`` place id -> (recorded, by boundary) where both exist and differ.
    """

    districts: dict[str, str | None]
    assigned: dict[str, str]
    outside: list[str]
    disagree: dict[str, tuple[str, str]]


def assign_districts(places: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> DistrictJoin:
    """Spatial join of located places (``entity_id``, ``lat``, ``lon``, ``district``) to
    district boundaries. A recorded district is kept; a blank one is filled from the
    boundary the place falls in. Places without coordinates are left as they are."""
    located = places.dropna(subset=["lat", "lon"])
    points = gpd.GeoDataFrame(
        {"entity_id": located["entity_id"].to_numpy()},
        geometry=[Point(x, y) for x, y in zip(located["lon"], located["lat"], strict=True)],
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, boundaries, how="left", predicate="within")
    found = joined.drop_duplicates("entity_id").set_index("entity_id")["district"]
    recorded = {
        r["entity_id"]: _blank_to_none(r.get("district")) for r in places.to_dict("records")
    }
    districts, assigned = dict(recorded), {}
    disagree: dict[str, tuple[str, str]] = {}
    for place, boundary_value in found.items():
        by_boundary = _blank_to_none(boundary_value)
        if by_boundary is None:
            continue
        mine = recorded.get(place)
        if mine is None:
            districts[place] = assigned[place] = by_boundary
        elif mine != by_boundary:
            disagree[place] = (mine, by_boundary)
    outside = sorted(p for p, d in found.items() if _blank_to_none(d) is None)
    return DistrictJoin(districts, assigned, outside, disagree)


def _blank_to_none(value: object) -> str | None:
    return (
        None
        if value is None
        or (isinstance(value, float) and pd.isna(value))
        or value is pd.NA
        or str(value).strip() == ""
        else str(value)
    )


def shown_coordinates(
    node: str, data: dict[str, Any], lat: float, lon: float, role: str
) -> tuple[float, float, bool]:
    """Where a place may be drawn for ``role``: (lat, lon, generalised).

    A home address (:meth:`~mapping.model.Model.is_private_place`) is rounded by
    :func:`~mapping.model.generalise_coordinate` (about 1 km) for every role whose
    ``sees_true_addresses`` is false, so the map shows its neighbourhood, never its street;
    other places, and every place for the police, stay where they are. The scoped graph has
    already done this to stored coordinates (``coordinates_generalised``); this applies the
    same rule to a point found later, from the postcode table.
    """
    generalised = data.get("coordinates_generalised")
    if generalised is None:  # not a scoped graph's node: decide from the model
        generalised = (
            MODEL.is_private_place(data.get("entity_type"), data.get("place_kind"), node)
            and not MODEL.role(role).sees_true_addresses
        )
    if not generalised:
        return lat, lon, False
    return generalise_coordinate(lat), generalise_coordinate(lon), True


def shown_area(
    lat: float, lon: float, generalised: bool, role: str
) -> tuple[float, float, float, float] | None:
    """The area a place is drawn as for ``role``: (south, west, north, east), or None when
    it is drawn as a point.

    A home address already generalised by :func:`shown_coordinates` is drawn as its grid
    cell (:func:`~mapping.model.generalised_cell`) for every role whose
    ``home_addresses_as_areas`` is true (partners), so no marker sits on a street; other
    roles keep the rounded point they have always had.
    """
    if not generalised or not MODEL.role(role).home_addresses_as_areas:
        return None
    return generalised_cell(lat, lon)


def area_ring(cell: tuple[float, float, float, float]) -> list[list[float]]:
    """A GeoJSON exterior ring ([lon, lat] pairs, closed) of a (south, west, north, east) cell."""
    south, west, north, east = cell
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]
