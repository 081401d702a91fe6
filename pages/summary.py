"""Strategic summary for the partnership board: counts by district and harm over time, small
numbers suppressed (counts 1 to 4 shown as <5; see mapping/summary.py and docs/meeting.md)."""

import streamlit as st

from mapping.model import MODEL
from mapping.summary import suppressed_table, trend, young_people_by_period
from pages.common import scoped_and_clusters, session_cached

st.title("Strategic summary")
st.caption(
    "Young people carrying each harm flag with a link seen in the period. Counts of 1 "
    "to 4 are shown as <5; a row total beside a suppressed cell is rounded to the "
    "nearest 5 (~) so the hidden count cannot be worked out. Safe to leave the meeting."
)
scoped, _clusters = scoped_and_clusters()
freq = st.radio(
    "Periods",
    ["Q", "M"],
    horizontal=True,
    key="s_freq",
    format_func={"Q": "Quarters", "M": "Months"}.get,
)
counts = session_cached(
    ("summary", scoped.version, scoped.scope, freq), lambda: young_people_by_period(scoped, freq)
)
if counts.empty:
    st.info("No young people with harm flags in this scope.")
    st.stop()
periods = sorted(counts["period"].unique())
period = st.selectbox("Period for the table", list(reversed(periods)), key="s_period")
st.dataframe(suppressed_table(counts, period=period), hide_index=True, key="s_table")
st.subheader("Harm flags across all districts (suppressed points left out)")
st.line_chart(trend(counts).rename(columns=MODEL.harms.label))  # labels, not keys
