"""Retention: delete links past their review-by date, for real, and whatever they leave behind.

Each link carries a ``review_by`` date set at import (last seen + ``MAPPING_RETENTION_MONTHS``,
default 12). :func:`purge` deletes links past it in every dataset version, then the incident
rows and entities that only those links kept, every entity of a purged version that no
link or incident names any more (never-linked ones too), the meeting actions against a
subject that no version holds any more (and that subject's code in any other action's or
meeting's free text), and the file names of the purged versions' imports. Then it makes
sure the bytes are gone from disk: SQLite runs with ``secure_delete`` (store pragmas), the
write-ahead log is checkpointed and truncated and the file is rebuilt with VACUUM;
PostgreSQL gets ``VACUUM (FULL)``, a ``CHECKPOINT`` and ``pg_switch_wal()`` where the
database user may run them. A reader holding a transaction open on SQLite would keep the
old pages in the main file: purge waits for it (``wait_seconds``) and refuses, deleting
nothing, when it does not finish (:class:`PurgeRefused`). Links without any date have no
review-by date and are listed for a person to review, never kept silently. This module
never touches Streamlit; the app clears its own caches.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from mapping import settings
from mapping.config import retention_months
from mapping.store import (
    Store,
    actions,
    audit_log,
    dataset_versions,
    entities,
    import_issues,
    incidents,
    links,
    meetings,
    store_settings,
)

LAST_CHECK = "retention_last_check"
PURGED_AT = "retention_purged_at"  # pages compare it to drop per-session caches
PROBE = "retention_probe"  # a tiny write before the purge, to find readers (see _wait_for_readers)
#: Seconds a purge waits for other connections' read transactions to end (SQLite).
DEFAULT_WAIT_SECONDS = 30.0
#: What replaces a purged subject's code in free text, and a purged import's file names.
PURGED_TEXT = "[purged]"


#: The tables a purge deletes from or rewrites (PostgreSQL locks them to find readers).
PURGED_TABLES = (links, incidents, entities, actions, meetings, dataset_versions, import_issues)


class PurgeRefused(RuntimeError):
    """Another connection kept a read transaction open past the wait: nothing was deleted,
    because its snapshot would have kept the purged values in the database file."""


@dataclass
class PurgeResult:
    """What a purge deleted, per table, and the links nobody can date (to review by hand)."""

    today: date
    links: int = 0
    incidents: int = 0
    entities: int = 0
    actions: int = 0
    texts_redacted: int = 0
    file_names: int = 0
    audit_rows_renamed: int = 0
    undated_links: int = 0
    versions: list[int] = field(default_factory=list)
    #: What was done to the files afterwards (SQLite: checkpoint, vacuum; PostgreSQL:
    #: vacuum_full, checkpoint, switch_wal), and whether every step completed.
    compaction: list[str] = field(default_factory=list)
    compacted: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "undated_links": self.undated_links,
            "deleted": {
                "links": self.links,
                "incidents": self.incidents,
                "entities": self.entities,
                "actions": self.actions,
            },
            "texts_redacted": self.texts_redacted,
            "file_names_removed": self.file_names,
            "audit_rows_renamed": self.audit_rows_renamed,
            "versions": self.versions,
            "compaction": self.compaction,
            "compacted": self.compacted,
        }


def purge(
    store: Store, today: date | None = None, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> PurgeResult:
    """Delete every link whose review-by date is before ``today`` (default: today).

    Incident rows older than the retention period go too; in every version the purge
    touched, so does every entity no remaining link or incident names (whether it lost its
    links now or never had any). Meeting actions against a subject no version holds any
    more are deleted, that subject's code is replaced by ``[purged]`` in other actions' and
    meetings' free text, and the purged versions' source file names are removed (their
    contents hashes stay, so a re-import is flagged). Raises :class:`PurgeRefused` when
    another connection holds a read transaction for longer than ``wait_seconds`` (SQLite).
    Returns the counts for the audit log; call :func:`mapping.audit.record` with them.
    """
    today = today or date.today()
    result = PurgeResult(today)
    expired_incident_day = _months_before(today, retention_months()).isoformat()
    _wait_for_readers(store, wait_seconds)
    gone_ids: set[str] = set()
    with store.engine.begin() as conn:
        for version in conn.execute(select(dataset_versions.c.id)).scalars().all():
            held = set(
                conn.execute(
                    select(entities.c.entity_id).where(entities.c.version_id == version)
                ).scalars()
            )
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
            purged_here = bool(gone_links.rowcount or gone_incidents.rowcount)
            orphans = held - _referenced(conn, version) if purged_here else set()
            gone_ids |= orphans
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
            result.file_names = _forget_file_names(conn, result.versions)
            result.audit_rows_renamed = _forget_audited_file_names(store, conn, result.versions)
        gone_ids -= set(
            conn.execute(select(entities.c.entity_id).where(entities.c.entity_id.in_(gone_ids)))
            .scalars()
            .all()
        )  # a subject still held by another version is not purged
        result.actions, result.texts_redacted = _forget_subjects(conn, gone_ids)
        store.set_setting(PURGED_AT, datetime.now(UTC).isoformat(), conn)
    result.compaction, result.compacted = compact(store, wait_seconds)
    return result


def _wait_for_readers(store: Store, wait_seconds: float) -> None:
    """Refuse to purge while another connection holds a read transaction.

    SQLite: such a reader pins a snapshot, so the checkpoint cannot copy the purge into the
    main file and the old pages (with the purged values) stay there. A reader of an empty
    write-ahead log is invisible, so a tiny write (the probe setting) is made first; a
    checkpoint that cannot complete within ``wait_seconds`` then means a reader is there.
    PostgreSQL: a reader's table lock would stop ``VACUUM (FULL)`` from rewriting the
    tables, leaving the dead rows in them; the tables are locked for a moment (and let go
    at once), waiting up to ``wait_seconds``.
    """
    message = (
        f"another connection (the app, or another command) kept a read transaction open "
        f"on the database for over {wait_seconds:g} s, so the purged values would have "
        "stayed in the database files; nothing was deleted. Try again when it has finished "
        "(or stop the app for a moment), or give a longer --wait."
    )
    if store.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in PURGED_TABLES)
        with store.engine.connect() as conn:
            try:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {_millis(wait_seconds)}")
                conn.exec_driver_sql(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE")
            except DBAPIError as busy:
                raise PurgeRefused(message) from busy
            finally:
                conn.rollback()  # the lock was only a test
        return
    if store.engine.dialect.name != "sqlite":
        return
    store.set_setting(PROBE, datetime.now(UTC).isoformat())
    if not _checkpoint(store, wait_seconds):
        raise PurgeRefused(message)


def _millis(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


def _checkpoint(store: Store, wait_seconds: float) -> bool:
    """SQLite ``wal_checkpoint(TRUNCATE)``, waiting up to ``wait_seconds`` for readers;
    True when every frame was copied into the database file and the log truncated."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    with store.engine.connect() as conn:
        try:
            while True:
                left = max(deadline - time.monotonic(), 0.0)
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(min(left, 1.0) * 1000)}")
                busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                if busy is not None and busy[0] == 0:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout=10000")


def _forget_file_names(conn: Connection, versions: list[int]) -> int:
    """Remove the source file names (a file can be named after a person) of the purged
    versions from the version record and its import problems; keep the contents hash."""
    renamed = 0
    for version, sources in conn.execute(
        select(dataset_versions.c.id, dataset_versions.c.sources).where(
            dataset_versions.c.id.in_(versions)
        )
    ).all():
        metas = json.loads(sources or "[]")
        names = {}
        for number, meta in enumerate(metas, start=1):
            if meta.get("name") and not str(meta["name"]).startswith(PURGED_TEXT):
                names[meta["name"]] = f"{PURGED_TEXT} file {number}"
                meta["name"] = names[meta["name"]]
            for mapped in meta.get("values_mapped") or []:
                if "file" in mapped:
                    mapped["file"] = meta["name"]
        if not names:
            continue
        renamed += len(names)
        conn.execute(
            update(dataset_versions)
            .where(dataset_versions.c.id == version)
            .values(sources=json.dumps(metas))
        )
        for old, new in names.items():
            conn.execute(
                update(import_issues)
                .where(import_issues.c.version_id == version, import_issues.c.file == old)
                .values(file=new)
            )
    return renamed


def _forget_audited_file_names(store: Store, conn: Connection, versions: list[int]) -> int:
    """The ``import`` audit rows of the purged versions name the files as given: replace
    them as in the version record, then reseal the hash chain (as ``rekey`` does), so
    ``audit --verify`` stays intact; the purge's own audit row says how many changed."""
    from mapping import audit_chain

    changed = 0
    rows = conn.execute(
        select(audit_log.c.id, audit_log.c.detail).where(
            audit_log.c.action == "import", audit_log.c.dataset_version.in_(versions)
        )
    ).all()
    for row_id, detail in rows:
        try:
            data = json.loads(detail or "{}")
        except ValueError:
            continue  # not a JSON detail: nothing of ours to rename
        files = data.get("files") if isinstance(data, dict) else None
        if not files or all(str(f).startswith(PURGED_TEXT) for f in files):
            continue
        data["files"] = [f"{PURGED_TEXT} file {n}" for n in range(1, len(files) + 1)]
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == row_id)
            .values(detail=json.dumps(data, sort_keys=True))
        )
        changed += 1
    if changed:
        audit_chain.reseal(store, conn)
    return changed


def _forget_subjects(conn: Connection, gone: set[str]) -> tuple[int, int]:
    """Delete the meeting actions against a purged subject (the action is about them, so
    a row without them says nothing a meeting can use) and replace a purged code in any
    other action's or meeting's free text. Returns (actions deleted, texts changed)."""
    if not gone:
        return 0, 0
    deleted = 0
    for chunk in _chunks(sorted(gone)):
        deleted += conn.execute(
            delete(actions).where(
                actions.c.target_kind != "cluster", actions.c.target_id.in_(chunk)
            )
        ).rowcount
    changed = 0
    for table, columns in (
        (actions, ("description", "note", "outcome", "owner_person")),
        (meetings, ("decisions",)),
    ):
        for row in conn.execute(select(table.c.id, *[table.c[c] for c in columns])).all():
            values = {}
            for column, text in zip(columns, row[1:], strict=True):
                if text and any(code in text for code in gone):
                    for code in gone:
                        text = text.replace(code, PURGED_TEXT)
                    values[column] = text
            if values:
                changed += 1
                conn.execute(update(table).where(table.c.id == row[0]).values(**values))
    return deleted, changed


def _remember_purged_sources(
    store: Store, conn: Connection, versions: list[int], today: date
) -> None:
    """Record the contents hash of every source file of the purged versions, so importing
    one of them again is flagged (loaders.importer.purged_before). Hashes only: no names."""
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


def compact(store: Store, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> tuple[list[str], bool]:
    """Make deleted rows unrecoverable from the database files, as far as the tool can.

    SQLite: checkpoint and truncate the WAL, VACUUM (rewrites the file without free pages),
    then checkpoint again so the VACUUM's own WAL frames are folded in and truncated; each
    checkpoint waits up to ``wait_seconds`` for readers. PostgreSQL: ``VACUUM (FULL)``
    rewrites each table without dead tuples (waiting up to ``wait_seconds`` for the table
    locks), then ``CHECKPOINT`` and ``pg_switch_wal()`` so the WAL segment holding the
    deleted rows is closed and can be recycled; the server, not the tool, decides when old
    segments are removed or overwritten (docs/security.md). Returns the steps done and
    whether all of them completed.
    """
    engine = store.engine
    done: list[str] = []
    if engine.dialect.name == "sqlite":
        first = _checkpoint(store, wait_seconds)
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")
        done.append("vacuum")
        second = _checkpoint(store, wait_seconds)
        if first and second:
            done.append("checkpoint")
        return done, first and second
    if engine.dialect.name == "postgresql":
        wanted = ("vacuum_full", "checkpoint", "switch_wal")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"SET lock_timeout = {_millis(wait_seconds)}")
            for step, sql in zip(
                wanted, ("VACUUM (FULL)", "CHECKPOINT", "SELECT pg_switch_wal()"), strict=True
            ):
                try:
                    conn.exec_driver_sql(sql)
                except DBAPIError as error:  # a lock timeout or a missing privilege
                    done.append(f"{step} failed: {type(error.orig).__name__}")
                else:
                    done.append(step)
        return done, done == list(wanted)
    return done, False


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
    compact(store)  # its outcome is in the data purge's result, run just before
    return gone


def due_for_check(store: Store, today: date | None = None) -> bool:
    """True when no retention check has run yet today (the app runs one a day)."""
    return store.setting(LAST_CHECK) != (today or date.today()).isoformat()


def mark_checked(store: Store, today: date | None = None) -> None:
    store.set_setting(LAST_CHECK, (today or date.today()).isoformat())


def _referenced(conn: Connection, version: int) -> set[str]:
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


def _recount(conn: Connection, version: int) -> None:
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
    before: date = (pd.Timestamp(day) - pd.DateOffset(months=months)).date()
    return before


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
