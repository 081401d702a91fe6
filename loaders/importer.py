"""Import files into a new dataset version: read, map, validate, pseudonymise, store.

Nothing is stored unless every file is free of errors, and then everything is stored in one
transaction. Several files (several agencies' exports) make one version; with
``add_to_latest`` the new rows are added to a copy of the latest version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from loaders.canonical import build_tables, locate_at_import, lone_people, previous_id
from loaders.columns import MappedSheet, Profile, detect
from loaders.problems import ERROR, WARNING, ImportFailed, Problem
from loaders.progress import Progress
from loaders.pseudonymise import Pseudonymiser
from loaders.read import file_sha256, read_file
from loaders.validate import (
    Collector,
    validate_entities,
    validate_incidents,
    validate_links,
)
from mapping.config import retention_months
from mapping.model import TEMPLATE_COLUMNS
from mapping.store import Store, VersionTables


@dataclass
class ImportResult:
    version: int
    entities: int
    links: int
    incidents: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


@dataclass
class Source:
    """A file to import; ``name`` is what the analyst called it (never used as a path)."""

    path: Path
    name: str


def map_sources(
    sources: Sequence[Source], profile: Profile
) -> tuple[list[MappedSheet], list[Problem]]:
    """Read every file and decide each sheet's role. Unrecognised sheets are reported."""
    mapped, problems = [], []
    for source in sources:
        for raw in read_file(source.path, source.name):
            problems.extend(raw.notes)
            sheet = detect(raw, profile)
            if sheet is None:
                if len(raw.frame) and raw.sheet.lower() not in ("readme", "notes", "about"):
                    problems.append(
                        Problem(
                            WARNING,
                            source.name,
                            raw.sheet,
                            None,
                            None,
                            "sheet not recognised",
                            "no header row with the columns of entities, links or incidents was "
                            "found in the first rows; the sheet was ignored (map it with a profile)",
                        )
                    )
                continue
            mapped.append(sheet)
    return mapped, problems


def validate_sheets(
    sheets: list[MappedSheet],
    profile: Profile,
    today: date,
    known_before: Callable[[str], bool] = lambda raw: False,
):
    collector = Collector()
    frames: dict[str, list[pd.DataFrame]] = {role: [] for role in TEMPLATE_COLUMNS}
    for sheet in sheets:
        frame = _validate(sheet, collector, profile, today)
        frame["in_file"], frame["in_sheet"] = sheet.file, sheet.sheet
        frame["in_row"] = [sheet.excel_row(i) for i in frame.index]
        frames[sheet.role].append(frame)
    combined = {
        role: pd.concat(parts, ignore_index=True) if parts else _empty(role, profile, today)
        for role, parts in frames.items()
    }
    _check_across_files(combined, collector, known_before)
    return combined, collector


def _empty(role: str, profile: Profile, today: date) -> pd.DataFrame:
    """A validated table with no rows, for a role no file supplied."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in TEMPLATE_COLUMNS[role]})
    sheet = MappedSheet("", "", role, frame, 1, [])
    validated = _validate(sheet, Collector(), profile, today)
    return validated.assign(in_file="", in_sheet="", in_row=0)


def _validate(
    sheet: MappedSheet, collector: Collector, profile: Profile, today: date
) -> pd.DataFrame:
    for index, column in sheet.formula_cells:
        collector.add(
            sheet,
            ERROR,
            index,
            column,
            "formula",
            "the cell holds a formula, which is never evaluated on import; in Excel "
            "copy the column and Paste Special > Values, then import again",
        )
    for index in sheet.overflow_rows:
        collector.add(
            sheet,
            ERROR,
            index,
            None,
            "extra cells",
            "the row has filled cells to the right of the last header; a value "
            "probably holds an unquoted comma or delimiter, shifting the columns. "
            "Re-export with quoted text, or give the extra column a header",
        )
    order = profile.date_order if profile.date_order_set else None
    if sheet.role == "entities":
        return validate_entities(sheet, collector)
    if sheet.role == "links":
        return validate_links(sheet, collector, order, today)
    frame = validate_incidents(sheet, collector, order, today)
    frame["row_number"] = pd.Series(
        [sheet.excel_row(i) for i in frame.index], index=frame.index, dtype="Int64"
    )
    return frame


def _check_across_files(
    tables: dict[str, pd.DataFrame], collector: Collector, known_before: Callable[[str], bool]
) -> None:
    entities = tables["entities"]
    duplicated = entities["entity_id"].str.strip().duplicated(keep="first")
    known = set(entities["entity_id"].str.strip())
    for row in entities[duplicated].itertuples():
        collector.problems.append(
            Problem(
                ERROR,
                row.in_file,
                row.in_sheet,
                row.in_row,
                "entity_id",
                "duplicate id",
                "this id is also on another sheet or file",
            )
        )
    for role, columns in (
        ("links", ("source_id", "target_id")),
        ("incidents", ("person_id", "place_id")),
    ):
        frame = tables[role]
        for column in columns:
            values = frame[column].str.strip()
            dangling = (values != "") & ~values.isin(known)
            before = {v: known_before(v) for v in values[dangling].unique()}
            dangling &= ~values.map(before).fillna(False).astype(bool)
            for row in frame[dangling].head(50).itertuples():
                collector.problems.append(
                    Problem(
                        WARNING,
                        row.in_file,
                        row.in_sheet,
                        row.in_row,
                        column,
                        "unknown entity referenced",
                        "this id is not in any entities sheet; it was added with type 'unknown' "
                        "(add it to entities to describe it)",
                    )
                )


#: store_settings name of the fingerprint of the key chain the database's codes were made with.
KEY_SETTING = "key_fingerprint"


def check_key(store: Store, pseudonymiser: Pseudonymiser) -> None:
    """Refuse to mix codes made with another key (or a key from before a rotation)."""
    stored = store.setting(KEY_SETTING)
    if stored is not None and stored != pseudonymiser.fingerprint():
        raise ImportFailed(
            [
                Problem(
                    ERROR,
                    "database",
                    "",
                    None,
                    None,
                    "wrong key",
                    "this database's codes were made with a different pseudonymisation key (or the "
                    "key before a rotation); use the key file that belongs to this database "
                    "(MAPPING_KEY_FILE or --key-file)",
                )
            ]
        )


def import_files(
    sources: Sequence[Source],
    store: Store,
    pseudonymiser: Pseudonymiser,
    *,
    created_by: str = "cli",
    profile: Profile | None = None,
    keep_notes: bool = False,
    add_to_latest: bool = False,
    note: str = "",
    today: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``sources`` as one new dataset version, or raise ImportFailed storing nothing.

    ``progress(stage, fraction, rows)`` is called as the import advances (see
    ``loaders.progress``); the version exists for readers only once it is complete.
    """
    profile = profile or Profile()
    check_key(store, pseudonymiser)
    report = progress or (lambda stage, fraction, rows: None)
    report("reading", 0.0, 0)
    sheets, problems = map_sources(sources, profile)
    rows = sum(len(sheet.frame) for sheet in sheets)
    report("validating", 0.2, rows)
    if not sheets:
        raise ImportFailed(
            problems
            + [
                Problem(
                    ERROR,
                    ", ".join(s.name for s in sources),
                    "",
                    None,
                    None,
                    "nothing to import",
                    "no sheet with entities, links or incidents columns was found; "
                    "start from sample_data/template.xlsx",
                )
            ]
        )
    based_on = store.latest_version() if add_to_latest else None
    previous = store.read_version(based_on) if based_on is not None else None
    previous_ids = frozenset(previous.entities["entity_id"]) if previous else frozenset()
    tables, collector = validate_sheets(
        sheets,
        profile,
        today or date.today(),
        lambda raw: previous_id(raw, previous_ids, pseudonymiser) is not None,
    )
    problems += collector.problems
    if any(p.severity == ERROR for p in problems):
        raise ImportFailed(problems)
    report("pseudonymising", 0.35, rows)
    entities, unlocated = locate_at_import(tables["entities"])  # before addresses are coded
    problems += unlocated
    problems += lone_people(tables["incidents"])
    built, _unknowns = build_tables(
        entities,
        tables["links"],
        tables["incidents"],
        pseudonymiser,
        keep_notes=keep_notes,
        retention_months=retention_months(),
        previous_ids=previous_ids,
    )
    if previous is not None:
        built = merge_versions(previous, built)
    sources_meta = [
        {
            "name": s.name,
            "sha256": file_sha256(s.path),
            "rows": {sh.sheet or "csv": len(sh.frame) for sh in sheets if sh.file == s.name},
            "read_as": next((sh.read_as for sh in sheets if sh.file == s.name), {}),
        }
        for s in sources
    ]
    total = max(len(built.entities) + len(built.links) + len(built.incidents), 1)
    stored = [0]

    def written(batch: int) -> None:
        stored[0] += batch
        report("storing", 0.5 + 0.5 * min(stored[0] / total, 1.0), rows)

    report("storing", 0.5, rows)
    version = store.write_version(
        built,
        created_by=created_by,
        sources=sources_meta,
        issues=[p.as_row() for p in problems],
        note=note,
        based_on=based_on,
        progress=written,
    )
    if store.setting(KEY_SETTING) is None:
        store.set_setting(KEY_SETTING, pseudonymiser.fingerprint())
    report("done", 1.0, rows)
    return ImportResult(
        version, len(built.entities), len(built.links), len(built.incidents), problems
    )


def merge_versions(previous: VersionTables, new: VersionTables) -> VersionTables:
    """Add a new import to the previous version: new rows win where ids collide."""

    def merge(old: pd.DataFrame, fresh: pd.DataFrame, key: list[str]) -> pd.DataFrame:
        combined = pd.concat([old.astype(object), fresh.astype(object)], ignore_index=True)
        return combined.drop_duplicates(subset=key, keep="last").reset_index(drop=True)

    # An entity described in one import must not be demoted to 'unknown' by the other.
    both = pd.concat(
        [previous.entities.astype(object), new.entities.astype(object)], ignore_index=True
    )
    described = both["entity_type"].ne("unknown").astype(int)
    entities = (
        both.assign(_d=described)
        .sort_values("_d", kind="stable")
        .drop_duplicates(subset=["entity_id"], keep="last")
        .drop(columns="_d")
        .sort_index()
        .reset_index(drop=True)
    )
    return VersionTables(
        entities=entities,
        links=merge(previous.links, new.links, ["link_id"]),
        incidents=merge(previous.incidents, new.incidents, ["incident_id", "person_id"]),
    )
