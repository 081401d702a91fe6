"""MACE meeting: set up, step through the agenda (presentation view), record actions, make
the pack. Widgets and layout only; everything is computed in mapping.meeting and
mapping.export.pack."""

import time
from datetime import date, timedelta

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from mapping import meeting as mt
from mapping.export.pack import meeting_graph
from mapping.export.pack_files import make_pack
from mapping.export.pack_images import map_png
from mapping.model import MODEL
from mapping.render.network import MARKING, network_html
from pages.common import session_cached, store
from pages.sign_in import current_role, event

#: Our own constant CSS (no data in it): hide the sidebar and header, large type. A metric's
#: value is a markdown paragraph inside stMetricValue, so the rule must reach that <p>.
PRESENTATION_CSS = """<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"] {display: none;}
div[data-testid="stMainBlockContainer"] {max-width: 100%; padding-top: 1rem;}
div[data-testid="stMarkdownContainer"] p, div[data-testid="stMarkdownContainer"] li {font-size: 1.5rem;}
div[data-testid="stMetricValue"] div[data-testid="stMarkdownContainer"] p {font-size: 3.5rem; line-height: 1.15;}
</style>"""


def period_to_meeting() -> None:
    """A new meeting date moves the period to the year before it (the widget keeps its own
    value otherwise, and would end on the day the page was opened)."""
    day = st.session_state.get("m_day")
    if day:
        st.session_state.m_period = (day - timedelta(days=mt.DEFAULT_PERIOD_DAYS), day)


def table(where, rows: list[dict], drop: list[str], key: str | None = None) -> None:
    """Rows as a table, or one line saying there are none (not a bare empty table)."""
    if rows:
        where.dataframe(
            pd.DataFrame(rows).drop(columns=drop, errors="ignore"), hide_index=True, key=key
        )
    else:
        where.caption(mt.EMPTY_NOTE)


role = current_role()
st.title("MACE meeting")
st.caption(mt.agenda_role_note(role))
meetings = mt.list_meetings(store())
with st.expander("Set up the meeting", expanded="m_meeting" not in st.session_state):
    day = st.date_input(
        "Meeting date",
        value=date.today(),
        key="m_day",
        format="DD/MM/YYYY",
        on_change=period_to_meeting,
    )
    period = st.date_input(
        "Period (links seen)",
        key="m_period",
        format="DD/MM/YYYY",
        value=(day - timedelta(days=365), day),
    )
    start, end = (tuple(period) + (day, day))[:2]  # half-picked range: end at the meeting
    earlier = {m["id"]: m for m in meetings if m["meeting_date"] < day.isoformat()}
    previous = st.selectbox(
        "Previous meeting",
        [None, *reversed(list(earlier))],
        key="m_prev",
        format_func=lambda i: (
            "none"
            if i is None
            else f"{earlier[i]['meeting_date']} (dataset version {earlier[i]['dataset_version']})"
        ),
    )
    versions = store().versions()["id"].tolist()
    version = st.selectbox("Dataset version", list(reversed(versions)), key="m_version")
    if st.button("Set up meeting", type="primary", key="m_setup"):
        saved = mt.save_meeting(
            store(),
            day,
            period_start=start,
            period_end=end,
            dataset_version=version,
            previous_meeting_id=previous,
        )
        st.session_state.update(m_meeting=saved["meeting_date"], m_item=0, m_started=time.time())
if "m_meeting" not in st.session_state:
    st.info("Pick the date, period and previous meeting, then set up the meeting.")
    st.stop()

meeting = mt.get_meeting(store(), st.session_state.m_meeting)
key = (
    meeting["id"],
    meeting["dataset_version"],
    meeting["period_start"],
    meeting["period_end"],
    meeting["previous_meeting_id"],
    role,
)
agenda = session_cached(("agenda", *key), lambda: mt.build_agenda(store(), meeting, role))
graph = session_cached(("meeting_graph", *key), lambda: meeting_graph(store(), agenda))
present = st.toggle("Presentation view", key="m_present")
if present:
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.markdown(f"### :red-background[{MARKING}]")
number = st.session_state.setdefault("m_item", 0)
item = agenda.items[number]
back, where, forward = st.columns([1, 3, 1])
if back.button("Previous", disabled=number == 0, key="m_back", width="stretch"):
    st.session_state.update(m_item=number - 1, m_started=time.time())
    st.rerun()
if forward.button("Next", disabled=number == len(agenda.items) - 1, key="m_next", width="stretch"):
    st.session_state.update(m_item=number + 1, m_started=time.time())
    st.rerun()
where.markdown(f"**Item {number + 1} of {len(agenda.items)}**")
st.header(item.title)


@st.fragment(run_every=1)
def item_timer(minutes: int) -> None:
    """Only this bar reruns every second, not the page."""
    spent = int(time.time() - st.session_state.setdefault("m_started", time.time()))
    st.progress(
        min(1.0, spent / (60 * minutes)),
        text=f"{spent // 60}:{spent % 60:02d} of {minutes}:00 on this item",
    )


minutes = st.number_input("Minutes per item (0 = no timer)", 0, 60, 0, key="m_timer")
if minutes:
    item_timer(minutes)

s = item.sections
if item.district is None:
    st.markdown(
        f"Period {s['period'][0]} to {s['period'][1]} · dataset version "
        f"{s['dataset_version']} · previous meeting {s['previous_meeting'] or 'none'}"
    )
    st.subheader("Actions outstanding from earlier meetings")
    st.table(pd.DataFrame(s["outstanding_actions"] or [{"actions": "none outstanding"}]))
else:
    cols = st.columns(4)
    for col, (label, value) in zip(
        cols,
        [
            ("Young people", s["young_people"]),
            ("Locations of concern", len(s["hotspots"])),
            ("Clusters", len(s["clusters"])),
            ("Adults of concern", len(s["adults_of_concern"])),
        ],
        strict=True,
    ):
        col.metric(label, value)
    if s["changes"]:
        c = s["changes"]
        st.markdown(
            f"Since the last meeting: {c['new_links']} new links, {c['ended_links']} "
            f"ended, {len(c['newly_linked_to_hotspots'])} locations with newly "
            "linked young people"
        )
    if s["outstanding_actions"]:
        st.warning(
            "Outstanding: "
            + "; ".join(
                f"{a['tactic']} against {a['against']} ({a['status']})"
                for a in s["outstanding_actions"]
            )
        )
    picture, place = st.columns([3, 2])
    sub = graph.subgraph(item.nodes)
    with picture:
        components.html(
            network_html(sub, use_codes=True, height=430, legend=False, title=item.title),
            height=520,
        )
    place.image(
        map_png(
            sub,
            item.highlight,
            item.district,
            role_sees_addresses=MODEL.roles[role].sees_true_addresses,
        )
    )
    tabs = st.tabs(["Locations of concern", "Clusters", "Adults of concern", "Themes"])
    drop = ["evidence", "members", "context_codes"]
    table(tabs[0], s["hotspots"], drop)
    table(tabs[1], s["clusters"], drop)
    table(tabs[2], s["adults_of_concern"], drop)
    tabs[3].write(s["themes"]["harm_mix"])
    table(tabs[3], s["themes"]["schools"], drop)
    st.subheader("Record an agreed action")
    # Outside the form so that changing it reruns the page and the Code list follows it.
    kind = st.selectbox(
        "Against", mt.action_target_kinds(item), format_func=mt.TARGET_KINDS.get, key="m_kind"
    )
    with st.form("m_action", clear_on_submit=True):
        code = st.selectbox(
            "Code", mt.action_targets(item, kind) if kind else [], key=f"m_code_{kind}"
        )
        tactic = st.selectbox(
            "Tactic", mt.TACTICS.keys(), format_func=mt.TACTICS.label, key="m_tactic"
        )
        owner = st.selectbox(
            "Owner agency",
            MODEL.source_agencies.keys(),
            key="m_owner",
            format_func=MODEL.source_agencies.label,
        )
        due = st.date_input(
            "Due",
            value=date.fromisoformat(meeting["meeting_date"]) + timedelta(days=28),
            key="m_due",
            format="DD/MM/YYYY",
        )
        if st.form_submit_button("Record action") and kind and code:
            mt.record_action(
                store(),
                meeting["id"],
                district=item.district,
                target_kind=kind,
                target_id=code,
                tactic=tactic,
                owner_agency=owner,
                due_date=due,
            )
            st.success("Action recorded.")

st.subheader("Actions agreed at this meeting")
table(st, mt.action_rows(mt.meeting_actions(store(), meeting["id"])), [], key="m_agreed")
if st.button("Make meeting pack", key="m_pack"):
    day = date.fromisoformat(meeting["meeting_date"])
    st.session_state.m_files = {
        f: make_pack(store(), day, role, f) for f in ("pptx", "pdf", "html")
    }
    event(
        "export",
        {"format": "meeting pack", "meeting": meeting["meeting_date"]},
        version=meeting["dataset_version"],
    )
for fmt, data in st.session_state.get("m_files", {}).items():
    st.download_button(
        f"Download {fmt.upper()}",
        data,
        key=f"m_dl_{fmt}",
        file_name=f"mace-{meeting['meeting_date']}.{fmt}",
    )
