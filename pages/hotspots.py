"""Hotspots: places and online spaces linked to several young people with harm flags, ranked,
filtered and capped, each with its evidence one click away. Logic is in mapping.ranked."""

import streamlit as st

from mapping.analysis.clusters import membership
from mapping.analysis.hotspots import find_hotspots
from mapping.model import MODEL
from mapping.ranked import hotspot_list, kind_label
from pages.common import association_banner, scope_notes, scoped_and_clusters, session_cached
from pages.ranked_common import item_evidence, ranked_table

st.title("Hotspots")
scoped, clusters = scoped_and_clusters()
association_banner()
st.caption(
    "A hotspot is a place or online space linked to several young people who carry harm "
    "flags: a context to assess and change. Ranked by harm types that meet there, then by "
    "young people with a harm flag."
)
scope_notes(scoped)
hotspots = session_cached(
    ("hotspots", scoped.version, scoped.scope),
    lambda: find_hotspots(scoped, membership=membership(clusters)),
)
harm_col, district_col, kind_col = st.columns(3)
harm = harm_col.selectbox(
    "Harm flag",
    [None, *MODEL.harms.keys()],
    format_func=lambda h: MODEL.harms.label(h) if h else "Any",
    key="hs_harm",
)
districts = sorted({h["district"] for h in hotspots if h.get("district")})
district = district_col.selectbox(
    "District", [None, *districts], format_func=lambda d: d or "Any", key="hs_district"
)
kinds = sorted({h["kind"] for h in hotspots})
kind = kind_col.selectbox(
    "Kind of place",
    [None, *kinds],
    format_func=lambda k: kind_label(k) if k else "Any",
    key="hs_kind",
)
ranked = hotspot_list(scoped, hotspots, harm=harm, district=district, kind=kind)
node = ranked_table(ranked, "hs_table", "hotspot")
chosen = next((h for h in hotspots if h["id"] == node), None)
if chosen:
    item_evidence(scoped, node, chosen["evidence"], "hotspots")
