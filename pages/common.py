"""Session wiring shared by the pages: workspace, role, filters and per-session caches.

Person-level data is cached in ``st.session_state`` (one session's memory), never in
``st.cache_data``/``st.cache_resource``, which every user of the server shares.
"""

from __future__ import annotations

import gc

import pandas as pd
import streamlit as st

from loaders.demo import ensure_demo_data
from mapping import permissions
from mapping.analysis import cache
from mapping.graph import Scope
from mapping.model import MODEL
from mapping.render.network import ASSOCIATION_BANNER, MARKING
from mapping.store import Store
from mapping.workspace import DEMO_NOTICE, current_workspace
from pages.sign_in import current_role, event, sign_in_secrets

#: Sidebar widgets whose values must survive a change of page. Streamlit forgets a widget's
#: value when a run does not draw it (every page switch), which silently reset the demo role
#: to the first in the list (police) and dropped the filters; assigning each value back at
#: the top of every run keeps it (Streamlit's documented way to keep widget state).
KEPT_ACROSS_PAGES = (
    "role",
    "f_period",
    "f_districts",
    "f_harms",
    "f_link_types",
    "f_grading",
    "f_protective",
    "f_stale",
    "f_agencies",
    "f_case_statuses",
)


def start_session() -> None:
    for key in KEPT_ACROSS_PAGES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    if "workspace" not in st.session_state:
        workspace = current_workspace(sign_in_secrets())  # [auth] in secrets: sign-in
        st.session_state.workspace = workspace
        if workspace.is_demo:
            # one Store per database for the whole process (building one reflects the
            # schema): a new session only asks it whether the sample world is there yet
            st.session_state.store = cache.store_for(workspace.database_url)
            if st.session_state.store.latest_version() is None:
                ensure_demo_data(workspace)
            st.session_state.role = MODEL.default_role
    workspace = st.session_state.workspace
    st.markdown(f"**:red-background[{MARKING}]**")
    if workspace.is_demo:
        st.info(DEMO_NOTICE, icon=":material/science:")


def store() -> Store:
    current_role()  # no data for a session that is not signed in (stops the page)
    if "store" not in st.session_state:
        st.session_state.store = cache.store_for(st.session_state.workspace.database_url)
    return st.session_state.store


def may(action: str) -> bool:
    """Whether the signed-in role may do ``action`` (model.yaml ``permissions:``); pages use
    it to leave out controls a role may not use."""
    return permissions.allowed(current_role(), action)


def require_permission(action: str, **detail) -> None:
    """Stop the page unless the signed-in role may do ``action``: the refusal is shown and
    recorded in the audit log (``denied``). Call it before drawing a write control and again
    just before the write, so a forged request is refused too."""
    try:
        permissions.require(current_role(), action, audit=event, **detail)
    except permissions.PermissionDenied as denied:
        st.error(str(denied))
        st.stop()


def sidebar_scope(tables, version: int | None = None) -> Scope:
    """Filters in the sidebar, drawn from the canonical model.

    "Show protective contexts" is part of the scope, so analyses and exports follow it too.
    With ``version``, the choices the filters offer are computed once per version.
    """
    with st.sidebar:
        st.header("Filters")
        if st.session_state.workspace.is_demo:
            st.selectbox(
                "View as role (demo)",
                list(MODEL.roles),
                key="role",
                format_func=lambda r: MODEL.roles[r].label,
            )
        low, high, districts = (
            _choices(tables)
            if version is None
            else shared_cached(("filter choices", version), lambda: _choices(tables))
        )
        since, until = _period(low, high)
        chosen = st.multiselect("Districts", districts, key="f_districts")
        harms = st.multiselect(
            "Harm flags", MODEL.harms.keys(), key="f_harms", format_func=MODEL.harms.label
        )
        link_types = st.multiselect(
            "Link types",
            MODEL.link_types.keys(),
            key="f_link_types",
            format_func=MODEL.link_types.label,
        )
        agencies = st.multiselect(
            "Agencies (who recorded the link)",
            MODEL.source_agencies.keys(),
            key="f_agencies",
            format_func=MODEL.source_agencies.label,
        )
        case_statuses = st.multiselect(
            "Case status (young people)",
            MODEL.case_statuses.keys(),
            key="f_case_statuses",
            format_func=MODEL.case_statuses.label,
        )
        grading = st.selectbox(
            "Minimum grading",
            ["", *GRADING_FLOORS],
            key="f_grading",
            format_func=lambda g: g or "Any grading",
            help="Source evaluation 1-3 and assessment A-E (3x5x2): 2B "
            "keeps links graded 1A, 1B, 2A and 2B.",
        )
        protective = st.checkbox(
            "Show protective contexts",
            value=True,
            key="f_protective",
            help="Trusted adults, youth clubs and sports clubs.",
        )
        stale = st.checkbox(
            "Show stale links",
            key="f_stale",
            help="Links last seen more than two years ago are hidden by default.",
        )
    return Scope(
        role=current_role(),
        since=since,
        until=until,
        districts=tuple(chosen),
        harms=tuple(harms),
        link_types=tuple(link_types),
        min_grading=grading or None,
        include_stale=stale,
        show_protective=protective,
        agencies=tuple(agencies),
        case_statuses=tuple(case_statuses),
    )


#: Minimum gradings offered, strongest first (source evaluation x intelligence assessment).
GRADING_FLOORS = [
    f"{e.key}{a.key}" for e in MODEL.source_evaluations for a in MODEL.intelligence_assessments
]


def _choices(tables) -> tuple:
    """What the filters offer for a version's tables: its first and last link dates (None
    when it has none) and its districts. The same for every viewer: computed once."""
    dates = pd.to_datetime(
        pd.concat([tables.links["first_seen"], tables.links["last_seen"]]), errors="coerce"
    ).dropna()
    low, high = (None, None) if dates.empty else (dates.min().date(), dates.max().date())
    return low, high, sorted(d for d in tables.entities["district"].dropna().unique())


def _period(low, high):
    """A date range from the first to the last date in the data; None ends mean open."""
    if low is None:
        return None, None
    chosen = st.date_input(
        "Period (links seen)",
        value=(low, high),
        min_value=low,
        max_value=high,
        key="f_period",
        format="DD/MM/YYYY",
    )
    start, end = (tuple(chosen) + (None, None))[:2]
    return (start if start and start > low else None), (end if end and end < high else None)


def show_protective() -> bool:
    """Whether trusted adults and protective places are drawn (sidebar option)."""
    return bool(st.session_state.get("f_protective", True))


def current_version() -> int | None:
    return store().latest_version()


def session_cached(key: tuple, compute):
    """Cache a computation for this session only, keyed by dataset version and scope."""
    cache = st.session_state.setdefault("_cache", {})
    if key not in cache:
        if len(cache) > 16:
            cache.clear()
        cache[key] = compute()
        if key[0] == "scoped":
            # A large graph's millions of objects would make every later full garbage
            # collection take seconds (benchmarks/explorer_bench.py); freeze them out of it.
            gc.freeze()
    return cache[key]


def shared_cached(key: tuple, compute):
    """Compute once per app process for everyone who asks (key: dataset version and scope,
    which holds the role, plus what the view depends on); see mapping.analysis.cache."""
    return cache.shared(store(), key, compute)


def scope_shared(scoped, name: str, compute):
    """``compute()`` once per process for the process-wide ``scoped`` graph (what every
    viewer of its version and scope gets), or here and now for any other graph."""
    if not cache.is_shared(store(), scoped):
        return compute()
    return shared_cached((name, scoped.version, scoped.scope), compute)


def scoped_and_clusters():
    version = current_version()
    if version is None:
        st.warning("No data yet. An analyst can import spreadsheets from the Import page.")
        st.stop()
    tables = shared_cached(("tables", version), lambda: store().read_version(version))
    scope = sidebar_scope(tables, version)
    scoped = cache.scoped_graph(store(), version, scope)
    return scoped, cache.stored_clusters(store(), scoped)


def association_banner() -> None:
    st.caption(ASSOCIATION_BANNER)


def show_explanations(items: list[dict], *, shown_above: tuple[str, ...] = ("links_withheld",)):
    """Why a result shows less than the data holds: the ``message`` of each item of
    ``mapping.analysis.explain.explanations`` (the sentences the CLI and exports use), as
    plain text. ``shown_above``: codes the page already states on its own (the withheld
    count has its notice above the result)."""
    notes = [e["message"] for e in items if e["code"] not in shown_above]
    if notes:
        with st.expander(f"Why some things are not shown ({len(notes)})"):
            for note in notes:
                st.text(note)  # plain text: never read as Markdown or HTML


def scope_notes(scoped, report: dict | None = None, *, withheld_nodes=None, notice=True) -> None:
    """What a result on ``scoped`` (and its ``report``) leaves out, shown: the "N links
    withheld for your role" notice (for links touching ``withheld_nodes`` when given), then
    the explanations. ``notice=False`` lists the withheld count among the explanations
    instead (a page without a notice of its own)."""
    from mapping.analysis.explain import explanations
    from mapping.explorer import withheld_note

    withheld = withheld_note(scoped, withheld_nodes) if notice else None
    if withheld:
        st.warning(withheld, icon=":material/visibility_off:")
    shown_above = ("links_withheld",) if notice else ()
    if cache.is_shared(store(), scoped) and (report is None or report is stored_report(scoped)):
        # the same for every viewer of the scope: worked out once per version and scope
        items = shared_cached(
            ("explanations", scoped.version, scoped.scope, report is not None),
            lambda: explanations(scoped, report),
        )
    else:
        items = explanations(scoped, report)
    show_explanations(items, shown_above=shown_above)


def stored_report(scoped) -> dict:
    """The stored analysis report of ``scoped`` (the one the clusters come from)."""
    return cache.stored_report(store(), scoped)
