"""The meeting's agenda, computed once per meeting and role: an opening (actions to review,
attendance), one item per district (VOLT: victims, offenders, locations, themes; what
changed since the last meeting; protective contexts), online spaces once across
districts, and the strategic summary. The page, the presentation and every pack format
read this one object, so they cannot disagree.

Every item names entities by code (with a public place's name beside it) and carries its
evidence (link ids). Nothing the role's scope hides is named: an action against such a
subject is shown as withheld. Never touches Streamlit; nothing here scores a child.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import networkx as nx

from mapping.analysis.adults import MIN_YOUNG_PEOPLE_PER_ADULT, adults_of_concern
from mapping.analysis.changes import previous_graph
from mapping.analysis.harms import harm_counts_text
from mapping.analysis.hotspots import find_hotspots
from mapping.analysis.report import analyse
from mapping.analysis.themes import MIN_FLAGGED_PUPILS, online_spaces_across_districts, themes
from mapping.graph import Scope, ScopedGraph, build_scoped_graph
from mapping.meeting.records import (
    TARGET_KINDS,
    action_rows,
    actions_to_review,
    attendance_of,
    meeting_actions,
    meeting_by_id,
)
from mapping.model import MODEL
from mapping.store import Store

__all__ = ["MIN_FLAGGED_PUPILS", "MIN_YOUNG_PEOPLE_PER_ADULT", "adults_of_concern", "themes"]

#: A cluster is raised on the agenda when it links at least this many young people.
MIN_YOUNG_PEOPLE = 2

#: What an empty table on the meeting page says instead of showing no rows.
EMPTY_NOTE = "None in this period."


@dataclass
class AgendaItem:
    """One screen of the meeting: the opening, one district, online spaces, the summary."""

    key: str
    title: str
    district: str | None
    nodes: list[str] = field(default_factory=list)  # what the network picture shows
    highlight: list[str] = field(default_factory=list)  # hotspots and adults to point at
    sections: dict[str, Any] = field(default_factory=dict)  # plain data, see district_item
    evidence: list[str] = field(default_factory=list)


@dataclass
class Agenda:
    meeting: dict[str, Any]
    role: str
    items: list[AgendaItem]
    previous: dict[str, Any] | None
    #: Codes the role may see anywhere in the dataset version (actions against others: withheld).
    visible: set[str] = field(default_factory=set)
    #: The whole meeting (every district) for the role: pictures and the summary draw from it.
    scoped: ScopedGraph | None = None
    #: Public places' and online spaces' names by code (shown beside codes everywhere).
    names: dict[str, str] = field(default_factory=dict)

    @property
    def districts(self) -> list[AgendaItem]:
        return [i for i in self.items if i.district]

    def agreed_rows(self, store: Store) -> list[dict[str, Any]]:
        """Actions agreed at this meeting, as the role may see them."""
        return action_rows(meeting_actions(store, self.meeting.get("id")), self.visible, self.names)


def meeting_scope(meeting: dict[str, Any], role: str, district: str | None = None) -> Scope:
    """The scope of a meeting (its period, seen on its date) for one role and district."""
    return Scope(
        role=role,
        since=date.fromisoformat(meeting["period_start"]),
        until=date.fromisoformat(meeting["period_end"]),
        districts=(district,) if district else (),
        today=date.fromisoformat(meeting["meeting_date"]),
    )


def districts_of(store: Store, version: int) -> list[str]:
    """The districts of a dataset version's young people, in name order (seven in the sample)."""
    entities = store.read_version(version).entities
    young = entities[entities["entity_type"] == "young_person"]
    return sorted(str(d) for d in young["district"].dropna().unique())


def context_name(graph: nx.Graph, code: str) -> str:
    """A public place's or online space's name (empty for people and private addresses,
    whose label is their code): shown beside the code, the same for every role and format."""
    if code not in graph:
        return ""
    data = graph.nodes[code]
    if not MODEL.is_context(data["entity_type"]):
        return ""
    if MODEL.is_pseudonymised(data["entity_type"], data.get("place_kind")):
        return ""
    label = str(data.get("label") or "")
    return "" if label == code else label


def build_agenda(
    store: Store, meeting: dict[str, Any], role: str = "chair", seed: int = 0
) -> Agenda:
    """The meeting's agenda for ``role``: the opening, one item per district, online spaces
    across districts, then the strategic summary.

    Each district item is built from its own scoped graph, so the role's redactions hold
    in the agenda, the presentation and the pack alike.
    """
    version = meeting["dataset_version"]
    tables = store.read_version(version)
    day = date.fromisoformat(meeting["meeting_date"])
    visible = set(
        build_scoped_graph(tables, Scope(role=role, include_stale=True, today=day), version).graph
    )
    whole = build_scoped_graph(tables, meeting_scope(meeting, role), version)
    names = {c: n for c in whole.graph if (n := context_name(whole.graph, c))}
    previous = meeting_by_id(store, meeting.get("previous_meeting_id"))
    review = actions_to_review(
        store, meeting["meeting_date"], since=previous["meeting_date"] if previous else None
    )
    items = [opening_item(meeting, previous, action_rows(review, visible, names))]
    for district in districts_of(store, version):
        scoped = build_scoped_graph(tables, meeting_scope(meeting, role, district), version)
        before = _previous_scoped(store, scoped, previous)
        report = analyse(scoped, seed=seed, previous=before, connector_limit=20)
        mine = [a for a in review if a.get("district") == district]
        items.append(district_item(scoped, report, district, mine, before, visible, names))
    items.append(online_item(whole))
    return Agenda(meeting, role, items, previous, visible, whole, names)


def _previous_scoped(
    store: Store, scoped: ScopedGraph, previous: dict[str, Any] | None
) -> ScopedGraph | None:
    """The district as it stood at the previous meeting: its dataset version when that
    differs, else this version seen on the previous meeting's date."""
    if previous is None:
        return None
    day = date.fromisoformat(previous["meeting_date"])
    then = replace(scoped.scope, today=day)
    if previous.get("dataset_version") and previous["dataset_version"] != scoped.version:
        old = store.read_version(previous["dataset_version"])
        return build_scoped_graph(old, then, previous["dataset_version"])
    return previous_graph(
        store,
        ScopedGraph(scoped.graph, scoped.links, scoped.entities, then, scoped.version),
        day=day,
    )


def opening_item(
    meeting: dict[str, Any], previous: dict[str, Any] | None, review: list[dict[str, Any]]
) -> AgendaItem:
    return AgendaItem(
        key="opening",
        title="Opening: actions to review",
        district=None,
        sections={
            "meeting_date": meeting["meeting_date"],
            "period": [meeting["period_start"], meeting["period_end"]],
            "dataset_version": meeting["dataset_version"],
            "previous_meeting": previous["meeting_date"] if previous else None,
            "outstanding_actions": review,
            "attendance": attendance_of(meeting),
            "decisions": meeting.get("decisions") or "",
        },
    )


def district_item(
    scoped: ScopedGraph,
    report: dict[str, Any],
    district: str,
    review: list[dict[str, Any]],
    before: ScopedGraph | None = None,
    visible: set[str] | None = None,
    names: dict[str, str] | None = None,
) -> AgendaItem:
    """One district's section: VOLT (victims, offenders, locations, themes), protective
    contexts, changes since the last meeting and what happened to each action."""
    graph = scoped.graph
    hotspots = [h for h in report["hotspots"] if not h["protective"]]
    # The agenda keeps its own rule (issue 13): a cluster is raised when it links two or more
    # young people. Adults' networks stay in the analysis and on the pages, not the agenda.
    # Overlap clusters come first (see clusters.find_clusters).
    clusters = [c for c in report["clusters"] if len(c["young_people"]) >= MIN_YOUNG_PEOPLE]
    adults = adults_of_concern(scoped)
    evidence = sorted(
        {x for part in (hotspots, clusters, adults) for h in part for x in h["evidence"]}
    )
    highlight = [h["id"] for h in hotspots] + [a["id"] for a in adults]
    rows = action_rows(review, visible, names)
    return AgendaItem(
        key=f"district:{district}",
        title=f"District: {district}",
        district=district,
        nodes=sorted(graph.nodes),
        highlight=highlight,
        evidence=evidence,
        sections={
            "young_people": len(scoped.young_people()),
            "hotspots": [_hotspot_row(h, graph) for h in hotspots],
            "clusters": [_cluster_row(c) for c in clusters],
            "adults_of_concern": adults,
            "themes": themes(scoped),
            "protective_contexts": protective_rows(report, graph),
            "changes": change_summary(report.get("changes"), scoped, before, rows),
            "outstanding_actions": rows,
            "protective": report["protective"]["counts"],
        },
    )


def online_item(whole: ScopedGraph) -> AgendaItem:
    """Online spaces once across districts, each with its reach per district."""
    found = online_spaces_across_districts(whole)
    for row in found:
        row["name"] = context_name(whole.graph, row["code"])
    return AgendaItem(
        key="online",
        title="Online spaces across districts",
        district=None,
        highlight=[o["code"] for o in found],
        evidence=sorted({x for o in found for x in o["evidence"]}),
        sections={"online_spaces": found},
    )


def protective_rows(report: dict[str, Any], graph: nx.Graph) -> list[dict[str, Any]]:
    """Protective contexts (youth clubs, trusted adults' places...) linked in the district."""
    rows = []
    for h in report["hotspots"]:
        if h["protective"]:
            rows.append(
                {
                    "code": h["id"],
                    "name": context_name(graph, h["id"]),
                    "kind": h["kind"].replace("_", " "),
                    "young_people": len(h["young_people"]),
                    "evidence": h["evidence"],
                }
            )
    return rows


def _hotspot_row(h: dict[str, Any], graph: nx.Graph) -> dict[str, Any]:
    return {
        "code": h["id"],
        "name": context_name(graph, h["id"]),
        "kind": h["kind"].replace("_", " "),
        "young_people": len(h["young_people"]),
        "harms": _harm_text(h["harms"]),
        "adults_of_concern": len(h["adults_of_concern"]),
        "last_seen": h["period"]["last_seen"],
        "evidence": h["evidence"],
    }


def _cluster_row(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": c["id"],
        "overlap": "yes" if c["overlap"] else "no",
        "young_people": len(c["young_people"]),
        "adults": len(c["adults"]),
        "contexts": len(c["contexts"]),
        "harms": _harm_text(c["harms"]),
        "multi_harm": len(c["multi_harm_young_people"]),
        "members": c["members"],
        "context_codes": c["contexts"],
        "evidence": c["evidence"],
    }


def _harm_text(harms: dict[str, Any]) -> str:
    return harm_counts_text(harms)


def _concerns(scoped: ScopedGraph) -> set[str]:
    return {h["id"] for h in find_hotspots(scoped) if not h["protective"]}


def change_summary(
    changes: dict[str, Any] | None,
    scoped: ScopedGraph | None = None,
    before: ScopedGraph | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """What changed since the previous meeting, by name (None when there was none):
    locations of concern gained and lost (each with the open actions against it), clusters
    merged or split, young people newly linked (codes), and what happened to each action."""
    if changes is None:
        return None
    actions = actions or []
    now = _concerns(scoped) if scoped is not None else set()
    then = _concerns(before) if before is not None else set()
    graph = scoped.graph if scoped is not None else None

    def place(code: str) -> dict[str, Any]:
        name = context_name(graph, code) if graph is not None else ""
        if not name and before is not None:
            name = context_name(before.graph, code)
        against = [
            f"{a['tactic']} ({a['status']})"
            for a in actions
            if f" {code} " in f"{a['against']} " and a["status"].startswith("open")
        ]
        return {"code": code, "name": name, "open_actions": "; ".join(against)}

    return {
        "new_links": len(changes["new_links"]),
        "ended_links": len(changes["ended_links"]),
        "new_young_people": len(changes["new_young_people"]),
        "newly_linked_codes": list(changes["new_young_people"]),
        "concerns_gained": [place(c) for c in sorted(now - then)],
        "concerns_lost": [place(c) for c in sorted(then - now)],
        "newly_linked_to_hotspots": [
            {
                "code": c["hotspot"],
                "young_people": len(c["young_people"]),
                "evidence": c["evidence"],
            }
            for c in changes["newly_linked_to_hotspots"]
        ],
        "clusters_merged": len(changes["merged"]),
        "clusters_split": len(changes["split"]),
        "merged": [
            f"{m['cluster']} now draws on {', '.join(m['from'])} of the last meeting"
            for m in changes["merged"]
        ],
        "split": [
            f"{s['cluster']} of the last meeting is now {', '.join(s['into'])}"
            for s in changes["split"]
        ],
        "actions": [
            f"{a['tactic']} against {a['against']}: {a['status']}"
            + (f" ({a['outcome']})" if a.get("outcome") else "")
            for a in actions
        ],
    }


def change_lines(change: dict[str, Any] | None) -> list[str]:
    """The changes as sentences, for the page, the presentation and every pack format."""
    if change is None:
        return ["No previous meeting: nothing to compare with."]

    def places(rows: list[dict[str, Any]]) -> str:
        return ", ".join(
            f"{r['code']}{' ' + r['name'] if r['name'] else ''}"
            + (f" [open: {r['open_actions']}]" if r["open_actions"] else "")
            for r in rows
        )

    lines = [
        f"{change['new_links']} new links, {change['ended_links']} ended; "
        f"{change['new_young_people']} young people newly linked"
        + (
            f": {', '.join(change['newly_linked_codes'][:8])}"
            if change["newly_linked_codes"]
            else ""
        )
        + (
            f" and {len(change['newly_linked_codes']) - 8} more"
            if len(change["newly_linked_codes"]) > 8
            else ""
        )
    ]
    if change["concerns_gained"]:
        lines.append("Now a location of concern: " + places(change["concerns_gained"]))
    if change["concerns_lost"]:
        lines.append("No longer a location of concern: " + places(change["concerns_lost"]))
    if change["merged"]:
        lines.append("Clusters merged: " + "; ".join(change["merged"]))
    if change["split"]:
        lines.append("Clusters split: " + "; ".join(change["split"]))
    lines += [f"Action: {a}" for a in change["actions"]]
    return lines


def _targets_by_kind(item: AgendaItem) -> dict[str, list[str]]:
    s = item.sections
    if item.district is None:
        return {k: [] for k in TARGET_KINDS}
    contexts = [h["code"] for h in s["hotspots"]] + [x["code"] for x in s["themes"]["schools"]]
    contexts += [o["code"] for o in s["themes"]["online_spaces"]]
    return {
        "context": list(dict.fromkeys(contexts)),
        "cluster": [c["code"] for c in s["clusters"]],
        "person": [a["id"] for a in s["adults_of_concern"]],
    }


def action_target_kinds(item: AgendaItem) -> list[str]:
    """The target kinds (keys of ``TARGET_KINDS``) with at least one code in this item."""
    targets = _targets_by_kind(item)
    return [k for k in TARGET_KINDS if targets[k]]


def action_targets(item: AgendaItem, kind: str) -> list[str]:
    """The codes an action of ``kind`` can be recorded against in this item, sorted.

    The Code choice follows the Against choice: a context action lists only contexts, never
    a cluster or an adult's code.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)}")
    return sorted(_targets_by_kind(item)[kind])


def agenda_role_note(role: str) -> str:
    """One line naming the role the agenda is built for (its redactions apply throughout)."""
    return (
        f"Agenda built for the {MODEL.roles[role].label} role: what this role may not "
        "see is left out of every item and of the pack."
    )
