"""Clusters and overlap: where harm types meet, and the links behind each cluster."""

import streamlit as st

from mapping.model import MODEL
from mapping.render.markdown import md
from mapping.views import cluster_table, evidence_table
from pages.common import association_banner, scope_shared, scoped_and_clusters

st.title("Clusters and overlap")
scoped, clusters = scoped_and_clusters()
association_banner()
# The tables are the same for every viewer of the scope: built once per (version, scope) for
# every session (20-25 partners open this page in the same minute), not once per run.
st.dataframe(
    scope_shared(scoped, "cluster table", lambda: cluster_table(clusters)),
    hide_index=True,
    width="stretch",
)
evidence = scope_shared(
    scoped, "cluster evidence", lambda: [evidence_table(scoped, c.evidence) for c in clusters]
)
for cluster, links in zip(clusters, evidence, strict=True):
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
        st.dataframe(links, hide_index=True)
