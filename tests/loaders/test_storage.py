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
