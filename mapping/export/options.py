"""What a writer is told besides its data, and the data computed for it before it writes.

Renderers draw and exporters write: a writer receives (:class:`ExportData`, output path,
metadata, :class:`ExportOptions`) and never argparse's namespace, a store or the
environment. The command line builds the options once from its flags
(:func:`mapping.cli.export_options`), a page from its widgets, both through
:func:`options_from`; :func:`mapping.export.run.run_export` computes the data once
(:func:`mapping.export.run.prepare`): clusters and tables, the map, the meeting pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapping import settings
from mapping.graph import ScopedGraph

if TYPE_CHECKING:  # the heavy modules are imported only by the formats that need them
    from mapping.export.pack import PackData
    from mapping.export.records import Row
    from mapping.render.map_data import MapData

#: The metadata block a writer is given (marking, dataset version, date, role, filters,
#: notice, recipient, review-by: ``export.run.export_metadata``), written as it stands.
Metadata = Mapping[str, object]


def _declared_review_days() -> int:
    """``MAPPING_EXPORT_REVIEW_DAYS``'s default as the settings table declares it (not the
    environment, which only the caller reads, through :func:`options_from`)."""
    default = settings.BY_NAME["MAPPING_EXPORT_REVIEW_DAYS"].default
    assert default is not None, "the review period has a declared default"
    return int(default)


#: The review period of an export made without options from the settings (tests, tools).
DEFAULT_REVIEW_DAYS = _declared_review_days()


@dataclass(frozen=True)
class ExportOptions:
    """The choices one export is made with (the CLI's flags, a page's widgets, settings)."""

    #: ``--meeting``: the meeting whose pack is written (pptx, pdf, html --meeting).
    meeting: date | None = None
    #: District boundaries drawn and counted (GeoJSON/KML, map, pack pictures); None: none.
    boundaries_file: Path | None = None
    #: The map's tile server (``MAPPING_TILE_URL``); None: no tiles are requested.
    tile_url: str | None = None
    tile_attribution: str = ""
    #: The clustering seed of the tables and the map (the analysis report's default).
    seed: int = 0
    #: Days after it is made by which a copy is to be reviewed or destroyed: its
    #: ``review_by`` (``MAPPING_EXPORT_REVIEW_DAYS``).
    review_days: int = DEFAULT_REVIEW_DAYS

    @property
    def tiles(self) -> tuple[str, str] | None:
        """(tile URL, attribution) when a tile server is configured, else None."""
        return (self.tile_url, self.tile_attribution) if self.tile_url else None


def options_from(found: settings.Settings, **chosen: Any) -> ExportOptions:
    """Options from the settings in force (``found``, read by the caller) and the caller's
    choices (``meeting=...``); a boundaries file that does not exist is left out."""
    boundaries = found.boundaries_file if found.boundaries_file.is_file() else None
    given: dict[str, Any] = {
        "boundaries_file": boundaries,
        "tile_url": found.tile_url,
        "tile_attribution": found.tile_attribution,
        "review_days": found.export_review_days,
    }
    return ExportOptions(**{**given, **chosen})


@dataclass(frozen=True)
class ExportData:
    """What a writer draws, computed once before it is called (only what its format needs)."""

    scoped: ScopedGraph
    #: csv, xlsx: the four tables (mapping.export.tables.build_tables).
    tables: dict[str, list[Row]] | None = None
    #: map: the located contexts, districts and lines (mapping.render.map_data).
    map_data: MapData | None = None
    #: map: the boundaries as read (a GeoDataFrame), or None.
    boundaries: Any = None
    #: pptx, pdf, html --meeting: the computed agenda and what the pack draws from it.
    pack: PackData | None = None
