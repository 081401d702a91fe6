"""Purge leaves no bytes (issue 18 group 6): not with a reader holding a transaction open,
not in a never-linked entity, not in meeting actions or notes naming a purged subject, not
in the purged import's file names; on PostgreSQL the WAL segment is switched."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping import retention
from mapping.audit import list_audit
from mapping.cli import main
from mapping.store import Store, actions, meetings
from tests.security.world import MARKER, TODAY, entity_rows, import_world, link_rows, to_csv

LONELY = "ZQXLONELY5519"  # the label of a place no link or incident ever names
FILE_PREFIX = "Smith_family_referral_"  # an upload named after a person


def files_of(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("db.sqlite*"))


def sqlite_world(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    return url, import_world(url, tmp_path / "k.key", tmp_path / "in", file_prefix=FILE_PREFIX)


class Reader:
    """Another connection (as the app or a second command would be) inside a read
    transaction on the database file."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN")
        assert self.conn.execute("SELECT count(*) FROM links").fetchone()[0] > 0

    def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


def test_purge_with_a_reader_open_refuses_and_deletes_nothing(tmp_path):
    url, version = sqlite_world(tmp_path)
    store = Store(url)
    before = len(store.read_version(version).links)
    reader = Reader(tmp_path / "db.sqlite")
    try:
        with pytest.raises(retention.PurgeRefused, match="read transaction"):
            retention.purge(store, TODAY, wait_seconds=0.3)
        assert len(store.read_version(version).links) == before
    finally:
        reader.close()
    assert retention.purge(store, TODAY).links == 1  # once the reader is gone, it purges
    store.dispose()
    assert MARKER.encode() not in files_of(tmp_path)


def test_purge_waits_for_a_reader_that_finishes(tmp_path):
    url, _version = sqlite_world(tmp_path)
    store = Store(url)
    reader = Reader(tmp_path / "db.sqlite")
    threading.Timer(0.5, reader.close).start()
    result = retention.purge(store, TODAY, wait_seconds=20)
    assert result.links == 1 and result.compacted
    store.dispose()
    assert MARKER.encode() not in files_of(tmp_path)


def test_purge_command_with_a_reader_says_why_and_is_audited(tmp_path, capsys):
    url, _version = sqlite_world(tmp_path)
    reader = Reader(tmp_path / "db.sqlite")
    try:
        code = main(["purge", "--db", url, "--today", "2026-11-29", "--wait", "0.3"])
    finally:
        reader.close()
    assert code == 1
    assert "purge refused" in capsys.readouterr().err
    rows = list_audit(Store(url))
    assert any('"refused"' in d for d in rows[rows["action"] == "purge"]["detail"])


def test_never_linked_entity_of_a_purged_version_goes(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = tmp_path / "in"
    folder.mkdir()
    lonely = {**entity_rows()[5], "entity_id": "PL-N", "label": f"Shed {LONELY}"}
    (folder / "entities.csv").write_text(to_csv([*entity_rows(), lonely]), encoding="utf-8")
    (folder / "links.csv").write_text(to_csv(link_rows()), encoding="utf-8")
    store = Store(url)
    version = import_files(
        [Source(folder / n, n) for n in ("entities.csv", "links.csv")],
        store,
        Pseudonymiser.from_file(tmp_path / "k.key"),
        today=TODAY,
    ).version
    store.checkpoint()
    assert LONELY.encode() in files_of(tmp_path)
    result = retention.purge(store, TODAY)
    held = set(store.read_version(version).entities["entity_id"])
    assert "PL-N" not in held and "PL-M" not in held
    assert "PL-X" in held  # still linked: kept
    assert result.entities == 2
    store.dispose()
    assert LONELY.encode() not in files_of(tmp_path)


def test_actions_against_a_purged_subject_and_notes_naming_it_go(tmp_path):
    url, version = sqlite_world(tmp_path)
    store = Store(url)
    kept_person = store.read_version(version).entities["entity_id"].iloc[0]
    with store.engine.begin() as conn:
        meeting = conn.execute(
            insert(meetings).values(meeting_date="2026-11-01", decisions="review PL-M")
        ).inserted_primary_key[0]
        conn.execute(
            insert(actions),
            [
                {
                    "meeting_id": meeting,
                    "target_kind": "context",
                    "target_id": "PL-M",
                    "description": f"patrol {MARKER}",
                    "outcome": "",
                    "status": "open",
                },
                {
                    "meeting_id": meeting,
                    "target_kind": "person",
                    "target_id": kept_person,
                    "description": "seen with PL-M twice",
                    "outcome": "moved away from PL-M",
                    "status": "open",
                },
            ],
        )
    result = retention.purge(store, TODAY)
    assert (result.actions, result.texts_redacted) == (1, 2)
    with store.engine.connect() as conn:
        left = conn.execute(select(actions)).mappings().all()
        decisions = conn.execute(select(meetings.c.decisions)).scalar()
    assert [a["target_id"] for a in left] == [kept_person]
    assert "PL-M" not in left[0]["description"] + left[0]["outcome"]
    assert retention.PURGED_TEXT in left[0]["description"]
    assert decisions == f"review {retention.PURGED_TEXT}"
    store.dispose()
    assert MARKER.encode() not in files_of(tmp_path)


def test_file_names_of_the_purged_import_go(tmp_path):
    url, version = sqlite_world(tmp_path)
    store = Store(url)
    store.checkpoint()
    assert FILE_PREFIX.encode() in files_of(tmp_path)
    result = retention.purge(store, TODAY)
    assert result.file_names == 2
    names = [s["name"] for s in json.loads(store.version_info(version)["sources"])]
    assert names == [f"{retention.PURGED_TEXT} file 1", f"{retention.PURGED_TEXT} file 2"]
    store.dispose()
    assert FILE_PREFIX.encode() not in files_of(tmp_path)


@pytest.mark.postgres
def test_purge_on_postgresql_removes_never_linked_and_switches_wal(pg_url, tmp_path):
    version = import_world(pg_url, tmp_path / "k.key", tmp_path / "in", file_prefix=FILE_PREFIX)
    store = Store(pg_url)
    segment = (  # which WAL segment new records go to
        "SELECT floor((pg_current_wal_insert_lsn() - '0/0'::pg_lsn)"
        " / (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'))"
    )
    with store.engine.connect() as conn:
        before = conn.exec_driver_sql(segment).scalar()
    result = retention.purge(store, TODAY)
    assert result.compaction == ["vacuum_full", "checkpoint", "switch_wal"]
    assert result.compacted
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql(segment).scalar() > before  # a new WAL segment
        sources = conn.exec_driver_sql(
            f"SELECT sources FROM dataset_versions WHERE id = {int(version)}"
        ).scalar()
        notes = conn.exec_driver_sql("SELECT string_agg(notes, ' ') FROM links").scalar()
    assert FILE_PREFIX not in sources
    assert MARKER not in (notes or "")
    store.dispose()


@pytest.mark.postgres
def test_purge_on_postgresql_with_a_reader_open_refuses_and_deletes_nothing(pg_url, tmp_path):
    from sqlalchemy import create_engine

    version = import_world(pg_url, tmp_path / "k.key", tmp_path / "in")
    store = Store(pg_url)
    before = len(store.read_version(version).links)
    other = create_engine(pg_url)
    reader = other.connect()
    reader.exec_driver_sql("BEGIN")
    assert reader.exec_driver_sql("SELECT count(*) FROM links").scalar() == before
    try:
        with pytest.raises(retention.PurgeRefused, match="read transaction"):
            retention.purge(store, TODAY, wait_seconds=0.5)
        assert len(store.read_version(version).links) == before
    finally:
        reader.rollback()
        reader.close()
        other.dispose()
    result = retention.purge(store, TODAY)
    assert result.links == 1 and result.compacted
    store.dispose()


def test_file_names_in_the_import_audit_row_go_and_the_chain_stays_intact(tmp_path, capsys):
    from mapping import audit_chain

    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for name, rows in (("entities", entity_rows()), ("links", link_rows())):
        path = folder / f"{FILE_PREFIX}{name}.csv"
        path.write_text(to_csv(rows), encoding="utf-8")
        paths.append(str(path))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    key = str(tmp_path / "k.key")
    assert main(["import", *paths, "--db", url, "--key-file", key, "--no-warm"]) == 0
    store = Store(url)
    store.checkpoint()
    assert FILE_PREFIX.encode() in files_of(tmp_path)  # in the import's audit row
    assert main(["purge", "--db", url, "--today", "2030-01-01"]) == 0
    assert audit_chain.verify(store).intact
    purge_row = json.loads(list_audit(store, action="purge")["detail"].iloc[0])
    assert purge_row["audit_rows_renamed"] == 1
    store.dispose()
    assert FILE_PREFIX.encode() not in files_of(tmp_path)
