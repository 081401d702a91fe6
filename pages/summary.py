"""Strategic summary for the partnership board: counts by district and harm over time, small
numbers suppressed by one routine (mapping.summary.summarise) for the table and the chart."""

import altair as alt
import streamlit as st

from mapping.summary import (
    SUPPRESSION_NOTE,
    harm_colours,
    summarise,
    suppressed_table,
    trend,
    young_people_by_period,
)
from pages.common import scoped_and_clusters, session_cached

st.title("Strategic summary")
st.caption(
    "Young people carrying each harm flag with a link seen in the period. " + SUPPRESSION_NOTE
)
scoped, _clusters = scoped_and_clusters()
freq = st.radio(
    "Periods",
    ["Q", "M"],
    horizontal=True,
    key="s_freq",
    format_func={"Q": "Quarters", "M": "Months"}.get,
)
summary = session_cached(
    ("summary", scoped.version, scoped.scope, freq),
    lambda: summarise(young_people_by_period(scoped, freq)),
)
if summary.empty:
    st.info("No young people with harm flags in this scope.")
    st.stop()
periods = sorted(summary["period"].unique())
period = st.selectbox("Period for the table", list(reversed(periods)), key="s_period")
st.dataframe(suppressed_table(summary, period=period), hide_index=True, key="s_table")
st.subheader("Harm flags across all districts")
st.caption(
    "A point that includes a <5 is drawn as the range it may lie in (a bar), never as an "
    "exact figure; the tooltip shows what the table shows."
)
points = trend(summary)
harms = harm_colours()  # the model's colour for each harm, in the model's order
base = alt.Chart(points).encode(
    x=alt.X("period:N", title="Period"),
    xOffset=alt.XOffset("harm:N", sort=list(harms)),  # each harm beside the others
    color=alt.Color(
        "harm:N", title="Harm", scale=alt.Scale(domain=list(harms), range=list(harms.values()))
    ),
    tooltip=[alt.Tooltip("period:N"), alt.Tooltip("harm:N"), alt.Tooltip("shown:N", title="shown")],
)
chart = base.mark_rule(strokeWidth=8, opacity=0.6).encode(
    y=alt.Y("low:Q", title="Young people (harm flags)"), y2="high:Q"
) + base.mark_point(size=90, filled=True).encode(y="low:Q").transform_filter(
    "datum.low == datum.high"
)
st.altair_chart(chart, key="s_chart")
