"""Clusters and overlap: where harm types meet, and the links behind each cluster."""

import streamlit as st

from mapping.model import MODEL
from mapping.render.markdown import md
from mapping.views import cluster_table, evidence_table
from pages.common import association_banner, scoped_and_clusters

st.title("Clusters and overlap")
scoped, clusters = scoped_and_clusters()
association_banner()
st.dataframe(cluster_table(clusters), hide_index=True, width="stretch")
for cluster in clusters:
    title = f"{cluster.id}: {len(cluster.young_people)} young people" + (
        " · harms overlap" if cluster.overlap else ""
    )
    with st.expander(title):
        st.write(
            "Harm flags: "
            + (
                ", ".join(f"{MODEL.harms.label(h)}: {n}" for h, n in cluster.harms.items())
                or "none"
            )
        )
        st.write(f"Contexts: {md(', '.join(cluster.contexts)) or 'none'}")
        st.dataframe(evidence_table(scoped, cluster.evidence), hide_index=True)
