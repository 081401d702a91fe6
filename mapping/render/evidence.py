"""Evidence as a person reads it on a page: an HTML table with plain headings, dd/mm/yyyy
dates and the 3x5x2 grading explained on hover, and a path listed step by step with each
step's links.

Every text from data is HTML-escaped here; the pages hand the result to ``st.html``, which
also sanitises it. Never imports Streamlit.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from mapping.model import GRADING_FIELDS, MODEL
from mapping.views import EVIDENCE_HEADINGS, grading_key, grading_meaning, uk_date

STYLE = (
    "<style>.evidence-wrap{max-height:420px;overflow-y:auto;width:100%}"
    "table.evidence{border-collapse:collapse;width:100%;font-size:14px}"
    "table.evidence th{position:sticky;top:0;background:#f0f2f6;text-align:left}"
    "table.evidence th,table.evidence td{padding:3px 8px;border-bottom:1px solid #ddd;"
    "vertical-align:top}"
    "table.evidence abbr{text-decoration:underline dotted;cursor:help}"
    "ol.path-steps{margin:4px 0 10px 0}ol.path-steps li{margin-bottom:6px}"
    ".grading-key{font-size:12px;color:#444;margin:4px 0 8px}</style>"
)


def _cell(column: str, value: object) -> str:
    text = "" if value is None or value != value else str(value)
    if column == "grading" and text and text != "not graded":
        return f'<td title="{html.escape(grading_meaning(text))}">{html.escape(text)}</td>'
    return f"<td>{html.escape(text)}</td>"


def evidence_html(
    frame: pd.DataFrame,
    *,
    test_id: str = "evidence-table",
    columns: Sequence[str] | None = None,
    standalone: bool = True,
) -> str:
    """``frame`` (from :func:`mapping.views.evidence_table`) as a full-width HTML table."""
    columns = [c for c in (columns or frame.columns) if c in frame.columns]
    key = html.escape(grading_key())
    head = "".join(
        f'<th><abbr title="{key}">{EVIDENCE_HEADINGS[c]}</abbr></th>'
        if c == "grading"
        else f"<th>{html.escape(EVIDENCE_HEADINGS.get(c, c))}</th>"
        for c in columns
    )
    rows = []
    for record in frame.to_dict("records"):
        for column in ("first_seen", "last_seen"):
            if column in record:
                record[column] = uk_date(record[column])
        rows.append("<tr>" + "".join(_cell(c, record.get(c)) for c in columns) + "</tr>")
    table = (
        f'<div class="evidence-wrap"><table class="evidence" data-testid="{test_id}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    return f'{STYLE}{table}<p class="grading-key">{key}</p>' if standalone else table


STEP_COLUMNS = ["link_type", "source_agency", "grading", "first_seen", "last_seen", "incident_id"]


def path_html(steps_by_path: list[list[dict[str, Any]]], shown_as: Callable[[str], str]) -> str:
    """Each path as an ordered list of steps ("A → B"), each with the links behind it."""
    parts = [STYLE]
    for number, steps in enumerate(steps_by_path, 1):
        items = []
        for step in steps:
            rows = [
                {
                    "link_type": MODEL.link_types.label(r["link_type"]),
                    "source_agency": MODEL.source_agencies.label(r["source_agency"])
                    if r.get("source_agency")
                    else "not recorded",
                    "grading": "".join(str(r.get(k) or "") for k in GRADING_FIELDS) or "not graded",
                    "first_seen": r.get("first_seen"),
                    "last_seen": r.get("last_seen"),
                    "incident_id": r.get("incident_id") or "",
                }
                for r in step["links"]
            ]
            table = evidence_html(
                pd.DataFrame(rows, columns=STEP_COLUMNS), test_id="path-step", standalone=False
            )
            title = f"{shown_as(step['from'])} → {shown_as(step['to'])}"
            items.append(f"<li><b>{html.escape(title)}</b>{table}</li>")
        parts.append(
            f'<p><b>Path {number}</b> ({len(steps)} step(s))</p><ol class="path-steps">'
            + "".join(items)
            + "</ol>"
        )
    parts.append(f'<p class="grading-key">{html.escape(grading_key())}</p>')
    return "".join(parts)


def scroll_script(nonce: object) -> str:
    """A script that scrolls its own (zero-height) frame into view, so what follows it on the
    page is seen after a click. ``nonce`` only makes each click's script differ; it comes from
    the browser, so only its digest is written into the script."""
    digest = hashlib.sha256(repr(nonce).encode()).hexdigest()[:16]
    return (
        f"<script>/* {digest} */ var f = window.frameElement;"
        " if (f) { f.style.scrollMarginTop = '70px'; f.scrollIntoView({block: 'start'}); }"
        "</script>"
    )


def heading_html(text: str) -> str:
    """A section heading holding data text (a place's name), escaped: never markdown, where
    a name could become a link or an image fetched from outside."""
    return f'<h3 class="evidence-heading" style="margin:0.6em 0 0.2em">{html.escape(text)}</h3>'
