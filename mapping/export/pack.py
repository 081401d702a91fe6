"""The meeting pack: one agenda, three files (PowerPoint, PDF, offline interactive HTML).

The pack is built from the meeting's agenda for one role (``meeting.build_agenda``), so the
role's redactions hold in every file. Slides are first described as plain data
(:class:`Slide`), then drawn by python-pptx and reportlab the same way: codes instead of
labels, large type for a projector, and the OFFICIAL-SENSITIVE marking on every slide and
page. Data text is escaped wherever it is rendered.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date

from mapping.export.pack_images import map_png, network_png
from mapping.graph import ScopedGraph, build_scoped_graph
from mapping.meeting import (
    Agenda,
    action_rows,
    build_agenda,
    get_meeting,
    meeting_actions,
    meeting_scope,
    save_meeting,
)
from mapping.model import MODEL
from mapping.store import Store
from mapping.summary import SUPPRESSION_NOTE, summarise, suppressed_table, young_people_by_period

MARKING = "OFFICIAL-SENSITIVE"
NOTICE = "Links show association, not involvement. Codes only: look up evidence in the tool."
#: Rows per table on a slide; the rest are counted in a note so the slide stays readable.
MAX_ROWS = 5


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    more: int = 0


@dataclass
class Slide:
    title: str
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[bytes] = field(default_factory=list)
    section: str | None = None


def table(caption: str, rows: list[dict], columns: list[str]) -> Table:
    shown = [[_cell(r.get(c)) for c in columns] for r in rows[:MAX_ROWS]]
    return Table(
        caption, [c.replace("_", " ") for c in columns], shown, max(0, len(rows) - MAX_ROWS)
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return str(len(value))
    return str(value)


def load_agenda(store: Store, meeting_date: date, role: str) -> Agenda:
    """The agenda of the meeting on ``meeting_date`` (set up with defaults if not yet)."""
    meeting = get_meeting(store, meeting_date) or save_meeting(store, meeting_date)
    return build_agenda(store, meeting, role=role)


def meeting_scoped(store: Store, agenda: Agenda) -> ScopedGraph:
    """The whole meeting (every district) scoped for the agenda's role."""
    meeting = agenda.meeting
    version = meeting["dataset_version"]
    return build_scoped_graph(
        store.read_version(version), meeting_scope(meeting, agenda.role), version
    )


def meeting_graph(store: Store, agenda: Agenda):
    """The whole meeting's graph for the agenda's role; an item draws ``.subgraph(item.nodes)``."""
    return meeting_scoped(store, agenda).graph


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
    )


def pack_slides(store: Store, agenda: Agenda, *, with_images: bool = True) -> list[Slide]:
    """Every slide of the pack, in agenda order, as plain data."""
    meeting = agenda.meeting
    scoped = meeting_scoped(store, agenda)
    whole = scoped.graph
    opening = agenda.items[0].sections
    slides = [
        Slide(
            f"MACE meeting {meeting['meeting_date']}",
            [
                f"Period: {opening['period'][0]} to {opening['period'][1]}",
                f"Dataset version {meeting['dataset_version']} · pack for role: "
                f"{MODEL.roles[agenda.role].label}",
                f"Previous meeting: {opening['previous_meeting'] or 'none recorded'}",
                NOTICE,
            ],
            [
                table(
                    "Actions outstanding from earlier meetings",
                    opening["outstanding_actions"],
                    ["district", "against", "tactic", "owner", "due", "status"],
                )
            ],
            section="Opening",
        )
    ]
    sees = MODEL.roles[agenda.role].sees_true_addresses
    for item in agenda.items[1:]:
        slides.extend(district_slides(item, whole.subgraph(item.nodes), sees, with_images))
    slides.append(summary_slide(scoped))
    agreed = action_rows(meeting_actions(store, meeting["id"]))
    slides.append(
        Slide(
            "Actions agreed at this meeting",
            tables=[
                table(
                    "Actions", agreed, ["district", "against", "tactic", "owner", "due", "status"]
                )
            ],
            lines=[] if agreed else ["No actions recorded yet."],
            section="Actions",
        )
    )
    return slides


def district_slides(item, graph, sees_addresses: bool, with_images: bool) -> list[Slide]:
    """Two slides per district: pictures with headline counts, then the VOLT tables."""
    s = item.sections
    theme = s["themes"]
    change = s["changes"]
    lines = [
        f"Young people in scope: {s['young_people']} · locations of concern: "
        f"{len(s['hotspots'])} · clusters: {len(s['clusters'])} · adults of concern "
        f"linked to several young people: {len(s['adults_of_concern'])}",
        "Harm mix: "
        + (", ".join(f"{k} {v}" for k, v in theme["harm_mix"].items()) or "none recorded"),
    ]
    if change:
        lines.append(
            f"Since last meeting: {change['new_links']} new links, "
            f"{change['ended_links']} ended, {change['new_young_people']} young "
            f"people newly in scope, {len(change['newly_linked_to_hotspots'])} "
            f"locations with newly linked young people"
        )
    lines += [
        f"Outstanding: {a['tactic']} against {a['against']} ({a['owner']}, due "
        f"{a['due']}, {a['status']})"
        for a in s["outstanding_actions"]
    ]
    images = (
        [
            network_png(graph, item.highlight),
            map_png(graph, item.highlight, item.district, role_sees_addresses=sees_addresses),
        ]
        if with_images
        else []
    )
    first = Slide(item.title, lines, images=images, section=item.district)
    tables = [
        table(
            "Locations of concern (hotspots)",
            s["hotspots"],
            ["code", "kind", "young_people", "harms", "adults_of_concern", "last_seen"],
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
    ]
    themes = [
        "Ideologies: "
        + (", ".join(f"{k} {v}" for k, v in theme["ideologies"].items()) or "none recorded"),
        "Online spaces with flagged young people: "
        + (
            ", ".join(
                f"{o['code']} ({o['flagged']})" for o in theme["online_spaces"] if o["flagged"]
            )
            or "none"
        ),
    ]
    return [
        first,
        Slide(
            f"{item.title}: victims, offenders, locations, themes",
            themes,
            tables,
            section=item.district,
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
            parts.append(
                f"<h3>{html.escape(t.caption)}</h3><table><tr>{head}</tr>{body}</table>{more}"
            )
    return '<div class="agenda">' + "".join(parts) + "</div>"
