"""Draw the map data as an offline folium (Leaflet) map: in the app and as standalone HTML.

Offline by construction: folium's CDN links are replaced by the Leaflet 1.9.4 and
leaflet.heat 0.2.0 files vendored in ``mapping/static/vendor/`` (with their licences),
embedded as ``data:`` URLs so the same map works inside st_folium and as a single file. No
tile layer is drawn unless ``MAPPING_TILE_URL`` names an organisation's tile server.

Safe text: every label reaches the browser as HTML-escaped text inside JSON (``<``, ``>``,
``&``, ``$`` and backticks escaped), and our layer script hands it to Leaflet as popup and
tooltip content. No data ever sits in a JavaScript template literal, so ``${...}`` in a
place name stays text. Folium's own Popup/Tooltip/GeoJson classes are not used for data.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from folium.plugins import HeatMap
from folium.template import Template

from mapping.model import AREA_NOT_ADDRESS, ASSOCIATION_NOTICE, MARKING, MODEL
from mapping.render.map_data import (
    YOUNG_PEOPLE_LINKS,
    ContextOnMap,
    MapData,
    harm_text,
    kind_label,
    lat_lon,
)
from mapping.render.network import safe_json

if TYPE_CHECKING:  # geopandas only names the boundaries' type here
    import geopandas as gpd

#: One item our layer script draws (a district, a line or a place), JSON-ready.
MapItem = dict[str, Any]

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
NO_DATA_COLOUR = "#8a8a8a"
#: Light-to-dark blues for districts by young people with harm flags (ColorBrewer Blues).
DISTRICT_SHADES = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MAX_EVIDENCE_IN_POPUP = 4


def text(value: object) -> str:
    """HTML-escape data text, and ``$`` and backticks too, so it can never open a template
    literal or markup wherever it is rendered."""
    return html.escape(str(value), quote=True).replace("$", "&#36;").replace("`", "&#96;")


def _data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@lru_cache(maxsize=1)
def vendored_assets() -> dict[str, str]:
    """``data:`` URLs of the vendored Leaflet JS/CSS (images inlined) and leaflet.heat."""
    leaflet = VENDOR / "leaflet"
    css = (leaflet / "leaflet.css").read_text(encoding="utf-8")
    for image in sorted((leaflet / "images").glob("*.png")):
        css = css.replace(
            f"url(images/{image.name})", f"url({_data_url(image.read_bytes(), 'image/png')})"
        )
    return {
        "leaflet_js": _data_url((leaflet / "leaflet.js").read_bytes(), "text/javascript"),
        "leaflet_css": _data_url(css.encode("utf-8"), "text/css"),
        "heat_js": _data_url(
            (VENDOR / "leaflet.heat" / "leaflet-heat.js").read_bytes(), "text/javascript"
        ),
    }


LAYER_SCRIPT = """
{% macro script(this, kwargs) %}
(function () {
  var layer = {{ this._parent.get_name() }};
  var items = {{ this.payload }};
  items.forEach(function (item) {
    var drawn;
    if (item.shape === "district") {
      drawn = L.geoJSON(item.geometry, {style: item.style});
    } else if (item.shape === "line") {
      drawn = L.polyline(item.points, item.style);
    } else if (item.shape === "area") {
      drawn = L.rectangle(item.bounds, item.style);
      drawn.feature = {type: "Feature", properties: {place_id: item.id}};
    } else {
      drawn = L.circleMarker(item.point, item.style);
      drawn.feature = {type: "Feature", properties: {place_id: item.id}};
    }
    if (item.popup) { drawn.bindPopup(item.popup, {maxWidth: 300, autoPanPaddingTopLeft: [10, 10]}); }
    if (item.tooltip) { drawn.bindTooltip(item.tooltip, {sticky: item.shape !== "place" && item.shape !== "area"}); }
    drawn.addTo(layer);
  });
})();
{% endmacro %}
"""


class DataLayer(MacroElement):
    """Our items (districts, places, lines) as JSON, drawn by one fixed script."""

    _template = Template(LAYER_SCRIPT)

    def __init__(self, items: list[MapItem]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
        self._name = "DataLayer"
        self.payload = safe_json(items)


class Legend(MacroElement):
    """A legend control; its HTML is built here from the model's labels, all escaped."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "cs-legend");
    div.innerHTML = {{ this.payload }};
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
""")

    def __init__(self, legend_html: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
        self._name = "Legend"
        self.payload = safe_json(legend_html)


class PlainCredit(MacroElement):
    """Leaflet's attribution prefix (a link to leafletjs.com) as plain text: no link out."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var credit = {{ this._parent.get_name() }}.attributionControl;
  if (credit) { credit.setPrefix("Leaflet (BSD-2-Clause)"); }
})();
{% endmacro %}
""")


def _harm_colour(context: ContextOnMap) -> str:
    if not context.harms:
        return NO_DATA_COLOUR
    top = max(context.harms, key=lambda h: (context.harms[h], -list(MODEL.harms.keys()).index(h)))
    return MODEL.harms[top].colour or NO_DATA_COLOUR


def place_radius(flagged: int) -> float:
    """Marker radius in pixels: grows with the square root of flagged young people."""
    root: float = flagged**0.5
    return round(5 + 4 * root, 1)


def place_popup(context: ContextOnMap) -> str:
    rows: list[tuple[str, object]] = [
        ("Kind", kind_label(context.kind)),
        ("District", context.district or "not recorded"),
        ("Young people with harm flags", context.flagged_young_people),
        ("Young people linked", context.young_people),
        ("Harm flags", harm_text(context.harms) or "none"),
        ("Harm types overlap", "yes" if context.overlap else "no"),
        ("Clusters", ", ".join(context.clusters) or "none"),
        (
            "Located by",
            context.located_by
            + (
                f" (shown as its ~1 km grid cell: {AREA_NOT_ADDRESS})"
                if context.area is not None
                else " (shown on a ~1 km grid: home address)"
                if context.generalised
                else ""
            ),
        ),
    ]
    evidence = context.evidence[:MAX_EVIDENCE_IN_POPUP]
    more = len(context.evidence) - len(evidence)
    rows.append(
        (
            YOUNG_PEOPLE_LINKS,
            f"{len(context.evidence)}: "
            + ", ".join(evidence)
            + (f" and {more} more" if more > 0 else ""),
        )
    )
    body = "".join(f"<tr><th>{text(k)}</th><td>{text(v)}</td></tr>" for k, v in rows)
    return f'<div class="cs-popup"><b>{text(context.label)}</b><table>{body}</table></div>'


def area_item(place: ContextOnMap) -> MapItem:
    """A home address drawn as its grid cell (a partner's map): a rectangle, no marker."""
    assert place.area is not None, "only a place with an area is drawn as one"
    south, west, north, east = place.area
    return {
        "shape": "area",
        "id": place.id,
        "bounds": [[south, west], [north, east]],
        "style": {
            "weight": 3 if place.overlap else 1.5,
            "color": "#222222" if place.overlap else "#555555",
            "dashArray": "4 3",
            "fillColor": _harm_colour(place),
            "fillOpacity": 0.35,
            "className": "cs-area",
        },
        "popup": place_popup(place),
        "tooltip": f"{text(place.label)} · {place.flagged_young_people} flagged · "
        f"{text(AREA_NOT_ADDRESS)}",
    }


def place_items(data: MapData) -> list[MapItem]:
    ordered = sorted(data.places, key=lambda p: (-p.flagged_young_people, p.id))[::-1]
    return [
        area_item(p)
        if p.area is not None
        else {
            "shape": "place",
            "id": p.id,
            "point": [p.lat, p.lon],
            "style": {
                "radius": place_radius(p.flagged_young_people),
                "weight": 3 if p.overlap else 1,
                "color": "#222222" if p.overlap else "#ffffff",
                "fillColor": _harm_colour(p),
                "fillOpacity": 0.85,
                "className": "cs-place",
            },
            "popup": place_popup(p),
            "tooltip": f"{text(p.label)} · {p.flagged_young_people} flagged",
        }
        for p in ordered
    ]


def district_shade(count: int, highest: int) -> str:
    if count <= 0 or highest <= 0:
        return DISTRICT_SHADES[0]
    step = min(len(DISTRICT_SHADES) - 1, 1 + int((len(DISTRICT_SHADES) - 2) * count / highest))
    return DISTRICT_SHADES[step]


def district_items(data: MapData, boundaries: gpd.GeoDataFrame | None) -> list[MapItem]:
    if boundaries is None:
        return []
    highest = max((c["flagged_young_people"] for c in data.districts.values()), default=0)
    items: list[MapItem] = []
    for row in boundaries.itertuples(index=False):
        counts = data.districts.get(row.district, {})
        flagged = counts.get("flagged_young_people", 0)
        summary = (
            f"<b>{text(row.district)}</b><br>{flagged} young people with harm flags"
            f"<br>{counts.get('young_people', 0)} young people in scope"
            f"<br>{counts.get('places', 0)} places"
        )
        items.append(
            {
                "shape": "district",
                "geometry": row.geometry.__geo_interface__,
                "style": {
                    "color": "#4d4d4d",
                    "weight": 1.5,
                    "fillColor": district_shade(flagged, highest),
                    "fillOpacity": 0.55,
                    "className": "cs-district",
                },
                "popup": summary,
                "tooltip": summary,
            }
        )
    return items


def line_items(data: MapData) -> list[MapItem]:
    return [
        {
            "shape": "line",
            "points": line["points"],
            "style": {
                "color": "#333333" if line["overlap"] else "#777777",  # greys: no harm colour
                "weight": 3,
                "opacity": 0.8,
                "dashArray": None if line["overlap"] else "6 6",
                "className": "cs-line",
            },
            "popup": text(
                f"Cluster {line['cluster']}: {line['young_people']} of its young "
                f"people use these two places · {len(line['evidence'])} links"
            ),
            "tooltip": text(f"Cluster {line['cluster']}"),
        }
        for line in data.peer_lines
    ]


def legend_html(data: MapData) -> str:
    harms = "".join(
        f'<li><span class="cs-sw" style="background:{t.colour}"></span>{text(t.label)}</li>'
        for t in MODEL.harms
    )
    return (
        f"<b>{text(MARKING)}</b><ul>{harms}<li><span class='cs-sw' style='background:"
        f"{NO_DATA_COLOUR}'></span>No harm flags linked</li></ul>"
        "<div>Size: young people with harm flags linked. Dark ring: harm types overlap."
        "</div><div>Lines: places one cluster's young people share (solid dark grey: an "
        "overlap cluster).</div><div>Districts: darker = more young people with harm "
        "flags.</div>"
        + (
            "<div>Home addresses drawn as ~1 km grid cells (dashed squares): "
            f"{text(AREA_NOT_ADDRESS)}.</div>"
            if any(p.area is not None for p in data.places)
            else "<div>Home addresses shown on a ~1 km grid.</div>"
            if not MODEL.role(data.role).sees_true_addresses
            else ""
        )
    )


STYLE = (
    "<style>.folium-map.leaflet-container{background:#f4f6f8;font:13px/1.35 system-ui,sans-serif}"
    ".cs-legend{background:#fff;padding:5px 8px;border:1px solid #999;max-width:215px;"
    "font-size:11px;line-height:1.3}.cs-popup{font-size:12px;line-height:1.3}.cs-legend ul{list-style:none;margin:3px 0;padding:0}.cs-sw{display:"
    "inline-block;width:11px;height:11px;margin-right:5px;border-radius:50%}.cs-popup "
    "th{text-align:left;padding-right:8px;font-weight:600;vertical-align:top}"
    ".leaflet-heatmap-layer{pointer-events:none}</style>"
)


#: The legend's styles where it is shown outside the map (the app's side panel).
LEGEND_CSS = (
    "<style>.cs-legend ul{list-style:none;margin:3px 0;padding:0}.cs-sw{display:inline-block;"
    "width:11px;height:11px;margin-right:5px;border-radius:50%}.cs-legend{font-size:13px;"
    "line-height:1.35}</style>"
)


def build_map(
    data: MapData,
    boundaries: gpd.GeoDataFrame | None = None,
    *,
    height: str = "100%",
    collapsed_layers: bool = True,
    legend: bool = True,
    tiles: tuple[str, str] | None = None,
) -> folium.Map:
    """A folium map of ``data``: districts shaded, peer-group lines, places, heat, legend.

    Only vendored assets are referenced; tiles only when ``tiles`` (URL, attribution) is
    given: ``ExportOptions.tiles``, from ``MAPPING_TILE_URL``.
    """
    extent = map_extent(data, boundaries)
    boundaries = boundaries_near(boundaries, extent)
    fmap = folium.Map(
        location=_centre(extent or []),
        zoom_start=9,
        tiles=None,
        height=height,
        control_scale=True,
        zoom_snap=0.25,
    )
    assets = vendored_assets()
    fmap.default_js = [("leaflet", assets["leaflet_js"])]
    fmap.default_css = [("leaflet_css", assets["leaflet_css"])]
    root = cast(Figure, fmap.get_root())  # a folium Map's root is a branca Figure
    root.header.add_child(Element(STYLE), name="cs_style")
    if tiles:
        url, attribution = tiles
        folium.TileLayer(url, attr=text(attribution), name="Tiles").add_to(fmap)
    for name, items in (
        ("Districts (young people with harm flags)", district_items(data, boundaries)),
        ("Peer-group lines (clusters)", line_items(data)),
        ("Places (size: young people with harm flags)", place_items(data)),
    ):
        group = folium.FeatureGroup(name=name)
        DataLayer(items).add_to(group)
        group.add_to(fmap)
    if data.heat:
        heat = HeatMap(
            data.heat,
            name="Hotspots over the period (heat)",
            radius=28,
            blur=20,
            min_opacity=0.25,
            show=False,
        )  # type: ignore[no-untyped-call]  # folium's HeatMap.__init__ is unannotated
        heat.default_js = [("leaflet-heat.js", assets["heat_js"])]
        heat.add_to(fmap)
    PlainCredit().add_to(fmap)  # type: ignore[no-untyped-call]  # branca's MacroElement.__init__ is unannotated
    if legend:
        Legend(legend_html(data)).add_to(fmap)
    folium.LayerControl(collapsed=collapsed_layers).add_to(fmap)
    if extent and extent[0] != extent[1]:
        fmap.fit_bounds(extent, padding=(24, 24))
    return fmap


def map_extent(
    data: MapData, boundaries: gpd.GeoDataFrame | None = None
) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the located places: the map frames the data, not
    the boundaries file (a national file would shrink one borough to a dot). Without any
    located place, the boundaries' own extent; None when there is neither."""
    points = [lat_lon(p) for p in data.places]
    if points:
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]
    if boundaries is not None and len(boundaries):
        west, south, east, north = (float(v) for v in boundaries.total_bounds)
        return [[south, west], [north, east]]
    return None


def boundaries_near(
    boundaries: gpd.GeoDataFrame | None, extent: list[list[float]] | None, margin: float = 0.5
) -> gpd.GeoDataFrame | None:
    """The boundaries that reach within ``margin`` of the data's extent (its height and
    width): a file of every district in England is cut to the area the map shows."""
    if boundaries is None or not len(boundaries) or extent is None:
        return boundaries
    (south, west), (north, east) = extent
    pad_lat = max((north - south) * margin, 0.01)
    pad_lon = max((east - west) * margin, 0.01)
    return boundaries.cx[west - pad_lon : east + pad_lon, south - pad_lat : north + pad_lat]


def _centre(points: list[list[float]]) -> list[float]:
    if not points:
        return [52.5, -1.5]  # England, when nothing is located
    return [sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)]


def side_panel_html(data: MapData, meta: str) -> str:
    """Marking, scope, online spaces (no location) and places not on the map, escaped."""
    rows = "".join(
        f"<tr><td>{text(s.label)}</td><td>{s.flagged_young_people}</td>"
        f"<td>{s.young_people}</td><td>{text(harm_text(s.harms))}</td>"
        f"<td>{text(', '.join(s.clusters))}</td><td>{len(s.evidence)}</td></tr>"
        for s in sorted(data.online_spaces, key=lambda s: (-s.flagged_young_people, s.label))
    )
    unplaced = ", ".join(text(p.label) for p in data.not_located) or "none"
    outside = ", ".join(text(p) for p in data.outside) or "none"
    return (
        f'<div class="cs-side"><p><b>{text(MARKING)}</b> · {text(meta)}</p>'
        f'<div class="cs-legend">{legend_html(data)}</div>'
        f"<p>{text(ASSOCIATION_NOTICE)}</p><h3>Online spaces (no location)"
        "</h3><table><tr><th>Online space</th><th>Young people with harm flags</th><th>"
        "Young people linked</th><th>Harm flags</th><th>Clusters</th><th>Links to young people"
        "</th></tr>"
        f"{rows}</table><p>Places not located: {unplaced}</p><p>Places outside every "
        f"district boundary: {outside}</p></div>"
    )


def map_html(
    data: MapData,
    boundaries: gpd.GeoDataFrame | None = None,
    *,
    meta: str = "",
    tiles: tuple[str, str] | None = None,
) -> str:
    """The standalone offline map page: marking, map, then the online spaces list."""
    fmap = build_map(
        data, boundaries, height="72vh", collapsed_layers=False, legend=False, tiles=tiles
    )
    figure = cast(Figure, fmap.get_root())  # a folium Map's root is a branca Figure
    figure.header.add_child(
        Element(
            "<title>Contextual safeguarding map</title><style>.cs-side{font:14px system-ui,"
            "sans-serif;margin:8px}.cs-side td,.cs-side th{border:1px solid #ccc;padding:2px 6px}"
            ".cs-side table{border-collapse:collapse}</style>"
        ),
        name="cs_page",
    )
    page = figure.render()
    cut = page.rfind("</body>")  # the list goes under the map, which folium adds last
    return page[:cut] + side_panel_html(data, meta) + page[cut:]


def write_map(
    data: MapData,
    boundaries: gpd.GeoDataFrame | None,
    out: Path,
    metadata: Mapping[str, Any],
    tiles: tuple[str, str] | None = None,
) -> None:
    """``export --format map``: the standalone offline map of ``data`` (computed by the
    caller, ``export.run.prepare``) as one HTML file."""
    meta = (
        f"Dataset version {metadata.get('dataset_version')} · exported "
        f"{metadata.get('exported_at')} · role {metadata.get('role')} · filters "
        f"{metadata.get('filters')}"
        + (f" · {metadata['uniqueness_check']}" if metadata.get("uniqueness_check") else "")
    )
    out.write_text(map_html(data, boundaries, meta=meta, tiles=tiles), encoding="utf-8")
