"""One import at a time per database, across processes: the second is told plainly that
another import is running, instead of failing half way with "database is locked" (issue 18
item 13). SQLite: an exclusive ``flock`` on a file beside the database; PostgreSQL: a
session advisory lock. Never touches Streamlit.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from mapping.store import Store

#: The advisory lock key imports take on PostgreSQL.
IMPORT_LOCK_KEY = 4711181
BUSY = (
    "another import into this database is running; wait for it to finish (the page or "
    "command that started it says when), then import again"
)


class ImportBusy(RuntimeError):
    """Another import holds the database's import lock."""

    def __init__(self) -> None:
        super().__init__(BUSY)


@contextmanager
def import_lock(store: Store) -> Iterator[None]:
    """Hold the database's import lock for the ``with`` block, or raise :class:`ImportBusy`."""
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            if not conn.execute(text(f"SELECT pg_try_advisory_lock({IMPORT_LOCK_KEY})")).scalar():
                raise ImportBusy
            try:
                yield
            finally:
                conn.execute(text(f"SELECT pg_advisory_unlock({IMPORT_LOCK_KEY})"))
        return
    path = _lock_path(store)
    if path is None:  # an in-memory database: one process, nothing to share
        yield
        return
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _lock_path(store: Store) -> Path | None:
    database = store.engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".import-lock")
