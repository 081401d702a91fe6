"""Connectors: adults and contexts that link young people of different clusters or many young
people, ranked, filtered and capped, each with its evidence one click away."""

import streamlit as st

from mapping.analysis.clusters import membership
from mapping.analysis.connectors import find_connectors
from mapping.ranked import connector_list, kind_label
from pages.common import association_banner, scope_notes, scoped_and_clusters, session_cached
from pages.ranked_common import item_evidence, ranked_table

SIDES = {
    None: "Adults and contexts",
    "who": "Adults (who)",
    "what": "Places, online spaces, groups (what)",
}

st.title("Connectors")
scoped, clusters = scoped_and_clusters()
association_banner()
st.caption(
    "A connector links young people who are otherwise apart (it bridges clusters) or links "
    "to many young people: a candidate for disruption, or for support when protective. "
    "Ranked by clusters bridged, then young people linked, then betweenness."
)
scope_notes(scoped)
connectors = session_cached(
    ("connectors", scoped.version, scoped.scope),
    lambda: find_connectors(scoped, membership(clusters), limit=None),
)
side_col, kind_col, district_col = st.columns(3)
side = side_col.selectbox("Who or what", list(SIDES), format_func=SIDES.get, key="cn_side")
kinds = sorted({c["kind"] for c in connectors})
kind = kind_col.selectbox(
    "Role or kind",
    [None, *kinds],
    format_func=lambda k: kind_label(k) if k else "Any",
    key="cn_kind",
)
districts = sorted({c["district"] for c in connectors if c.get("district")})
district = district_col.selectbox(
    "District", [None, *districts], format_func=lambda d: d or "Any", key="cn_district"
)
ranked = connector_list(scoped, connectors, side=side, kind=kind, district=district)
node = ranked_table(ranked, "cn_table", "connector")
chosen = next((c for c in connectors if c["id"] == node), None)
if chosen:
    item_evidence(scoped, node, chosen["evidence"], "connectors")
