"""CSV and XLSX tables for spreadsheets: entities, links, clusters and hotspots.

Spreadsheets run formulas, so a label such as ``=HYPERLINK(...)`` typed into a case system
must arrive as text: every text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or
carriage return gets a leading ``'`` (the text is kept). Numbers stay numbers (a negative
longitude is a number, not a formula). The XLSX holds values only, never a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapping.export.graphml import xml_text
from mapping.export.options import Metadata
from mapping.export.records import (
    ENTITY_FIELDS,
    LINK_FIELDS,
    Row,
    entity_rows,
    is_blank,
    link_rows,
)
from mapping.graph import ScopedGraph
from mapping.marking import metadata_marking

if TYPE_CHECKING:
    from mapping.analysis.clusters import Cluster

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Metadata rows written above every CSV header, in this order (so readers skip 6 rows).
METADATA_KEYS = ("marking", "dataset_version", "exported_at", "role", "filters", "notice")
#: Who a copy is for and when it is to be reviewed: rows of their own in the workbook's
#: README; in a CSV they follow the marking on its row (mapping.marking.marking_line), so
#: the header keeps its six rows, which readers of earlier exports count on.
COPY_KEYS = ("recipient", "review_by")
CLUSTER_FIELDS = (
    "cluster_id",
    "members",
    "young_people",
    "adults",
    "contexts",
    "harms",
    "ideologies",
    "multi_harm_young_people",
    "overlap",
    "trusted_adults",
    "protective_places",
    "evidence",
)
HOTSPOT_FIELDS = (
    "context_id",
    "kind",
    "label",
    "district",
    "harms",
    "harm_types",
    "overlap",
    "young_people",
    "multi_harm_young_people",
    "adults_of_concern",
    "peer_groups",
    "pupils_in_different_peer_groups",
    "protective",
    "first_seen",
    "last_seen",
    "evidence",
)
TABLE_FIELDS = {
    "entities": ENTITY_FIELDS,
    "links": LINK_FIELDS,
    "clusters": CLUSTER_FIELDS,
    "hotspots": HOTSPOT_FIELDS,
}


def neutralise(value: object) -> str | int | float | None:
    """``value`` safe for a spreadsheet cell: text that a spreadsheet would read as a
    formula gets a leading ``'``; numbers, booleans and blanks pass unchanged."""
    if is_blank(value):
        return None
    if isinstance(value, bool | int | float):
        return value
    text = xml_text(value)  # openpyxl refuses control characters
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _joined(value: object) -> object:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return value


def cluster_rows(clusters: Iterable[Cluster | dict[str, Any]]) -> list[Row]:
    """One row per cluster (Cluster objects or their dicts); lists are ``; ``-joined."""
    rows = []
    for cluster in clusters:
        c = cluster if isinstance(cluster, dict) else asdict(cluster)
        protective = c.get("protective") or {}
        rows.append(
            {
                "cluster_id": c.get("id"),
                "members": len(c.get("members") or ()),
                "young_people": c.get("young_people"),
                "adults": c.get("adults"),
                "contexts": c.get("contexts"),
                "harms": c.get("harms"),
                "ideologies": c.get("ideologies"),
                "multi_harm_young_people": c.get("multi_harm_young_people"),
                "overlap": c.get("overlap"),
                "trusted_adults": protective.get("trusted_adults"),
                "protective_places": protective.get("protective_places"),
                "evidence": c.get("evidence"),
            }
        )
    return [{k: _joined(v) for k, v in r.items()} for r in rows]


def hotspot_rows(hotspots: list[dict[str, Any]]) -> list[Row]:
    """One row per hotspot as :func:`mapping.analysis.hotspots.find_hotspots` returns it;
    keys it does not (yet) return are left blank."""
    rows = []
    for h in hotspots:
        period = h.get("period") or {}
        row = {field: h.get(field) for field in HOTSPOT_FIELDS}
        row.update(
            context_id=h.get("id"),
            first_seen=period.get("first_seen"),
            last_seen=period.get("last_seen"),
        )
        rows.append({k: _joined(v) for k, v in row.items()})
    return rows


def build_tables(scoped: ScopedGraph, seed: int = 0) -> dict[str, list[Row]]:
    """The four tables of ``scoped``; clusters and hotspots as the analysis report has them.
    Computed once by the caller (``export.run.prepare``); the writers below only write."""
    from mapping.analysis.clusters import find_clusters, membership
    from mapping.analysis.hotspots import find_hotspots

    links = link_rows(scoped)
    clusters = find_clusters(scoped, seed=seed) if scoped.graph.number_of_nodes() else []
    hotspots = find_hotspots(scoped, membership=membership(clusters)) if clusters else []
    return {
        "entities": entity_rows(scoped, links),
        "links": links,
        "clusters": cluster_rows(clusters),
        "hotspots": hotspot_rows(hotspots),
    }


def metadata_lines(metadata: Metadata) -> list[str]:
    """The six ``# key: value`` rows; the marking row also names the copy's recipient and
    review-by date when the metadata has them (``# marking: M · for R · review by D``)."""
    values = {key: metadata.get(key, "") for key in METADATA_KEYS}
    values["marking"] = metadata_marking(metadata)
    return [f"# {key}: {values[key]}" for key in METADATA_KEYS]


def write_csv_table(path: Path, fields: Sequence[str], rows: list[Row], metadata: Metadata) -> None:
    """One CSV: six ``# key: value`` metadata rows, the header, then neutralised rows."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for line in metadata_lines(metadata):
            writer.writerow([neutralise(line)])
        writer.writerow(fields)
        for row in rows:
            writer.writerow(
                ["" if neutralise(row.get(f)) is None else neutralise(row.get(f)) for f in fields]
            )


def write_csv(tables: dict[str, list[Row]], path: Path, metadata: Metadata) -> None:
    """``path`` is a folder: entities.csv, links.csv, clusters.csv and hotspots.csv, from
    :func:`build_tables`."""
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_csv_table(path / f"{name}.csv", TABLE_FIELDS[name], rows, metadata)


def write_xlsx(tables: dict[str, list[Row]], path: Path, metadata: Metadata) -> None:
    """A workbook: README (metadata and marking) then one sheet per table, values only."""
    from openpyxl import Workbook

    book = Workbook()
    readme = book.active
    readme.title = "README"
    for key in (*METADATA_KEYS, *COPY_KEYS):
        readme.append([key, neutralise(metadata.get(key, ""))])
    readme.append(["tables", "Entities, Links, Clusters, Hotspots: see docs/exports.md"])
    for name, rows in tables.items():
        sheet = book.create_sheet(name.capitalize())
        fields = TABLE_FIELDS[name]
        sheet.append(list(fields))
        for row in rows:
            sheet.append([neutralise(row.get(f)) for f in fields])
        sheet.freeze_panes = "A2"
    book.properties.title = f"{metadata.get('marking', '')} network map export"
    book.properties.keywords = str(metadata.get("marking", ""))
    book.save(path)
