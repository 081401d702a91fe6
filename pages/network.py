"""The explorer: find a young person, place or online space, see their network, click an
entity or a link to see the evidence behind it. Widgets and layout only; logic is in
mapping.explorer."""

import pandas as pd
import streamlit as st

from mapping import explorer as ex
from mapping.analysis.neighbourhood import path_steps, paths_between
from mapping.explorer_sizes import MEASURES, measure_values, size_legend
from mapping.render.evidence import evidence_html, heading_html, path_html, scroll_script
from mapping.render.explorer import data_key, payload, view_layout
from mapping.render.network import MARKING, legend_html
from mapping.views import cluster_table, evidence_table
from pages.common import (
    association_banner,
    scope_notes,
    scoped_and_clusters,
    shared_cached,
    show_protective,
    store,
    stored_report,
)
from pages.explorer_component import network_explorer
from pages.network_tools import (
    current_window,
    export_view,
    narrowed,
    remember,
    saved_views,
    time_bar,
    undo_button,
)
from pages.sign_in import event

STATE = {
    "ex_focus": None,
    "ex_selected": None,
    "ex_expanded": (),
    "ex_pair": (),
    "ex_hits": [],
    "ex_nonce": None,
    "ex_view": None,
    "ex_extra": (),
    "ex_pins": {},
}
for name, default in STATE.items():
    st.session_state.setdefault(name, default)


def run_search() -> None:
    """Hash a typed case ID, look it up, and clear the box: the raw text is not kept."""
    typed = st.session_state.get("ex_search", "")
    st.session_state["ex_search"] = ""
    resolve = ex.raw_id_resolver(store(), st.session_state.workspace.key_file, scoped.version)
    st.session_state.ex_hits = [h.__dict__ for h in ex.search(scoped, typed, resolve)]
    st.session_state.ex_searched = True
    event(
        "search",
        {"entities": [h["node"] for h in st.session_state.ex_hits]},
        version=scoped.version,
    )  # codes found, never the typed text


def open_focus(node) -> None:
    remember()
    st.session_state.update(ex_focus=node, ex_selected=node, ex_view=None, ex_extra=())
    event("view", {"entities": [node]}, version=scoped.version)


def search_box() -> tuple[int, bool]:
    st.text_input(
        "Find a young person (case ID or code), a place or an online space",
        key="ex_search",
        on_change=run_search,
        placeholder="Case ID, YP-… code, part of a place name, or attributes: CSE, North",
        help="A case ID is hashed with this workspace's key and not kept. Attributes, "
        "separated by commas, find everyone carrying all of them: case status, harm flag, "
        "district, type, kind of place, adult role, age band.",
    )
    if st.session_state.ex_hits:
        labels = {
            h["node"]: f"{h['shown_as']} ({h['kind']}, by {h['matched_by']})"
            for h in st.session_state.ex_hits
        }
        pick = st.selectbox("Results", list(labels), format_func=labels.get, key="ex_pick")
        st.button("Open network", on_click=open_focus, args=(pick,), type="primary", key="ex_open")
    elif st.session_state.pop("ex_searched", False):
        st.warning("Nothing in this scope matches. Check the filters, or the ID.")
    hops = st.radio(
        "Hops",
        [1, 2],
        horizontal=True,
        key="ex_hops",
        help="How many links away from the person or place to show.",
    )
    st.selectbox(
        "Size entities by",
        list(MEASURES),
        format_func=MEASURES.get,
        key="ex_size",
        help="What an entity's size shows; the legend under the drawing says it too. "
        "Betweenness is the analysis's, on the whole scope.",
    )
    collapse = st.toggle(
        "Start from clusters",
        value=ex.should_collapse(graph),
        key="ex_collapse",
        help="Each cluster drawn as one node (size = "
        f"members); on by default above {ex.COLLAPSE_ABOVE_NODES:,} entities.",
    )
    if graph.number_of_nodes() > ex.MAX_DRAWN_NODES:  # drawing more would stall a browser
        st.caption(f"More than {ex.MAX_DRAWN_NODES:,} entities: the map starts from clusters.")
        collapse = True
    return hops, collapse


def current_view(hops: int, collapse: bool):
    focus = st.session_state.ex_focus
    if focus:
        view, _ = ex.focus_view(graph, focus, hops)
        extra = set(st.session_state.ex_extra)
        if extra:
            view.graph = graph.subgraph(
                set(view.graph) | {n for e in extra if e in graph for n in graph.neighbors(e)}
            )
            view.note += f"; neighbours of {len(extra)} entities added"
        return view, ("focus", focus, hops, tuple(sorted(extra)))
    if collapse:
        view = ex.collapsed_view(graph, clusters, st.session_state.ex_expanded)
        return view, ("clusters", tuple(sorted(st.session_state.ex_expanded)))
    return ex.ExplorerView(graph, note=f"all {graph.number_of_nodes():,} entities"), ("all",)


def entity_panel(selected: str, collapse: bool, pair: list) -> None:
    st.html(heading_html(ex.shown_as(graph, selected)))
    rows = pd.DataFrame(ex.node_details(graph, selected), columns=["Recorded", "Value"])
    st.table(rows.set_index("Recorded"))
    st.button(
        "Focus: open this network",
        on_click=open_focus,
        args=(selected,),
        key="act_focus",
        width="stretch",
    )
    if st.button("Expand neighbours", key="act_expand", width="stretch"):
        remember()
        if collapse and not st.session_state.ex_focus:
            groups = ex.neighbours_groups(graph, clusters, selected) - {ex.OTHERS}
            st.session_state.ex_expanded = tuple(sorted({*st.session_state.ex_expanded, *groups}))
        else:
            st.session_state.ex_extra = tuple({*st.session_state.ex_extra, selected})
        st.rerun()
    if st.button("Add to path (pick two people)", key="act_path", width="stretch"):
        remember()
        st.session_state.ex_pair = (*[p for p in pair if p != selected][-1:], selected)
        st.rerun()
    st.caption("The evidence behind its links is under the drawing.")


def close_cluster(group: str) -> None:
    remember()
    st.session_state.ex_expanded = tuple(g for g in st.session_state.ex_expanded if g != group)
    st.session_state.ex_view = None


def collapse_buttons() -> None:
    """One button per opened cluster, to close it on its own."""
    if st.session_state.ex_focus:
        return
    for group in st.session_state.ex_expanded:
        title = "Not in a cluster" if group == ex.OTHERS else group.removeprefix(ex.GROUP_PREFIX)
        st.button(
            f"Collapse {title}",
            key=f"close_{group}",
            on_click=close_cluster,
            args=(group,),
            icon=":material/unfold_less:",
        )


def scroll_here(nonce) -> None:
    """Bring what follows into view (after a click on the drawing, the evidence)."""
    st.iframe(scroll_script(nonce), height=1)


def evidence_section(selected: str, kind: str | None) -> None:
    """The links behind the selection, full width under the drawing."""
    if kind == "node":
        links = ex.node_links(graph, selected)
        st.html(heading_html(f"Evidence: {ex.shown_as(graph, selected)}"))
        st.caption(f"The {len(links)} link(s) behind this entity's connections")
    elif kind == "edge":
        u, v = ex.edge_endpoints(graph, selected)
        links = graph.edges[u, v]["links"]
        st.html(heading_html(f"Evidence: {ex.shown_as(graph, u)} – {ex.shown_as(graph, v)}"))
        st.caption(f"The {len(links)} link(s) behind this connection")
    else:
        return
    st.html(evidence_html(evidence_table(scoped, links)))


def path_section(pair: list, paths) -> None:
    st.html(heading_html("Paths between " + " and ".join(ex.shown_as(graph, p) for p in pair)))
    if len(pair) < 2:
        st.caption("Pick a second person with “Add to path”.")
    elif not paths:
        st.info("No connection within four links in this scope.")
    else:
        st.html(path_html([path_steps(scoped, p) for p in paths], lambda n: ex.shown_as(graph, n)))
    if st.button("Clear path", key="act_clear_path"):
        remember()
        st.session_state.ex_pair = ()
        st.rerun()


st.title("Network map")
scoped, clusters = scoped_and_clusters()
association_banner()
if st.session_state.ex_focus not in scoped.graph:
    st.session_state.ex_focus = None
window = current_window(scoped)
# the scope already left protective contexts out when asked; the time bar narrows the drawing
graph = narrowed(scoped, window, st.session_state.ex_focus)
if st.session_state.get("ex_scope") != (scoped.version, scoped.scope):
    # clusters are renumbered for each scope: an opened "C01" would now be another cluster
    st.session_state.update(ex_scope=(scoped.version, scoped.scope), ex_expanded=())
canvas, panel = st.columns([7, 3])
with panel:
    hops, collapse = search_box()
view, key_extra = current_view(hops, collapse)
key_extra += (window,)
if window:
    view.note += "; " + ex.time_bar_note(window, ex.window_links(graph), len(scoped.links))
pair = [p for p in st.session_state.ex_pair if p in graph]
paths = paths_between(graph, *pair) if len(pair) == 2 else []
view.highlight = {n for p in paths for n in p.nodes} & set(view.graph)
key_extra += (show_protective(), tuple(sorted(view.highlight)))
positions = shared_cached(
    ("layout", scoped.version, scoped.scope, key_extra[:-1]), lambda: view_layout(view)
)
measure = st.session_state.get("ex_size") or "none"
if measure == "betweenness":  # the analysis's, on the whole scope: once per scope
    with st.spinner("Measuring betweenness as the analysis does (once for this scope)…"):
        whole = shared_cached(
            ("sizes", scoped.version, scoped.scope, measure),
            lambda: measure_values(scoped, scoped.graph, measure),
        )
else:
    whole = shared_cached(
        ("sizes", scoped.version, scoped.scope, measure, window, st.session_state.ex_focus),
        lambda: measure_values(scoped, graph, measure),
    )
sizes = {n: whole[n] for n in view.graph if n in whole}  # scaled among those drawn
drawing = shared_cached(
    ("drawing", scoped.version, scoped.scope, key_extra, measure),
    lambda: payload(view, positions, sizes=sizes, size_label=MEASURES[measure]),
)
drawn_scoped = shared_cached(  # what "Export this view" writes, the same for every viewer
    ("view scoped", scoped.version, scoped.scope, key_extra), lambda: ex.view_scoped(scoped, view)
)
with canvas:
    st.caption(
        f"Dataset version {scoped.version}: {scoped.graph.number_of_nodes():,} entities and "
        f"{len(scoped.links):,} links in scope. Drawn: {view.note.rstrip('.')}."
    )
    focus_nodes = view.graph.nodes if st.session_state.ex_focus else None
    scope_notes(scoped, stored_report(scoped), withheld_nodes=focus_nodes)
    click = network_explorer(
        **drawing,
        data_key=data_key(scoped.version, scoped.scope, (*key_extra, measure)),
        height=540,
        marking=MARKING,  # drawn above a saved picture
        selected=st.session_state.ex_selected,
        status=view.note,
        view=st.session_state.ex_view,
        pins={n: list(at) for n, at in st.session_state.ex_pins.items()},
        key="explorer",
        default=None,
    )
    st.caption(
        size_legend(measure, sizes) + " Keys: Tab to the drawing, then arrow keys pan and "
        "= / − zoom; Shift+Tab reaches Release pins and Save picture. Drag an entity to pin "
        "it where you drop it, across redraws, for this session."
    )
    time_bar(scoped)
    tools = st.columns([2, 3, 3])
    with tools[0]:
        undo_button()
    with tools[1]:
        export_view(scoped, view, drawn_scoped)
    with tools[2]:
        saved_views(f"{st.session_state.ex_focus or 'whole map'} · {view.note}")
fresh_click = None
if click and click.get("kind") == "export" and click.get("nonce") != st.session_state.ex_nonce:
    st.session_state.ex_nonce = click["nonce"]
    event(
        "export",
        {"format": "png", "entities": view.graph.number_of_nodes(), "view": view.note},
        version=scoped.version,
    )
    click = None
if click and click.get("kind") == "pins" and click.get("nonce") != st.session_state.ex_nonce:
    # a drag pinned (or Release unpinned) entities: kept for the session, not a selection
    st.session_state.update(
        ex_nonce=click["nonce"],
        ex_view=click.get("view"),
        ex_pins=ex.clean_pins(click.get("pins"), scoped.graph),
    )
    click = None
if click and click.get("nonce") != st.session_state.ex_nonce:
    fresh_click = click["nonce"]
    st.session_state.update(ex_nonce=click["nonce"], ex_view=click.get("view"))
    if ex.selection_kind(click["id"], graph) == "group":
        remember()
        st.session_state.update(
            ex_view=None, ex_expanded=tuple(sorted({*st.session_state.ex_expanded, click["id"]}))
        )
        st.rerun()
    st.session_state.ex_selected = click["id"]
    if ex.selection_kind(click["id"], graph) == "node":  # a click opens their details
        event("view", {"entities": [click["id"]], "from": "click"}, version=scoped.version)
with panel:
    selected = st.session_state.ex_selected
    kind = ex.selection_kind(selected, graph)
    if (st.session_state.ex_focus or st.session_state.ex_expanded) and st.button(
        "Back to the whole map", icon=":material/zoom_out_map:"
    ):
        remember()
        st.session_state.update(ex_focus=None, ex_expanded=(), ex_extra=(), ex_view=None)
        st.rerun()
    collapse_buttons()
    if kind == "node":
        entity_panel(selected, collapse, pair)
    elif kind == "edge":
        u, v = ex.edge_endpoints(graph, selected)
        st.html(heading_html(f"{ex.shown_as(graph, u)} – {ex.shown_as(graph, v)}"))
        st.caption("The links behind this connection are under the drawing.")
    else:
        st.info(
            "Click an entity or a link to see what is recorded and the evidence behind "
            "it." + (" Click a cluster to open it." if collapse else "")
        )
if fresh_click and kind in ("node", "edge"):
    scroll_here(fresh_click)
evidence_section(selected, kind)
if pair:
    path_section(pair, paths)

st.html(
    "<style>.legend ul{list-style:none;padding:0;margin:0 0 6px;display:flex;flex-wrap:"
    "wrap;gap:2px 14px}.legend h4{margin:6px 0 2px;font-size:14px}.legend li{font-size:13px}"
    ".sw{display:inline-block;margin-right:5px;vertical-align:"
    "middle}</style>" + legend_html()
)
st.caption(
    "Collapsed cluster: a large circle, size = members, colour = the most frequent harm "
    "flag among its young people (light grey: none). Faded entities are off the selected "
    "path. " + size_legend(measure, sizes)
)
st.subheader("Clusters")
st.dataframe(
    shared_cached(("cluster table", scoped.version, scoped.scope), lambda: cluster_table(clusters)),
    hide_index=True,
    width="stretch",
)
