"""The meeting pack: one agenda, three files (PowerPoint, PDF, offline interactive HTML).

The pack is built once per meeting and role from the meeting's computed agenda
(``meeting.build_agenda``): :func:`pack_slides` turns it into plain-data slides (pictures
drawn once), and the three writers in ``pack_files`` draw those same slides, so every
format shows the same figures and the role's redactions hold in all of them. Codes
instead of people's labels (a public place's name beside its code), large type for a
projector, and the OFFICIAL-SENSITIVE marking on every slide and page. Data text is
escaped wherever it is rendered.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from mapping.export.pack_images import map_png, network_png
from mapping.export.pack_layout import Table
from mapping.graph import ScopedGraph, build_scoped_graph
from mapping.meeting import (
    Agenda,
    AgendaItem,
    build_agenda,
    change_lines,
    default_meeting,
    get_meeting,
    meeting_scope,
    withheld_note,
)
from mapping.model import ASSOCIATION_NOTICE, MODEL
from mapping.store import Store
from mapping.summary import SUPPRESSION_NOTE, summarise, suppressed_table, young_people_by_period

NOTICE = f"{ASSOCIATION_NOTICE} {MODEL.notices['codes_only']}"
#: Rows per table on a slide; the rest are counted in a note so the slide stays readable.
MAX_ROWS = 5
ACTION_COLUMNS = ["district", "against", "tactic", "owner", "due", "status", "outcome"]


@dataclass
class Slide:
    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)
    section: str | None = None
    notes: str = ""  # speaker notes (PowerPoint): what the chair says or asks here


def table(
    caption: str, rows: list[dict[str, Any]], columns: list[str], limit: int = MAX_ROWS
) -> Table:
    shown = [[_cell(r.get(c)) for c in columns] for r in rows[:limit]]
    return Table(caption, [c.replace("_", " ") for c in columns], shown, max(0, len(rows) - limit))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return str(len(value))
    return str(value)


@dataclass(frozen=True)
class PackData:
    """Everything the pack draws, computed once from the store: the agenda, the whole
    meeting scoped for its role, and the actions agreed at the meeting as the role sees them.
    The writers (``pack_files``) take this, never a store."""

    agenda: Agenda
    scoped: ScopedGraph
    agreed: list[dict[str, Any]]

    @property
    def graph(self) -> nx.Graph:
        """The whole meeting's graph; an item draws ``.subgraph(item.nodes)``."""
        return self.scoped.graph


def pack_data(store: Store, agenda: Agenda) -> PackData:
    """What the pack of ``agenda`` draws, read from ``store`` once."""
    return PackData(agenda, meeting_scoped(store, agenda), agenda.agreed_rows(store))


def load_pack_data(store: Store, meeting_date: date, role: str) -> PackData:
    """The pack data of the meeting on ``meeting_date`` for ``role`` (see :func:`load_agenda`)."""
    return pack_data(store, load_agenda(store, meeting_date, role))


def load_agenda(store: Store, meeting_date: date, role: str) -> Agenda:
    """The agenda of the meeting on ``meeting_date``; a date with no meeting set up gets the
    defaults (the year to it, the latest version), without storing anything."""
    meeting = get_meeting(store, meeting_date) or default_meeting(store, meeting_date)
    return build_agenda(store, meeting, role=role)


def meeting_scoped(store: Store, agenda: Agenda) -> ScopedGraph:
    """The whole meeting (every district) scoped for the agenda's role."""
    if agenda.scoped is not None:
        return agenda.scoped
    meeting = agenda.meeting
    version = meeting["dataset_version"]
    return build_scoped_graph(
        store.read_version(version), meeting_scope(meeting, agenda.role), version
    )


def summary_slide(scoped: ScopedGraph) -> Slide:
    """The strategic summary of the meeting's last quarter, through the one suppression
    routine (mapping.summary), so the pack shows exactly what the page shows."""
    summary = summarise(young_people_by_period(scoped, "Q"))
    if summary.empty:
        return Slide(
            "Strategic summary",
            ["No young people with harm flags in this scope."],
            section="Summary",
        )
    period = summary["period"].max()
    shown = suppressed_table(summary, period)
    columns = [str(c) for c in shown.columns]
    rows = [[str(v) for v in row] for row in shown.itertuples(index=False, name=None)]
    return Slide(
        f"Strategic summary: {period}",
        [SUPPRESSION_NOTE],
        [Table("Young people with each harm flag, by district", columns, rows)],
        section="Summary",
        notes="These figures may leave the meeting: the same suppression as the Strategic "
        "summary page.",
    )


def pack_slides(
    data: PackData,
    *,
    with_images: bool = True,
    progress: Callable[[float, str], None] | None = None,
    boundaries_file: Path | None = None,
) -> list[Slide]:
    """Every slide of the pack, in agenda order, as plain data; the map pictures draw
    ``boundaries_file``'s districts when given. ``progress(fraction, what)`` is told as
    each district's pictures are drawn (the slow part)."""
    agenda, scoped = data.agenda, data.scoped
    meeting = agenda.meeting
    whole = scoped.graph
    opening = agenda.items[0].sections
    review = opening["outstanding_actions"]
    lines = [
        f"Period: {opening['period'][0]} to {opening['period'][1]}",
        f"Dataset version {meeting['dataset_version']} · pack for role: "
        f"{MODEL.roles[agenda.role].label}",
        f"Previous meeting: {opening['previous_meeting'] or 'none recorded'}",
    ]
    if opening["attendance"]:
        lines.append("Present: " + ", ".join(opening["attendance"]))
    lines += [note for note in [withheld_note(review)] if note] + [NOTICE]
    slides = [
        Slide(
            f"MACE meeting {meeting['meeting_date']}",
            lines,
            [table("Actions to review from earlier meetings", review, ACTION_COLUMNS, 8)],
            section="Opening",
            notes="Review each action: done, dropped (say what happened) or still open.",
        )
    ]
    districts = agenda.districts
    for number, item in enumerate(districts):
        if progress:
            progress(number / (len(districts) + 1), f"Drawing {item.title}")
        slides.extend(
            district_slides(
                item, whole.subgraph(item.nodes), with_images, boundaries_file, agenda.role
            )
        )
    online = next((i for i in agenda.items if i.key == "online"), None)
    if online is not None:
        slides.append(online_slide(online))
    slides.append(summary_slide(scoped))
    agreed = data.agreed
    slides.append(
        Slide(
            "Actions agreed at this meeting",
            tables=[table("Actions", agreed, ACTION_COLUMNS, 10)],
            lines=[n for n in [withheld_note(agreed)] if n]
            + ([] if agreed else ["No actions recorded yet."]),
            section="Actions",
        )
    )
    if meeting.get("decisions"):
        slides[-1].lines.append("Decisions: " + meeting["decisions"])
    if progress:
        progress(1.0, "Pictures drawn")
    return slides


def online_slide(item: AgendaItem) -> Slide:
    rows = item.sections["online_spaces"]
    return Slide(
        item.title,
        [
            "Each online space once, with the young people it reaches in each district "
            "(flagged / linked)."
        ],
        [
            table(
                "Online spaces with flagged young people",
                rows,
                ["code", "name", "flagged", "reach"],
                8,
            )
        ],
        section="Online",
        notes="An online space is not in one district: agree one owner for any action.",
    )


def district_slides(
    item: AgendaItem,
    graph: nx.Graph,
    with_images: bool,
    boundaries_file: Path | None = None,
    role: str | None = None,
) -> list[Slide]:
    """Two slides per district: pictures with headline counts and changes, then the VOLT
    tables (locations, clusters, adults, schools, protective contexts) and themes."""
    s = item.sections
    theme = s["themes"]
    lines = [
        f"Young people in scope: {s['young_people']} · locations of concern: "
        f"{len(s['hotspots'])} · clusters: {len(s['clusters'])} · adults of concern "
        f"linked to several young people: {len(s['adults_of_concern'])}",
        "Harm mix: "
        + (", ".join(f"{k} {v}" for k, v in theme["harm_mix"].items()) or "none recorded"),
    ]
    change = change_lines(s["changes"]) if s["changes"] is not None else []
    lines += [f"Since last meeting: {line}" for line in change[:3]]
    images = (
        [
            network_png(graph, item.highlight),
            map_png(
                graph, item.highlight, item.district, districts_file=boundaries_file, role=role
            ),
        ]
        if with_images
        else []
    )
    notes = "\n".join(
        change
        + [
            f"Outstanding: {a['tactic']} against {a['against']} ({a['status']})"
            for a in s["outstanding_actions"]
        ]
    )
    first = Slide(item.title, lines, images=images, section=item.district, notes=notes)
    tables = [
        table(
            "Locations of concern",
            s["hotspots"],
            ["code", "name", "kind", "young_people", "harms", "last_seen"],
        ),
        table(
            "Clusters (overlap first)",
            s["clusters"],
            ["code", "overlap", "young_people", "adults", "contexts", "harms"],
        ),
        table(
            "Adults of concern linked to several young people",
            s["adults_of_concern"],
            ["id", "young_people"],
        ),
        table("Schools with several flagged pupils", theme["schools"], ["code", "flagged_pupils"]),
        table(
            "Protective contexts",
            s["protective_contexts"],
            ["code", "name", "kind", "young_people"],
        ),
        table(
            "Actions to review",
            s["outstanding_actions"],
            ["against", "tactic", "owner", "due", "status"],
        ),
    ]
    themes = [
        "Ideologies: "
        + (", ".join(f"{k} {v}" for k, v in theme["ideologies"].items()) or "none recorded"),
    ]
    themes += [f"Since last meeting: {line}" for line in change[3:6]]
    return [
        first,
        Slide(
            f"{item.title}: victims, offenders, locations, themes",
            themes,
            tables,
            section=item.district,
            notes=ASSOCIATION_NOTICE.rstrip(".")
            + ": open the evidence in the tool before agreeing an action.",
        ),
    ]


def agenda_html(slides: list[Slide]) -> str:
    """The pack's text and tables as escaped HTML, for the interactive page."""
    parts = []
    for slide in slides:
        parts.append(f"<h2>{html.escape(slide.title)}</h2>")
        parts.extend(f"<p>{html.escape(line)}</p>" for line in slide.lines)
        for t in slide.tables:
            head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
                for row in t.rows
            )
            more = f"<p>and {t.more} more</p>" if t.more else ""
            empty = "" if t.rows else "<p>None in this period.</p>"
            parts.append(
                f"<h3>{html.escape(t.caption)}</h3>"
                + (f"<table><tr>{head}</tr>{body}</table>" if t.rows else empty)
                + more
            )
    return '<div class="agenda">' + "".join(parts) + "</div>"
