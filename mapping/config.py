"""Where the database and the pseudonymisation key live, read from the environment.

Defaults keep everything under ``./data`` (git-ignored). In production the key should live
on another volume from the database (``MAPPING_KEY_FILE``), so a copy of the database alone
cannot be re-identified by hashing guessed identifiers.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(os.environ.get("MAPPING_DATA_DIR", "data"))


def database_url(explicit: str | None = None) -> str:
    """The database URL: ``--db`` if given, else ``MAPPING_DB``, else a SQLite file."""
    if explicit:
        return explicit
    url = os.environ.get("MAPPING_DB")
    if url:
        return url if "://" in url else f"sqlite:///{url}"
    return f"sqlite:///{DATA_DIR / 'mapping.sqlite'}"


def key_file(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The pseudonymisation key file: argument, ``MAPPING_KEY_FILE`` or ``data/pseudonym.key``."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("MAPPING_KEY_FILE", DATA_DIR / "pseudonym.key"))


def retention_months() -> int:
    """Months after a link was last seen before it is due for review and deletion."""
    return int(os.environ.get("MAPPING_RETENTION_MONTHS", "12"))


def stale_after_days() -> int:
    """Links last seen longer ago than this are hidden by default as stale."""
    return int(os.environ.get("MAPPING_STALE_DAYS", "730"))
