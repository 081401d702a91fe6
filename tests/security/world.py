"""A tiny fictional world for the trust and security tests (all names invented).

Young people TR-1 and TR-2, adults of concern TR-A and TR-C, a trusted adult TR-T, a place whose
label is a unique marker, a place and an online space named with a hostile payload. One link
is handling code C (TR-1 to TR-C, who has no other link); one link is years old, so it is
past its review-by date, and carries the marker in its notes. Every text field can be swapped for a hostile payload.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store

TODAY = date(2026, 11, 29)
MARKER = "ZQXMARKER7731"
RAW_NAMES = [
    "Tamsin Invented",
    "Ulric Invented",
    "Vera Invented",
    "Wendell Invented",
    "Xander Invented",
]
RAW_IDS = ["TR-1", "TR-2", "TR-A", "TR-T", "TR-C"]
C_LINK = ("TR-1", "TR-C")  # TR-C is known only through this handling-code-C link


def entity_rows(payload: str = "") -> list[dict]:
    """Entity rows; ``payload`` is appended to every free-text field."""
    rows = [
        ("TR-1", "young_person", RAW_NAMES[0], "North", "13-15", "cce;radicalisation", "", ""),
        ("TR-2", "young_person", RAW_NAMES[1], "North", "16-17", "cce", "", ""),
        ("TR-A", "adult", RAW_NAMES[2], "North", "25+", "", "", "person_of_concern"),
        ("TR-T", "adult", RAW_NAMES[3], "North", "25+", "", "", "trusted_adult"),
        ("TR-C", "adult", RAW_NAMES[4], "North", "25+", "", "", "person_of_concern"),
        ("PL-M", "place", f"Old Yard {MARKER}", "North", "", "", "park", ""),
        ("PL-X", "place", f"Kebab Stop{payload}", f"North{payload}", "", "", "takeaway", ""),
        ("ON-X", "online_space", f"Chat{payload}", "", "", "", "", ""),
    ]
    keys = (
        "entity_id",
        "entity_type",
        "label",
        "district",
        "age_band",
        "harms",
        "place_kind",
        "adult_role",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def link_rows(payload: str = "") -> list[dict]:
    rows = [
        ("TR-1", "TR-2", "peer", "2026-01-10", "2026-10-01", "police", "2BP", ""),
        (*C_LINK, "victim_offender", "2026-02-01", "2026-09-01", "police", "1AC", ""),
        ("TR-2", "TR-A", "contact", "2026-03-01", "2026-09-15", "police", "2BP", ""),
        (
            "TR-2",
            "TR-T",
            "trusted_relationship",
            "2026-01-01",
            "2026-11-01",
            "voluntary sector",
            "1AP",
            "",
        ),
        (
            "TR-1",
            "PL-M",
            "frequents",
            "2019-01-01",
            "2019-02-01",
            "police",
            "2BP",
            f"seen near {MARKER}",
        ),
        (
            "TR-1",
            "PL-X",
            "frequents",
            "2026-01-01",
            "2026-10-01",
            "police",
            "2BP",
            f"note{payload}",
        ),
        ("TR-2", "ON-X", "member_of", "2026-05-01", "2026-10-20", "prevent", "2BP", ""),
    ]
    keys = (
        "source_id",
        "target_id",
        "link_type",
        "first_seen",
        "last_seen",
        "source_agency",
        "grading",
        "notes",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def to_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def import_world(
    database_url: str,
    key_file: Path,
    folder: Path,
    *,
    payload: str = "",
    keep_notes: bool = True,
    file_prefix: str = "",
) -> int:
    """Import the world (with ``payload`` in text fields, ``file_prefix`` before each file's
    name as the person uploading it called it) and return its dataset version."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for name, rows in (("entities", entity_rows(payload)), ("links", link_rows(payload))):
        path = folder / f"{name}.csv"
        path.write_text(to_csv(rows), encoding="utf-8")
        sources.append(Source(path, file_prefix + path.name))
    result = import_files(
        sources,
        Store(database_url),
        Pseudonymiser.from_file(key_file),
        keep_notes=keep_notes,
        today=TODAY,
    )
    return result.version
