"""Retention: delete links past their review-by date, for real, and whatever they leave behind.

Each link carries a ``review_by`` date set at import (last seen + ``MAPPING_RETENTION_MONTHS``,
default 12). :func:`purge` deletes links past it in every dataset version, then the incident
rows and entities that only those links kept, then makes sure the bytes are gone from disk:
SQLite runs with ``secure_delete`` (store pragmas), the write-ahead log is checkpointed and
truncated and the file is rebuilt with VACUUM; PostgreSQL gets ``VACUUM (FULL)``. Links
without any date have no review-by date and are listed for a person to review, never kept
silently. This module never touches Streamlit; the app clears its own caches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import and_, delete, func, select, update

from mapping import settings
from mapping.config import retention_months
from mapping.store import (
    Store,
    audit_log,
    dataset_versions,
    entities,
    incidents,
    links,
    store_settings,
)

LAST_CHECK = "retention_last_check"
PURGED_AT = "retention_purged_at"  # pages compare it to drop per-session caches


@dataclass
class PurgeResult:
    """What a purge deleted, per table, and the links nobody can date (to review by hand)."""

    today: date
    links: int = 0
    incidents: int = 0
    entities: int = 0
    undated_links: int = 0
    versions: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "undated_links": self.undated_links,
            "deleted": {
                "links": self.links,
                "incidents": self.incidents,
                "entities": self.entities,
            },
            "versions": self.versions,
        }


def purge(store: Store, today: date | None = None) -> PurgeResult:
    """Delete every link whose review-by date is before ``today`` (default: today).

    Incident rows older than the retention period and entities that are no longer named by
    any link or incident of their version (but were before) go too. Returns the counts for
    the audit log; call :func:`mapping.audit.record` with them.
    """
    today = today or date.today()
    result = PurgeResult(today)
    expired_incident_day = _months_before(today, retention_months()).isoformat()
    with store.engine.begin() as conn:
        for version in conn.execute(select(dataset_versions.c.id)).scalars().all():
            before = _referenced(conn, version)
            gone_links = conn.execute(
                delete(links).where(
                    links.c.version_id == version, links.c.review_by < today.isoformat()
                )
            )
            gone_incidents = conn.execute(
                delete(incidents).where(
                    incidents.c.version_id == version, incidents.c.date < expired_incident_day
                )
            )
            orphans = before - _referenced(conn, version)
            gone_entities = 0
            for chunk in _chunks(sorted(orphans)):
                gone_entities += conn.execute(
                    delete(entities).where(
                        entities.c.version_id == version, entities.c.entity_id.in_(chunk)
                    )
                ).rowcount
            if gone_links.rowcount or gone_incidents.rowcount or gone_entities:
                result.versions.append(int(version))
                _recount(conn, version)
            result.links += gone_links.rowcount
            result.incidents += gone_incidents.rowcount
            result.entities += gone_entities
        result.undated_links = (
            conn.execute(
                select(func.count()).select_from(links).where(links.c.review_by.is_(None))
            ).scalar()
            or 0
        )
        if result.versions:
            store.forget_analyses(conn)  # stored analyses may name what was purged
            _remember_purged_sources(store, conn, result.versions, today)
        store.set_setting(PURGED_AT, datetime.now(UTC).isoformat(), conn)
    compact(store)
    return result


def _remember_purged_sources(store: Store, conn, versions: list[int], today: date) -> None:
    """Record the contents hash of every source file of the purged versions, so importing
    one of them again is flagged (loaders.importer.purged_before). Hashes only: no names."""
    import json

    name = "purged_sources"
    known = json.loads(
        conn.execute(select(store_settings.c.value).where(store_settings.c.name == name)).scalar()
        or "{}"
    )
    rows = conn.execute(
        select(dataset_versions.c.sources).where(dataset_versions.c.id.in_(versions))
    ).scalars()
    for sources in rows:
        for meta in json.loads(sources or "[]"):
            if meta.get("sha256"):
                known.setdefault(meta["sha256"], today.isoformat())
    store.set_setting(name, json.dumps(known, sort_keys=True), conn)


def compact(store: Store) -> None:
    """Make deleted rows unrecoverable from the database files.

    SQLite: checkpoint and truncate the WAL, VACUUM (rewrites the file without free pages),
    then checkpoint again so the VACUUM's own WAL frames are folded in and truncated.
    PostgreSQL: ``VACUUM (FULL)`` rewrites each table without dead tuples.
    """
    engine = store.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (FULL)")


def purge_audit(store: Store, today: date | None = None, months: int | None = None) -> int:
    """Delete audit rows older than ``MAPPING_AUDIT_RETENTION_MONTHS`` (default 72).

    The only deletion of audit rows anywhere: the audit log outlives the data it describes
    (a subject access request may ask who saw a record after it was deleted), but not for
    ever. Run by ``python -m mapping purge --audit``; never by the app.
    """
    months = months if months is not None else settings.current().audit_retention_months
    cutoff = _months_before(today or date.today(), months).isoformat()
    with store.engine.begin() as conn:
        gone = conn.execute(delete(audit_log).where(audit_log.c.at < cutoff)).rowcount
        if gone:
            from mapping import audit_chain

            audit_chain.mark_start(store, conn)  # the kept chain starts at the oldest kept row
    compact(store)
    return gone


def due_for_check(store: Store, today: date | None = None) -> bool:
    """True when no retention check has run yet today (the app runs one a day)."""
    return store.setting(LAST_CHECK) != (today or date.today()).isoformat()


def mark_checked(store: Store, today: date | None = None) -> None:
    store.set_setting(LAST_CHECK, (today or date.today()).isoformat())


def _referenced(conn, version: int) -> set[str]:
    """Entity ids named by any link or incident of ``version``."""
    named: set[str] = set()
    for column in (links.c.source_id, links.c.target_id):
        named.update(conn.execute(select(column).where(links.c.version_id == version)).scalars())
    for column in (incidents.c.person_id, incidents.c.place_id):
        named.update(
            conn.execute(
                select(column).where(and_(incidents.c.version_id == version, column.is_not(None)))
            ).scalars()
        )
    return named


def _recount(conn, version: int) -> None:
    counts = {
        name: conn.execute(
            select(func.count()).select_from(table).where(table.c.version_id == version)
        ).scalar()
        for name, table in (
            ("entity_count", entities),
            ("link_count", links),
            ("incident_count", incidents),
        )
    }
    conn.execute(update(dataset_versions).where(dataset_versions.c.id == version).values(**counts))


def _months_before(day: date, months: int) -> date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def _chunks(items: list[str], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]
