"""Shared fixtures for the analysis tests: the sample world imported once per session, and
a builder of small canonical tables for hand-made and generated graphs."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import ENTITY_COLUMNS, INCIDENT_COLUMNS, LINK_COLUMNS, Store, VersionTables

ROOT = Path(__file__).resolve().parents[2]
#: The sample world; MAPPING_SAMPLE_DIR points at another generated copy (e.g. a fresh run).
SAMPLE = Path(os.environ.get("MAPPING_SAMPLE_DIR", ROOT / "sample_data"))
#: The fixed key of the test import, so raw ground-truth ids can be turned into stored codes.
TEST_KEY = b"analysis-test-key-" * 2
TODAY = date(2026, 11, 29)


def tables_from(entities: list[dict], links: list[dict]) -> VersionTables:
    """Canonical tables from plain dicts; missing link fields get harmless defaults."""
    rows = []
    for number, link in enumerate(links):
        rows.append(
            {
                "link_id": f"L{number:05d}",
                "first_seen": "2026-06-01",
                "last_seen": "2026-10-01",
                "source_agency": "police",
                "source_evaluation": "2",
                "intelligence_assessment": "B",
                "handling_code": "P",
                "weight": 1.0,
                "link_type": "peer_association",
                **link,
            }
        )
    return VersionTables(
        pd.DataFrame(entities).reindex(columns=list(ENTITY_COLUMNS)),
        pd.DataFrame(rows).reindex(columns=list(LINK_COLUMNS)),
        pd.DataFrame(columns=list(INCIDENT_COLUMNS)),
    )


@pytest.fixture(scope="session")
def make_tables():
    return tables_from


@pytest.fixture(scope="session")
def sample_world(tmp_path_factory):
    """The fictional sample world imported into a fresh SQLite database with ``TEST_KEY``.

    Returns (store, pseudonymiser, ground truth dict).
    """
    workbook = SAMPLE / "sample_world.xlsx"
    assert workbook.is_file(), (
        "sample_data/sample_world.xlsx is missing: run `python -m mapping sample`"
    )
    folder = tmp_path_factory.mktemp("sample_world")
    store = Store(f"sqlite:///{folder / 'map.sqlite'}")
    pseudonymiser = Pseudonymiser(TEST_KEY)
    import_files([Source(workbook, workbook.name)], store, pseudonymiser, today=TODAY)
    truth = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    return store, pseudonymiser, truth


def stored_id(tables: VersionTables, pseudonymiser: Pseudonymiser, raw: str) -> str:
    """The stored id of a raw sample id: itself (places, online spaces) or its keyed code."""
    known = set(tables.entities["entity_id"])
    for candidate in [raw] + [pseudonymiser.code(raw, p) for p in ("YP", "AD", "AR", "UN")]:
        if candidate in known:
            return candidate
    raise KeyError(f"{raw} is not in the imported sample world")
