# ruff: noqa: N999  (the page file is named after what it does; it is never imported)
"""Upload page: what ``python -m mapping import`` does, with a preview. Load a saved profile,
map columns and unknown terms, check, save the profile, then replace or add to the latest
version. Widgets only: reading, mapping, checking and importing are loaders/."""

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from loaders.child_suspects import KIND as CHILD_SUSPECT
from loaders.columns import Profile, profile_from_assignments
from loaders.importer import check_files, check_fingerprint, check_for_import, import_files
from loaders.problems import ImportFailed, Problem
from loaders.values import ValueMap, describe_mapped, term_choices, value_key
from mapping import settings
from mapping.analysis import cache
from mapping.locks import ImportBusy, import_lock
from mapping.pseudonymise import Pseudonymiser
from mapping.render.markdown import md
from mapping.workspace import ROOT
from pages.common import require_permission, store
from pages.import_steps import (
    forget_uploads,
    loaded_profile,
    mapping_step,
    problem_table,
    saved_uploads,
)
from pages.sign_in import event, identity

SUFFIXES = ["xlsx", "xlsm", "csv", "tsv", "graphml", "gexf"]
LEAVE = "(leave it refused)"
TEMPLATE = ROOT / "sample_data" / "template.xlsx"
MODES = {
    "replace": "Replace: these files are the whole dataset",
    "add": "Add to the latest version",
}

st.title("Import data")
require_permission("import")  # model.yaml permissions; a refusal is audited
workspace = st.session_state.workspace
if workspace.is_demo and not settings.current().allow_demo_import:
    st.warning(
        "This is the fictional demo: importing other data is refused until sign-in is "
        "configured (MAPPING_USERS_FILE or an identity provider; see the README), so "
        "real case data can never land in the demo database."
    )
    st.stop()


def term_key(term: dict) -> str:
    return f"term_{term['column']}_{value_key(term['term'])}"


st.download_button(
    "Download the blank import template (xlsx)",
    TEMPLATE.read_bytes(),
    file_name="template.xlsx",
    key="template",
    on_click="ignore",  # a download reruns nothing (a rerun could drop the next click)
)
uploaded = st.file_uploader(
    "Drop spreadsheets or network files",
    type=SUFFIXES,
    accept_multiple_files=True,
    key="upload_files",
)
if not uploaded:
    st.info(
        "Start from the import template or any export: you can map its columns and words "
        "next, or load the profile saved last month. Person IDs and names are replaced by "
        "codes on import."
    )
    st.stop()
loaded = loaded_profile(
    st.file_uploader("Load a saved mapping profile (YAML)", type=["yaml", "yml"], key="profile")
)
sources = saved_uploads(uploaded, SUFFIXES)
st.subheader("1. Map columns")
assignments = {}
for number, source in enumerate(sources):
    assignments.update(mapping_step(source, number, loaded))
order = st.radio(
    "Dates in these files are written",
    ["day_first", "month_first"],
    index=1 if loaded.date_order == "month_first" else 0,
    horizontal=True,
    key="date_order",
    format_func={"day_first": "day first (UK)", "month_first": "month first (US)"}.get,
)
mode = st.radio("This import", list(MODES), format_func=MODES.get, key="mode", horizontal=True)
keep_notes = st.checkbox("Keep free-text notes (dropped unless kept)", key="keep_notes")

files_seen = check_fingerprint(sources, Profile(), add_to_latest=False)  # the files alone
terms = st.session_state.get("terms", {})
if terms.get("files") != files_seen:  # other files: their unknown terms are not these
    terms = {}
    st.session_state.pop("terms", None)
chosen: dict[str, dict[str, str]] = {}
by_loaded = ValueMap(loaded.values)  # terms the loaded profile maps are not chosen again
for term in terms.get("rows", []):
    choice = st.session_state.get(term_key(term), LEAVE)
    if choice != LEAVE and not by_loaded.lookup(term["column"], term["term"]):
        chosen.setdefault(term["column"], {})[term["term"]] = choice
profile = profile_from_assignments(assignments, date_order=order, base=loaded, values=chosen)
add = mode == "add"

st.subheader("2. Check")
fingerprint = check_fingerprint(sources, profile, add_to_latest=add)
checked = st.session_state.get("checked")
if checked and checked["fingerprint"] != fingerprint:
    st.session_state.pop("checked")
    st.session_state.confirm = False  # a tick given for other files does not carry over
    checked = None
    st.session_state.stale_check = True
if st.button("Check for problems", key="check"):
    st.session_state.pop("stale_check", None)
    if add:  # ids already stored count as known: needs the database and the key
        key = Pseudonymiser.from_file(workspace.key_file)
        result = check_for_import(sources, store(), key, profile, add_to_latest=True)
    else:  # a check creates no database and no key file
        result = check_files(sources, profile)
    checked = st.session_state.checked = {
        "fingerprint": fingerprint,
        "passed": result.passed,
        "problems": [p.as_row() for p in result.problems],
        "mapped": result.mapped_values,
    }
    # terms chosen after an earlier check of these files stay listed (with their choice)
    rows = {term_key(t): t for t in terms.get("rows", [])}
    rows.update({term_key(t.as_row()): t.as_row() for t in result.unknown_terms})
    terms = st.session_state.terms = {"files": files_seen, "rows": list(rows.values())}
if st.session_state.get("stale_check"):
    st.info("The files, the mapping or the import mode changed since the last check: check again.")
results = st.empty()
if checked:
    with results.container():
        problem_table([Problem(**row) for row in checked["problems"]])
        for row in checked["mapped"]:
            st.caption(md(describe_mapped(row)))
if terms.get("rows"):
    st.markdown("**Words the model does not know**: map each to a model term, or leave it refused.")
    grid = st.columns(3)
    for i, term in enumerate(terms["rows"]):
        label = f"{term['column']}: '{md(term['term'][:40])}' ({term['count']} cell(s))"
        fixed = by_loaded.lookup(term["column"], term["term"])
        if fixed:
            grid[i % 3].selectbox(
                label, [f"{fixed} (loaded profile)"], disabled=True, key=f"{term_key(term)}_p"
            )
            continue
        grid[i % 3].selectbox(
            label, [LEAVE, *term_choices(term["column"], term["term"])], key=term_key(term)
        )

st.subheader("3. Save the profile")
st.download_button(
    "Save this mapping as a profile (YAML)",
    profile.dump(),
    file_name=loaded.name or "mapping-profile.yaml",
    mime="text/yaml",
    key="save_profile",
    on_click="ignore",
)
st.caption("Load it here next month, or use it with `python -m mapping import --profile`.")

st.subheader("4. Import")
ready = bool(checked and checked["passed"])
if not ready:
    st.caption("Import is possible once the check has passed for these files and this mapping.")
confirmed = st.checkbox(
    "I have checked the mapping and the problems above", key="confirm", disabled=not ready
)
child_suspects = ready and any(p["kind"] == CHILD_SUSPECT for p in checked["problems"])
if child_suspects:  # loaders/child_suspects.py: never accepted without a tick of its own
    confirmed &= st.checkbox(
        "I confirm the young people listed above as a person of concern (suspect) are "
        "recorded so in the source system; both roles are kept",
        key="confirm_child_suspects",
    )
if st.button("Import as a new dataset version", type="primary", disabled=not (ready and confirmed)):
    require_permission("import")  # again at the write, in case the role changed
    bar = st.progress(0.0, text="Starting")
    try:
        with import_lock(store()):  # one import at a time per database
            result = import_files(
                sources,
                store(),
                Pseudonymiser.from_file(workspace.key_file),
                profile=profile,
                keep_notes=keep_notes,
                add_to_latest=add,
                confirm_child_suspects=True if child_suspects else None,
                created_by=identity().name,
                note="upload page",
                progress=lambda stage, fraction, rows: bar.progress(
                    min(1.0, fraction), text=f"{stage.capitalize()} ({rows:,} rows)"
                ),
            )
    except ImportBusy as busy:
        bar.progress(1.0, text="Not started: nothing was stored")
        st.warning(str(busy).capitalize() + ".")
        st.stop()
    except ImportFailed as failed:
        event(
            "import_failed", {"files": [s.name for s in sources], "problems": len(failed.problems)}
        )
        forget_uploads()  # the files are written again from the uploader if tried again
        bar.progress(1.0, text="Refused: nothing was stored")
        st.error(str(failed))
        with results.container():  # one problem table: the refusal's replaces the check's
            problem_table(failed.problems)
    except (OSError, SQLAlchemyError) as fault:  # storing failed after the checks passed
        event("import_failed", {"files": [s.name for s in sources], "fault": type(fault).__name__})
        forget_uploads()
        bar.progress(1.0, text="Failed: nothing was stored")
        st.error(  # the error's type only: its text can quote the rows being written
            f"The import failed while storing ({type(fault).__name__}): nothing was stored "
            "(an import is one transaction) and the uploaded files were removed. Check the "
            "disk and the database, then upload the files again."
        )
        st.stop()
    except BaseException:  # anything else (a rerun, a stop): no upload outlives it
        forget_uploads()
        raise
    else:
        event(
            "import",
            {"files": [s.name for s in sources], "links": result.links},
            version=result.version,
        )
        st.success(
            f"Imported as dataset version {result.version}: {result.entities:,} "
            f"entities, {result.links:,} links, {result.incidents:,} incident rows."
        )
        for row in result.mapped_values:
            st.caption(md(describe_mapped(row)))
        cache.warm(  # the default view of each role, so the meeting's first page is ready
            store(),
            result.version,
            lambda done, total: bar.progress(1.0, text=f"Analysed {done} of {total} roles' views"),
        )
        forget_uploads()
        for name in ("_cache", "checked", "terms", "stale_check"):
            st.session_state.pop(name, None)
