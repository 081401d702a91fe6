"""Plain rows every export format is written from: one per entity, one per link.

Built only from a :class:`~mapping.graph.ScopedGraph`, so the viewer's redactions (handling
code C links, a partner's view of adults of concern) have already been applied and no
format can put them back. Private-address coordinates arrive already generalised for every
role that does not see true addresses (``coordinates_generalised``, set by the scoped graph). Person ids are the stored HMAC codes; this module
never sees raw identifiers or names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mapping.graph import LIST_ATTRIBUTES, ScopedGraph
from mapping.model import GRADING_FIELDS, LIST_SEPARATOR, MODEL

#: One export row, field -> value (text, number, flag or None), read by field name. The
#: value type is Any because each field has its own type (a link id is text, a weight a
#: float, a harm column a bool) and writers read them by name.
Row = dict[str, Any]

HARM_COLUMNS = tuple(f"harm_{key}" for key in MODEL.harms.keys())
ENTITY_FIELDS = (
    "entity_id",
    "entity_type",
    "label",
    "district",
    "age_band",
    "sex",
    "adult_role",
    "adult_role_inferred",
    "place_kind",
    "platform",
    "case_status",
    "harms",
    "ideology",
    "vulnerabilities",
    "protective_factors",
    *HARM_COLUMNS,
    "postcode",
    "lat",
    "lon",
    "coordinates_generalised",
    "first_seen",
    "last_seen",
    "links",
)
LINK_FIELDS = (
    "link_id",
    "source_id",
    "target_id",
    "source_type",
    "target_type",
    "link_type",
    "first_seen",
    "last_seen",
    "source_agency",
    *GRADING_FIELDS,
    "grading",
    "weight",
    "incident_id",
    "source_role",
    "target_role",
    "review_by",
    "notes",
)


def is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (type(value).__name__ == "NAType")
    )


def _clean(value: object) -> object:
    return None if is_blank(value) else value


def grading_text(link: Mapping[str, object]) -> str | None:
    """The 3x5x2 grading as one code, e.g. ``2BP``; None when nothing was graded."""
    parts = [link.get(field) for field in GRADING_FIELDS]
    text = "".join(str(p) for p in parts if not is_blank(p))
    return text or None


def link_rows(scoped: ScopedGraph) -> list[Row]:
    """One dict per link in scope, with LINK_FIELDS as keys (missing values are None)."""
    types = {n: d["entity_type"] for n, d in scoped.graph.nodes(data=True)}
    rows: list[Row] = []
    for record in scoped.links.to_dict("records"):
        row: Row = {field: _clean(record.get(field)) for field in LINK_FIELDS}
        row["source_type"] = types.get(record["source_id"])
        row["target_type"] = types.get(record["target_id"])
        row["grading"] = grading_text(record)
        row["weight"] = float(row["weight"]) if row["weight"] is not None else 1.0
        rows.append(row)
    rows.sort(key=lambda r: r["link_id"])
    return rows


def _seen_dates(links: list[Row]) -> dict[str, tuple[str | None, str | None]]:
    """Entity id -> (earliest first_seen, latest last_seen) over its links in scope."""
    seen: dict[str, list[str | None]] = {}
    for link in links:
        first = link["first_seen"] or link["last_seen"]
        last = link["last_seen"] or link["first_seen"]
        for node in (link["source_id"], link["target_id"]):
            span = seen.setdefault(node, [None, None])
            if first and (span[0] is None or first < span[0]):
                span[0] = first
            if last and (span[1] is None or last > span[1]):
                span[1] = last
    return {k: (v[0], v[1]) for k, v in seen.items()}


def entity_rows(scoped: ScopedGraph, links: list[Row] | None = None) -> list[Row]:
    """One dict per entity in scope, with ENTITY_FIELDS as keys.

    ``harms`` etc. are ``;``-joined; ``harm_<flag>`` are booleans; ``first_seen`` and
    ``last_seen`` span the entity's links in this export, so a timeline shows when it was
    known; ``coordinates_generalised`` says whether lat/lon were rounded for this role.
    """
    links = links if links is not None else link_rows(scoped)
    seen = _seen_dates(links)
    degree: dict[str, int] = {}
    for link in links:
        for node in (link["source_id"], link["target_id"]):
            degree[node] = degree.get(node, 0) + 1
    rows: list[Row] = []
    for node, data in sorted(scoped.graph.nodes(data=True)):
        row: Row = {field: _clean(data.get(field)) for field in ENTITY_FIELDS}
        row["entity_id"] = node
        row["label"] = _clean(data.get("label")) or node
        # True when the adult's role was read from the evidence (no adult_role recorded)
        adult = data.get("entity_type") == "adult"
        row["adult_role_inferred"] = bool(data.get("adult_role_inferred")) if adult else None
        for field in LIST_ATTRIBUTES:
            row[field] = LIST_SEPARATOR.join(data.get(field) or ()) or None
        for key, column in zip(MODEL.harms.keys(), HARM_COLUMNS, strict=True):
            row[column] = key in (data.get("harms") or ())
        for axis in ("lat", "lon"):  # already generalised by the scoped graph where due
            if row[axis] is not None:
                row[axis] = float(row[axis])
        row["coordinates_generalised"] = bool(
            data.get("coordinates_generalised") and row["lat"] is not None
        )
        row["first_seen"], row["last_seen"] = seen.get(node, (None, None))
        row["links"] = degree.get(node, 0)
        rows.append(row)
    return rows
