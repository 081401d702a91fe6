"""Analyses of a scoped graph: pure functions from a ScopedGraph (and settings) to plain data.

Each module is one family (clusters, overlap, hotspots, connectors...). None of them reads a
file, touches Streamlit or sees a raw identifier; every highlight carries its evidence (link
ids) so the pages and exports can show what lies behind it.
"""
