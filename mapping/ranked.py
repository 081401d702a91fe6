"""Ranked lists for the Hotspots and Connectors pages: filtered, capped ("and N more"), with
plain headings, and a sentence saying why when nothing is left.

Pure: reads the results of ``mapping.analysis.hotspots.find_hotspots`` and
``mapping.analysis.connectors.find_connectors``, never Streamlit. Every row keeps its stored
``id`` so a page can open the item's evidence (``evidence`` link ids) in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mapping.analysis.connectors import MIN_YOUNG_PEOPLE
from mapping.analysis.hotspots import MIN_FLAGGED_YOUNG_PEOPLE
from mapping.explorer import shown_as
from mapping.graph import ScopedGraph
from mapping.model import MODEL
from mapping.views import harm_summary, uk_date

#: Rows listed before "and N more": what a meeting can read through.
CAP = 25


HOTSPOT_COLUMNS = [
    "Place or online space",
    "Kind",
    "District",
    "Harm flags",
    "Flagged young people",
    "2+ harm types",
    "Adults of concern",
    "Clusters",
    "Seen",
    "Links",
    "Protective",
]
CONNECTOR_COLUMNS = [
    "Connector",
    "Type",
    "Role or kind",
    "District",
    "Clusters bridged",
    "Young people linked",
    "Betweenness",
    "Cut point",
    "Protective",
    "Links",
]


@dataclass
class Ranked:
    """A capped list: ``rows`` to show (with an ``id`` column), how many matched in all, and
    the sentence to show when some or all were left out."""

    rows: pd.DataFrame
    total: int
    note: str | None = None


def kind_label(kind: str) -> str:
    for vocabulary in (MODEL.place_kinds, MODEL.adult_roles, MODEL.entity_types):
        if kind in vocabulary:
            return vocabulary.label(kind)
    return kind.replace("_", " ")


def period_text(period: dict[str, Any]) -> str:
    first, last = uk_date(period.get("first_seen")), uk_date(period.get("last_seen"))
    return f"{first} – {last}" if first or last else "undated"


def more_note(total: int, shown: int) -> str | None:
    if total > shown:
        return f"… and {total - shown:,} more, not listed (narrow the filters to see them)."
    return None


def _capped(
    rows: list[dict[str, Any]], columns: list[str], cap: int
) -> tuple[pd.DataFrame, int, str | None]:
    total = len(rows)
    shown = rows[:cap]
    for rank, row in enumerate(shown, 1):
        row["Rank"] = rank
    return (
        pd.DataFrame(shown, columns=["Rank", *columns, "id"]),
        total,
        more_note(total, len(shown)),
    )


def hotspot_list(
    scoped: ScopedGraph,
    hotspots: list[dict[str, Any]],
    *,
    harm: str | None = None,
    district: str | None = None,
    kind: str | None = None,
    cap: int = CAP,
) -> Ranked:
    """Hotspots as rows, most harm types then most flagged young people first."""
    chosen = [
        h
        for h in hotspots
        if (harm is None or h["harms"].get(harm))
        and (district is None or h.get("district") == district)
        and (kind is None or h["kind"] == kind)
    ]
    if harm:
        chosen.sort(key=lambda h: (-h["harms"][harm], -len(h["young_people"]), h["id"]))
    rows = [
        {
            "Place or online space": shown_as(scoped.graph, h["id"]),
            "Kind": kind_label(h["kind"]),
            "District": h.get("district") or "",
            "Harm flags": harm_summary(h["harms"]),
            "Flagged young people": len(h["young_people"]),
            "2+ harm types": len(h["multi_harm_young_people"]),
            "Adults of concern": len(h["adults_of_concern"]),
            "Clusters": ", ".join(h["clusters"]),
            "Seen": period_text(h["period"]),
            "Links": len(h["evidence"]),
            "Protective": "yes" if h["protective"] else "",
            "id": h["id"],
        }
        for h in chosen
    ]
    columns = HOTSPOT_COLUMNS
    frame, total, note = _capped(rows, columns, cap)
    if not total:
        note = (
            f"No hotspot {'matches these filters' if hotspots else 'in this scope'}: a place "
            f"or online space becomes a hotspot when at least {MIN_FLAGGED_YOUNG_PEOPLE} "
            "young people with a harm flag are linked to it."
        )
    return Ranked(frame, total, note)


def connector_list(
    scoped: ScopedGraph,
    connectors: list[dict[str, Any]],
    *,
    side: str | None = None,
    kind: str | None = None,
    district: str | None = None,
    cap: int = CAP,
) -> Ranked:
    """Connectors as rows: ``side`` "who" (adults and unknown people) or "what" (contexts and
    groups); most clusters bridged, then most young people, then betweenness first."""

    def side_of(c: dict[str, Any]) -> str:
        return "who" if c["entity_type"] in ("adult", "unknown") else "what"

    chosen = [
        c
        for c in connectors
        if (side is None or side_of(c) == side)
        and (kind is None or c["kind"] == kind)
        and (district is None or c.get("district") == district)
    ]
    rows = [
        {
            "Connector": shown_as(scoped.graph, c["id"]),
            "Type": MODEL.entity_types.label(c["entity_type"]),
            "Role or kind": kind_label(c["kind"])
            + (" (inferred)" if scoped.graph.nodes[c["id"]].get("adult_role_inferred") else ""),
            "District": c.get("district") or "",
            "Clusters bridged": len(c["clusters_bridged"]),
            "Young people linked": len(c["young_people"]),
            "Betweenness": round(c["betweenness"], 3),
            "Cut point": "yes" if c["articulation_point"] else "",
            "Protective": "yes" if c["protective"] else "",
            "Links": len(c["evidence"]),
            "id": c["id"],
        }
        for c in chosen
    ]
    columns = CONNECTOR_COLUMNS
    frame, total, note = _capped(rows, columns, cap)
    if not total:
        note = (
            f"No connector {'matches these filters' if connectors else 'in this scope'}: an "
            "adult, place, online space or group is a connector when it links young people "
            f"of two or more clusters, or at least {MIN_YOUNG_PEOPLE} young people."
        )
    return Ranked(frame, total, note)
