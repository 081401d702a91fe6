"""Streamlit entry point: configuration, workspace (demo or signed in) and navigation only.

Run with ``streamlit run app.py`` (README). Pages live in ``pages/`` and call ``mapping/``.
"""

import streamlit as st

from mapping import permissions
from pages.common import start_session
from pages.sign_in import (
    admin_pages,
    daily_checks,
    identity,
    sidebar_account,
    sign_in_page,
)

# An emoji favicon is drawn locally; a :material: one is fetched from fonts.gstatic.com.
st.set_page_config(page_title="Contextual safeguarding network map", page_icon="🕸️", layout="wide")
start_session()
who = identity()  # demo, or the signed-in user; the role only ever comes from here
if who is None:  # nothing but the sign-in form until signed in (pages/ is never listed)
    st.navigation([st.Page(sign_in_page, title="Sign in")], position="hidden").run()
    st.stop()
daily_checks()
may_import = permissions.allowed(who.role, "import")
# (page, listed in the sidebar): a page left out is still registered, so opened by URL it
# refuses and the refusal is audited (pages/import.py).
pages = [
    (st.Page("pages/network.py", title="Network", icon=":material/hub:", default=True), True),
    (
        st.Page("pages/clusters.py", title="Clusters and overlap", icon=":material/workspaces:"),
        True,
    ),
    (st.Page("pages/hotspots.py", title="Hotspots", icon=":material/local_fire_department:"), True),
    (st.Page("pages/connectors.py", title="Connectors", icon=":material/share:"), True),
    (st.Page("pages/map.py", title="Map of places", icon=":material/map:"), True),
    (st.Page("pages/meeting.py", title="MACE meeting", icon=":material/groups:"), True),
    (st.Page("pages/summary.py", title="Strategic summary", icon=":material/bar_chart:"), True),
    (
        st.Page(
            "pages/import.py",
            title="Import data",
            icon=":material/upload_file:",
            visibility="visible" if may_import else "hidden",
        ),
        may_import,
    ),
    *((page, True) for page in admin_pages()),
]
# Our own menu, not Streamlit's: .streamlit/config.toml turns Streamlit's sidebar navigation
# off, because on a fresh server's first request it lists every file of pages/ (helpers
# included) for seconds before this script's st.navigation replaces it.
navigation = st.navigation([page for page, _listed in pages], position="hidden")
with st.sidebar.container(key="menu"):
    for page, listed in pages:
        if listed:
            st.page_link(page)
    st.divider()  # where Streamlit's menu drew its separator
sidebar_account(who)
navigation.run()
