"""MACE meeting: set up (chair and analyst), step through the agenda, record and close
actions, minutes, and the pack. Partners get the same agenda read-only. Widgets and layout
only; everything is computed in mapping.meeting and mapping.export.pack."""

import time
from datetime import date, timedelta

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from mapping import meeting as mt
from mapping import settings
from mapping.analysis.themes import theme_rows
from mapping.export.pack import pack_data
from mapping.export.pack_files import build_pack, pack_label
from mapping.export.pack_images import map_png
from mapping.geo import boundaries_file
from mapping.marking import copy_for
from mapping.model import MODEL
from mapping.render.markdown import md
from mapping.render.network import network_html
from mapping.render.presentation import presentation_html
from pages.common import (
    may,
    require_permission,
    scope_notes,
    session_cached,
    shared_cached,
    store,
)
from pages.sign_in import current_role, event, identity

#: Our own constant CSS (no data in it): the presentation's frame covers the whole window
#: (sidebar, header and set-up out of sight), so the projector shows one item per screen.
PRESENTATION_CSS = """<style>
section[data-testid="stSidebar"], header[data-testid="stHeader"] {display: none;}
iframe[title="st.iframe"], iframe[data-testid="stIFrame"] {position: fixed; inset: 0;
  width: 100vw !important; height: 100vh !important; z-index: 999990; border: 0; background: #fff;}
</style>"""
DROP = ["evidence", "members", "context_codes", "id"]


def period_to_meeting() -> None:
    """A new meeting date moves the period to the year before it (the widget keeps its own
    value otherwise, and would end on the day the page was opened)."""
    day = st.session_state.get("m_day")
    if day:
        st.session_state.m_period = (day - timedelta(days=mt.DEFAULT_PERIOD_DAYS), day)


def table(where, rows: list[dict], drop=DROP, key: str | None = None) -> None:
    """Rows as a table, or one line saying there are none (not a bare empty table)."""
    if rows:
        where.dataframe(
            pd.DataFrame(rows).drop(columns=drop, errors="ignore"), hide_index=True, key=key
        )
    else:
        where.caption(mt.EMPTY_NOTE)


def set_up_panel(meetings: list[dict]) -> None:
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
                else (
                    f"{earlier[i]['meeting_date']} (dataset version {earlier[i]['dataset_version']})"
                )
            ),
        )
        versions = store().versions()["id"].tolist()
        version = st.selectbox("Dataset version", list(reversed(versions)), key="m_version")
        if st.button("Set up meeting", type="primary", key="m_setup"):
            require_permission("set_up_meeting")
            saved = mt.save_meeting(
                store(),
                day,
                by=actor,
                period_start=start,
                period_end=end,
                dataset_version=version,
                previous_meeting_id=previous,
            )
            st.session_state.update(
                m_meeting=saved["meeting_date"],
                m_item=0,
                m_started=time.time(),
                m_setup_at=time.time(),
            )
            st.session_state.pop("m_pack", None)  # a pack of another set-up is never offered


role = current_role()
who = identity()
actor = mt.Actor(who.name if who else "unknown", role)
st.title("MACE meeting")
st.caption(mt.agenda_role_note(role))
meetings = mt.list_meetings(store())
if may("set_up_meeting"):
    set_up_panel(meetings)
else:
    st.info(
        f"Read-only view for the {MODEL.roles[role].label} role: only the chair and the "
        "analyst set up meetings and record or close actions."
    )
    if not meetings:
        st.info("No meeting has been set up yet.")
        st.stop()
    dates = [m["meeting_date"] for m in reversed(meetings)]
    st.session_state.m_meeting = st.selectbox("Meeting", dates, key="m_view")
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
    mt.log_stamp(store(), meeting),  # a recorded or closed action makes a new agenda
)
agenda = shared_cached(("agenda", *key), lambda: mt.build_agenda(store(), meeting, role))
graph = agenda.scoped.graph
scope_notes(agenda.scoped, notice=False)  # the agenda's links hidden or withheld, counted
present = st.toggle("Presentation view", key="m_present")
number = min(st.session_state.setdefault("m_item", 0), len(agenda.items) - 1)
if present:  # one full screen per item, keys and clicker move on (mapping.render.presentation)
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    maps = session_cached(
        ("maps", *key),
        lambda: {
            i.district: map_png(
                graph.subgraph(i.nodes), i.highlight, i.district, districts_file=boundaries_file()
            )
            for i in agenda.districts
        },
    )
    components.html(  # escapes every data value (tests/mapping/test_presentation.py)
        presentation_html(agenda, maps, number, st.session_state.get("m_timer", 0)), height=1080
    )
    st.stop()
item = agenda.items[number]
back, where, forward = st.columns([1, 3, 1])
if back.button("Previous", disabled=number == 0, key="m_back", width="stretch"):
    st.session_state.update(m_item=number - 1, m_started=time.time())
    st.rerun()
if forward.button("Next", disabled=number == len(agenda.items) - 1, key="m_next", width="stretch"):
    st.session_state.update(m_item=number + 1, m_started=time.time())
    st.rerun()
where.markdown(f"**Item {number + 1} of {len(agenda.items)}**")
st.header(md(item.title))  # a district name is data: never Markdown


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
if item.key == "opening":
    st.markdown(
        f"Period {s['period'][0]} to {s['period'][1]} · dataset version "
        f"{s['dataset_version']} · previous meeting {s['previous_meeting'] or 'none'}"
    )
    st.subheader("Actions to review from earlier meetings")
    if note := mt.withheld_note(s["outstanding_actions"]):
        st.caption(note)
    if s["outstanding_actions"]:  # a static table: readable on a projector, and as text
        st.table(pd.DataFrame(s["outstanding_actions"]).drop(columns=["id"]))
    else:
        st.caption("No actions to review.")
elif item.key == "online":
    st.caption("Each online space once, with the young people it reaches in each district.")
    table(st, s["online_spaces"], key="m_online")
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
    st.markdown("**Since the last meeting**")
    for line in mt.change_lines(s["changes"]):
        st.markdown(f"- {md(line)}")
    picture, place = st.columns([3, 2])
    sub = graph.subgraph(item.nodes)
    with picture:
        components.html(
            network_html(sub, use_codes=True, height=430, legend=False, title=item.title),
            height=520,
        )
    place.image(map_png(sub, item.highlight, item.district, districts_file=boundaries_file()))
    tabs = st.tabs(
        [
            "Locations of concern",
            "Clusters",
            "Adults of concern",
            "Themes",
            "Protective contexts",
            "Actions to review",
        ]
    )
    table(tabs[0], s["hotspots"])
    table(tabs[1], s["clusters"])
    table(tabs[2], s["adults_of_concern"])
    table(tabs[3], theme_rows(s["themes"]))
    table(tabs[4], s["protective_contexts"])
    table(tabs[5], s["outstanding_actions"])
    if may("record_action") and meeting["id"] is not None:
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
            description = st.text_input("What is to be done (codes only, no names)", key="m_desc")
            owner = st.selectbox(
                "Owner agency",
                MODEL.source_agencies.keys(),
                key="m_owner",
                format_func=MODEL.source_agencies.label,
            )
            person = st.text_input("Named owner (post or practitioner)", key="m_person")
            due = st.date_input(
                "Due",
                value=date.fromisoformat(meeting["meeting_date"]) + timedelta(days=28),
                key=f"m_due_{meeting['id']}",
                format="DD/MM/YYYY",
            )
            if st.form_submit_button("Record action") and kind and code:
                require_permission("record_action")
                mt.record_action(
                    store(),
                    meeting["id"],
                    by=actor,
                    district=item.district,
                    target_kind=kind,
                    target_id=code,
                    tactic=tactic,
                    owner_agency=owner,
                    due_date=due,
                    description=description,
                    owner_person=person,
                )
                st.success("Action recorded.")

st.subheader("Actions agreed at this meeting")
agreed = agenda.agreed_rows(store())
table(st, agreed, drop=["evidence"], key="m_agreed")
review = agenda.items[0].sections["outstanding_actions"]
if may("close_action") and (agreed or review):
    with st.expander("Close or update an action"):
        choices = {r["id"]: r for r in review + agreed if r["against"] != mt.WITHHELD}
        with st.form("m_close", clear_on_submit=True):
            chosen = st.selectbox(
                "Action",
                list(choices),
                key="m_close_id",
                format_func=lambda i: (
                    f"{choices[i]['tactic']} against {choices[i]['against']} ({choices[i]['status']})"
                ),
            )
            status = st.radio("Status", mt.STATUSES, horizontal=True, key="m_close_status")
            outcome = st.text_input("Outcome (what happened; codes only)", key="m_outcome")
            on = st.date_input(
                "On",
                value=date.fromisoformat(meeting["meeting_date"]),
                key=f"m_close_on_{meeting['id']}",
                format="DD/MM/YYYY",
            )
            if st.form_submit_button("Save the outcome") and chosen is not None:
                require_permission("close_action")
                try:
                    mt.close_action(
                        store(),
                        chosen,
                        status,
                        by=actor,
                        outcome=outcome,
                        on=on,
                        meeting_id=meeting["id"],
                    )
                except ValueError as problem:
                    st.error(str(problem))
                else:
                    st.session_state.pop("_cache", None)  # the agenda shows the new status
                    st.rerun()
if may("set_up_meeting"):
    with st.expander("Attendance and decisions"):
        with st.form("m_minutes"):
            present_at = st.multiselect(
                "Agencies present",
                [MODEL.source_agencies.label(a) for a in MODEL.source_agencies.keys()],
                default=mt.attendance_of(meeting),
                key="m_present_at",
            )
            decisions = st.text_area(
                "Decisions and minutes (codes only, no names)",
                value=meeting.get("decisions") or "",
                key="m_decisions",
            )
            if st.form_submit_button("Save minutes"):
                require_permission("set_up_meeting")
                mt.record_minutes(
                    store(), meeting["id"], by=actor, attendance=present_at, decisions=decisions
                )
                st.session_state.pop("_cache", None)
                st.success("Minutes saved.")

st.subheader("Meeting pack")
pack_key = (meeting["id"], role, st.session_state.get("m_setup_at"))
if may("build_pack") and st.button("Make meeting pack", key="m_pack_build"):
    bar = st.progress(0.0, text="Building the pack...")
    # The pack is for whoever builds it: their name and the review-by date in every band.
    copy = copy_for(who.name if who else None, settings.current().export_review_days)
    files = build_pack(
        pack_data(store(), agenda),
        progress=lambda f, what: bar.progress(min(f, 1.0), text=what),
        boundaries_file=boundaries_file(),
        copy=copy,
    )
    st.session_state.m_pack = {"key": pack_key, "files": files, "label": pack_label(agenda)}
    event(
        "build_pack",
        {
            "meeting": meeting["meeting_date"],
            "role": role,
            "formats": sorted(files),
            # Scope and recipient, so a subject access report finds who received whom.
            "scope": mt.meeting_scope(meeting, role).describe(),
            "recipient": who.name if who else "unknown",
            "review_by": copy.review_by,
        },
        version=meeting["dataset_version"],
    )
    bar.empty()
made = st.session_state.get("m_pack")
if made and made["key"] == pack_key:
    st.caption(made["label"])
    for fmt, data in made["files"].items():
        st.download_button(
            f"Download {fmt.upper()}",
            data,
            key=f"m_dl_{fmt}",
            file_name=f"mace-{meeting['meeting_date']}-{role}.{fmt}",
            on_click="ignore",  # the pack was audited when made; a download reruns nothing
        )
else:
    st.caption("No pack made for this meeting and role yet.")
