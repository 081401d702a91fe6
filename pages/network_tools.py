"""The network page's tools: the time bar, undo of view steps and export of the current view.
Not a page itself (app.py does not list it); logic is in mapping.explorer."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from mapping import explorer as ex
from mapping import settings
from mapping.export.formats import out_name
from mapping.export.options import options_from
from mapping.export.run import run_export
from pages.common import scope_shared, session_cached, store
from pages.sign_in import identity

#: What one view step changes; undo puts these back.
VIEW_KEYS = ("ex_focus", "ex_selected", "ex_expanded", "ex_extra", "ex_pair")
HISTORY_STEPS = 30
VIEW_FORMATS = {"graphml": "GraphML (Gephi, yEd, Cytoscape)", "anb": "i2 Analyst's Notebook CSV"}


def remember() -> None:
    """Keep the view as it is now, before a step changes it (for Undo)."""
    history = st.session_state.setdefault("ex_history", [])
    step = {k: st.session_state.get(k) for k in VIEW_KEYS}
    step["ex_time"] = st.session_state.get("ex_window") or st.session_state.get("ex_full_range")
    if not history or history[-1] != step:
        history.append(step)
    del history[:-HISTORY_STEPS]


def undo() -> None:
    history = st.session_state.get("ex_history") or []
    if not history:
        return
    step = history.pop()
    st.session_state.update({k: step[k] for k in VIEW_KEYS}, ex_view=None)
    if step["ex_time"] is not None:  # set, not removed: the slider must show it too
        st.session_state["ex_time"] = step["ex_time"]


def undo_button() -> None:
    steps = len(st.session_state.get("ex_history") or [])
    st.button(
        "Undo" + (f" ({steps})" if steps else ""),
        on_click=undo,
        disabled=not steps,
        icon=":material/undo:",
        key="ex_undo",
        help="Go back one view step: open network, expand, cluster opened, path, time bar.",
    )


def save_view(note: str) -> None:
    """Keep the view under a generated name (never typed text: a name could be a child's)."""
    saved = st.session_state.setdefault("ex_saved", {})
    step = {k: st.session_state.get(k) for k in VIEW_KEYS}
    step["ex_time"] = st.session_state.get("ex_window") or st.session_state.get("ex_full_range")
    name = f"View {len(saved) + 1}: {note}"[:120]
    saved[name] = step


def open_saved(name: str) -> None:
    step = st.session_state.get("ex_saved", {}).get(name)
    if step is None:
        return
    remember()
    st.session_state.update({k: step[k] for k in VIEW_KEYS}, ex_view=None)
    if step["ex_time"] is not None:
        st.session_state["ex_time"] = step["ex_time"]


def saved_views(note: str) -> None:
    """Save the current view and open a saved one (this session; names are generated)."""
    with st.expander("Saved views", icon=":material/bookmark:"):
        st.button("Save this view", on_click=save_view, args=(note,), key="ex_save")
        saved = list(st.session_state.get("ex_saved", {}))
        if saved:
            pick = st.selectbox("Saved in this session", saved[::-1], key="ex_saved_pick")
            st.button("Open saved view", on_click=open_saved, args=(pick,), key="ex_open_saved")
        st.caption("Kept for this session only; named by what they show, never by typed text.")


#: Seconds between two steps of a play-through (a page redraws in about one).
PLAY_SECONDS = 2.0


def months(scoped) -> list[tuple[str, int]]:
    return scope_shared(scoped, "histogram", lambda: ex.link_histogram(scoped.links))


def current_window(scoped, prefix: str = "ex") -> tuple[str, str] | None:
    """The months the time bar keeps, or None when it keeps them all. ``prefix`` names the
    page's keys (``ex_time`` on the network page, ``map_time`` on the map)."""
    bars = months(scoped)
    state, key = st.session_state, f"{prefix}_time"
    step = state.pop(f"{prefix}_play_next", None)
    if step is not None:  # a play-through step, set before the slider is made
        state[key] = step
    state[f"{prefix}_full_range"] = (bars[0][0], bars[-1][0]) if bars else None
    window = state.get(key)
    labels = {m for m, _ in bars}
    if window and not set(window) <= labels:  # another scope: those months are gone
        state.pop(key, None)
        state[f"{prefix}_playing"] = False
        window = None
    if not bars or not window or tuple(window) == (bars[0][0], bars[-1][0]):
        state[f"{prefix}_window"] = None
        return None
    state[f"{prefix}_window"] = tuple(window)
    return tuple(window)


def narrowed(scoped, window, focus):
    if window is None:
        return scoped.graph
    return session_cached(
        ("window", scoped.version, scoped.scope, window, focus),
        lambda: ex.within_window(
            scoped.graph, scoped.links, *window, keep=[focus] if focus else ()
        ),
    )


def _full_range(prefix: str, labels: list[str], on_change) -> None:
    if on_change is not None:
        on_change()
    st.session_state[f"{prefix}_playing"] = False
    st.session_state[f"{prefix}_time"] = (labels[0], labels[-1])


def _play(prefix: str, labels: list[str], on_change) -> None:
    if on_change is not None:
        on_change()  # the view before the play-through is one undo step
    width = int(st.session_state.get(f"{prefix}_play_width") or 1)
    st.session_state[f"{prefix}_time"] = ex.play_start(labels, width)
    st.session_state[f"{prefix}_playing"] = True


def _stop(prefix: str) -> None:
    st.session_state[f"{prefix}_playing"] = False


def play_through(prefix: str, labels: list[str], on_change) -> None:
    """Play / Stop and the window's width; while playing, a fragment moves the window on one
    month every ``PLAY_SECONDS`` and reruns the page, until the last month or Stop."""
    playing = bool(st.session_state.get(f"{prefix}_playing"))
    cols = st.columns([2, 3, 2], vertical_alignment="bottom")
    with cols[0]:
        if playing:
            st.button(
                "Stop", key=f"{prefix}_stop", on_click=_stop, args=(prefix,), icon=":material/stop:"
            )
        else:
            st.button(
                "Play through",
                key=f"{prefix}_play",
                on_click=_play,
                args=(prefix, labels, on_change),
                icon=":material/play_arrow:",
                help="Step the range month by month from the first month, "
                f"one step every {PLAY_SECONDS:g} seconds; Stop keeps the range shown.",
            )
    with cols[1]:
        st.number_input(
            "Months shown at once",
            min_value=1,
            max_value=len(labels),
            value=1,
            key=f"{prefix}_play_width",
            disabled=playing,
        )
    with cols[2]:
        st.button(
            "Full range",
            key=f"{prefix}_full",
            on_click=_full_range,
            args=(prefix, labels, on_change),
            help="Show every month again (stops a play-through).",
        )
    if not playing:
        return
    st.session_state[f"{prefix}_tick_inline"] = True

    @st.fragment(run_every=PLAY_SECONDS)
    def tick() -> None:
        # the fragment also runs once inline with the page: only timed runs take a step
        if st.session_state.pop(f"{prefix}_tick_inline", False):
            return
        if not st.session_state.get(f"{prefix}_playing"):
            return
        width = int(st.session_state.get(f"{prefix}_play_width") or 1)
        step = ex.play_next(labels, st.session_state.get(f"{prefix}_time"), width)
        if step is None:
            st.session_state[f"{prefix}_playing"] = False
        else:
            st.session_state[f"{prefix}_play_next"] = step
        st.rerun()

    tick()


#: The time bar's histogram: links seen per month.
BAR_SPEC = {
    "mark": {"type": "bar", "tooltip": True},
    "encoding": {
        "x": {"field": "month", "type": "temporal", "title": None},
        "y": {"field": "links seen", "type": "quantitative", "title": "links"},
    },
}


def time_bar(scoped, prefix: str = "ex", on_change=remember) -> None:
    """A histogram of link dates by month, a range under it that narrows the drawing, and a
    play-through of the range month by month."""
    bars = months(scoped)
    if len(bars) < 2:
        return
    labels = [m for m, _ in bars]
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["01/" + m for m in labels], format="%d/%m/%Y"),
            "links seen": [n for _, n in bars],
        }
    )
    # a plain Vega-Lite bar chart: st.bar_chart builds and validates an Altair chart on
    # every run, a quarter of a new session's CPU on the network page
    st.vega_lite_chart(frame, BAR_SPEC, height=110)
    st.select_slider(
        "Time bar: links seen between",
        options=labels,
        value=(labels[0], labels[-1]),
        key=f"{prefix}_time",
        on_change=on_change,
        help="Narrows the drawing to links seen in these months (a link counts in every "
        "month from its first to its last seen). The sidebar period narrows every page.",
    )
    play_through(prefix, labels, on_change)
    undated = scope_shared(scoped, "undated", lambda: ex.undated_links(scoped.links))
    if undated:
        st.caption(f"{undated:,} undated link(s) are always drawn: the time bar cannot place them.")


def export_view(scoped, view, drawn=None) -> None:
    """Export exactly what is drawn (GraphML or i2 CSV); the export is audited. ``drawn``:
    ``ex.view_scoped(scoped, view)`` when the caller already has it (shared, pages.network)."""
    with st.expander("Export this view", icon=":material/download:"):
        fmt = st.radio("Format", list(VIEW_FORMATS), format_func=VIEW_FORMATS.get, key="ex_fmt")
        drawn = ex.view_scoped(scoped, view) if drawn is None else drawn
        st.caption(
            f"{drawn.graph.number_of_nodes():,} entities and {len(drawn.links):,} links, as "
            "drawn (collapsed clusters are not entities and are left out). For a picture, "
            "use “Save picture (PNG)” over the drawing."
        )
        if st.button("Prepare the file", key="ex_prepare"):
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / out_name(fmt, "network-view")
                who = identity()
                detail = run_export(
                    store(),
                    drawn,
                    fmt,
                    out,
                    user=who.name if who else "unknown",
                    options=options_from(settings.current()),
                )
                st.session_state.ex_export = (out.name, out.read_bytes())
                checked = detail.get("uniqueness_check")  # a partner export: say what it did
                st.session_state.ex_export_check = checked["message"] if checked else None
        if st.session_state.get("ex_export_check"):
            st.info(st.session_state.ex_export_check, icon=":material/shield:")
        if st.session_state.get("ex_export"):
            name, data = st.session_state.ex_export
            st.download_button(
                f"Download {name}", data, file_name=name, key="ex_download", on_click="ignore"
            )  # audited when prepared; a download reruns nothing
