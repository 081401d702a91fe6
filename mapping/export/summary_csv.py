"""The strategic summary as a CSV file (``export --format summary``): every figure exactly
as the Strategic summary page shows it (mapping.summary.summarise), with the marking (and
the copy's recipient and review-by date, mapping.marking) and the suppression note on top. Raw counts never reach this file."""

from __future__ import annotations

import csv
from pathlib import Path

from mapping.export.options import Metadata
from mapping.graph import ScopedGraph
from mapping.marking import metadata_marking
from mapping.summary import SUPPRESSION_NOTE, summarise, summary_csv_rows, young_people_by_period


def write_summary(scoped: ScopedGraph, out: Path, metadata: Metadata, freq: str = "Q") -> None:
    rows = summary_csv_rows(summarise(young_people_by_period(scoped, freq)))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [f"# {metadata_marking(metadata)} · dataset version {metadata['dataset_version']}"]
        )
        writer.writerow([f"# {SUPPRESSION_NOTE}"])
        writer.writerow(list(rows.columns))
        writer.writerows(rows.astype(str).itertuples(index=False, name=None))
