"""Streamlit entry point: configuration, workspace (demo or signed in) and navigation only.

Run with ``streamlit run app.py`` (README). Pages live in ``pages/`` and call ``mapping/``.
"""

import streamlit as st

from pages.common import start_session

# An emoji favicon is drawn locally; a :material: one is fetched from fonts.gstatic.com.
st.set_page_config(page_title="Contextual safeguarding network map", page_icon="🕸️",
                   layout="wide")
start_session()
navigation = st.navigation([
    st.Page("pages/network.py", title="Network", icon=":material/hub:", default=True),
    st.Page("pages/clusters.py", title="Clusters and overlap", icon=":material/workspaces:"),
    st.Page("pages/import.py", title="Import data", icon=":material/upload_file:"),
])
navigation.run()
