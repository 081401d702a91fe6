"""Every setting the tool reads from the environment, declared once as a table.

This module is the only reader of ``os.environ`` in ``mapping/``, ``loaders/``, ``pages/``
and ``app.py`` (a hygiene test keeps it so). Each ``MAPPING_*`` variable is one row of
:data:`SETTINGS` (name, default, help); the README's settings table is checked against it.

:func:`current` reads the environment when it is called and returns a frozen
:class:`Settings`, so nothing is frozen at import: a test that sets a variable sees it
without reloading any module. Callers that can take a ``Settings`` as a parameter should.

Defaults may name ``{data_dir}`` (the folder ``MAPPING_DATA_DIR`` names) or
``{sample_data}`` (the repository's fictional ``sample_data/`` folder). An empty variable
counts as unset.

>>> s = current({"MAPPING_DATA_DIR": "/srv/map", "MAPPING_STALE_DAYS": "30"})
>>> s.database, s.key_file.as_posix(), s.stale_days
('sqlite:////srv/map/mapping.sqlite', '/srv/map/pseudonym.key', 30)
>>> current({"MAPPING_DB": "x.sqlite"}).database
'sqlite:///x.sqlite'
>>> current({}).users_file is None
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "sample_data"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default as the README shows it, its help."""

    name: str
    default: str | None
    help: str

    def shown_default(self) -> str:
        """The default as the README's table writes it (``unset`` when there is none)."""
        if self.default is None:
            return "unset"
        return self.default.format(data_dir="data", sample_data="sample_data")


#: The settings, in the README's order.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MAPPING_DB",
        "sqlite:///{data_dir}/mapping.sqlite",
        "database URL; a bare file name is taken as a SQLite file",
    ),
    Setting("MAPPING_KEY_FILE", "{data_dir}/pseudonym.key", "the pseudonymisation key file"),
    Setting(
        "MAPPING_DATA_DIR",
        "data",
        "folder for the default database and key, and for the demo world",
    ),
    Setting("MAPPING_USERS_FILE", None, "local users file; setting it turns demo mode off"),
    Setting("MAPPING_RETENTION_MONTHS", "12", "months after a link was last seen to review it"),
    Setting("MAPPING_AUDIT_RETENTION_MONTHS", "72", "months `purge --audit` keeps audit rows"),
    Setting("MAPPING_STALE_DAYS", "730", "links last seen longer ago are hidden as stale"),
    Setting("MAPPING_POSTCODE_TABLE", "{sample_data}/postcodes.csv", "offline postcode table"),
    Setting(
        "MAPPING_BOUNDARIES_FILE",
        "{sample_data}/districts.geojson",
        "district boundaries for the map, GeoJSON/KML exports and meeting pack pictures",
    ),
    Setting("MAPPING_TILE_URL", None, "a tile server the organisation runs"),
    Setting(
        "MAPPING_TILE_ATTRIBUTION",
        "Map tiles: local tile server",
        "attribution shown with MAPPING_TILE_URL's tiles",
    ),
    Setting("MAPPING_ALLOW_DEMO_IMPORT", None, "tests only: `1` allows imports into the demo"),
    Setting(
        "MAPPING_SESSION_IDLE_MINUTES", "30", "a signed-in session idle this long is signed out"
    ),
    Setting("MAPPING_SESSION_MAX_HOURS", "12", "a session is signed out this long after sign-in"),
    Setting("MAPPING_EXPORT_REVIEW_DAYS", "28", "an export's review-by date: days after it"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The settings in force, read once by :func:`current`."""

    data_dir: Path
    database: str
    key_file: Path
    users_file: Path | None
    retention_months: int
    audit_retention_months: int
    stale_days: int
    postcode_table: Path
    boundaries_file: Path
    tile_url: str | None
    tile_attribution: str
    allow_demo_import: bool
    session_idle_minutes: float = 30
    session_max_hours: float = 12
    export_review_days: int = 28


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def current(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment), read now."""
    env = os.environ if environ is None else environ
    data_dir = Path(_raw(env, "MAPPING_DATA_DIR") or "data")

    def value(name: str) -> str | None:
        given = _raw(env, name)
        if given is not None:
            return given
        default = BY_NAME[name].default
        return (
            None if default is None else default.format(data_dir=data_dir, sample_data=SAMPLE_DATA)
        )

    def required(name: str) -> str:
        found = value(name)
        assert found is not None, f"{name} has no default"
        return found

    database = required("MAPPING_DB")
    users = value("MAPPING_USERS_FILE")
    return Settings(
        data_dir=data_dir,
        database=database if "://" in database else f"sqlite:///{database}",
        key_file=Path(required("MAPPING_KEY_FILE")),
        users_file=Path(users) if users else None,
        retention_months=int(required("MAPPING_RETENTION_MONTHS")),
        audit_retention_months=int(required("MAPPING_AUDIT_RETENTION_MONTHS")),
        stale_days=int(required("MAPPING_STALE_DAYS")),
        postcode_table=Path(required("MAPPING_POSTCODE_TABLE")),
        boundaries_file=Path(required("MAPPING_BOUNDARIES_FILE")),
        tile_url=value("MAPPING_TILE_URL"),
        tile_attribution=required("MAPPING_TILE_ATTRIBUTION"),
        allow_demo_import=value("MAPPING_ALLOW_DEMO_IMPORT") == "1",
        session_idle_minutes=float(required("MAPPING_SESSION_IDLE_MINUTES")),
        session_max_hours=float(required("MAPPING_SESSION_MAX_HOURS")),
        export_review_days=int(required("MAPPING_EXPORT_REVIEW_DAYS")),
    )
