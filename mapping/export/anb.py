"""i2 Analyst's Notebook import CSV: one row per link, both ends described on the row.

ANB's Importer builds a chart from a "link row" layout: entity 1 (type, identity, label),
entity 2 (the same) and the link between them (type, dates, grading). The matching import
specification (which column feeds which ANB field) is documented in docs/exports.md, and a
test checks this module's header against that document. Six ``#`` metadata rows come first
(marking, dataset version, date, role, filters, notice); the header is on row 7.
"""

from __future__ import annotations

import csv
from pathlib import Path

from mapping.export.options import Metadata
from mapping.export.records import Row, entity_rows, link_rows
from mapping.export.tables import metadata_lines, neutralise
from mapping.graph import ScopedGraph
from mapping.model import MODEL

#: Our entity types -> the standard ANB entity type (icon) they import as.
ANB_ENTITY_TYPES = {
    "young_person": "Person",
    "adult": "Person",
    "unknown": "Person",
    "place": "Location",
    "online_space": "Website",
    "group": "Organisation",
}
ANB_COLUMNS = (
    "Entity1_Identity",
    "Entity1_Type",
    "Entity1_ANB_Type",
    "Entity1_Label",
    "Entity1_District",
    "Entity1_Harms",
    "Entity1_Role",
    "Entity2_Identity",
    "Entity2_Type",
    "Entity2_ANB_Type",
    "Entity2_Label",
    "Entity2_District",
    "Entity2_Harms",
    "Entity2_Role",
    "Link_Identity",
    "Link_Type",
    "Link_Label",
    "Date_First_Seen",
    "Date_Last_Seen",
    "Source_Evaluation",
    "Intelligence_Assessment",
    "Handling_Code",
    "Grading",
    "Source_Agency",
    "Link_Weight",
    "Incident_Identity",
    "Marking",
)


def _end(prefix: str, entity: Row) -> dict[str, object]:
    return {
        f"{prefix}_Identity": entity["entity_id"],
        f"{prefix}_Type": entity["entity_type"],
        f"{prefix}_ANB_Type": ANB_ENTITY_TYPES.get(entity["entity_type"], "Person"),
        f"{prefix}_Label": entity["label"],
        f"{prefix}_District": entity["district"],
        f"{prefix}_Harms": entity["harms"],
    }


def anb_rows(scoped: ScopedGraph, marking: str) -> list[dict[str, object]]:
    """One dict per link in scope, keyed by ANB_COLUMNS."""
    links = link_rows(scoped)
    entities = {e["entity_id"]: e for e in entity_rows(scoped, links)}
    rows: list[dict[str, object]] = []
    for link in links:
        row: dict[str, object] = {
            **_end("Entity1", entities[link["source_id"]]),
            "Entity1_Role": link["source_role"],  # every incident role, ;-separated
            **_end("Entity2", entities[link["target_id"]]),
            "Entity2_Role": link["target_role"],
        }
        row.update(
            {
                "Link_Identity": link["link_id"],
                "Link_Type": link["link_type"],
                "Link_Label": MODEL.link_types.label(link["link_type"])
                if link["link_type"] in MODEL.link_types
                else link["link_type"],
                "Date_First_Seen": link["first_seen"],
                "Date_Last_Seen": link["last_seen"],
                "Source_Evaluation": link["source_evaluation"],
                "Intelligence_Assessment": link["intelligence_assessment"],
                "Handling_Code": link["handling_code"],
                "Grading": link["grading"],
                "Source_Agency": link["source_agency"],
                "Link_Weight": link["weight"],
                "Incident_Identity": link["incident_id"],
                "Marking": marking,
            }
        )
        rows.append(row)
    return rows


def write_anb(scoped: ScopedGraph, path: Path, metadata: Metadata) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for line in metadata_lines(metadata):
            writer.writerow([neutralise(line)])
        writer.writerow(ANB_COLUMNS)
        for row in anb_rows(scoped, str(metadata.get("marking", ""))):
            writer.writerow(["" if row.get(c) is None else neutralise(row[c]) for c in ANB_COLUMNS])
