"""Validate mapped sheets against the canonical model and normalise their values.

Errors stop the import (unknown entity type, link to itself, unparseable date, grading not
in 3x5x2, blank or duplicate ids...). Warnings are stored with the dataset version. Work is
done on unique values so a million-row sheet is checked in seconds. Messages describe a
value by its kind, never by its content, in every column (a name in the wrong column must
not reach the screen, the logs or the stored problems).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import pandas as pd

from loaders.columns import MappedSheet
from loaders.duplicates import reversed_duplicates
from loaders.lookalikes import check_lookalikes
from loaders.problems import (
    ERROR,
    MAX_LISTED,
    WARNING,
    Problem,
    ProblemKey,
    group_repeated,
    value_kind,
)
from loaders.roles import check_roles, split_roles
from loaders.values import UnknownTerm, ValueMap, suggest, value_key
from mapping.model import (
    GRADING_FIELDS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    MODEL,
    Vocabulary,
    parse_grading,
)
from mapping.pseudonymise import normalise_raw_id

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")


class Collector:
    """Gathers problems, summarising floods of the same problem in one column.

    Columns are named as the analyst's file names them, with the template column after it
    ("Date Seen (first_seen)"). A profile's ``values:`` are applied through ``values``, and
    terms no vocabulary knows are gathered once each in ``unknown_terms`` (with counts).
    """

    def __init__(self, values: ValueMap | None = None) -> None:
        self.values = values or ValueMap()
        self.unknown_terms: dict[tuple[str, str], UnknownTerm] = {}
        self._listed: list[Problem] = []
        self._counts: dict[ProblemKey, int] = {}
        self._more: dict[ProblemKey, list[int]] = {}

    def add(
        self,
        sheet: MappedSheet,
        severity: str,
        index: int | None,
        column: str | None,
        kind: str,
        message: str,
    ) -> None:
        row = sheet.excel_row(index) if index is not None else None
        label = sheet.column_label(column) if column else column
        self.add_problem(Problem(severity, sheet.file, sheet.sheet, row, label, kind, message))

    def add_problem(self, problem: Problem) -> None:
        """List the first ``MAX_LISTED`` problems of a kind in a column; count the rest."""
        key = (problem.severity, problem.file, problem.sheet, problem.column, problem.kind)
        self._counts[key] = self._counts.get(key, 0) + 1
        if self._counts[key] <= MAX_LISTED:
            self._listed.append(problem)
        elif problem.row is not None:
            rows = self._more.setdefault(key, [])
            if len(rows) < 5:
                rows.append(problem.row)

    def count_unlisted(self, problem: Problem, more: int) -> None:
        """Count ``more`` further rows with ``problem`` without building each one."""
        key = (problem.severity, problem.file, problem.sheet, problem.column, problem.kind)
        self._counts[key] = self._counts.get(key, 0) + max(more, 0)

    @property
    def problems(self) -> list[Problem]:
        """The listed problems, each flood followed by one line counting the rest."""
        return group_repeated(self._listed, self._counts, self._more)


def describe(column: str, value: object) -> str:
    """A value as its kind, never its content, whatever the column: a name typed in the
    wrong column (a date, a grading) must not reach the screen, the logs or the stored
    problems (issue 18)."""
    return value_kind(value)


# -- dates ---------------------------------------------------------------------------------
def parse_dates(values: pd.Series, date_order: str) -> tuple[pd.Series, dict[str, str]]:
    """Parse a text column to ISO dates. Returns (parsed, {bad value: reason})."""
    parsed: dict[str, str | None] = {}
    bad: dict[str, str] = {}
    month_first = date_order == "month_first"
    for text in values.unique():
        text = str(text).strip()
        if not text:
            parsed[text] = None
            continue
        iso = _ISO.match(text)
        dmy = _DMY.match(text)
        try:
            if iso:
                day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            elif dmy:
                first, second, year = int(dmy[1]), int(dmy[2]), int(dmy[3])
                year += 2000 if year < 100 else 0
                day_n, month_n = (second, first) if month_first else (first, second)
                if month_n > 12 and day_n <= 12:
                    bad[text] = "month-first"
                    continue
                day = date(year, month_n, day_n)
            else:
                bad[text] = "format"
                continue
            parsed[text] = day.isoformat()
        except ValueError:
            bad[text] = "impossible"
    lookup = {v: parsed.get(str(v).strip()) for v in values.unique()}
    return values.map(lookup).astype(object), bad


def ambiguous_order(values: pd.Series) -> bool:
    """True when a column has slash dates that read validly both day-first and month-first,
    and none that settles the order (a first number over 12 proves day-first)."""
    parts = values.drop_duplicates().astype(str).str.strip().str.extract(_DMY)
    parts = parts.dropna().astype(int)
    if parts.empty:
        return False
    first, second = parts[0], parts[1]
    if (first > 12).any() or (second > 12).any():
        return False
    return bool((first != second).any())


def check_dates(
    sheet: MappedSheet,
    frame: pd.DataFrame,
    column: str,
    collector: Collector,
    date_order: str | None,
    *,
    required: bool = False,
) -> pd.Series:
    """Parse a date column; ``date_order`` None means the analyst did not choose one (read
    day-first, and say so when the column could be either)."""
    if date_order is None and ambiguous_order(frame[column]):
        collector.add(
            sheet,
            WARNING,
            None,
            column,
            "ambiguous date order",
            "every date like 03/04/2026 in this column could be day-first or "
            "month-first; they were read day-first (UK). If the export is US-style, "
            "set date_order: month_first in the mapping profile and import again",
        )
    parsed, bad = parse_dates(frame[column], date_order or "day_first")
    hint = {
        "month-first": "it reads as month-first (US style); dates are day-first (UK) unless the "
        "mapping profile says date_order: month_first",
        "format": "write dates as DD/MM/YYYY or YYYY-MM-DD",
        "impossible": "the day or month is out of range; correct the date",
    }
    stripped = frame[column].str.strip()
    reasons = stripped.map(bad) if bad else pd.Series(None, index=frame.index, dtype=object)
    for index, reason in reasons.dropna().items():
        collector.add(
            sheet,
            ERROR,
            index,
            column,
            "unparseable date",
            f"{describe(column, frame.at[index, column])} is not a date: {hint[reason]}",
        )
    short_year = stripped.str.match(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$") & reasons.isna()
    for index in frame.index[short_year.fillna(False)]:
        collector.add(
            sheet,
            WARNING,
            index,
            column,
            "two-digit year",
            "the year has two digits and was read as 20YY; write four digits (e.g. 03/04/2024) "
            "if it belongs to another century",
        )
    if required:
        for index in frame.index[stripped == ""]:
            collector.add(sheet, ERROR, index, column, "blank date", "a date is required here")
    return parsed


def check_age_bands(sheet: MappedSheet, frame: pd.DataFrame, collector: Collector) -> None:
    """Age bands must be the model's (``age_bands`` in model.yaml); anything else is an
    error naming the row, never repeating the value."""
    given = frame["age_band"].str.strip()
    unknown = (given != "") & ~given.isin(MODEL.age_bands)
    for index in frame.index[unknown]:
        collector.add(
            sheet,
            ERROR,
            index,
            "age_band",
            "unknown age band",
            f"{describe('age_band', given[index])} is not an age band; use one of: "
            f"{', '.join(MODEL.age_bands)}",
        )


# -- vocabularies --------------------------------------------------------------------------
def _term_key(
    sheet: MappedSheet,
    column: str,
    vocab: Vocabulary,
    value: str,
    cells: int,
    collector: Collector,
) -> str | None:
    """The model key for one value: the profile's ``values:`` first (recorded), then the model."""
    known = vocab.normalise(value)
    mapped = collector.values.lookup(column, value)
    if mapped is not None and mapped != known:
        collector.values.record(sheet.file, sheet.sheet, column, value.strip(), mapped, cells)
        return mapped
    return known


def _unknown_term(
    sheet: MappedSheet,
    column: str,
    vocab: Vocabulary,
    collector: Collector,
    term: str,
    indexes: Iterable[int],
    severity: str,
    listed: bool = False,
) -> None:
    """One problem per unknown term in a sheet (with its rows), gathered once with its count."""
    ordered = sorted(indexes)
    rows = [sheet.excel_row(i) for i in ordered[:5]]
    entry = collector.unknown_terms.setdefault(
        (column, value_key(term)), UnknownTerm(column, term, 0)
    )
    entry.count += len(ordered)
    entry.rows.extend((sheet.file, sheet.sheet, r) for r in rows[: 5 - len(entry.rows)])
    close = suggest(column, term)
    more = ", …" if len(ordered) > len(rows) else ""
    advice = (
        f"closest: {', '.join(close)}; " if close else ""
    ) + "map it in the profile's values: section (or on the upload page), or use one of: "
    collector.add(
        sheet,
        severity,
        ordered[0],
        column,
        f"unknown {vocab.name}",
        f"a value ({value_kind(term)}) is not a known {vocab.name} ({len(ordered)} row(s): "
        f"{', '.join(map(str, rows))}{more}); {advice}{', '.join(vocab.keys())}"
        + (f", separated by '{LIST_SEPARATOR}'" if listed else ""),
    )


def _mapped_by_profile(
    sheet: MappedSheet, frame: pd.DataFrame, column: str, collector: Collector
) -> pd.Series:
    """A column with the profile's ``values:`` applied (and recorded), for columns another
    checker reads (incident roles)."""
    counts = frame[column].value_counts()
    mapped = {}
    for value, cells in counts.items():
        key = collector.values.lookup(column, value) if str(value).strip() else None
        if key is not None and key != value:
            collector.values.record(
                sheet.file, sheet.sheet, column, str(value).strip(), key, int(cells)
            )
            mapped[value] = key
    return frame[column].replace(mapped) if mapped else frame[column]


def check_vocab(
    sheet: MappedSheet,
    frame: pd.DataFrame,
    column: str,
    vocab: Vocabulary,
    collector: Collector,
    *,
    severity: str = ERROR,
    blank_ok: bool = True,
) -> pd.Series:
    counts = frame[column].value_counts()
    uniques = {
        v: _term_key(sheet, column, vocab, v, int(n), collector)
        for v, n in counts.items()
        if str(v).strip()
    }
    normalised = frame[column].map(uniques)
    blank = frame[column].str.strip() == ""
    if not blank_ok:
        for index in frame.index[blank]:
            collector.add(sheet, ERROR, index, column, "blank", f"a {vocab.name} is required")
    unknown = normalised.isna() & ~blank
    by_term = frame.loc[unknown, column].str.strip()
    for term, indexes in by_term.groupby(by_term, sort=False).groups.items():
        _unknown_term(sheet, column, vocab, collector, str(term), indexes, severity)
    return normalised.astype(object).where(normalised.notna(), "")


def check_list(
    sheet: MappedSheet, frame: pd.DataFrame, column: str, vocab: Vocabulary, collector: Collector
) -> pd.Series:
    counts = frame[column].value_counts()

    def normalise(cell: str, cells: int) -> tuple[str, list[str]]:
        keys, unknown = [], []
        for part in str(cell).split(LIST_SEPARATOR):
            if part.strip():
                key = _term_key(sheet, column, vocab, part, cells, collector)
                (keys.append(key) if key else unknown.append(part.strip()))
        return LIST_SEPARATOR.join(dict.fromkeys(keys)), unknown

    results = {v: normalise(v, int(n)) for v, n in counts.items()}
    terms: dict[str, list[str]] = {}
    for value, (_, unknown) in results.items():
        for part in unknown:
            terms.setdefault(part, []).append(value)
    where = frame.groupby(column, sort=False).groups if terms else {}
    for term, cells in terms.items():
        indexes = [i for cell in cells for i in where[cell]]
        _unknown_term(sheet, column, vocab, collector, term, indexes, ERROR, listed=True)
    return frame[column].map(lambda v: results[v][0] if v in results else "")


def check_grading(sheet: MappedSheet, frame: pd.DataFrame, collector: Collector) -> pd.DataFrame:
    """Split 3x5x2 gradings into their parts; anything else is an error."""
    for index, problem in getattr(sheet, "grading_problems", {}).items():
        collector.add(sheet, ERROR, index, "grading", "inconsistent grading", problem)
    uniques = {v: parse_grading(v) for v in frame["grading"].unique() if str(v).strip()}
    invalid = {v for v, g in uniques.items() if g is None}
    for index, value in frame.loc[frame["grading"].isin(invalid), "grading"].items():
        collector.add(
            sheet,
            ERROR,
            index,
            "grading",
            "invalid grading",
            f"{describe('grading', value)} is not a 3x5x2 grading: write source "
            "evaluation 1-3, assessment A-E and handling code P or C, e.g. 2BP",
        )
    parts = {}
    for name in GRADING_FIELDS:
        lookup = {v: getattr(g, name) for v, g in uniques.items() if g is not None}
        mapped = frame["grading"].map(lookup).astype(object)
        parts[name] = mapped.where(mapped.notna(), "")
    return pd.DataFrame(parts, index=frame.index)


def check_ids(
    sheet: MappedSheet, frame: pd.DataFrame, column: str, collector: Collector, *, unique: bool
) -> None:
    blank = frame[column].str.strip() == ""
    for index, _ in (cell for cell in sheet.number_cells if cell[1] == column):
        collector.add(
            sheet,
            WARNING,
            index,
            column,
            "id typed as a number",
            "the id is stored as a number in the workbook and was read as typed, so "
            "leading zeros (007) are lost; if the source system's ids have them, format the "
            "column as Text (or with zeros, e.g. 000) and import again",
        )
    for index in frame.index[blank]:
        collector.add(
            sheet, ERROR, index, column, "blank id", "the id is blank; every row needs an id"
        )
    if unique:
        same_id = _id_keys(frame[column])  # P001, p001 and a full-width P001 are one id
        dupes = same_id.duplicated(keep="first") & ~blank
        for index in frame.index[dupes]:
            collector.add(
                sheet,
                ERROR,
                index,
                column,
                "duplicate id",
                "this id appears on an earlier row (ids are compared ignoring case, spaces "
                "and character width, so P001 and p001 are one id); each entity needs one row",
            )


def _id_key(raw: object) -> str:
    return normalise_raw_id(raw)


def _id_keys(values: pd.Series) -> pd.Series:
    """``values.map(_id_key)``, each distinct id normalised once: a million-link sheet names
    a few hundred thousand ids, and normalising every cell cost seconds per column."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    keys = pd.Series(uniques, dtype=values.dtype).map(_id_key)
    return pd.Series(keys.array.take(codes), index=values.index)


def future_dates(
    sheet: MappedSheet,
    frame: pd.DataFrame,
    columns: Iterable[str],
    collector: Collector,
    today: date,
) -> None:
    limit = today.isoformat()
    for column in columns:
        later = frame[column].fillna("").astype(str) > limit
        for index in frame.index[later]:
            collector.add(
                sheet,
                WARNING,
                index,
                column,
                "future date",
                "the date is in the future; check the year",
            )


def validate_entities(sheet: MappedSheet, collector: Collector) -> pd.DataFrame:
    frame = sheet.frame.copy()
    check_lookalikes(sheet, frame, collector)
    check_ids(sheet, frame, "entity_id", collector, unique=True)
    check_age_bands(sheet, frame, collector)
    frame["entity_type"] = check_vocab(
        sheet, frame, "entity_type", MODEL.entity_types, collector, blank_ok=False
    )
    for column, vocab in (
        ("place_kind", MODEL.place_kinds),
        ("ideology", MODEL.ideologies),
        ("case_status", MODEL.case_statuses),
        ("adult_role", MODEL.adult_roles),
    ):
        frame[column] = check_vocab(sheet, frame, column, vocab, collector)
    for column, vocab_name in LIST_COLUMNS.items():
        frame[column] = check_list(sheet, frame, column, getattr(MODEL, vocab_name), collector)
    for column in ("lat", "lon"):
        numbers = pd.to_numeric(frame[column].str.strip().replace("", None), errors="coerce")
        for index in frame.index[numbers.isna() & (frame[column].str.strip() != "")]:
            collector.add(
                sheet,
                ERROR,
                index,
                column,
                "not a number",
                "coordinates must be decimal degrees, e.g. 54.52",
            )
        frame[column] = numbers
    return frame


def validate_links(
    sheet: MappedSheet, collector: Collector, date_order: str | None, today: date
) -> pd.DataFrame:
    frame = sheet.frame.copy()
    check_lookalikes(sheet, frame, collector)
    check_ids(sheet, frame, "source_id", collector, unique=False)
    check_ids(sheet, frame, "target_id", collector, unique=False)
    same = _id_keys(frame["source_id"]) == _id_keys(frame["target_id"])
    for index in frame.index[same & (frame["source_id"].str.strip() != "")]:
        collector.add(
            sheet,
            ERROR,
            index,
            "target_id",
            "link to itself",
            f"the link joins an entity to itself; correct {sheet.column_label('source_id')} "
            f"or {sheet.column_label('target_id')}",
        )
    frame["link_type"] = check_vocab(
        sheet, frame, "link_type", MODEL.link_types, collector, blank_ok=False
    )
    frame["source_agency"] = check_vocab(
        sheet, frame, "source_agency", MODEL.source_agencies, collector
    )
    frame["first_seen"] = check_dates(sheet, frame, "first_seen", collector, date_order)
    frame["last_seen"] = check_dates(sheet, frame, "last_seen", collector, date_order)
    frame["last_seen"] = frame["last_seen"].fillna(frame["first_seen"])
    frame["first_seen"] = frame["first_seen"].fillna(frame["last_seen"])
    backwards = frame["last_seen"].notna() & (frame["last_seen"] < frame["first_seen"])
    for index in frame.index[backwards.fillna(False)]:
        collector.add(
            sheet,
            WARNING,
            index,
            "last_seen",
            "last seen before first seen",
            f"{sheet.column_label('last_seen')} is earlier than "
            f"{sheet.column_label('first_seen')}; the dates were kept as given",
        )
    future_dates(sheet, frame, ("first_seen", "last_seen"), collector, today)
    frame = frame.join(check_grading(sheet, frame, collector))
    weight = pd.to_numeric(frame["weight"].str.strip().replace("", "1"), errors="coerce")
    for index in frame.index[weight.isna() | (weight <= 0)]:
        collector.add(
            sheet,
            ERROR,
            index,
            "weight",
            "invalid weight",
            "weight must be a positive number (blank means 1)",
        )
    frame["weight"] = weight.fillna(1.0)
    key = ["source_id", "target_id", "link_type", "first_seen", "source_agency"]
    for index in frame.index[frame.duplicated(subset=key, keep="first")]:
        collector.add(
            sheet,
            WARNING,
            index,
            None,
            "duplicate link",
            "the same link (ends, type, date, agency) appears on an earlier row; both were kept",
        )
    for index in reversed_duplicates(frame):
        collector.add(
            sheet,
            WARNING,
            index,
            None,
            "duplicate link",
            "the same link the other way round (target to source, same type, date and agency) "
            "appears on an earlier row; both were kept and their weights add up",
        )
    return frame


def validate_incidents(
    sheet: MappedSheet, collector: Collector, date_order: str | None, today: date
) -> pd.DataFrame:
    frame = sheet.frame.copy()
    check_lookalikes(sheet, frame, collector)
    check_ids(sheet, frame, "incident_id", collector, unique=False)
    check_ids(sheet, frame, "person_id", collector, unique=False)
    frame["date"] = check_dates(sheet, frame, "date", collector, date_order, required=True)
    future_dates(sheet, frame, ("date",), collector, today)
    frame["source_agency"] = check_vocab(
        sheet, frame, "source_agency", MODEL.source_agencies, collector
    )
    frame["role"] = _mapped_by_profile(sheet, frame, "role", collector)
    for value, cells in frame["role"].value_counts().items():  # offered a choice, like terms
        if split_roles(value) is None:
            entry = collector.unknown_terms.setdefault(
                ("role", value_key(value)), UnknownTerm("role", str(value).strip(), 0)
            )
            entry.count += int(cells)
    frame["role"] = check_roles(sheet, frame, collector)  # "Victim Suspect" is two roles
    frame = frame.join(check_grading(sheet, frame, collector))
    return frame
