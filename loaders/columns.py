"""Column mapping: recognise template headers and their common synonyms, find the header row,
decide which table a sheet is, and apply an analyst's mapping profile.

A mapping profile is a small YAML file (docs/import.md "Mapping profiles")::

    sheets:
      "Contacts export":          # sheet name, or file name for a CSV
        role: links
        file: "contacts*.csv"     # optional: also any file whose name matches
        columns: {"Nominal A": source_id, "Nominal B": target_id}
    values:                       # their words for the model's terms (loaders/values.py)
      link_type: {"Associate of": peer_association}
    date_order: day_first         # or month_first, for US-style exports

A sheet no entry names is matched by its headers: the entry whose ``headers:`` (or the
headers its ``columns:`` rename) all appear in one header row, so next month's file with
another name still maps.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import yaml

from loaders import grading
from loaders.rawsheet import RawSheet
from loaders.read import HEADER_SEARCH_ROWS
from loaders.values import check_values
from mapping.model import REQUIRED_COLUMNS, TEMPLATE_COLUMNS

#: One profile ``sheets:`` entry as read from YAML (role, columns, file, headers).
SheetEntry = dict[str, Any]

#: Headers analysts' exports commonly use, per canonical column (compared squashed).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "entities": {
        "entity_id": ("id", "person id", "case id", "subject id", "reference", "ref", "entity"),
        "entity_type": ("type", "entity type", "category"),
        "label": ("name", "full name", "display name", "place name"),
        "district": ("area", "locality", "ward", "district name"),
        "age_band": ("age", "age group", "age range"),
        "sex": ("gender",),
        "harms": ("harm", "harm flags", "flags", "concerns", "exploitation type"),
        "ideology": ("ideology category", "ideology type"),
        "vulnerabilities": ("vulnerability", "needs"),
        "protective_factors": ("protective", "strengths"),
        "case_status": ("status", "case status", "plan", "level"),
        "place_kind": ("place type", "location type", "venue type"),
        "postcode": ("post code", "postal code", "zip"),
        "lat": ("latitude", "y"),
        "lon": ("longitude", "lng", "long", "x"),
        "platform": ("app", "service", "online platform"),
        "adult_role": ("adult type", "relationship to child"),
        "easting": ("eastings", "os easting", "grid easting", "bng easting"),
        "northing": ("northings", "os northing", "grid northing", "bng northing"),
    },
    "links": {
        "source_id": ("from", "source", "subject", "person a", "person id", "from id", "child"),
        "target_id": (
            "to",
            "target",
            "associate",
            "person b",
            "to id",
            "linked to",
            "location",
            "associate id",
        ),
        "link_type": ("type", "relationship", "link", "association type", "relationship type"),
        "first_seen": ("date seen", "date", "first date", "start date", "date from", "from date"),
        "last_seen": ("last date", "end date", "date to", "to date", "most recent"),
        "source_agency": (
            "agency",
            "organisation",
            "organization",
            "source organisation",
            "recorded by",
        ),
        "grading": ("3x5x2", "intelligence grading", "grade", "provenance"),
        "weight": ("strength", "count", "frequency", "times seen"),
        "notes": ("note", "comments", "details", "narrative"),
    },
    "incidents": {
        "incident_id": (
            "incident",
            "incident ref",
            "episode id",
            "occurrence",
            "event id",
            "log number",
        ),
        "date": ("incident date", "date seen", "episode date", "occurred"),
        "place_id": ("location", "place", "location id", "venue"),
        "person_id": ("person", "subject", "subject id", "child id", "nominal id"),
        "source_agency": ("agency", "organisation", "organization", "recorded by"),
        "grading": ("3x5x2", "intelligence grading", "grade"),
        "role": ("involvement", "person role", "role in incident"),
    },
}


#: Optional columns read on import but never stored: a place's British National Grid
#: reference is turned into lat/lon on import (``loaders.canonical.locate_at_import``).
IMPORT_ONLY_COLUMNS: dict[str, tuple[str, ...]] = {"entities": ("easting", "northing")}


def import_columns(role: str) -> tuple[str, ...]:
    """Every column a sheet of ``role`` can map to: the template's, then import-only ones."""
    return TEMPLATE_COLUMNS[role] + IMPORT_ONLY_COLUMNS.get(role, ())


def _check_sheet_settings(where: str, sheet: str, settings: SheetEntry) -> None:
    role = settings.get("role")
    if role is not None and role not in TEMPLATE_COLUMNS:
        raise ValueError(
            f"{where}: sheet '{sheet}': role must be one of {', '.join(TEMPLATE_COLUMNS)}"
        )
    unknown = set(settings) - {"role", "columns", "file", "headers"}
    if unknown:
        raise ValueError(
            f"{where}: sheet '{sheet}': unknown setting(s) {', '.join(sorted(map(str, unknown)))}; "
            "a sheet entry has role, columns, file (a name pattern such as 'nominals*.csv') "
            "and headers"
        )
    headers = settings.get("headers")
    if headers is not None and not isinstance(headers, list):
        raise ValueError(f"{where}: sheet '{sheet}': headers must be a list of header names")
    allowed = {c for role in TEMPLATE_COLUMNS for c in import_columns(role)}
    for header, canonical in (settings.get("columns") or {}).items():
        if canonical not in allowed:
            raise ValueError(
                f"{where}: sheet '{sheet}': column '{header}' is mapped to "
                f"'{canonical}', which is not a template column"
            )


def profile_from_assignments(
    assignments: dict[str, SheetEntry],
    *,
    date_order: str | None = None,
    base: Profile | None = None,
    values: dict[str, dict[str, str]] | None = None,
) -> Profile:
    """Build a profile from an analyst's choices on the mapping step of the upload page.

    Parameters
    ----------
    assignments
        ``{sheet or file name: {"role": "links", "columns": {their header: template column}}}``;
        headers mapped to ``""`` or ``None`` are left out (ignored columns).
    date_order
        ``"day_first"`` (UK, the default) or ``"month_first"``; None keeps it unset.
    base
        An earlier profile to extend (its other sheets and values are kept).
    values
        ``{template column: {their term: model term}}`` chosen for unknown terms; they are
        added to the base's (a later choice for the same term wins).

    Returns
    -------
    Profile
        Save it with ``Profile.save`` and reuse it with ``import --profile FILE``, so next
        month's export from the same system maps without clicking.
    """
    sheets = dict(base.sheets) if base else {}
    for sheet, choice in assignments.items():
        columns = {str(h): c for h, c in (choice.get("columns") or {}).items() if c}
        settings = {"role": choice["role"]} if choice.get("role") else {}
        if columns:
            settings["columns"] = columns
        _check_sheet_settings("assignments", sheet, settings)
        sheets[sheet] = settings
    order = date_order or (base.date_order if base and base.date_order_set else None)
    merged = {column: dict(terms) for column, terms in (base.values if base else {}).items()}
    for column, terms in (values or {}).items():
        merged.setdefault(column, {}).update({t: k for t, k in terms.items() if k})
    profile = Profile(
        sheets=sheets,
        date_order=order or "day_first",
        date_order_set=bool(order),
        values={c: t for c, t in merged.items() if t},
    )
    return Profile.parse(profile.dump())  # round-trip: what is saved is what is used


def squash(header: object) -> str:
    return re.sub(r"[\s_\-./]+", "", str(header).strip().casefold())


def header_lookup(role: str) -> dict[str, str]:
    table = {squash(c): c for c in import_columns(role)}
    for canonical, words in SYNONYMS[role].items():
        for word in words:
            table.setdefault(squash(word), canonical)
    return table


@dataclass
class Profile:
    """An analyst's saved mapping: sheet roles, column renames, value mapping, date order."""

    sheets: dict[str, SheetEntry] = field(default_factory=dict)
    date_order: str = "day_first"
    #: True when the analyst chose the date order (then ambiguity is not reported).
    date_order_set: bool = False
    #: ``{template column: {their term: model key}}`` (see loaders/values.py).
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Where the profile came from (its file name), for advice; never saved.
    name: str = ""

    @classmethod
    def load(cls, path: Path | None) -> Profile:
        if path is None:
            return cls()
        return cls.parse(Path(path).read_text(encoding="utf-8"), Path(path).name)

    @classmethod
    def parse(cls, text: str, where: str = "profile") -> Profile:
        """Read profile YAML (safe loader only), checking roles, canonical names and terms."""
        raw = yaml.safe_load(text) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: a profile is a mapping with sheets and date_order")  # noqa: TRY004
        unknown = set(raw) - {"sheets", "date_order", "values"}
        if unknown:
            raise ValueError(
                f"{where}: unknown section(s) {', '.join(sorted(map(str, unknown)))}; "
                "a profile has sheets, values and date_order"
            )
        order = raw.get("date_order")
        if order not in (None, "day_first", "month_first"):
            raise ValueError(f"{where}: date_order must be day_first or month_first")
        sheets = dict(raw.get("sheets") or {})
        for sheet, settings in sheets.items():
            _check_sheet_settings(where, str(sheet), settings or {})
        return cls(
            sheets=sheets,
            date_order=order or "day_first",
            date_order_set=bool(order),
            values=check_values(where, raw.get("values")),
            name=where if where != "profile" else "",
        )

    def dump(self) -> str:
        body: dict[str, object] = {"sheets": self.sheets}
        if self.values:
            body["values"] = self.values
        if self.date_order_set or self.date_order != "day_first":
            body["date_order"] = self.date_order
        text: str = yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
        return text

    def save(self, path: Path) -> None:
        """Write the profile as YAML; it holds headers and choices, never data values."""
        Path(path).write_text(self.dump(), encoding="utf-8")

    def for_sheet(self, sheet: RawSheet) -> SheetEntry:
        """The entry for a sheet (see :meth:`entry_name`), or {} when none applies."""
        name = self.entry_name(sheet)
        return (self.sheets.get(name) or {}) if name is not None else {}

    def entry_name(self, sheet: RawSheet) -> str | None:
        """Which entry applies to a sheet: one named as the sheet or the file, else one whose
        ``file:`` pattern matches the file name, else the entry whose headers (``headers:``,
        or the ``columns:`` it renames) all appear in one of the sheet's first rows; the
        entry naming the most headers wins."""
        for name in (sheet.sheet, sheet.file):
            if name and name in self.sheets:
                return name
        for name, settings in self.sheets.items():
            pattern = (settings or {}).get("file")
            if pattern and fnmatch.fnmatch(sheet.file.casefold(), str(pattern).casefold()):
                return name
        rows = [
            {squash(v) for v in sheet.frame.iloc[r].tolist() if str(v).strip()}
            for r in range(min(HEADER_SEARCH_ROWS, len(sheet.frame)))
        ]
        best: tuple[int, str] | None = None
        for name, settings in self.sheets.items():
            wanted = {squash(h) for h in entry_headers(settings or {})}
            if wanted and any(wanted <= row for row in rows):
                if best is None or len(wanted) > best[0]:
                    best = (len(wanted), name)
        return best[1] if best else None

    def describe(self) -> str:
        return f"profile {self.name}" if self.name else "the mapping profile"


def entry_headers(settings: SheetEntry) -> list[str]:
    """The headers a profile entry recognises a sheet by."""
    return [str(h) for h in (settings.get("headers") or settings.get("columns") or {})]


@dataclass
class MappedSheet:
    """A sheet whose role is known and whose columns carry canonical names."""

    file: str
    sheet: str
    role: str
    frame: pd.DataFrame  # canonical columns only, text
    header_row: int
    unmapped: list[str]
    #: (frame index, column) of mapped cells that held a formula in the workbook.
    formula_cells: list[tuple[int, str]] = field(default_factory=list)
    #: How the file was read (encoding, delimiter), from the reader.
    read_as: dict[str, str] = field(default_factory=dict)
    #: Frame indexes of rows with filled cells to the right of the last header cell.
    overflow_rows: list[int] = field(default_factory=list)
    #: ``{frame index: problem}`` from split grading columns (loaders.grading).
    grading_problems: dict[int, str] = field(default_factory=dict)
    #: Template column -> the analyst's own header for it (messages name both).
    headers: dict[str, str] = field(default_factory=dict)
    #: (frame index, column) of mapped cells stored as numbers in the workbook, read as typed.
    number_cells: list[tuple[int, str]] = field(default_factory=list)

    def column_label(self, column: str) -> str:
        """``Date Seen (first_seen)`` when the analyst's header differs from the template's."""
        theirs = self.headers.get(column, "").strip()
        return f"{theirs} ({column})" if theirs and theirs != column else column

    def excel_row(self, index: int) -> int:
        """The row number the analyst sees in Excel for data row ``index`` (0-based)."""
        return self.header_row + 1 + index


def _mapping_for(headers: list[str], role: str, renames: dict[str, str]) -> dict[int, str]:
    lookup = header_lookup(role)
    squashed_renames = {squash(k): v for k, v in renames.items()}
    found: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = squash(header)
        canonical = squashed_renames.get(key) or lookup.get(key)
        if canonical and canonical not in found.values():
            found[position] = canonical
    return found


def _score(headers: list[str], role: str, renames: dict[str, str]) -> int:
    mapped = set(_mapping_for(headers, role, renames).values())
    if not set(REQUIRED_COLUMNS[role]) <= mapped:
        return 0
    return len(mapped)


def detect(sheet: RawSheet, profile: Profile) -> MappedSheet | None:
    """Find the header row and role of a sheet; None when it is not an import table."""
    settings = profile.for_sheet(sheet)
    renames = dict(settings.get("columns") or {})
    roles = [settings["role"]] if settings.get("role") else _role_order(sheet.sheet)
    best: tuple[int, int, str] | None = None
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet.frame))):
        headers = [str(v) for v in sheet.frame.iloc[row].tolist()]
        for role in roles:
            score = _score(headers, role, renames)
            if score and (best is None or score > best[0]):
                best = (score, row, role)
    if best is None:
        return None
    _, row, role = best
    headers = [str(v) for v in sheet.frame.iloc[row].tolist()]
    mapping = _mapping_for(headers, role, renames)
    body = sheet.frame.iloc[row + 1 :].reset_index(drop=True)
    frame = pd.DataFrame({name: body.iloc[:, pos] for pos, name in mapping.items()})
    frame = frame.astype("string").fillna("")
    for column in import_columns(role):
        if column not in frame:
            frame[column] = ""
    split = (
        grading.find_split_columns(headers, set(mapping)) if role in grading.GRADED_ROLES else {}
    )
    grading_problems: dict[int, str] = {}
    if split:  # source_evaluation, intelligence_assessment, handling_code as columns
        frame["grading"], grading_problems = grading.recombine(body, split, frame["grading"])
    blank = (frame == "").all(axis=1)
    frame = frame[~blank]  # keep the original index so row numbers stay Excel's
    used = set(mapping) | set(split.values())
    unmapped = [h for i, h in enumerate(headers) if i not in used and h.strip()]
    formula_cells, number_cells = (
        sorted(
            (r - row - 1, mapping[c])
            for r, c in cells
            if r > row and c in mapping and (r - row - 1) in frame.index
        )
        for cells in (sheet.formulas, sheet.numbers)
    )
    last = max((i for i, h in enumerate(headers) if h.strip()), default=-1)
    beyond = body.iloc[:, last + 1 :]
    overflow = beyond.index[(beyond != "").any(axis=1)] if beyond.shape[1] else []
    return MappedSheet(
        sheet.file,
        sheet.sheet,
        role,
        frame[list(import_columns(role))],
        sheet.header_row + row,
        unmapped,
        formula_cells,
        dict(sheet.read_as),
        [int(i) for i in overflow],
        {i: p for i, p in grading_problems.items() if i in frame.index},
        {name: headers[pos] for pos, name in mapping.items()},
        number_cells,
    )


def guess_role(sheet: RawSheet, profile: Profile) -> tuple[str, int] | None:
    """For a sheet :func:`detect` could not place (a required column has a header no synonym
    knows): the role and header row (0-based in the frame) most of its headers fit, when at
    least two do, so the upload page can offer the mapping instead of "not imported"."""
    renames = dict(profile.for_sheet(sheet).get("columns") or {})
    best: tuple[int, str, int] | None = None
    for row in range(min(HEADER_SEARCH_ROWS, len(sheet.frame))):
        headers = [str(v) for v in sheet.frame.iloc[row].tolist()]
        for role in _role_order(sheet.sheet):
            mapped = len(_mapping_for(headers, role, renames))
            if mapped >= 2 and (best is None or mapped > best[0]):
                best = (mapped, role, row)
    return (best[1], best[2]) if best else None


def _role_order(sheet_name: str) -> list[str]:
    """Try the role a sheet's name suggests first, then the others."""
    name = squash(sheet_name)
    named = [r for r in TEMPLATE_COLUMNS if name.startswith(r[:4])]
    return named + [r for r in TEMPLATE_COLUMNS if r not in named]


class ProblemCollector(Protocol):
    """What a checker reports problems to: ``loaders.validate.Collector``, named by shape
    so the checkers it calls (roles, look-alikes) need not import it back."""

    def add(
        self,
        sheet: MappedSheet,
        severity: str,
        index: int | None,
        column: str | None,
        kind: str,
        message: str,
    ) -> None: ...
