"""The export formats ``python -m mapping export --format F`` knows, one writer each.

A writer takes (scoped graph, output path, metadata dict, parsed CLI args) and writes one
file. Add a format by writing a module in ``mapping/export/`` and one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mapping.graph import ScopedGraph

Writer = Callable[[ScopedGraph, Path, dict, object], None]


def _graphml(scoped, out, metadata, args) -> None:
    from mapping.export.graphml import write_graphml

    write_graphml(scoped, out, metadata)


def _html(scoped, out, metadata, args) -> None:
    from mapping.render.network import network_html

    if getattr(args, "meeting", None):  # --meeting: the meeting pack's interactive page
        from mapping.export.pack_files import write_pack

        return write_pack("html")(scoped, out, metadata, args)

    meta = (
        f"Dataset version {metadata['dataset_version']} · exported "
        f"{metadata['exported_at']} · role {metadata['role']} · filters {metadata['filters']}"
        f" · for {metadata.get('recipient', 'not named')} · review by "
        f"{metadata.get('review_by', '')}"
    )
    out.write_text(
        network_html(
            scoped.graph, meta=meta, use_codes=True, title="Contextual safeguarding network map"
        ),
        encoding="utf-8",
    )


def _lazy(module: str, function: str) -> Writer:
    """A writer imported only when used, so the CLI starts fast."""

    def write(scoped, out, metadata, args) -> None:
        from importlib import import_module

        getattr(import_module(f"mapping.export.{module}"), function)(scoped, out, metadata)

    return write


def _map(scoped, out, metadata, args) -> None:
    from mapping.render.map import write_map  # the offline folium map (docs/map.md)

    write_map(scoped, out, metadata)


def _pack(fmt: str) -> Writer:
    """A meeting pack writer (needs ``--meeting``), imported only when used."""

    def write(scoped, out, metadata, args) -> None:
        from mapping.export.pack_files import write_pack

        write_pack(fmt)(scoped, out, metadata, args)

    return write


#: Formats that make a meeting pack from a meeting's agenda (need ``--meeting``).
MEETING_PACK_FORMATS = frozenset({"pptx", "pdf"})

FORMATS: dict[str, Writer] = {
    "graphml": _graphml,
    "html": _html,
    "gexf": _lazy("gexf", "write_gexf"),
    "cyjs": _lazy("cyjs", "write_cyjs"),
    "anb": _lazy("anb", "write_anb"),
    "csv": _lazy("tables", "write_csv"),
    "xlsx": _lazy("tables", "write_xlsx"),
    "geojson": _lazy("geo", "write_geojson"),
    "kml": _lazy("geo", "write_kml"),
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
