"""What the Hotspots and Connectors pages share: the ranked table with one-click rows and the
evidence of the row clicked. Not a page itself (app.py does not list it)."""

import streamlit as st

from mapping import explorer as ex
from mapping.render.evidence import evidence_html, heading_html, scroll_script
from mapping.views import evidence_table
from pages.sign_in import event

#: Newest links shown under a selected item; the exports hold all of them.
EVIDENCE_ROWS = 200


def ranked_table(ranked, key: str, item: str):
    """The ranked rows; a click on a row returns its stored id (None when none is chosen)."""
    if ranked.total:
        st.caption(f"{ranked.total:,} {item}(s) in this scope · click a row for its evidence")
    picked = st.dataframe(
        ranked.rows.drop(columns="id"),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    if ranked.note:
        st.info(ranked.note)
    rows = picked.selection.rows if picked else []
    return ranked.rows["id"].iloc[rows[0]] if rows else None


def item_evidence(scoped, node, link_ids, page: str) -> None:
    """The links behind one item, full width, and a way into the network explorer."""
    if node is None:
        return
    if st.session_state.get(f"{page}_audited") != (scoped.version, node):
        st.session_state[f"{page}_audited"] = (scoped.version, node)
        event("view", {"entities": [node], "from": page}, version=scoped.version)
        st.iframe(scroll_script(node), height=1)  # bring the evidence into view
    frame = evidence_table(scoped, link_ids)
    st.html(heading_html(f"Evidence: {ex.shown_as(scoped.graph, node)}"))
    shown = frame.head(EVIDENCE_ROWS)
    st.caption(
        f"The {len(frame):,} link(s) behind it"
        + (f", the newest {EVIDENCE_ROWS} listed" if len(frame) > EVIDENCE_ROWS else "")
    )
    st.html(evidence_html(shown))
    if st.button("Open in the network explorer", key=f"{page}_open", icon=":material/hub:"):
        st.session_state.update(ex_focus=node, ex_selected=node, ex_view=None, ex_extra=())
        st.switch_page("pages/network.py")
