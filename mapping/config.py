"""Where the database and the pseudonymisation key live: an explicit argument, else the
settings (:mod:`mapping.settings`, which reads the environment).

Defaults keep everything under ``./data`` (git-ignored). In production the key should live
on another volume from the database (``MAPPING_KEY_FILE``), so a copy of the database alone
cannot be re-identified by hashing guessed identifiers.
"""

from __future__ import annotations

import os
from pathlib import Path

from mapping import settings


def data_dir() -> Path:
    """The folder for the default database and key, and for the demo world."""
    return settings.current().data_dir


def database_url(explicit: str | None = None) -> str:
    """The database URL: ``--db`` if given, else ``MAPPING_DB``, else a SQLite file."""
    return explicit or settings.current().database


def key_file(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The pseudonymisation key file: argument, ``MAPPING_KEY_FILE`` or ``data/pseudonym.key``."""
    return Path(explicit) if explicit else settings.current().key_file


def retention_months() -> int:
    """Months after a link was last seen before it is due for review and deletion."""
    return settings.current().retention_months


def stale_after_days() -> int:
    """Links last seen longer ago than this are hidden by default as stale."""
    return settings.current().stale_days
