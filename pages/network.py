"""The explorer: find a young person, place or online space, see their network, click an
entity or a link to see the evidence behind it. Widgets and layout only; logic is in
mapping.explorer."""

import streamlit as st

from mapping import explorer as ex
from mapping.analysis.neighbourhood import paths_between
from mapping.render.explorer import data_key, payload
from mapping.render.network import layout, legend_html
from mapping.views import cluster_table, evidence_table
from pages.common import (
    association_banner,
    scoped_and_clusters,
    session_cached,
    show_protective,
    store,
)
from pages.explorer_component import network_explorer

STATE = {"ex_focus": None, "ex_selected": None, "ex_expanded": (), "ex_pair": (),
         "ex_hits": [], "ex_nonce": None, "ex_view": None, "ex_extra": ()}
for name, default in STATE.items():
    st.session_state.setdefault(name, default)


def run_search() -> None:
    """Hash a typed case ID, look it up, and clear the box: the raw text is not kept."""
    typed = st.session_state.get("ex_search", "")
    st.session_state["ex_search"] = ""
    resolve = ex.raw_id_resolver(store(), st.session_state.workspace.key_file, scoped.version)
    st.session_state.ex_hits = [h.__dict__ for h in ex.search(scoped, typed, resolve)]
    st.session_state.ex_searched = True


def open_focus(node) -> None:
    st.session_state.update(ex_focus=node, ex_selected=node, ex_view=None, ex_extra=())


st.title("Network map")
scoped, clusters = scoped_and_clusters()
association_banner()
graph = scoped.graph if show_protective() else ex.hide_protective(scoped.graph)
if st.session_state.ex_focus not in graph:
    st.session_state.ex_focus = None

find, hops_box, mode_box = st.columns([3, 1, 1])
find.text_input("Find: a young person's case ID or code, or a place or online space by name",
                key="ex_search", on_change=run_search, placeholder="e.g. a case ID, YP-… code "
                "or part of a place name (the case ID is hashed and not kept)")
hops = hops_box.radio("Hops", [1, 2], horizontal=True, key="ex_hops",
                      help="How many links away from the person or place to show.")
collapse = mode_box.toggle("Start from clusters", value=ex.should_collapse(graph),
                           key="ex_collapse", help="Each cluster drawn as one node (size = "
                           f"members); on by default above {ex.COLLAPSE_ABOVE_NODES:,} entities.")
if st.session_state.ex_hits:
    labels = {h["node"]: f"{h['shown_as']} ({h['kind']}, matched by {h['matched_by']})"
              for h in st.session_state.ex_hits}
    pick = st.selectbox("Results", list(labels), format_func=labels.get, key="ex_pick")
    st.button("Open network", on_click=open_focus, args=(pick,), type="primary")
elif st.session_state.pop("ex_searched", False):
    st.warning("Nothing in this scope matches. Check the filters, or the ID.")

focus = st.session_state.ex_focus
if focus:
    view, _ = ex.focus_view(graph, focus, hops)
    extra = set(st.session_state.ex_extra)
    if extra:
        nodes = set(view.graph) | {n for e in extra if e in graph for n in graph.neighbors(e)}
        view.graph = graph.subgraph(nodes)
        view.note += f"; neighbours of {len(extra)} entities added"
    key_extra = ("focus", focus, hops, tuple(sorted(extra)))
elif collapse:
    view = ex.collapsed_view(graph, clusters, st.session_state.ex_expanded)
    key_extra = ("clusters", tuple(sorted(st.session_state.ex_expanded)))
else:
    view = ex.ExplorerView(graph, note=f"All {graph.number_of_nodes():,} entities in scope")
    key_extra = ("all",)
pair = [p for p in st.session_state.ex_pair if p in graph]
paths = paths_between(graph, *pair) if len(pair) == 2 else []
view.highlight = {n for p in paths for n in p.nodes} & set(view.graph)
key_extra += (show_protective(),)
positions = session_cached(("layout", scoped.version, scoped.scope, key_extra),
                           lambda: layout(view.layout_graph()))
drawing = session_cached(("drawing", scoped.version, scoped.scope, key_extra,
                          tuple(sorted(view.highlight))), lambda: payload(view, positions))

st.caption(f"Dataset version {scoped.version}: {graph.number_of_nodes():,} entities and "
           f"{len(scoped.links):,} links in scope. Drawn: {view.note}.")
canvas, panel = st.columns([7, 3])
with canvas:
    click = network_explorer(**drawing, data_key=data_key(scoped.version, scoped.scope,
                             (key_extra, tuple(sorted(view.highlight)))),
                             height=560, selected=st.session_state.ex_selected,
                             status=view.note, view=st.session_state.ex_view,
                             key="explorer", default=None)
if click and click.get("nonce") != st.session_state.ex_nonce:
    st.session_state.update(ex_nonce=click["nonce"], ex_view=click.get("view"))
    if ex.selection_kind(click["id"], graph) == "group":
        st.session_state.ex_expanded = tuple(sorted({*st.session_state.ex_expanded,
                                                     click["id"]}))
        st.rerun()
    st.session_state.ex_selected = click["id"]

with panel:
    selected = st.session_state.ex_selected
    kind = ex.selection_kind(selected, graph)
    if (focus or st.session_state.ex_expanded) and st.button(
            "Back to the whole map", icon=":material/zoom_out_map:"):
        st.session_state.update(ex_focus=None, ex_expanded=(), ex_extra=(), ex_view=None)
        st.rerun()
    if kind == "node":
        st.subheader(ex.shown_as(graph, selected))
        st.table({label: [value] for label, value in ex.node_details(graph, selected)},
                 border="horizontal")
        a, b, c = st.columns(3)
        a.button("Focus", on_click=open_focus, args=(selected,), key="act_focus",
                 help="Open this entity's network at the chosen hops")
        if b.button("Expand neighbours", key="act_expand"):
            if collapse and not focus:
                st.session_state.ex_expanded = tuple(sorted(
                    {*st.session_state.ex_expanded,
                     *ex.neighbours_groups(graph, clusters, selected)} - {ex.OTHERS}))
            else:
                st.session_state.ex_extra = tuple({*st.session_state.ex_extra, selected})
            st.rerun()
        if c.button("Add to path", key="act_path", help="Pick two people to see how they "
                    "are connected"):
            st.session_state.ex_pair = (*[p for p in pair if p != selected][-1:], selected)
            st.rerun()
        links = ex.node_links(graph, selected)
        st.caption(f"The {len(links)} link(s) behind this entity's connections")
        st.dataframe(evidence_table(scoped, links), hide_index=True, height=240)
    elif kind == "edge":
        u, v = ex.edge_endpoints(graph, selected)
        st.subheader(f"{ex.shown_as(graph, u)} – {ex.shown_as(graph, v)}")
        st.caption("The links behind this connection: type, agency, grading, dates")
        st.dataframe(evidence_table(scoped, graph.edges[u, v]["links"]), hide_index=True)
    else:
        st.info("Click an entity or a link to see what is recorded and the evidence behind "
                "it. Click a cluster to open it.")
    if pair:
        st.markdown("**Paths between:** " + " and ".join(ex.shown_as(graph, p) for p in pair))
        for n, path in enumerate(paths, 1):
            st.write(f"{n}. " + " → ".join(ex.shown_as(graph, x) for x in path.nodes))
        if len(pair) == 2 and not paths:
            st.write("No connection within four links in this scope.")
        if st.button("Clear path", key="act_clear_path"):
            st.session_state.ex_pair = ()
            st.rerun()

st.html("<style>.legend ul{list-style:none;padding:0;margin:0 0 6px;display:flex;flex-wrap:"
        "wrap;gap:2px 14px}.legend h4{margin:6px 0 2px;font-size:14px}.legend li{font-size:13px}"
        ".sw{display:inline-block;width:14px;height:14px;margin-right:5px;vertical-align:"
        "middle}</style>" + legend_html())
st.caption("Collapsed cluster: a large circle, size = members, colour = the most frequent harm "
           "flag among its young people. Faded entities are off the selected path.")
st.subheader("Clusters")
st.dataframe(cluster_table(clusters), hide_index=True, width="stretch")
