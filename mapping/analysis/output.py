"""Writing the analysis report as JSON: streamed, one item a line, and a summary form.

At 1M links the full report is about 100 MB, mostly the evidence lists (link ids) of every
cluster, hotspot and connector. ``write_report`` streams it item by item with the C encoder
(``json.dump`` with ``indent`` falls back to the pure-Python encoder and built 120 MB in
44 s under profile); ``summary_report`` replaces each evidence list with its count, for a
report that a person or a spreadsheet can open. Both are valid JSON with the same keys.
"""

from __future__ import annotations

import json
from typing import IO, Any

#: Per-item lists that hold link ids; ``--summary`` replaces each with ``evidence_count``.
EVIDENCE_KEYS = ("evidence",)


def _encode(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def write_report(report: dict[str, Any], handle: IO[str]) -> None:
    """Write ``report`` to ``handle``: top-level keys one a line, list items one a line."""
    handle.write("{")
    for number, (key, value) in enumerate(report.items()):
        handle.write(",\n" if number else "\n")
        handle.write(f"  {_encode(key)}: ")
        if isinstance(value, list) and value:
            handle.write("[\n")
            for position, item in enumerate(value):
                handle.write(",\n" if position else "")
                handle.write(f"    {_encode(item)}")
            handle.write("\n  ]")
        else:
            handle.write(_encode(value))
    handle.write("\n}\n")


def summary_report(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` with every per-item evidence list replaced by ``evidence_count``.

    The link ids stay in the full report (and behind every highlight in the app); the
    summary keeps what was found and how many links support it.
    """
    return {key: _without_evidence(value) for key, value in report.items()}


def _without_evidence(value: object) -> object:
    if isinstance(value, list):
        return [_without_evidence(item) for item in value]
    if isinstance(value, dict):
        lean: dict[str, object] = {}
        for key, item in value.items():
            if key in EVIDENCE_KEYS and isinstance(item, list):
                lean[f"{key}_count"] = len(item)
            else:
                lean[key] = _without_evidence(item)
        return lean
    return value
