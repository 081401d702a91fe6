"""Import files into a new dataset version: read, map, validate, pseudonymise, store.

Nothing is stored unless every file is free of errors, and then everything is stored in one
transaction. Several files (several agencies' exports) make one version; with
``add_to_latest`` the new rows are added to a copy of the latest version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from loaders.canonical import (
    adults_without_role,
    build_tables,
    files_past_review,
    locate_at_import,
    lone_people,
    previous_id,
    review_dates,
)
from loaders.child_suspects import child_suspects
from loaders.columns import MappedSheet, Profile, detect
from loaders.duplicates import keep_later_dates
from loaders.problems import (
    ERROR,
    MAX_LISTED,
    WARNING,
    ImportFailed,
    Problem,
    group_repeated,
)
from loaders.progress import Progress
from loaders.read import file_sha256, read_file
from loaders.validate import (
    Collector,
    validate_entities,
    validate_incidents,
    validate_links,
)
from loaders.values import MappedValue, UnknownTerm, ValueMap
from mapping.config import retention_months
from mapping.model import TEMPLATE_COLUMNS
from mapping.pseudonymise import Pseudonymiser
from mapping.store import Store, VersionTables


@dataclass
class ImportResult:
    version: int
    entities: int
    links: int
    incidents: int
    problems: list[Problem] = field(default_factory=list)
    #: What the profile's ``values:`` mapped to what, with counts (also stored with the version).
    mapped_values: list[MappedValue] = field(default_factory=list)

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
                            "found in the first rows; the sheet was ignored ("
                            + (
                                f"{profile.describe()} has no entry naming this sheet or file, "
                                "matching its file name pattern or its headers; add one"
                                if profile.sheets
                                else "map it with a profile"
                            )
                            + ")",
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
) -> tuple[dict[str, pd.DataFrame], Collector]:
    collector = Collector(ValueMap(profile.values))
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
    _check_across_files(combined, collector, known_before, sheets)
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
    tables: dict[str, pd.DataFrame],
    collector: Collector,
    known_before: Callable[[str], bool],
    sheets: list[MappedSheet],
) -> None:
    by_place = {(s.file, s.sheet): s for s in sheets}

    def label(file: str, sheet: str, column: str) -> str:
        found = by_place.get((file, sheet))
        return found.column_label(column) if found else column

    entities = tables["entities"]
    duplicated = entities["entity_id"].str.strip().duplicated(keep="first")
    # plain object arrays: pandas' isin on arrow strings boxes every wanted value in Python
    known = pd.Index(entities["entity_id"].str.strip().astype(object)).unique()
    for row in entities[duplicated].itertuples():
        collector.add_problem(
            Problem(
                ERROR,
                row.in_file,
                row.in_sheet,
                row.in_row,
                label(row.in_file, row.in_sheet, "entity_id"),
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
            dangling = (values != "") & ~values.astype(object).isin(known)
            before = {v: known_before(v) for v in values[dangling].unique()}
            dangling &= ~values.map(before).fillna(False).astype(bool)
            hits = frame[dangling]
            for _, group in hits.groupby(["in_file", "in_sheet"], sort=False):
                # the first rows are listed (and named in the summary); the rest only counted
                shown = group.head(MAX_LISTED + 5)
                for row in shown.itertuples():
                    problem = Problem(
                        WARNING,
                        row.in_file,
                        row.in_sheet,
                        row.in_row,
                        label(row.in_file, row.in_sheet, column),
                        "unknown entity referenced",
                        "this id is not in any entities sheet; it was added with type 'unknown' "
                        "(add it to entities to describe it, or import with 'add to the latest "
                        "version' when the entities are already stored)",
                    )
                    collector.add_problem(problem)
                collector.count_unlisted(problem, len(group) - len(shown))


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


@dataclass
class Check:
    """What checking files found, before anything is stored: the upload page's "Check" and
    the first half of every import."""

    sheets: list[MappedSheet]
    tables: dict[str, pd.DataFrame]
    problems: list[Problem]
    #: Each term no vocabulary or profile knows, once, with its count and suggestions.
    unknown_terms: list[UnknownTerm] = field(default_factory=list)
    #: What the profile's ``values:`` mapped to what, with counts.
    mapped_values: list[MappedValue] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def rows(self) -> int:
        return sum(len(sheet.frame) for sheet in self.sheets)


def check_files(
    sources: Sequence[Source],
    profile: Profile,
    *,
    today: date | None = None,
    known_before: Callable[[str], bool] = lambda raw: False,
    progress: Progress | None = None,
    confirm_child_suspects: bool | None = None,
) -> Check:
    """Read, map and validate ``sources`` without storing anything (no database, no key).

    ``confirm_child_suspects`` False refuses young people recorded as a person of concern
    until confirmed (the command line's default); None or True lists them as warnings."""
    report = progress or (lambda stage, fraction, rows: None)
    report("reading", 0.0, 0)
    sheets, read_problems = map_sources(sources, profile)
    rows = sum(len(sheet.frame) for sheet in sheets)
    report("validating", 0.2, rows)
    problems = group_repeated(read_problems)
    if not sheets:
        advice = (
            f"no sheet matched {profile.describe()} (by sheet or file name, file pattern "
            "or headers) or had entities, links or incidents columns; check the profile's "
            "sheet entries against these files, or start from sample_data/template.xlsx"
            if profile.sheets
            else "no sheet with entities, links or incidents columns was found; "
            "start from sample_data/template.xlsx"
        )
        nothing = Problem(
            ERROR,
            ", ".join(s.name for s in sources),
            "",
            None,
            None,
            "nothing to import",
            advice,
        )
        return Check([], {}, [*problems, nothing])
    tables, collector = validate_sheets(sheets, profile, today or date.today(), known_before)
    return Check(
        sheets,
        tables,
        problems
        + collector.problems
        + group_repeated(child_suspects(tables, confirm_child_suspects)),
        sorted(collector.unknown_terms.values(), key=lambda t: (t.column, -t.count, t.term)),
        collector.values.report(),
    )


def _latest(
    store: Store, add_to_latest: bool
) -> tuple[int | None, VersionTables | None, frozenset[str]]:
    """(version, tables, entity ids) of the version an import adds to, or Nones."""
    based_on = store.latest_version() if add_to_latest else None
    previous = store.read_version(based_on) if based_on is not None else None
    previous_ids = frozenset(previous.entities["entity_id"]) if previous else frozenset()
    return based_on, previous, previous_ids


def check_for_import(
    sources: Sequence[Source],
    store: Store,
    pseudonymiser: Pseudonymiser,
    profile: Profile,
    *,
    add_to_latest: bool = False,
    today: date | None = None,
    confirm_child_suspects: bool | None = None,
) -> Check:
    """The check an import would make (ids known to the latest version count when adding
    to it), storing nothing: what the upload page shows before its Import button."""
    _, _, previous_ids = _latest(store, add_to_latest)
    return check_files(
        sources,
        profile,
        today=today,
        known_before=lambda raw: previous_id(raw, previous_ids, pseudonymiser) is not None,
        confirm_child_suspects=confirm_child_suspects,
    )


def check_fingerprint(sources: Sequence[Source], profile: Profile, *, add_to_latest: bool) -> str:
    """Identifies exactly what a check checked: each file's name and sha256, the profile and
    whether it adds to the latest version. A check result is valid only while it matches."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f"{source.name}\0{file_sha256(source.path)}\0".encode())
    digest.update(profile.dump().encode())
    digest.update(b"add" if add_to_latest else b"replace")
    return digest.hexdigest()


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
    confirm_child_suspects: bool | None = None,
    checked: Check | None = None,
) -> ImportResult:
    """Import ``sources`` as one new dataset version, or raise ImportFailed storing nothing.

    ``progress(stage, fraction, rows)`` is called as the import advances (see
    ``loaders.progress``); the version exists for readers only once it is complete.
    ``checked`` is a ``check_files`` of the same ``sources``, ``profile`` and
    ``confirm_child_suspects`` made just before (a first import checks before it creates
    the database): it is used instead of checking again when no stored version could change
    its answer (nothing to add to), since validating a million rows twice cost a third of
    the import.
    """
    profile = profile or Profile()
    check_key(store, pseudonymiser)
    report = progress or (lambda stage, fraction, rows: None)
    based_on, previous, previous_ids = _latest(store, add_to_latest)
    if checked is not None and not previous_ids:  # known_before is False for every id
        check = checked
        report("validating", 0.2, check.rows)
    else:
        check = check_files(
            sources,
            profile,
            today=today,
            known_before=lambda raw: previous_id(raw, previous_ids, pseudonymiser) is not None,
            progress=report,
            confirm_child_suspects=confirm_child_suspects,
        )
    sheets, tables, problems, rows = check.sheets, check.tables, check.problems, check.rows
    if not check.passed:
        report("refused", 1.0, rows)
        raise ImportFailed(problems, check.unknown_terms)
    report("pseudonymising", 0.35, rows)
    entities, unlocated = locate_at_import(tables["entities"])  # before addresses are coded
    problems = problems + group_repeated(
        unlocated
        + lone_people(tables["incidents"])
        + files_past_review(
            tables["links"], tables["incidents"], retention_months(), today or date.today()
        )
    )
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
        # --add never moves an existing link's last-seen (and so its purge) earlier silently
        kept, updated = keep_later_dates(
            previous.links, built.links, lambda seen: review_dates(seen, retention_months())
        )
        problems += updated
        built = merge_versions(previous, replace(built, links=kept))
    problems += adults_without_role(built)
    sources_meta = [
        {
            "name": s.name,
            "sha256": file_sha256(s.path),
            "rows": {sh.sheet or "csv": len(sh.frame) for sh in sheets if sh.file == s.name},
            "read_as": next((sh.read_as for sh in sheets if sh.file == s.name), {}),
            "values_mapped": [m for m in check.mapped_values if m["file"] == s.name],
        }
        for s in sources
    ]
    problems += purged_before(store, sources_meta)  # a purged file imported again says so
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
        version,
        len(built.entities),
        len(built.links),
        len(built.incidents),
        problems,
        check.mapped_values,
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


#: Setting holding ``{sha256 of a source file: date}`` for files whose records were purged.
PURGED_SOURCES = "purged_sources"


def purged_before(store: Store, sources_meta: list[dict[str, Any]]) -> list[Problem]:
    """A warning for each file (by its contents) whose records were purged before: importing
    it again brings purged records back (mapping.retention records these at each purge)."""
    import json

    purged = json.loads(store.setting(PURGED_SOURCES) or "{}")
    return [
        Problem(
            WARNING,
            meta["name"],
            "",
            None,
            None,
            "purged before",
            f"a file with exactly these contents was imported before and records from it "
            f"were purged on {purged[meta['sha256']]} (past their review-by date); importing "
            "it again brings them back. Keep this import only if they are to be kept",
        )
        for meta in sources_meta
        if meta["sha256"] in purged
    ]
