"""Places and online spaces on the map: districts shaded, places sized by flagged young
people, peer-group lines, a heat layer for the period chosen in the sidebar. Clicking a
place shows its evidence and selects it for the network explorer. Widgets and layout only;
the map is built by mapping.render.map from mapping.render.map_data."""

import hashlib

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapping import explorer as ex
from mapping import geo, settings
from mapping.export.options import options_from
from mapping.geo import boundaries_file
from mapping.render.evidence import evidence_html, heading_html
from mapping.render.map import LEGEND_CSS, build_map, legend_html
from mapping.render.map_data import (
    all_links_caption,
    build_map_data,
    clicked_place,
    context_rows,
    find_context,
    online_space_rows,
    outside_note,
)
from mapping.views import evidence_table
from pages.common import (
    association_banner,
    scope_notes,
    scoped_and_clusters,
    session_cached,
    shared_cached,
)
from pages.network_tools import current_window, time_bar
from pages.sign_in import event


def boundaries_upload():
    """The district boundaries in use: an uploaded file (this session only), else the
    configured or sample file. Returns (GeoDataFrame or None, cache key)."""
    with st.expander("District boundaries"):
        upload = st.file_uploader(
            "Boundaries file (GeoJSON, zipped shapefile, GeoPackage)",
            type=["geojson", "json", "zip", "gpkg"],
            key="map_bounds",
        )
        name_column = st.text_input(
            "Column holding the district name (blank: guess)", key="map_bounds_column"
        )
    if upload is not None:
        raw = upload.getvalue()
        key = ("upload", hashlib.sha256(raw).hexdigest(), name_column)
        try:
            return session_cached(
                ("bounds", *key),
                lambda: geo.read_boundaries(raw, name_column or None, filename=upload.name),
            ), key
        except Exception as problem:  # a bad file is reported, never a traceback
            st.error(f"Could not read the boundaries file: {type(problem).__name__}.")
    path = boundaries_file()
    if path is None:
        return None, ("none",)
    return session_cached(("bounds", str(path)), lambda: geo.read_boundaries(path)), (str(path),)


def place_panel(data, place: str) -> None:
    context = find_context(data, place)
    if context is None:
        st.info("Click a place on the map to see the evidence behind it.")
        return
    st.subheader("Selected place")  # data text goes only into tables, never markdown
    rows = [("Place", context.label), *context_rows(context)]
    st.table(pd.DataFrame(rows, columns=["Recorded", "Value"]).set_index("Recorded"))
    st.caption("The evidence behind it is under the map.")
    if st.button("Open in the network explorer", key="map_open_network", width="stretch"):
        st.session_state.update(ex_focus=place, ex_selected=place, ex_view=None, ex_extra=())
        st.switch_page("pages/network.py")


def evidence_section(data, place: str) -> None:
    context = find_context(data, place)
    if context is None:
        return
    links = ex.node_links(shown.graph, place)
    st.html(heading_html("Evidence: " + context.label))
    st.caption(all_links_caption(context, links))
    st.html(evidence_html(evidence_table(shown, links)))


st.title("Places and online spaces")
scoped, clusters = scoped_and_clusters()
association_banner()
boundaries, bounds_key = boundaries_upload()
window = current_window(scoped, "map")
# the time bar narrows what the map draws: the scope with only the links seen in its months
shown = (
    scoped
    if window is None
    else session_cached(
        ("map_window", scoped.version, scoped.scope, window),
        lambda: ex.window_scoped(scoped, *window),
    )
)
data = shared_cached(
    ("map", scoped.version, scoped.scope, bounds_key, window),
    lambda: build_map_data(
        shown, clusters, postcodes=geo.default_postcodes(), boundaries=boundaries
    ),
)
canvas, panel = st.columns([7, 3])
with canvas:
    st.caption(
        f"{len(data.places)} places drawn · {len(data.online_spaces)} online spaces "
        "listed below · the heat layer counts links in the period chosen in the sidebar"
        " · no map tiles are loaded unless your organisation configures a tile server."
        + (" · " + ex.time_bar_note(window, len(shown.links), len(scoped.links)) if window else "")
    )
    returned = st_folium(
        build_map(data, boundaries, legend=False, tiles=options_from(settings.current()).tiles),
        key="place_map",
        height=560,
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_object_clicked"],
    )
    time_bar(scoped, "map", on_change=None)
place = clicked_place(data, returned)
if place and place != st.session_state.get("selected_node"):
    st.session_state["selected_node"] = place  # the network explorer can open it
    event("view", {"entities": [place], "from": "map"}, version=scoped.version)
with panel:
    place_panel(data, st.session_state.get("selected_node"))
    with st.expander("Legend", expanded=True):
        st.html(LEGEND_CSS + '<div class="cs-legend">' + legend_html(data) + "</div>")
scope_notes(scoped)
evidence_section(data, st.session_state.get("selected_node"))
st.subheader("Online spaces (no location)")
st.dataframe(online_space_rows(data).drop(columns="id"), hide_index=True, width="stretch")
if data.not_located:
    st.warning("Some places have no coordinates and no known postcode:")
    st.dataframe(pd.DataFrame({"place": [p.label for p in data.not_located]}), hide_index=True)
if data.outside:
    st.warning(outside_note(data))
    st.dataframe(pd.DataFrame({"place id": data.outside}), hide_index=True)
if data.assigned:
    st.caption(f"{len(data.assigned)} place(s) given a district from the boundaries.")
