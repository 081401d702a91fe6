"""Versioned, transactional storage on both backends: a killed import changes nothing."""

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store
from tests.fixtures.import_corpus import LINK_HEAD, template

ROOT = Path(__file__).resolve().parents[2]
KEY = b"storage-test-key-" * 2
KILLER = """
import sys
KEY_BYTES = b"storage-test-key-" * 2
from datetime import date
from pathlib import Path
from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store

def progress(stage, fraction, rows):
    if stage == "storing" and fraction > 0.5:
        print("MID-WRITE", flush=True)
        sys.stdin.readline()  # wait here, inside the open transaction, to be killed

path = Path(sys.argv[2])
import_files([Source(path, path.name)], Store(sys.argv[1]), Pseudonymiser(KEY_BYTES),
             today=date(2026, 11, 29), progress=progress)
print("FINISHED", flush=True)
"""


def first_import(url: str, folder: Path) -> Store:
    store = Store(url)
    paths = template()(folder)
    import_files(
        [Source(p, p.name) for p in paths],
        store,
        Pseudonymiser(KEY),
        created_by="analyst-1",
        today=date(2026, 11, 29),
    )
    return store


def test_version_records_who_sources_counts_and_warnings(db_url, tmp_path):
    store = first_import(db_url, tmp_path)
    info = store.version_info(1)
    assert info["created_by"] == "analyst-1"
    assert (info["entity_count"], info["link_count"]) == (4, 3)
    sources = {s["name"]: s for s in __import__("json").loads(info["sources"])}
    assert len(sources["links.csv"]["sha256"]) == 64
    assert sources["links.csv"]["rows"] == {"csv": 3}
    assert sources["links.csv"]["read_as"]["encoding"] == "utf-8"
    kinds = set(store.issues(1)["kind"])
    assert "ambiguous date order" not in kinds  # 14/06/2026 settles day-first
    store.dispose()


def test_failed_import_stores_nothing(db_url, tmp_path):
    store = first_import(db_url, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(LINK_HEAD + "\n007,007,peer,,,,\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        import_files([Source(bad, "bad.csv")], store, Pseudonymiser(KEY))
    assert store.latest_version() == 1 and len(store.versions()) == 1
    store.dispose()


def test_killed_import_leaves_previous_version_intact(db_url, tmp_path):
    store = first_import(db_url, tmp_path)
    before = store.read_version(1)
    big = tmp_path / "big.csv"
    with open(big, "w", encoding="utf-8") as handle:
        handle.write(LINK_HEAD + "\n")
        handle.writelines(
            f"CS-{n},CS-{n + 1},peer,2026-01-01,,police,2BP\n" for n in range(120_000)
        )
    child = subprocess.Popen(
        [sys.executable, "-c", KILLER, db_url, str(big)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert child.stdout.readline().strip() == "MID-WRITE"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    store.dispose()
    reopened = Store(db_url)
    assert reopened.latest_version() == 1
    assert len(reopened.versions()) == 1
    after = reopened.read_version(1)
    assert (
        after.links.sort_values("link_id")
        .reset_index(drop=True)
        .equals(before.links.sort_values("link_id").reset_index(drop=True))
    )
    with reopened.engine.connect() as conn:
        orphans = conn.exec_driver_sql("SELECT COUNT(*) FROM links WHERE version_id <> 1")
        assert orphans.scalar() == 0
    reopened.dispose()


def test_several_agencies_files_make_one_version(db_url, tmp_path):
    store = Store(db_url)
    folder = tmp_path / "agencies"
    folder.mkdir()
    police, school = folder / "police.csv", folder / "school.xlsx"
    police.write_text(LINK_HEAD + "\n007,AD-1,contact,2026-02-01,,police,2BP\n", "utf-8")
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(LINK_HEAD.split(","))
    book.active.append(["007", "CS-2", "peer", "2026-02-01", "", "education", ""])
    book.save(school)
    result = import_files(
        [Source(police, "police.csv"), Source(school, "school.xlsx")],
        store,
        Pseudonymiser(KEY),
        today=date(2026, 11, 29),
    )
    assert (result.version, result.links) == (1, 2)
    assert set(store.read_version(1).links["source_agency"]) == {"police", "education"}
    store.dispose()


def test_a_version_reads_back_as_pandas_read_sql_gives_it(db_url):
    """read_version's own fast reader gives the frames pd.read_sql (text columns as
    strings) gives: missing text as NA, floats with NaN, an all-empty column as objects."""
    import pandas as pd
    from sqlalchemy import select

    from mapping.store import ENTITY_COLUMNS, INCIDENT_COLUMNS, LINK_COLUMNS, VersionTables
    from mapping.store import entities as entity_table
    from mapping.store import links as link_table

    entity_rows = pd.DataFrame(
        [
            {"entity_id": "YP-1", "entity_type": "young_person", "lat": None},
            {"entity_id": "PL-1", "entity_type": "place", "lat": 51.5, "lon": None},
            {"entity_id": "PL-2", "entity_type": "place", "label": "Café ünïcode"},
        ]
    ).reindex(columns=list(ENTITY_COLUMNS))
    link_rows = pd.DataFrame(
        [
            {"link_id": "L-1", "source_id": "YP-1", "target_id": "PL-1", "weight": 2.25},
            {"link_id": "L-2", "source_id": "YP-1", "target_id": "PL-2", "notes": "seen"},
        ]
    ).reindex(columns=list(LINK_COLUMNS))
    store = Store(db_url)
    version = store.write_version(
        VersionTables(entity_rows, link_rows, pd.DataFrame(columns=list(INCIDENT_COLUMNS))),
        created_by="analyst-1",
        sources=[],
    )
    tables = store.read_version(version)
    with store.engine.connect() as conn:
        for table, got in ((entity_table, tables.entities), (link_table, tables.links)):
            columns = [c for c in table.c if c.name != "version_id"]
            text = {c.name: "string" for c in columns if c.name not in ("lat", "lon", "weight")}
            expected = pd.read_sql(
                select(*columns).where(table.c.version_id == version), conn, dtype=text
            )
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
    by_id = tables.entities.set_index("entity_id")
    assert str(by_id["entity_type"].dtype) == "string"
    assert by_id.loc["PL-1", "lat"] == 51.5 and pd.isna(by_id.loc["YP-1", "lat"])
    assert pd.isna(by_id.loc["YP-1", "label"]) and by_id.loc["PL-2", "label"] == "Café ünïcode"
    assert tables.links.set_index("link_id").loc["L-1", "weight"] == 2.25
    assert tables.incidents.empty and list(tables.incidents.columns) == list(INCIDENT_COLUMNS)
    store.dispose()
