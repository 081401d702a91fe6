"""Write one export and record it in the audit log: the one path the CLI and the app use.

The audit row says who exported what, when, in which format, for which role, with which
filters (as ``scope``, so a subject access request can rebuild who received a person's
record) and how many entities and links went out. Never the file's contents.

An export to a role the model's ``disclosure:`` rule lists (partners) first passes the
uniqueness check (``mapping.export.disclosure``): what it withheld is written from a copy of
the scoped graph, said in the file's ``notice`` and ``uniqueness_check`` metadata, counted
in the audit row and returned as ``detail["uniqueness_check"]`` for the caller to show.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mapping.analysis.explain import export_notice
from mapping.export.formats import FORMATS
from mapping.export.options import DEFAULT_REVIEW_DAYS, ExportData, ExportOptions, Metadata
from mapping.graph import ScopedGraph
from mapping.model import ASSOCIATION_NOTICE
from mapping.model import MARKING as MARKING
from mapping.store import Store, now_iso


def export_metadata(
    scoped: ScopedGraph, recipient: str | None = None, review_days: int = DEFAULT_REVIEW_DAYS
) -> dict[str, object]:
    """The metadata block every export carries (marking, version, date, role, filters), with
    who it is for (``recipient``; "not named" when nobody was) and the date by which the copy
    is to be reviewed or destroyed (``review_days`` after it was made: the caller's
    ``ExportOptions.review_days``, from ``MAPPING_EXPORT_REVIEW_DAYS``)."""
    from datetime import date

    from mapping.marking import copy_for

    exported_at = now_iso()
    copy = copy_for(recipient, review_days, date.fromisoformat(exported_at[:10]))
    return {
        "marking": MARKING,
        "dataset_version": scoped.version,
        "exported_at": exported_at,
        "role": scoped.scope.role,
        "filters": json.dumps(scoped.scope.describe(), sort_keys=True),
        "notice": export_notice(scoped, ASSOCIATION_NOTICE),  # and why it holds less, if it does
        "recipient": copy.recipient,  # one safe line (mapping.marking.clean_recipient)
        "review_by": copy.review_by,
    }


def run_export(
    store: Store,
    scoped: ScopedGraph,
    fmt: str,
    out: Path,
    *,
    user: str,
    metadata: Metadata | None = None,
    options: ExportOptions | None = None,
    recipient: str | None = None,
) -> dict[str, Any]:
    """Write ``scoped`` as ``fmt`` to ``out`` and append an ``export`` audit row.

    What the format draws is computed here, once (:func:`prepare`); ``options`` are the
    caller's (``export.options.options_from``; default: no boundaries, no tiles). Returns
    the audit detail (format, file name, counts, scope; JSON, so ``Any``) for the caller to
    show.
    ``recipient`` is who the file is for (default: ``user``, who made it).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats are {', '.join(FORMATS)}")
    from mapping.audit import record
    from mapping.export.disclosure import apply_check, check_export

    options = options or ExportOptions()
    metadata = metadata or export_metadata(scoped, recipient or user, options.review_days)
    check = None if _aggregate_only(fmt, options) else check_export(scoped)
    if check is not None:  # never silent: the notice, the metadata and the caller say it
        scoped = apply_check(scoped, check)
        said = check.message()
        metadata = {
            **metadata,
            "notice": f"{metadata.get('notice') or ''} {said}".strip(),
            "uniqueness_check": said,
        }
    data = prepare(fmt, scoped, options, store)
    write_atomically(lambda target: FORMATS[fmt](data, target, metadata, options), out)
    detail: dict[str, Any] = {
        "format": fmt,
        "file": out.name,
        "entities": scoped.graph.number_of_nodes(),
        "links": len(scoped.links),
        "marking": metadata.get("marking"),
        "exported_at": metadata.get("exported_at"),
        "recipient": metadata.get("recipient"),
        "review_by": metadata.get("review_by"),
        "scope": scoped.scope.describe(),
    }
    if check is not None:
        detail["uniqueness_check"] = {**check.counts(), "message": check.message()}
    record(store, user, scoped.scope.role, "export", detail, scoped.version)
    return detail


#: What each format draws besides the scoped graph (computed by :func:`prepare`).
NEEDS: dict[str, str] = {"csv": "tables", "xlsx": "tables", "map": "map"}
#: Formats that draw the meeting pack (``html`` too, when ``--meeting`` is given).
PACK_WRITERS = frozenset({"pptx", "pdf", "html"})


def _aggregate_only(fmt: str, options: ExportOptions) -> bool:
    """True for the files the uniqueness check does not apply to: the strategic summary
    (counts with their own small-cell suppression) and the meeting pack (built from the
    meeting's agenda, which shows no age band or sex), so their figures are not changed."""
    return fmt == "summary" or (fmt in PACK_WRITERS and options.meeting is not None)


def prepare(
    fmt: str, scoped: ScopedGraph, options: ExportOptions, store: Store | None = None
) -> ExportData:
    """The data ``fmt``'s writer draws, computed once: the tables (clusters, hotspots), the
    map (clusters, located places), or the meeting pack's agenda, read from ``store``."""
    need = NEEDS.get(fmt)
    if need == "tables":
        from mapping.export.tables import build_tables

        return ExportData(scoped, tables=build_tables(scoped, seed=options.seed))
    if need == "map":
        from mapping import geo
        from mapping.analysis.clusters import find_clusters
        from mapping.render.map_data import build_map_data

        path = options.boundaries_file
        boundaries = geo.read_boundaries(path) if path else None
        clusters = find_clusters(scoped, seed=options.seed)
        postcodes = geo.default_postcodes()
        map_data = build_map_data(scoped, clusters, postcodes=postcodes, boundaries=boundaries)
        return ExportData(scoped, map_data=map_data, boundaries=boundaries)
    if fmt in PACK_WRITERS and options.meeting is not None:
        from mapping.export.pack import load_pack_data

        assert store is not None, "a meeting pack is read from the store its meeting is in"
        return ExportData(scoped, pack=load_pack_data(store, options.meeting, scoped.scope.role))
    return ExportData(scoped)


def write_atomically(write: Callable[[Path], None], out: Path) -> None:
    """Run ``write(path)`` on a hidden partial name beside ``out``, then rename it into
    place, so a full disk or a crash never leaves a truncated export under the real name
    (a format that writes a folder of files is swapped in whole). On failure the partial
    output is removed and the error raised."""
    import os
    import shutil

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.stem}.partial-{os.getpid()}{out.suffix}")
    try:
        write(partial)
        if partial.is_dir() and out.is_dir():
            old = out.with_name(f".{out.stem}.old-{os.getpid()}{out.suffix}")
            out.rename(old)
            partial.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(partial, out)
    except BaseException:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
        raise
