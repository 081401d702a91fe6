"""Audit log and subject access requests, for analysts and police only. Widgets only: the
queries are mapping.audit."""

import pandas as pd
import streamlit as st

from loaders.xmlsafety import expat_problem
from mapping import audit
from mapping.pseudonymise import Pseudonymiser
from pages.common import may, require_permission, session_cached, store
from pages.sign_in import current_role, event

st.title("Audit log and subject access requests")
require_permission("view_audit")  # model.yaml permissions; a refusal is audited
if expat_problem():  # library version check, for the people who run the tool
    st.warning(expat_problem())

st.subheader("Audit log")
st.caption(
    "Every sign-in, search, view of a person's network, import, export and deletion. "
    "Rows are never changed or deleted by the app (see docs/security.md)."
)
left, right = st.columns(2)
user = left.text_input("User", key="audit_user").strip() or None
action = right.selectbox("Action", ["", *audit.ACTIONS], key="audit_action") or None
role = current_role()
visible = session_cached(  # codes this role may see; any other code shows as "withheld"
    ("visible_codes", store().latest_version(), role),
    lambda: audit.visible_codes(store(), role),
)
rows = audit.list_audit(store(), user=user, action=action, limit=500, visible=visible)
st.dataframe(rows, hide_index=True, width="stretch")
if st.session_state.get("_audit_viewed") != (user, action):  # once per filter, not per rerun
    st.session_state["_audit_viewed"] = (user, action)
    event("audit_view", {"user": user, "action": action, "rows": len(rows)})

if not may("subject_access"):
    st.stop()
st.subheader("Subject access request")
st.caption(
    "What do we hold on this person, and who has seen or received it? The ID is "
    "hashed with the key and not kept."
)
with st.form("sar", clear_on_submit=True):
    raw_id = st.text_input("The person's case ID as the source agency records it", key="sar_raw_id")
    asked = st.form_submit_button("Search")
if asked and raw_id.strip():
    require_permission("subject_access")
    key_file = st.session_state.workspace.key_file
    pseudonymiser = Pseudonymiser.from_file(key_file) if key_file.exists() else None
    report = audit.subject_access_report(store(), raw_id, pseudonymiser, role=current_role())
    event(
        "subject_access",
        {
            "entities": report.codes if report.held or report.withheld else [],
            "found": report.found,
            "withheld": report.withheld,
        },
    )
    if report.withheld:
        st.warning(
            "Withheld: this ID is held, but only in records your role may not see. "
            "Ask a police user (who may see them) to answer this request."
        )
    elif not report.found:
        st.info(
            "Nothing held on this ID in any dataset version, and no record of it being "
            "seen or sent."
        )
    else:
        st.markdown("**Held** (per dataset version; links your role may see)")
        if report.withheld_versions:
            st.caption(
                f"{report.withheld_versions} dataset version(s) hold a record your role may "
                "not see: withheld."
            )
        st.dataframe(pd.DataFrame(report.held), hide_index=True)
        st.markdown("**Seen** (searches and views naming this person)")
        st.dataframe(pd.DataFrame(report.seen), hide_index=True)
        st.markdown("**Received** (exports whose scope included this person)")
        st.dataframe(pd.DataFrame(report.received), hide_index=True)
