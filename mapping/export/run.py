"""Write one export and record it in the audit log: the one path the CLI and the app use.

The audit row says who exported what, when, in which format, for which role, with which
filters (as ``scope``, so a subject access request can rebuild who received a person's
record) and how many entities and links went out. Never the file's contents.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapping.analysis.explain import export_notice
from mapping.export.formats import FORMATS
from mapping.graph import ScopedGraph
from mapping.model import ASSOCIATION_NOTICE
from mapping.model import MARKING as MARKING
from mapping.store import Store, now_iso


def export_metadata(scoped: ScopedGraph, recipient: str | None = None) -> dict:
    """The metadata block every export carries (marking, version, date, role, filters), with
    who it is for (``recipient``; "not named" when nobody was) and the date by which the copy
    is to be reviewed or destroyed (``MAPPING_EXPORT_REVIEW_DAYS`` after it was made)."""
    from datetime import date, timedelta

    from mapping import settings

    exported_at = now_iso()
    made = date.fromisoformat(exported_at[:10])
    return {
        "marking": MARKING,
        "dataset_version": scoped.version,
        "exported_at": exported_at,
        "role": scoped.scope.role,
        "filters": json.dumps(scoped.scope.describe(), sort_keys=True),
        "notice": export_notice(scoped, ASSOCIATION_NOTICE),  # and why it holds less, if it does
        "recipient": (recipient or "").strip() or "not named",
        "review_by": (made + timedelta(days=settings.current().export_review_days)).isoformat(),
    }


def run_export(
    store: Store,
    scoped: ScopedGraph,
    fmt: str,
    out: Path,
    *,
    user: str,
    metadata: dict | None = None,
    args=None,
    recipient: str | None = None,
) -> dict:
    """Write ``scoped`` as ``fmt`` to ``out`` and append an ``export`` audit row.

    Returns the audit detail (format, file name, counts, scope) for the caller to show.
    ``recipient`` is who the file is for (default: ``user``, who made it).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; formats are {', '.join(FORMATS)}")
    from mapping.audit import record

    metadata = metadata or export_metadata(scoped, recipient or user)
    write_atomically(lambda target: FORMATS[fmt](scoped, target, metadata, args), out)
    detail = {
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
    record(store, user, scoped.scope.role, "export", detail, scoped.version)
    return detail


def write_atomically(write, out: Path) -> None:
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
