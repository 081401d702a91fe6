"""MACE meeting mode: meetings, agreed actions, and the agenda district by district.

A meeting has a date, a period (the links it looks at), a dataset version and the meeting
before it. Its agenda opens with the actions still outstanding from earlier meetings, then
has one section per district: locations of concern (hotspots), overlap clusters, adults of
concern linked to several young people, themes (harm mix, ideologies, online spaces, schools
with several flagged pupils) and what changed since the previous meeting. Every item names
entities by code only and carries its evidence (link ids). Built from mapping.analysis; this
module never touches Streamlit, and nothing here scores a child.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import yaml
from sqlalchemy import insert, select, update

from mapping.analysis.changes import previous_graph
from mapping.analysis.report import analyse
from mapping.graph import Scope, ScopedGraph, build_scoped_graph
from mapping.model import MODEL, MODEL_FILE, _vocabulary
from mapping.store import Store, actions, meetings, now_iso

TACTICS = _vocabulary(
    "disruption tactic",
    yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))["disruption_tactics"],
)
TARGET_KINDS = {"context": "Context", "cluster": "Cluster", "person": "Adult of concern"}
STATUSES = ("open", "done", "dropped")
#: An adult of concern is raised at the meeting when linked to at least this many young people.
MIN_YOUNG_PEOPLE_PER_ADULT = 2
#: A school is a theme when at least this many of its pupils carry a harm flag.
MIN_FLAGGED_PUPILS = 2
DEFAULT_PERIOD_DAYS = 365


# -- meetings and actions in the store ------------------------------------------------------
def save_meeting(
    store: Store,
    meeting_date: date,
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    dataset_version: int | None = None,
    previous_meeting_id: int | None = None,
    created_by: str = "chair",
) -> dict:
    """Create (or update) the meeting on ``meeting_date``; returns its row.

    Defaults: the period is the year to the meeting date, the dataset version is the latest,
    and the previous meeting is the latest one held before this date.
    """
    period_end = period_end or meeting_date
    period_start = period_start or period_end - timedelta(days=DEFAULT_PERIOD_DAYS)
    version = dataset_version or store.latest_version()
    if previous_meeting_id is None:
        earlier = [m for m in list_meetings(store) if m["meeting_date"] < meeting_date.isoformat()]
        previous_meeting_id = earlier[-1]["id"] if earlier else None
    values = {
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "dataset_version": version,
        "previous_meeting_id": previous_meeting_id,
    }
    existing = get_meeting(store, meeting_date)
    with store.engine.begin() as conn:
        if existing:
            conn.execute(update(meetings).where(meetings.c.id == existing["id"]).values(**values))
        else:
            conn.execute(
                insert(meetings).values(
                    meeting_date=meeting_date.isoformat(),
                    created_by=created_by,
                    created_at=now_iso(),
                    **values,
                )
            )
    saved = get_meeting(store, meeting_date)
    assert saved is not None  # just written
    return saved


def get_meeting(store: Store, meeting_date: date | str) -> dict | None:
    day = meeting_date if isinstance(meeting_date, str) else meeting_date.isoformat()
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(meetings).where(meetings.c.meeting_date == day)).mappings().first()
        )
    return dict(row) if row else None


def meeting_by_id(store: Store, meeting_id: int | None) -> dict | None:
    if meeting_id is None:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(meetings).where(meetings.c.id == meeting_id)).mappings().first()
    return dict(row) if row else None


def list_meetings(store: Store) -> list[dict]:
    """Every meeting, earliest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(meetings).order_by(meetings.c.meeting_date)).mappings()
        return [dict(r) for r in rows]


def record_action(
    store: Store,
    meeting_id: int,
    *,
    district: str | None,
    target_kind: str,
    target_id: str,
    tactic: str,
    owner_agency: str,
    due_date: date,
    status: str = "open",
    note: str = "",
) -> int:
    """Store one agreed action; ``target_id`` is a code (never a name). Returns its id."""
    if target_kind not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)}")
    if tactic not in TACTICS:
        raise ValueError(f"{tactic!r} is not a documented disruption tactic")
    if owner_agency not in MODEL.source_agencies:
        raise ValueError(f"{owner_agency!r} is not a known agency")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with store.engine.begin() as conn:
        result = conn.execute(
            insert(actions).values(
                meeting_id=meeting_id,
                district=district,
                target_kind=target_kind,
                target_id=target_id,
                tactic=tactic,
                owner_agency=owner_agency,
                due_date=due_date.isoformat(),
                status=status,
                note=note,
                created_at=now_iso(),
            )
        )
    key = result.inserted_primary_key
    assert key is not None  # a single-row INSERT always reports its key
    return int(key[0])


def set_action_status(store: Store, action_id: int, status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with store.engine.begin() as conn:
        conn.execute(update(actions).where(actions.c.id == action_id).values(status=status))


def meeting_actions(store: Store, meeting_id: int) -> list[dict]:
    """Actions agreed at one meeting."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(actions).where(actions.c.meeting_id == meeting_id).order_by(actions.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def outstanding_actions(store: Store, meeting_date: date | str) -> list[dict]:
    """Actions still open from meetings held before ``meeting_date`` (carried forward),
    each with the date of the meeting that agreed it and whether it is overdue."""
    day = meeting_date if isinstance(meeting_date, str) else meeting_date.isoformat()
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(actions, meetings.c.meeting_date.label("agreed_at"))
            .join(meetings, actions.c.meeting_id == meetings.c.id)
            .where(meetings.c.meeting_date < day, actions.c.status == "open")
            .order_by(meetings.c.meeting_date, actions.c.id)
        ).mappings()
        return [{**r, "overdue": bool(r["due_date"] and r["due_date"] < day)} for r in rows]


def action_rows(items: list[dict]) -> list[dict]:
    """Actions as table rows in the field's words (codes for targets)."""
    return [
        {
            "id": a["id"],
            "district": a.get("district") or "all",
            "against": f"{TARGET_KINDS.get(a['target_kind'], a['target_kind'])} {a['target_id']}",
            "tactic": TACTICS.label(a["tactic"]) if a["tactic"] in TACTICS else a["tactic"],
            "owner": MODEL.source_agencies.label(a["owner_agency"])
            if a["owner_agency"] in MODEL.source_agencies
            else a["owner_agency"],
            "due": a["due_date"],
            "status": a["status"] + (" (overdue)" if a.get("overdue") else ""),
            "agreed": a.get("agreed_at", ""),
        }
        for a in items
    ]


# -- the agenda ----------------------------------------------------------------------------
@dataclass
class AgendaItem:
    """One screen of the meeting: the opening, or one district's section."""

    key: str
    title: str
    district: str | None
    nodes: list[str] = field(default_factory=list)  # what the network picture shows
    highlight: list[str] = field(default_factory=list)  # hotspots and adults to point at
    sections: dict = field(default_factory=dict)  # plain data, see district_item
    evidence: list[str] = field(default_factory=list)


@dataclass
class Agenda:
    meeting: dict
    role: str
    items: list[AgendaItem]
    previous: dict | None


def meeting_scope(meeting: dict, role: str, district: str | None = None) -> Scope:
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


def build_agenda(store: Store, meeting: dict, role: str = "chair", seed: int = 0) -> Agenda:
    """The meeting's agenda for ``role``: the opening item then one item per district.

    Each district item is built from its own scoped graph, so the role's redactions hold
    in the agenda, the presentation and the pack alike.
    """
    version = meeting["dataset_version"]
    tables = store.read_version(version)
    previous = meeting_by_id(store, meeting.get("previous_meeting_id"))
    carried = outstanding_actions(store, meeting["meeting_date"])
    items = [opening_item(meeting, previous, carried)]
    for district in districts_of(store, version):
        scoped = build_scoped_graph(tables, meeting_scope(meeting, role, district), version)
        before = _previous_scoped(store, scoped, previous)
        report = analyse(scoped, seed=seed, previous=before, connector_limit=20)
        outstanding = [a for a in carried if a.get("district") == district]
        items.append(district_item(scoped, report, district, outstanding))
    return Agenda(meeting, role, items, previous)


def _previous_scoped(store: Store, scoped: ScopedGraph, previous: dict | None):
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


def opening_item(meeting: dict, previous: dict | None, carried: list[dict]) -> AgendaItem:
    return AgendaItem(
        key="opening",
        title="Opening: actions outstanding",
        district=None,
        sections={
            "meeting_date": meeting["meeting_date"],
            "period": [meeting["period_start"], meeting["period_end"]],
            "dataset_version": meeting["dataset_version"],
            "previous_meeting": previous["meeting_date"] if previous else None,
            "outstanding_actions": action_rows(carried),
        },
    )


def district_item(
    scoped: ScopedGraph, report: dict, district: str, outstanding: list[dict]
) -> AgendaItem:
    """One district's section: VOLT (victims, offenders, locations, themes) and changes."""
    graph = scoped.graph
    hotspots = [h for h in report["hotspots"] if not h["protective"]]
    clusters = report["clusters"]  # overlap clusters first (see clusters.find_clusters)
    adults = adults_of_concern(scoped)
    evidence = sorted(
        {x for part in (hotspots, clusters, adults) for h in part for x in h["evidence"]}
    )
    highlight = [h["id"] for h in hotspots] + [a["id"] for a in adults]
    return AgendaItem(
        key=f"district:{district}",
        title=f"District: {district}",
        district=district,
        nodes=sorted(graph.nodes),
        highlight=highlight,
        evidence=evidence,
        sections={
            "young_people": len(scoped.young_people()),
            "hotspots": [_hotspot_row(h) for h in hotspots],
            "clusters": [_cluster_row(c) for c in clusters],
            "adults_of_concern": adults,
            "themes": themes(scoped),
            "changes": change_summary(report.get("changes")),
            "outstanding_actions": action_rows(outstanding),
            "protective": report["protective"]["counts"],
        },
    )


def _hotspot_row(h: dict) -> dict:
    return {
        "code": h["id"],
        "kind": h["kind"].replace("_", " "),
        "young_people": len(h["young_people"]),
        "harms": _harm_text(h["harms"]),
        "adults_of_concern": len(h["adults_of_concern"]),
        "last_seen": h["period"]["last_seen"],
        "evidence": h["evidence"],
    }


def _cluster_row(c: dict) -> dict:
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


def _harm_text(harms: dict) -> str:
    return ", ".join(f"{MODEL.harms[h].attrs.get('short', h)} {n}" for h, n in harms.items())


def adults_of_concern(
    scoped: ScopedGraph, min_young_people: int = MIN_YOUNG_PEOPLE_PER_ADULT
) -> list[dict]:
    """Adults recorded as of concern who are linked to several young people, most first.

    The meeting reads this as "an adult to consider for disruption", never as a verdict:
    the evidence (link ids) goes with every row.
    """
    graph = scoped.graph
    found = []
    for node, data in graph.nodes(data=True):
        if data.get("adult_role") != "person_of_concern":
            continue
        young = sorted(
            n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"
        )
        if len(young) >= min_young_people:
            evidence = sorted({x for n in young for x in graph.edges[node, n]["links"]})
            found.append({"id": node, "young_people": len(young), "evidence": evidence})
    return sorted(found, key=lambda a: (-a["young_people"], a["id"]))


def themes(scoped: ScopedGraph) -> dict:
    """Harm mix, ideologies, online spaces and schools with several flagged pupils."""
    graph = scoped.graph
    young = scoped.young_people()
    harms = Counter(h for p in young for h in graph.nodes[p]["harms"])
    ideologies = Counter(
        graph.nodes[p]["ideology"]
        for p in young
        if graph.nodes[p].get("ideology") and "radicalisation" in graph.nodes[p]["harms"]
    )
    online, schools = [], []
    for node, data in graph.nodes(data=True):
        linked = [
            n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"
        ]
        flagged = [n for n in linked if graph.nodes[n]["harms"]]
        if data["entity_type"] == "online_space" and linked:
            online.append({"code": node, "young_people": len(linked), "flagged": len(flagged)})
        if data.get("place_kind") == "school" and len(flagged) >= MIN_FLAGGED_PUPILS:
            schools.append(
                {
                    "code": node,
                    "flagged_pupils": len(flagged),
                    "evidence": sorted({x for n in flagged for x in graph.edges[node, n]["links"]}),
                }
            )
    return {
        "harm_mix": {
            MODEL.harms[h].attrs.get("short", h): harms[h] for h in MODEL.harms.keys() if harms[h]
        },
        "ideologies": {MODEL.ideologies.label(k): n for k, n in sorted(ideologies.items())},
        "online_spaces": sorted(online, key=lambda o: (-o["flagged"], o["code"])),
        "schools": sorted(schools, key=lambda s: (-s["flagged_pupils"], s["code"])),
    }


def change_summary(changes: dict | None) -> dict | None:
    """Counts of what changed since the previous meeting (None when there was none)."""
    if changes is None:
        return None
    return {
        "new_links": len(changes["new_links"]),
        "ended_links": len(changes["ended_links"]),
        "new_young_people": len(changes["new_young_people"]),
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
    }


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


#: What an empty table on the meeting page says instead of showing no rows.
EMPTY_NOTE = "None in this period."


def agenda_role_note(role: str) -> str:
    """One line naming the role the agenda is built for (its redactions apply throughout)."""
    return (
        f"Agenda built for the {MODEL.roles[role].label} role: what this role may not "
        "see is left out of every item and of the pack."
    )
