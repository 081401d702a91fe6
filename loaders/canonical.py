"""Turn validated sheets into the canonical tables the store keeps, pseudonymising on the way.

People (and unknown entities, and places of a private kind such as home addresses) get
keyed codes for their id and label; home-address coordinates are generalised to
``ADDRESS_DECIMALS`` decimal places; free-text notes are dropped unless the analyst opted in.
Places recorded with only a postcode or a grid reference are located first (before a home
address is generalised), so the store and the GIS exports hold their coordinates.
Incidents become co-presence links between the people present and present-at links to the
place, each carrying the incident id and the people's roles as evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from loaders.problems import WARNING, Problem
from loaders.pseudonymise import check_collisions
from loaders.roles import merge_roles
from mapping.model import GRADING_FIELDS, MODEL
from mapping.pseudonymise import Pseudonymiser, normalise_raw_id
from mapping.store import ENTITY_COLUMNS, INCIDENT_COLUMNS, LINK_COLUMNS, VersionTables

if TYPE_CHECKING:
    from mapping.geo import PostcodeTable

#: Stored precision of home-address coordinates: 3 decimal places is about 110 m.
ADDRESS_DECIMALS = 3


#: At most this many "place not located" warnings are listed one by one; the rest are counted.
LOCATE_WARNINGS_LISTED = 200


def locate_at_import(
    entities: pd.DataFrame, postcodes: PostcodeTable | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Fill blank lat/lon of places from their eastings/northings or postcode.

    Uses the same lookup as the map (``mapping.geo.locate_places``; ``postcodes`` defaults
    to ``MAPPING_POSTCODE_TABLE`` or the fictional sample table). Recorded coordinates are
    kept. Returns the entities (input unchanged) and one warning per place still unlocated.
    """
    from mapping import geo  # geopandas is heavy: loaded only when an import runs

    frame = entities.copy()
    places = frame.index[frame["entity_type"] == "place"]
    if not len(places):
        return frame, []
    table = postcodes if postcodes is not None else geo.default_postcodes()
    located = geo.locate_places(frame.loc[places], table)
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame.loc[places, ["lat", "lon"]] = located[["lat", "lon"]]
    lost = located[located["located_by"] == "not located"]
    return frame, _not_located(lost)


def _not_located(lost: pd.DataFrame) -> list[Problem]:
    problems = []
    for row in lost.head(LOCATE_WARNINGS_LISTED).to_dict("records"):
        given = str(row.get("postcode") or "").strip()
        why = (
            "its postcode is not in the postcode table (set MAPPING_POSTCODE_TABLE to an "
            "ONS Postcode Directory extract)"
            if given
            else "it has no lat/lon, eastings/northings or postcode"
        )
        problems.append(
            Problem(
                WARNING,
                row.get("in_file") or "",
                row.get("in_sheet") or "",
                _row_number(row.get("in_row")),
                "postcode",
                "place not located",
                f"the place cannot be put on the map: {why}",
            )
        )
    if len(lost) > LOCATE_WARNINGS_LISTED:
        problems.append(
            Problem(
                WARNING,
                "",
                "",
                None,
                "postcode",
                "place not located",
                f"{len(lost) - LOCATE_WARNINGS_LISTED} more places cannot be put on the map",
            )
        )
    return problems


def _row_number(value: float | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def code_entities(
    entities: pd.DataFrame, pseudonymiser: Pseudonymiser
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Pseudonymise people and private places. Returns (entities, raw id -> stored id)."""
    frame = entities.copy()
    private = _pseudonymised(frame)
    stored = frame["entity_id"].str.strip()
    coded = frame.loc[private]
    codes = [
        pseudonymiser.code(raw, MODEL.code_prefix(kind))
        for raw, kind in zip(coded["entity_id"], coded["entity_type"], strict=True)
    ]
    check_collisions(coded["entity_id"], codes)  # two ids, one code: two people as one
    stored.loc[private] = codes
    id_map = dict(zip(frame["entity_id"].str.strip(), stored, strict=True))
    frame["entity_id"] = stored
    frame.loc[private, "label"] = stored.loc[private]
    address = private & (frame["entity_type"] == "place")
    frame.loc[address, "postcode"] = frame.loc[address, "postcode"].map(outward_code)
    for column in ("lat", "lon"):
        frame.loc[address, column] = frame.loc[address, column].round(ADDRESS_DECIMALS)
    return frame[list(ENTITY_COLUMNS)], id_map


def _pseudonymised(frame: pd.DataFrame) -> pd.Series:
    """Which entities are stored as codes, asked of the model once per (type, place kind)
    pair rather than once per row (a row-wise ``apply`` cost seconds at 245,000 entities)."""
    if not len(frame):
        return pd.Series(dtype=bool)
    types = frame["entity_type"].astype(object).tolist()
    kinds = frame["place_kind"].astype(object).tolist()
    pairs = dict.fromkeys(zip(types, kinds, strict=True))
    answer = {(t, k): MODEL.is_pseudonymised(t, k or None) for t, k in pairs}
    return pd.Series(
        [answer[pair] for pair in zip(types, kinds, strict=True)], index=frame.index, dtype=bool
    )


def outward_code(postcode: object) -> str:
    """Keep only the outward part of a postcode (``FX3 4QT`` -> ``FX3``)."""
    text = str(postcode or "").strip().upper()
    return text.split()[0] if " " in text else text[:-3] if len(text) > 4 else text


def code_prefixes() -> list[str]:
    """Every prefix a stored code can carry (people, unknowns, private addresses)."""
    return sorted(
        {
            MODEL.code_prefix(t)
            for t in list(MODEL.entity_types.keys())
            if MODEL.is_pseudonymised(t, None)
        }
        | {MODEL.code_prefix("place")}
    )


def previous_id(raw: str, previous_ids: frozenset[str], pseudonymiser: Pseudonymiser) -> str | None:
    """The stored id ``raw`` already has in the version an import adds to, if any."""
    if not previous_ids:
        return None
    for prefix in code_prefixes():
        code = pseudonymiser.code(raw, prefix)
        if code in previous_ids and prefix != MODEL.code_prefix("unknown"):
            return code
    unknown = pseudonymiser.code(raw, MODEL.code_prefix("unknown"))
    return unknown if unknown in previous_ids else raw if raw in previous_ids else None


def resolve_ids(
    raw_ids: pd.Series,
    id_map: dict[str, str],
    pseudonymiser: Pseudonymiser,
    unknown: dict[str, str],
    previous_ids: frozenset[str] = frozenset(),
) -> pd.Series:
    """Stored ids for raw ids named in links: this import's entities first, then the version
    added to, else a new unknown entity."""

    # P001, p001 and a full-width P001 name one entity (validation refuses them as two rows).
    folded = {normalise_raw_id(k): v for k, v in id_map.items()}

    def resolve(raw: str) -> str:
        key = raw.strip()
        if key in id_map:
            return id_map[key]
        if normalise_raw_id(key) in folded:
            return folded[normalise_raw_id(key)]
        if key not in unknown:
            unknown[key] = previous_id(key, previous_ids, pseudonymiser) or pseudonymiser.code(
                key, MODEL.code_prefix("unknown")
            )
        return unknown[key]

    uniques = {v: resolve(v) for v in raw_ids.unique()}
    return raw_ids.map(uniques)


def link_ids(links: pd.DataFrame) -> pd.Series:
    """Stable link ids from what the link is, so the same link keeps its id across versions."""
    key = (
        links["source_id"]
        + "|"
        + links["target_id"]
        + "|"
        + links["link_type"]
        + "|"
        + links["first_seen"].fillna("")
        + "|"
        + links["source_agency"].fillna("")
        + "|"
        + links["incident_id"].fillna("")
    )
    occurrence = key.groupby(key).cumcount().astype(str)
    full = key + "|" + occurrence
    sha256 = hashlib.sha256
    ids = ["L-" + sha256(k.encode("utf-8")).hexdigest()[:12] for k in full.tolist()]
    return pd.Series(ids, index=full.index, dtype=full.dtype)  # no per-row Series.map


def incident_people(incidents: pd.DataFrame) -> pd.DataFrame:
    """One row per person per incident, with every role they were recorded in.

    A person on several rows of one incident (victim on one, suspect on another) keeps all
    roles, in model order (``victim;person_of_concern``); their first row gives the date,
    agency and grading; ``places`` lists every place named on their rows.
    """
    if incidents.empty:
        return incidents.assign(places=pd.Series(dtype=object))
    keys = ["incident_id", "person_id"]
    groups = incidents.groupby(keys, sort=False)
    people = groups.head(1).reset_index(drop=True)  # first rows, in the groups' order
    people["role"] = groups["role"].agg(merge_roles).to_numpy()
    people["places"] = (
        groups["place_id"]
        .agg(lambda ps: list(dict.fromkeys(p for p in ps.fillna("") if str(p).strip())))
        .to_numpy()
    )
    return people


def incident_links(incidents: pd.DataFrame) -> pd.DataFrame:
    """Co-presence links between everyone at an incident, and present-at links to the place."""
    rows = []
    people = incident_people(incidents)
    for incident_id, group in people.groupby("incident_id", sort=True):
        present = group.to_dict("records")
        for a, b in combinations(present, 2):
            rows.append(_incident_link(incident_id, a, b["person_id"], "co_presence", b["role"]))
        for person in present:
            for place in person["places"]:
                rows.append(_incident_link(incident_id, person, place, "present_at", ""))
    return pd.DataFrame(rows, columns=list(LINK_COLUMNS[1:-1]))


def lone_people(incidents: pd.DataFrame) -> list[Problem]:
    """A warning counting people alone at an incident with no place: they make no link.

    Their incident rows are kept (the incidents table is the evidence), but nothing puts
    them on the map, so the import says so rather than lose them silently.
    """
    if incidents.empty:
        return []
    people = incident_people(incidents)
    sizes = people.groupby("incident_id")["person_id"].transform("size")
    alone = people[(sizes == 1) & (people["places"].map(len) == 0)]
    if alone.empty:
        return []
    files = sorted({str(f) for f in incidents.get("in_file", pd.Series(dtype=str)) if f})
    return [
        Problem(
            WARNING,
            ", ".join(files) or "incidents",
            "",
            None,
            "place_id",
            "person alone at an incident with no place",
            f"{alone['person_id'].nunique()} people at {len(alone)} incidents were the only "
            "person recorded and the incident has no place, so they make no link (the "
            "incident rows are kept); give these incidents a place_id to show them",
        )
    ]


def _incident_link(
    incident_id: object,
    person: Mapping[str, object],
    target: object,
    link_type: str,
    target_role: object,
) -> dict[str, object]:
    return {
        "source_id": person["person_id"],
        "target_id": target,
        "link_type": link_type,
        "first_seen": person["date"],
        "last_seen": person["date"],
        "source_agency": person["source_agency"],
        **{field: person[field] for field in GRADING_FIELDS},
        "weight": 1.0,
        "notes": None,
        "incident_id": incident_id,
        "source_role": person["role"],
        "target_role": target_role,
    }


def files_past_review(
    links: pd.DataFrame, incidents: pd.DataFrame, months: int, today: date
) -> list[Problem]:
    """A warning for each file whose every link is already past its review-by date.

    Such links import (historic data is still analysable), but they are hidden as stale by
    default and ``purge`` would delete them at once, so the analyst is told before reading
    an empty analysis as "no structure".
    """
    frames = [
        links[["in_file", "last_seen"]],
        incidents[["in_file", "date"]].rename(columns={"date": "last_seen"}),
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return []
    seen = pd.concat(frames, ignore_index=True)
    problems = []
    limit = today.isoformat()
    for name, group in seen.groupby("in_file", sort=True):
        due = review_dates(group["last_seen"], months)
        if len(due) and due.notna().all() and (due < limit).all():
            problems.append(
                Problem(
                    WARNING,
                    str(name),
                    "",
                    None,
                    "last_seen",
                    "every link past review-by",
                    f"all {len(group)} links or incident rows of this file were last seen by "
                    f"{max(group['last_seen'])} and are already past their review-by date "
                    f"({months} months): they are imported, but hidden as stale unless "
                    "analysed with --include-stale, and `purge` would delete them",
                )
            )
    return problems


def adults_without_role(tables: VersionTables) -> list[Problem]:
    """A warning counting adults with no ``adult_role`` and the roles the evidence gives them
    (read at analysis time, marked inferred; see ``mapping.adult_roles``)."""
    from mapping.adult_roles import CONCERN, TRUSTED, role_counts

    counts = role_counts(tables.entities, tables.links)
    if not counts["no_role"]:
        return []
    rest = counts["no_role"] - counts[TRUSTED] - counts[CONCERN]
    return [
        Problem(
            WARNING,
            "this import",
            "",
            None,
            "adult_role",
            "adults with no role",
            f"{counts['no_role']} adults have no adult_role: from the evidence "
            f"{counts[TRUSTED]} are read as trusted adults (trusted_adult protective factor or "
            f"trusted_relationship link) and {counts[CONCERN]} as adults of concern "
            f"(victim_offender link or person-of-concern incident role), marked inferred "
            f"wherever shown; {rest} stay 'other'. Add an adult_role column to say who they are",
        )
    ]


def review_dates(last_seen: pd.Series, months: int) -> pd.Series:
    """Each date plus ``months`` (ISO text; missing stays missing), worked out once per
    distinct date: a million links hold a few hundred dates, and parsing and offsetting
    every row cost most of the import's canonicalisation at 1M links. The first distinct
    date is the first row's, so pandas infers the same format as for the whole column."""
    codes, uniques = pd.factorize(last_seen)
    due = _review_dates(pd.Series(uniques, dtype=last_seen.dtype), months)
    return pd.Series(due.array.take(codes, allow_fill=True), index=last_seen.index)


def _review_dates(last_seen: pd.Series, months: int) -> pd.Series:
    seen = pd.to_datetime(last_seen, errors="coerce")
    due = seen + pd.DateOffset(months=months)
    return due.dt.strftime("%Y-%m-%d").where(seen.notna(), None)


def build_tables(
    entities: pd.DataFrame,
    links: pd.DataFrame,
    incidents: pd.DataFrame,
    pseudonymiser: Pseudonymiser,
    *,
    keep_notes: bool,
    retention_months: int,
    previous_ids: frozenset[str] = frozenset(),
) -> tuple[VersionTables, list[str]]:
    """Canonical tables for one version, and the stored ids of entities only named in links."""
    coded, id_map = code_entities(entities, pseudonymiser)
    unknown: dict[str, str] = {}
    links = links.copy()
    links["source_id"] = resolve_ids(
        links["source_id"], id_map, pseudonymiser, unknown, previous_ids
    )
    links["target_id"] = resolve_ids(
        links["target_id"], id_map, pseudonymiser, unknown, previous_ids
    )
    links["incident_id"] = None
    links["source_role"] = None
    links["target_role"] = None
    if not keep_notes:
        links["notes"] = None
    incidents = incidents.copy()
    incidents["person_id"] = resolve_ids(
        incidents["person_id"], id_map, pseudonymiser, unknown, previous_ids
    )
    has_place = incidents["place_id"].str.strip() != ""
    incidents.loc[has_place, "place_id"] = resolve_ids(
        incidents.loc[has_place, "place_id"], id_map, pseudonymiser, unknown, previous_ids
    )
    link_fields = [c for c in LINK_COLUMNS if c not in ("link_id", "review_by")]
    all_links = pd.concat(
        [links[link_fields], incident_links(incidents)[link_fields]], ignore_index=True
    )
    all_links["link_id"] = link_ids(all_links)
    all_links["review_by"] = review_dates(all_links["last_seen"], retention_months)
    new_unknowns = sorted(set(unknown.values()) - set(coded["entity_id"]) - previous_ids)
    extra = pd.DataFrame(
        {"entity_id": new_unknowns, "entity_type": "unknown", "label": new_unknowns}
    )
    coded = pd.concat([coded, extra], ignore_index=True)[list(ENTITY_COLUMNS)]
    incidents["row_number"] = incidents.get("row_number", np.nan)
    tables = VersionTables(
        entities=coded.replace({"": None}),
        links=all_links[list(LINK_COLUMNS)].replace({"": None}),
        incidents=incidents[list(INCIDENT_COLUMNS)].replace({"": None}),
    )
    return tables, new_unknowns
