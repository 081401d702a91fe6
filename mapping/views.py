"""Plain tables for the pages and exports: analysis results and their evidence, labelled in
the field's words. Pages call these and only lay out what comes back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from mapping.analysis.harms import harm_counts_text
from mapping.graph import ScopedGraph
from mapping.model import GRADING_FIELDS, LIST_SEPARATOR, MODEL

if TYPE_CHECKING:
    from mapping.analysis.clusters import Cluster

#: What a person reads first comes first: the link, its source, grading and dates; the
#: link id (for audit and exports) last, so a narrow side panel shows the evidence itself.
EVIDENCE_COLUMNS = [
    "link_type",
    "from",
    "to",
    "source_agency",
    "grading",
    "first_seen",
    "last_seen",
    "incident_id",
    "roles",
    "link_id",
]


def harm_summary(harms: dict[str, int]) -> str:
    return harm_counts_text(harms)


def cluster_table(clusters: Iterable[Cluster]) -> pd.DataFrame:
    """One row per cluster: what a MACE meeting reads first."""
    rows = []
    for c in clusters:
        rows.append(
            {
                "cluster": c.id,
                "network": "adults' network" if c.network == "adults" else "young people",
                "overlap": "yes" if c.overlap else "no",
                "young people": len(c.young_people),
                "adults": len(c.adults),
                "contexts": len(c.contexts),
                "harm flags (young people)": harm_summary(c.harms),
                "with two or more harm types": len(c.multi_harm_young_people),
                "protective": len(c.protective["trusted_adults"])
                + len(c.protective["protective_places"]),
                "links of evidence": len(c.evidence),
                "share of people": f"{c.share:.0%}"
                + (" (would not split)" if c.oversized else " (split)" if c.split else ""),
            }
        )
    return pd.DataFrame(rows)


def name_of(scoped: ScopedGraph, node: str, use_codes: bool = False) -> str:
    data = scoped.graph.nodes.get(node)
    if data is None or use_codes:
        return node
    return str(data.get("label") or node)


def role_labels(value: object) -> str:
    """Incident roles of one end (``victim;person_of_concern``) as labels, each kept."""
    if not isinstance(value, str) or not value:
        return ""
    return " and ".join(
        MODEL.incident_roles.label(r) if r in MODEL.incident_roles else r
        for r in value.split(LIST_SEPARATOR)
    )


def roles_text(source_role: object, target_role: object) -> str:
    """Both ends' incident roles, by end: ``from: Victim and Person of concern; to: Witness``."""
    parts = [
        f"{end}: {role_labels(value)}"
        for end, value in (("from", source_role), ("to", target_role))
        if role_labels(value)
    ]
    return "; ".join(parts)


def evidence_table(
    scoped: ScopedGraph, link_ids: Iterable[str], use_codes: bool = False
) -> pd.DataFrame:
    """The links behind a highlight: type, agency, grading and dates, newest first."""
    records = scoped.link_records(link_ids)
    rows = []
    for r in records.to_dict("records"):
        grading = "".join(str(r.get(k) or "") for k in GRADING_FIELDS)
        roles = roles_text(r.get("source_role"), r.get("target_role"))
        rows.append(
            {
                "link_id": r["link_id"],
                "from": name_of(scoped, r["source_id"], use_codes),
                "to": name_of(scoped, r["target_id"], use_codes),
                "link_type": MODEL.link_types.label(r["link_type"]),
                "source_agency": MODEL.source_agencies.label(r["source_agency"])
                if r.get("source_agency")
                else "not recorded",
                "grading": grading or "not graded",
                "first_seen": r.get("first_seen"),
                "last_seen": r.get("last_seen"),
                "incident_id": r.get("incident_id") or "",
                "roles": roles,
            }
        )
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return frame.sort_values(
        ["last_seen", "link_id"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


#: Column headings a person reads (the stored field names stay in exports and JSON).
EVIDENCE_HEADINGS = {
    "link_type": "Link type",
    "from": "From",
    "to": "To",
    "source_agency": "Agency",
    "grading": "Grading",
    "first_seen": "First seen",
    "last_seen": "Last seen",
    "incident_id": "Incident",
    "roles": "Roles in the incident",
    "link_id": "Link",
}


def uk_date(value: object) -> str:
    """An ISO date as dd/mm/yyyy (the filters' format); blank when none is recorded."""
    if value is None or value != value or not str(value).strip():
        return ""
    stamp = pd.to_datetime(str(value), errors="coerce")
    return str(value) if pd.isna(stamp) else stamp.strftime("%d/%m/%Y")


def grading_meaning(code: str) -> str:
    """What a 3x5x2 grading such as ``2BP`` says, in words: source, assessment, handling."""
    from mapping.model import parse_grading

    grading = parse_grading(code)
    if grading is None:
        return "Not graded"
    parts = [
        f"{grading.source_evaluation}: source {MODEL.source_evaluations.label(grading.source_evaluation).lower()}",
        f"{grading.intelligence_assessment}: "
        + MODEL.intelligence_assessments.label(grading.intelligence_assessment).lower(),
    ]
    if grading.handling_code:
        parts.append(
            f"{grading.handling_code}: " + MODEL.handling_codes.label(grading.handling_code).lower()
        )
    return "; ".join(parts)


def grading_key() -> str:
    """The 3x5x2 key in one line, from the model (shown on hover and under the tables)."""
    scales = (
        ("source", MODEL.source_evaluations),
        ("intelligence", MODEL.intelligence_assessments),
        ("handling", MODEL.handling_codes),
    )
    return "Grading 3x5x2: " + " · ".join(
        f"{name} " + ", ".join(f"{t.key} {t.label.lower()}" for t in vocabulary)
        for name, vocabulary in scales
    )


def evidence_for_reading(frame: pd.DataFrame) -> pd.DataFrame:
    """An evidence table as a person reads it: plain headings, dates as dd/mm/yyyy."""
    shown = frame.copy()
    for column in ("first_seen", "last_seen"):
        shown[column] = shown[column].map(uk_date)
    return shown.rename(columns=EVIDENCE_HEADINGS)
