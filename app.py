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
sidebar_account(who)
navigation = st.navigation(
    [
        st.Page("pages/network.py", title="Network", icon=":material/hub:", default=True),
        st.Page("pages/clusters.py", title="Clusters and overlap", icon=":material/workspaces:"),
        st.Page("pages/hotspots.py", title="Hotspots", icon=":material/local_fire_department:"),
        st.Page("pages/connectors.py", title="Connectors", icon=":material/share:"),
        st.Page("pages/map.py", title="Map of places", icon=":material/map:"),
        st.Page("pages/meeting.py", title="MACE meeting", icon=":material/groups:"),
        st.Page("pages/summary.py", title="Strategic summary", icon=":material/bar_chart:"),
        st.Page(
            "pages/import.py",
            title="Import data",
            icon=":material/upload_file:",
            # Left out of the menu for roles that may not import; opened by URL it refuses
            # and the refusal is audited (pages/import.py).
            visibility="visible" if permissions.allowed(who.role, "import") else "hidden",
        ),
        *admin_pages(),
    ]
)
navigation.run()
