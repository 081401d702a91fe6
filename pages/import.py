# ruff: noqa: N999  (the page file is named after what it does; it is never imported)
"""Upload page: drop files, map their columns with a preview, check problems row by row,
then import as a new dataset version with a progress bar. Widgets only: reading, mapping,
validation and import are loaders/."""

import os
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from loaders.columns import (
    Profile,
    detect,
    header_lookup,
    profile_from_assignments,
    squash,
)
from loaders.importer import Source, import_files, map_sources, validate_sheets
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from loaders.read import read_file
from mapping.model import REQUIRED_COLUMNS, TEMPLATE_COLUMNS
from pages.common import require_permission, store
from pages.sign_in import event, identity

SUFFIXES = ["xlsx", "xlsm", "csv", "tsv", "graphml", "gexf"]
NOT_IMPORTED = "(not imported)"

st.title("Import data")
require_permission("import")  # model.yaml permissions; a refusal is audited
workspace = st.session_state.workspace
if workspace.is_demo and os.environ.get("MAPPING_ALLOW_DEMO_IMPORT") != "1":
    st.warning(
        "This is the fictional demo: importing other data is refused until sign-in is "
        "configured (MAPPING_USERS_FILE or an identity provider; see the README), so "
        "real case data can never land in the demo database."
    )
    st.stop()


def saved_uploads(files) -> list[Source]:
    """Each upload written once to a temporary file with a generated name (never theirs)."""
    saved = st.session_state.setdefault("uploads", {})
    for gone in set(saved) - {f.file_id for f in files}:
        Path(saved.pop(gone)[0]).unlink(missing_ok=True)
    for f in files:
        if f.file_id not in saved:
            suffix = "." + Path(f.name).suffix.lower().lstrip(".")
            with tempfile.NamedTemporaryFile(
                prefix="upload-", suffix=suffix if suffix[1:] in SUFFIXES else "", delete=False
            ) as handle:
                handle.write(f.getbuffer())
            saved[f.file_id] = (handle.name, f.name)
    return [Source(Path(path), name) for path, name in (saved[f.file_id] for f in files)]


def mapping_step(source: Source, number: int) -> dict:
    """Role and column choices for each sheet of one file, with a preview of its rows."""
    choices = {}
    for raw in read_file(source.path, source.name):
        sheet = raw.sheet or raw.file
        found = detect(raw, Profile())
        start = (found.header_row - raw.header_row) if found else 0
        roles = [*TEMPLATE_COLUMNS, NOT_IMPORTED]
        guess = (
            found.role
            if found
            else next(  # else a sheet named like a role
                (r for r in TEMPLATE_COLUMNS if squash(raw.sheet).startswith(r[:4])), NOT_IMPORTED
            )
        )
        with st.expander(f"{source.name} · {raw.sheet or 'table'}", expanded=guess in roles[:-1]):
            role = st.selectbox(
                "This sheet holds", roles, key=f"role_{number}_{sheet}", index=roles.index(guess)
            )
            if role == NOT_IMPORTED or raw.frame.empty:
                continue
            headers = [str(h) for h in raw.frame.iloc[start].tolist()]
            st.caption(f"Header row {raw.header_row + start}; first rows below.")
            preview = raw.frame.iloc[start + 1 : start + 6].copy()
            preview.columns = [f"{i + 1}. {h}" for i, h in enumerate(headers)]
            st.dataframe(preview, hide_index=True)
            lookup = header_lookup(role)
            options = ["", *TEMPLATE_COLUMNS[role]]
            columns, grid = {}, st.columns(4)
            for i, header in enumerate(h for h in headers if h.strip()):
                guess = lookup.get(squash(header), "")
                columns[header] = grid[i % 4].selectbox(
                    header,
                    options,
                    index=options.index(guess),
                    key=f"col_{number}_{sheet}_{role}_{i}",
                    format_func=lambda c: c or "(ignore)",
                )
            missing = [c for c in REQUIRED_COLUMNS[role] if c not in columns.values()]
            if missing:
                st.warning(f"Assign the required column(s): {', '.join(missing)}.")
            choices[sheet] = {"role": role, "columns": columns}
    return choices


def problem_table(problems) -> None:
    frame = pd.DataFrame(
        [p.as_row() for p in problems],
        columns=["severity", "file", "sheet", "row", "column", "kind", "message"],
    )
    errors = int((frame["severity"] == "error").sum())
    st.write(f"{errors} error(s), {len(frame) - errors} warning(s).")
    if frame.empty:
        return
    st.dataframe(
        frame.sort_values(["severity", "file", "sheet", "row"], na_position="first"),
        hide_index=True,
        width="stretch",
    )


uploaded = st.file_uploader(
    "Drop spreadsheets or network files",
    type=SUFFIXES,
    accept_multiple_files=True,
    key="upload_files",
)
if not uploaded:
    st.info(
        "Start from the import template (sample_data/template.xlsx) or any export: you "
        "can map its columns next. Person IDs and names are replaced by codes on import."
    )
    st.stop()
sources = saved_uploads(uploaded)
st.subheader("1. Map columns")
assignments = {}
for number, source in enumerate(sources):
    assignments.update(mapping_step(source, number))
order = st.radio(
    "Dates in these files are written",
    ["day_first", "month_first"],
    horizontal=True,
    key="date_order",
    format_func={"day_first": "day first (UK)", "month_first": "month first (US)"}.get,
)
profile = profile_from_assignments(assignments, date_order=order)
st.download_button(
    "Download this mapping as a profile (YAML)",
    profile.dump(),
    file_name="mapping-profile.yaml",
    mime="text/yaml",
)

st.subheader("2. Check")
if st.button("Check for problems", key="check"):
    sheets, problems = map_sources(sources, profile)
    _, collector = validate_sheets(sheets, profile, date.today())
    st.session_state.checked = [p.as_row() for p in problems + collector.problems]
if "checked" in st.session_state:
    from loaders.problems import Problem

    problem_table([Problem(**row) for row in st.session_state.checked])

st.subheader("3. Import")
confirmed = st.checkbox("I have checked the mapping and the problems above", key="confirm")
if st.button("Import as a new dataset version", type="primary", disabled=not confirmed):
    require_permission("import")  # again at the write, in case the role changed
    bar = st.progress(0.0, text="Starting")
    try:
        result = import_files(
            sources,
            store(),
            Pseudonymiser.from_file(workspace.key_file),
            profile=profile,
            created_by=identity().name,
            note="upload page",
            progress=lambda stage, fraction, rows: bar.progress(
                min(1.0, fraction), text=f"{stage.capitalize()} ({rows:,} rows)"
            ),
        )
    except ImportFailed as failed:
        event(
            "import_failed", {"files": [s.name for s in sources], "problems": len(failed.problems)}
        )
        st.error(str(failed))
        problem_table(failed.problems)
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
        if result.warnings:
            problem_table(result.warnings)
        for source in sources:
            source.path.unlink(missing_ok=True)
        st.session_state.pop("uploads", None)
        st.session_state.pop("_cache", None)
