"""The network: everyone and everywhere in scope, coloured by type, harm flags visible."""

import streamlit as st
import streamlit.components.v1 as components

from mapping.render.network import layout, network_html
from mapping.views import cluster_table
from pages.common import association_banner, scoped_and_clusters, session_cached

st.title("Network map")
scoped, clusters = scoped_and_clusters()
association_banner()
graph = scoped.graph
st.write(f"Dataset version {scoped.version}: {graph.number_of_nodes()} entities, "
         f"{len(scoped.links)} links in scope.")
positions = session_cached(("layout", scoped.version, scoped.scope), lambda: layout(graph))
components.html(network_html(graph, positions=positions, height=620), height=720,
                scrolling=False)
st.subheader("Clusters")
st.dataframe(cluster_table(clusters), hide_index=True, width="stretch")
