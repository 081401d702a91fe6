"""The database: dataset versions, their entities, links and incidents, and the audit log.

SQLite by default (WAL, busy timeout, secure_delete), PostgreSQL through the same SQLAlchemy
tables. Every import is written as one new dataset version inside one transaction, so a
failed or killed import leaves the previous versions as they were. This module stores only
what loaders hand it: person identifiers arrive already pseudonymised.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)

from mapping.config import database_url
from mapping.model import GRADING_FIELDS, TEMPLATE_COLUMNS

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

METADATA = MetaData()

dataset_versions = Table(
    "dataset_versions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("based_on", Integer, nullable=True),
    Column("sources", Text, nullable=False, default="[]"),  # JSON: name, sha256, rows
    Column("entity_count", Integer, nullable=False, default=0),
    Column("link_count", Integer, nullable=False, default=0),
    Column("incident_count", Integer, nullable=False, default=0),
)

ENTITY_COLUMNS = TEMPLATE_COLUMNS["entities"]
entities = Table(
    "entities",
    METADATA,
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    *[Column(c, Float if c in ("lat", "lon") else Text) for c in ENTITY_COLUMNS[1:]],
)

LINK_COLUMNS = (
    "link_id",
    "source_id",
    "target_id",
    "link_type",
    "first_seen",
    "last_seen",
    "source_agency",
    *GRADING_FIELDS,
    "weight",
    "notes",
    "incident_id",
    "source_role",
    "target_role",
    "review_by",
)
links = Table(
    "links",
    METADATA,
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), primary_key=True),
    Column("link_id", String(40), primary_key=True),
    *[Column(c, Float if c == "weight" else Text) for c in LINK_COLUMNS[1:]],
)
Index("ix_links_source", links.c.version_id, links.c.source_id)
Index("ix_links_target", links.c.version_id, links.c.target_id)

INCIDENT_COLUMNS = (
    "incident_id",
    "date",
    "place_id",
    "person_id",
    "role",
    "source_agency",
    *GRADING_FIELDS,
    "row_number",
)
incidents = Table(
    "incidents",
    METADATA,
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), index=True),
    *[Column(c, Integer if c == "row_number" else Text) for c in INCIDENT_COLUMNS],
)

import_issues = Table(
    "import_issues",
    METADATA,
    Column("version_id", Integer, ForeignKey("dataset_versions.id"), index=True),
    Column("severity", String(10)),
    Column("file", Text),
    Column("sheet", Text),
    Column("row", Integer),
    Column("column", Text),
    Column("kind", Text),
    Column("message", Text),
)

audit_log = Table(
    "audit_log",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("dataset_version", Integer, nullable=True),
    # Hash chain (mapping/audit_chain.py): the previous row's hash and this row's.
    Column("prev_hash", String(64), nullable=True),
    Column("row_hash", String(64), nullable=True),
)

meetings = Table(
    "meetings",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_date", String(10), nullable=False, unique=True),
    Column("period_start", String(10)),
    Column("period_end", String(10)),
    Column("dataset_version", Integer),
    Column("previous_meeting_id", Integer),
    Column("created_by", String(200)),
    Column("created_at", String(32)),
    Column("attendance", Text),  # JSON list of agencies or posts present
    Column("decisions", Text),  # decisions and minutes (codes only)
)

actions = Table(
    "actions",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), index=True),
    Column("district", Text),
    Column("target_kind", String(20)),
    Column("target_id", Text),
    Column("tactic", Text),
    Column("owner_agency", Text),
    Column("due_date", String(10)),
    Column("status", String(20)),
    Column("note", Text),
    Column("created_at", String(32)),
    Column("description", Text),
    Column("owner_person", Text),  # a named owner (post or practitioner) beside the agency
    Column("outcome", Text),  # what happened, when closed done or dropped
    Column("closed_on", String(10)),
    Column("reviewed_meeting_id", Integer),  # the meeting the outcome was reviewed at
    Column("created_by", String(200)),
    Column("updated_by", String(200)),
    Column("updated_at", String(32)),
)

#: Small named values about the database itself (e.g. the pseudonymisation key fingerprint).
store_settings = Table(
    "store_settings",
    METADATA,
    Column("name", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Analyses computed once per (dataset version, scope, settings) and read by every session
#: and app process (mapping/analysis/cache.py). As safe as the tables they came from: codes
#: only, and emptied by every import, purge and rekey (``forget_analyses``).
stored_analyses = Table(
    "stored_analyses",
    METADATA,
    Column("version_id", Integer, primary_key=True),
    Column("scope_key", String(64), primary_key=True),
    Column("epoch", String(40), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("scope", Text, nullable=False),  # the scope as plain data (Scope.describe)
    Column("report", Text, nullable=False),  # the analysis report as JSON
)

#: store_settings name of the token that changes whenever stored analyses go stale.
ANALYSIS_EPOCH = "analysis_epoch"

BATCH_ROWS = 20_000
#: SQLite page cache (KiB) while a version is written: the link table's key is a hash, so
#: each insert lands on a random index page, and with SQLite's default 2 MB cache a
#: million-link import re-read its own pages from the write-ahead log (about half the
#: import's time at 1M links). Set back to the default when the write ends.
WRITE_CACHE_KIB = 512 * 1024


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in pages
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default from config), creating the SQLite folder if needed."""
    url = database_url(url)
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@dataclass(frozen=True)
class VersionTables:
    """What one dataset version holds, as canonical DataFrames."""

    entities: pd.DataFrame
    links: pd.DataFrame
    incidents: pd.DataFrame


def add_missing_columns(engine: Engine) -> None:
    """Columns added to a table after a database was made are added to it (nullable, so
    older rows read as empty): create_all makes missing tables, never missing columns."""
    from sqlalchemy import inspect

    present = inspect(engine)
    with engine.begin() as conn:
        for table in METADATA.sorted_tables:
            if not present.has_table(table.name):
                continue
            have = {c["name"] for c in present.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable and not column.primary_key:
                    kind = column.type.compile(engine.dialect)
                    conn.exec_driver_sql(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                    )


class Store:
    """Reads and writes dataset versions. One instance per database URL."""

    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        METADATA.create_all(self.engine)
        add_missing_columns(self.engine)

    # -- writing -----------------------------------------------------------------------
    def write_version(
        self,
        tables: VersionTables,
        *,
        created_by: str,
        sources: list[dict[str, Any]],
        issues: Iterable[dict[str, Any]] = (),
        note: str = "",
        based_on: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Store a complete dataset version in one transaction and return its number."""
        with self.engine.begin() as conn:
            key = conn.execute(
                insert(dataset_versions).values(
                    created_at=now_iso(),
                    created_by=created_by,
                    note=note,
                    based_on=based_on,
                    sources=json.dumps(sources),
                    entity_count=len(tables.entities),
                    link_count=len(tables.links),
                    incident_count=len(tables.incidents),
                )
            ).inserted_primary_key
            assert key is not None  # a single-row INSERT always reports its key
            version = key[0]
            with _write_cache(conn):
                for table, frame in (
                    (entities, tables.entities),
                    (links, tables.links),
                    (incidents, tables.incidents),
                ):
                    statement = _insert_sql(conn, table, list(frame.columns))
                    for batch in _batches(frame, version):
                        conn.exec_driver_sql(statement, batch)  # plain executemany, no ORM
                        if progress:
                            progress(len(batch))
            rows = [dict(issue, version_id=version) for issue in issues]
            if rows:
                conn.execute(insert(import_issues), rows)
            self.forget_analyses(conn)
        return int(version)

    # -- reading -----------------------------------------------------------------------
    def latest_version(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(dataset_versions.c.id))).scalar()

    def versions(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(dataset_versions).order_by(dataset_versions.c.id), conn)

    def version_info(self, version: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(dataset_versions).where(dataset_versions.c.id == version))
                .mappings()
                .first()
            )
        if row is None:
            raise LookupError(f"dataset version {version} does not exist")
        return dict(row)

    def read_version(self, version: int | None = None) -> VersionTables:
        version = self.latest_version() if version is None else version
        if version is None:
            raise LookupError("the database holds no dataset yet: run `python -m mapping import`")
        with self.engine.connect() as conn:
            frames = [_read_table(conn, table, version) for table in (entities, links, incidents)]
        return VersionTables(*frames)

    def issues(self, version: int) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(
                select(import_issues).where(import_issues.c.version_id == version), conn
            )

    def find_entity_ids(self, candidates: list[str], version: int | None = None) -> list[str]:
        """Which of ``candidates`` exist as entity ids in ``version`` (default latest)."""
        version = self.latest_version() if version is None else version
        if version is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(entities.c.entity_id).where(
                    entities.c.version_id == version, entities.c.entity_id.in_(candidates)
                )
            ).scalars()
            return list(rows)

    def delete_version(self, version: int) -> None:
        with self.engine.begin() as conn:
            for table in (import_issues, incidents, links, entities):
                conn.execute(delete(table).where(table.c.version_id == version))
            conn.execute(delete(dataset_versions).where(dataset_versions.c.id == version))
            self.forget_analyses(conn)

    def forget_analyses(self, conn: Connection | None = None) -> None:
        """Drop every stored analysis and change the epoch, so no process serves one again.

        Called inside the transaction of every import, purge and rekey (and version
        deletion): their answers would be stale, and after a rekey or purge they would keep
        codes and link ids that must be gone.
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.forget_analyses(own)
        conn.execute(delete(stored_analyses))
        self.set_setting(ANALYSIS_EPOCH, secrets.token_hex(8), conn)

    def setting(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(store_settings.c.value).where(store_settings.c.name == name)
            ).scalar()

    def set_setting(self, name: str, value: str, conn: Connection | None = None) -> None:
        """Set a named value, in ``conn``'s transaction when given (else its own)."""
        if conn is None:
            with self.engine.begin() as own:
                return self.set_setting(name, value, own)
        conn.execute(delete(store_settings).where(store_settings.c.name == name))
        conn.execute(insert(store_settings).values(name=name, value=value))
        return None

    def checkpoint(self) -> None:
        """SQLite: fold the write-ahead log into the database file and truncate it, so no
        stale pages linger in ``-wal`` (e.g. after a re-key). No-op on PostgreSQL."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        self.engine.dispose()


def _text_dtypes(table: Table) -> dict[str, str]:
    return {c.name: "string" for c in table.c if isinstance(c.type, (String, Text))}


def _read_table(conn: Connection, table: Table, version: int) -> pd.DataFrame:
    """One table's rows of ``version``: text columns as pandas strings, others as pandas
    infers them (floats with NaN; all-empty columns as objects), the frame ``pd.read_sql``
    with ``dtype=_text_dtypes(table)`` gives, built faster.

    The rows come from the driver's own cursor (no SQLAlchemy row objects) and each text
    column goes to Arrow in one call, with no object column inferred and then cast: at 1M
    links ``pd.read_sql`` spent about as long converting as the driver spent fetching. A
    result this path cannot type (a text column holding a non-text value, which SQLite's
    dynamic typing allows) is read with ``pd.read_sql`` as before.
    """
    columns = [c for c in table.c if c.name != "version_id"]
    statement = select(*columns).where(table.c.version_id == version)
    text = _text_dtypes(table)
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"SELECT {', '.join(quote(c.name) for c in columns)} FROM {quote(table.name)} "
        f"WHERE {quote('version_id')} = {int(version)}"
    )
    driver = conn.connection.driver_connection
    assert driver is not None  # an open connection always has its driver's
    cursor = driver.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return pd.read_sql(statement, conn, dtype=text)
    import pyarrow as pa

    data: dict[str, Any] = {}
    try:
        for column, values in zip(columns, zip(*rows, strict=True), strict=True):
            if column.name in text:
                data[column.name] = pd.array(pa.array(values, type=pa.large_string()), "string")
            else:
                data[column.name] = pd.Series(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.read_sql(statement, conn, dtype=text)
    return pd.DataFrame(data)


@contextmanager
def _write_cache(conn: Connection) -> Iterator[None]:
    """SQLite: a ``WRITE_CACHE_KIB`` page cache on ``conn`` while a version is written, the
    connection's own size restored after (also when the write fails). No-op elsewhere."""
    if conn.dialect.name != "sqlite":
        yield
        return
    # PRAGMA cache_size always answers one row with an integer.
    before = int(cast(int, conn.exec_driver_sql("PRAGMA cache_size").scalar()))
    conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={before}")


def _insert_sql(conn: Connection, table: Table, columns: list[str]) -> str:
    """INSERT text in the driver's own parameter style (``?`` for SQLite, ``%s`` psycopg)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in ["version_id", *columns])
    marks = ", ".join([mark] * (len(columns) + 1))
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"


def _batches(frame: pd.DataFrame, version: int) -> Iterator[list[tuple[object, ...]]]:
    """Rows as tuples for executemany, NaN turned into NULL, in bounded batches."""
    for start in range(0, len(frame), BATCH_ROWS):
        chunk = frame.iloc[start : start + BATCH_ROWS].astype(object)
        chunk = chunk.where(chunk.notna(), None)
        yield [(version, *row) for row in chunk.itertuples(index=False, name=None)]
