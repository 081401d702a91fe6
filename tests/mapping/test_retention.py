"""Retention: expired links, and what only they held, are deleted and leave no bytes behind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mapping import retention
from mapping.store import Store
from tests.security.world import MARKER, TODAY, import_world


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    version = import_world(url, tmp_path / "k.key", tmp_path / "in")
    return Store(url), version, tmp_path


def database_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("db.sqlite*"))


def test_marker_is_on_disk_before_purge(world):
    store, _version, folder = world
    store.checkpoint()
    assert MARKER.encode() in database_bytes(folder)


def test_purge_deletes_expired_link_and_its_orphan_place(world):
    store, version, _folder = world
    before = store.read_version(version)
    result = retention.purge(store, TODAY)
    after = store.read_version(version)
    # The 2019 link's review-by date (Feb 2020 + 12 months) is long past; the rest are 2026.
    assert result.links == 1 and len(after.links) == len(before.links) - 1
    assert "PL-M" not in set(after.entities["entity_id"])
    assert result.entities == 1
    assert store.version_info(version)["link_count"] == len(after.links)
    assert after.links["review_by"].min() >= TODAY.isoformat()


def test_purge_leaves_no_trace_in_database_files(world):
    store, _version, folder = world
    retention.purge(store, TODAY)
    store.dispose()
    data = database_bytes(folder)
    assert MARKER.encode() not in data
    assert MARKER.encode("utf-16-le") not in data


def test_purge_before_anything_expires_deletes_nothing(world):
    store, version, _folder = world
    result = retention.purge(store, date(2019, 3, 1))
    assert (result.links, result.entities) == (0, 0)
    assert len(store.read_version(version).links) == 7


def test_purge_far_ahead_deletes_every_dated_link_but_keeps_unlinked_entities(world):
    store, version, _folder = world
    retention.purge(store, date(2030, 1, 1))
    tables = store.read_version(version)
    assert tables.links.empty
    assert tables.entities.empty  # every entity was held only by links


def test_daily_check_runs_once_a_day(world):
    store, _version, _folder = world
    assert retention.due_for_check(store, TODAY)
    retention.mark_checked(store, TODAY)
    assert not retention.due_for_check(store, TODAY)
    assert retention.due_for_check(store, date(2026, 11, 30))


def test_audit_retention_removes_only_old_rows(world):
    from mapping import audit
    from mapping.store import audit_log

    store, _version, _folder = world
    audit.record(store, "ana", "analyst", "sign_in")
    with store.engine.begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at="2001-01-01T00:00:00Z", user_name="old", role="analyst", action="view", detail=""
            )
        )
    assert retention.purge_audit(store, TODAY, months=72) == 1
    assert list(audit.list_audit(store)["user_name"]) == ["ana"]


@pytest.mark.postgres
def test_purge_on_postgresql_deletes_and_rewrites_the_table(pg_url, tmp_path):
    version = import_world(pg_url, tmp_path / "k.key", tmp_path / "in")
    store = Store(pg_url)
    node = "SELECT pg_relation_filenode('links')"
    with store.engine.connect() as conn:
        before = conn.exec_driver_sql(node).scalar()
    result = retention.purge(store, TODAY)
    tables = store.read_version(version)
    assert result.links == 1 and "PL-M" not in set(tables.entities["entity_id"])
    with store.engine.connect() as conn:  # VACUUM (FULL) wrote a new file without dead rows
        assert conn.exec_driver_sql(node).scalar() != before
    store.dispose()
