"""The upload page's steps (pages/import.py): uploads kept in a private temporary folder, a profile
loaded, each sheet's role and columns chosen with a preview, and the one problem table.
Widgets only; reading, mapping and checking are loaders/."""

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from loaders.columns import Profile, detect, guess_role, header_lookup, squash
from loaders.importer import Source
from loaders.problems import ImportFailed
from loaders.read import read_file
from loaders.uploads import UploadFolder, sweep_stale
from mapping.model import REQUIRED_COLUMNS, TEMPLATE_COLUMNS
from mapping.render.markdown import md

NOT_IMPORTED = "(not imported)"


def saved_uploads(files, suffixes: list[str]) -> list[Source]:
    """Each upload written once into this session's private folder under a generated name
    (never theirs); the folder goes when the import ends or the session does
    (loaders.uploads)."""
    folder = st.session_state.get("upload_folder")
    if folder is None or folder.closed:
        sweep_stale()  # what a killed server left behind
        folder = st.session_state["upload_folder"] = UploadFolder()
    saved = st.session_state.setdefault("uploads", {})
    for gone in set(saved) - {f.file_id for f in files}:
        Path(saved.pop(gone)[0]).unlink(missing_ok=True)
    for f in files:
        if f.file_id not in saved or not Path(saved[f.file_id][0]).exists():
            suffix = "." + Path(f.name).suffix.lower().lstrip(".")
            path = folder.save(f.getbuffer(), suffix if suffix[1:] in suffixes else "")
            saved[f.file_id] = (str(path), f.name)
    return [Source(Path(path), name) for path, name in (saved[f.file_id] for f in files)]


def forget_uploads() -> None:
    """Remove this session's uploaded files now (after an import, refused or done)."""
    folder = st.session_state.pop("upload_folder", None)
    if folder is not None:
        folder.close()
    st.session_state.pop("uploads", None)


def loaded_profile(upload) -> Profile:
    if upload is None:
        return Profile()
    try:
        return Profile.parse(upload.getvalue().decode("utf-8"), upload.name)
    except (UnicodeDecodeError, ValueError) as problem:
        st.error(f"The profile was not loaded: {problem}")
        return Profile()


def mapping_step(source: Source, number: int, loaded: Profile) -> dict:
    """Role and column choices for each sheet of one file (the loaded profile's first)."""
    choices = {}
    # widgets start again from a newly loaded profile's choices (not the ones made before it)
    tag = hashlib.sha256(loaded.dump().encode()).hexdigest()[:8]
    try:
        sheets = read_file(source.path, source.name)
    except ImportFailed as failed:
        problem_table(failed.problems)
        return {}
    for raw in sheets:
        sheet = loaded.entry_name(raw) or raw.sheet or raw.file
        found = detect(raw, loaded)
        roles = [*TEMPLATE_COLUMNS, NOT_IMPORTED]
        near = None if found else guess_role(raw, loaded)  # a required column unmapped
        start = (found.header_row - raw.header_row) if found else (near[1] if near else 0)
        named = [r for r in TEMPLATE_COLUMNS if squash(raw.sheet).startswith(r[:4])]
        guess = found.role if found else (near[0] if near else (named or [NOT_IMPORTED])[0])
        with st.expander(
            f"{md(source.name)} · {md(raw.sheet or 'table')}", expanded=guess in roles[:-1]
        ):
            role = st.selectbox(
                "This sheet holds",
                roles,
                key=f"role_{number}_{sheet}_{tag}",
                index=roles.index(guess),
            )
            if role == NOT_IMPORTED or raw.frame.empty:
                continue
            headers = [str(h) for h in raw.frame.iloc[start].tolist()]
            st.caption(f"Header row {raw.header_row + start}; first rows below.")
            preview = raw.frame.iloc[start + 1 : start + 6].copy()
            preview.columns = [f"{i + 1}. {h}" for i, h in enumerate(headers)]
            st.dataframe(preview, hide_index=True)
            known = {v: k for k, v in found.headers.items()} if found and found.role == role else {}
            lookup, options = header_lookup(role), ["", *TEMPLATE_COLUMNS[role]]
            columns, grid = {}, st.columns(4)
            for i, header in enumerate(h for h in headers if h.strip()):
                guess = known.get(header) or lookup.get(squash(header), "")
                columns[header] = grid[i % 4].selectbox(
                    md(header),  # a header cell is data: never Markdown
                    options,
                    index=options.index(guess) if guess in options else 0,
                    key=f"col_{number}_{sheet}_{role}_{i}_{tag}",
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
    if not frame.empty:  # st.table wraps long messages instead of cutting them off
        frame["row"] = frame["row"].map(lambda r: "" if pd.isna(r) else str(int(r)))
        st.table(frame.sort_values(["severity", "file", "sheet"], kind="stable"), hide_index=True)
