"""The export formats ``python -m mapping export --format F`` knows, one writer each.

A writer takes (computed data, output path, metadata dict, options) and writes one file:
the data is computed before it (``export.run.prepare``: tables, map, meeting pack), the
options are built once by the caller (``export.options``), never argparse's namespace or
a store. Add a format by writing a module in ``mapping/export/`` and one line here (and
one in ``export.run.NEEDS`` if it needs more than the scoped graph).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from mapping.export.options import ExportData, ExportOptions, Metadata

Writer = Callable[[ExportData, Path, Metadata, ExportOptions], None]


def _graphml(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
    from mapping.export.graphml import write_graphml

    write_graphml(data.scoped, out, metadata)


def _html(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
    from mapping.render.network import network_html

    if options.meeting is not None:  # --meeting: the meeting pack's interactive page
        from mapping.export.pack_files import write_pack

        return write_pack("html")(data, out, metadata, options)

    meta = (
        f"Dataset version {metadata['dataset_version']} · exported "
        f"{metadata['exported_at']} · role {metadata['role']} · filters {metadata['filters']}"
        f" · for {metadata.get('recipient', 'not named')} · review by "
        f"{metadata.get('review_by', '')}"
        + (f" · {metadata['uniqueness_check']}" if metadata.get("uniqueness_check") else "")
    )
    out.write_text(
        network_html(
            data.scoped.graph,
            meta=meta,
            use_codes=True,
            title="Contextual safeguarding network map",
        ),
        encoding="utf-8",
    )


def _lazy(module: str, function: str) -> Writer:
    """A writer of the scoped graph imported only when used, so the CLI starts fast."""

    def write(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
        getattr(import_module(f"mapping.export.{module}"), function)(data.scoped, out, metadata)

    return write


def _geo(function: str) -> Writer:
    """A GeoJSON/KML writer: the places, and the districts of the options' boundaries."""

    def write(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
        writer = getattr(import_module("mapping.export.geo"), function)
        writer(data.scoped, out, metadata, options.boundaries_file)

    return write


def _tables(function: str) -> Writer:
    """A CSV/XLSX writer of the tables computed before it (``export.run.prepare``)."""

    def write(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
        assert data.tables is not None, "prepare() computes the tables of csv and xlsx"
        getattr(import_module("mapping.export.tables"), function)(data.tables, out, metadata)

    return write


def _map(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
    from mapping.render.map import write_map  # the offline folium map (docs/map.md)

    assert data.map_data is not None, "prepare() computes the map data of --format map"
    write_map(data.map_data, data.boundaries, out, dict(metadata), tiles=options.tiles)


def _pack(fmt: str) -> Writer:
    """A meeting pack writer (needs ``--meeting``), imported only when used."""

    def write(data: ExportData, out: Path, metadata: Metadata, options: ExportOptions) -> None:
        from mapping.export.pack_files import write_pack

        write_pack(fmt)(data, out, metadata, options)

    return write


#: Formats that make a meeting pack from a meeting's agenda (need ``--meeting``).
MEETING_PACK_FORMATS = frozenset({"pptx", "pdf"})

FORMATS: dict[str, Writer] = {
    "graphml": _graphml,
    "html": _html,
    "gexf": _lazy("gexf", "write_gexf"),
    "cyjs": _lazy("cyjs", "write_cyjs"),
    "anb": _lazy("anb", "write_anb"),
    "csv": _tables("write_csv"),
    "xlsx": _tables("write_xlsx"),
    "geojson": _geo("write_geojson"),
    "kml": _geo("write_kml"),
    "map": _map,
    "pptx": _pack("pptx"),
    "pdf": _pack("pdf"),
    "summary": _lazy("summary_csv", "write_summary"),  # the strategic summary, suppressed
}

#: The file name endings each format's file may have (``""``: a folder, no ending). An
#: ending that does not match the format is refused, so a CSV never hides under ``.anb``.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "graphml": (".graphml", ".xml"),
    "html": (".html", ".htm"),
    "gexf": (".gexf",),
    "cyjs": (".cyjs", ".json"),
    "anb": (".csv",),  # the i2 Analyst's Notebook *import* CSV, not a .anb chart
    "csv": ("", ".csv"),  # a folder of CSV files
    "xlsx": (".xlsx",),
    "geojson": (".geojson", ".json"),
    "kml": (".kml",),
    "map": (".html", ".htm"),
    "pptx": (".pptx",),
    "pdf": (".pdf",),
    "summary": (".csv",),  # the strategic summary's figures, as shown
}


def out_name_problem(fmt: str, out: Path) -> str | None:
    """Why ``out`` is the wrong name for a ``fmt`` export (with the name to use), or None."""
    wanted = SUFFIXES.get(fmt)
    if wanted is None:
        return None
    suffix = out.suffix.lower()
    if suffix in wanted:
        return None
    if "" in wanted:
        return (
            f"--format {fmt} writes a folder of .csv files, not one {suffix} file; "
            f"give a folder name without an extension, e.g. --out {out.with_suffix('')}"
        )
    what = "an i2 Analyst's Notebook import CSV (not a .anb chart)" if fmt == "anb" else "a"
    what = f"{what} {wanted[0]} file" if fmt != "anb" else what
    return (
        f"--format {fmt} writes {what}, but --out ends in '{suffix or '(nothing)'}'; "
        f"name it e.g. --out {out.with_suffix(wanted[0])}"
    )


def out_name(fmt: str, stem: str) -> str:
    """A file name for a ``fmt`` export with the right ending (``map`` -> ``map.html``)."""
    return stem + SUFFIXES.get(fmt, ("." + fmt,))[-1 if fmt == "csv" else 0]
