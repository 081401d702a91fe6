"""Meetings and their actions in the store: set-up, attendance and decisions, the action
log (agreed, then done or dropped with an outcome), and what each role may be told of it.

Every write asks ``mapping.permissions`` first (model.yaml ``permissions:``) and is then
recorded in the audit log as the person and role who made it, so the page and the command
line cannot differ. Targets are codes, never names; a target the reader's role may not see
(an adult reachable only through handling-code C links, say) is shown as withheld, never by
its code (:func:`action_rows`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import yaml
from sqlalchemy import insert, select, update

from mapping import audit, permissions
from mapping.model import MODEL, MODEL_FILE, _vocabulary
from mapping.store import Store, actions, meetings, now_iso

TACTICS = _vocabulary(
    "disruption tactic",
    yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))["disruption_tactics"],
)
TARGET_KINDS = {"context": "Context", "cluster": "Cluster", "person": "Adult of concern"}
STATUSES = ("open", "done", "dropped")
DEFAULT_PERIOD_DAYS = 365
#: What a row says in place of a target (and its description) the reader may not see.
WITHHELD = "withheld for your role"
#: Longest description, outcome or decisions text kept (a note, not a case record).
MAX_TEXT = 1000


@dataclass(frozen=True)
class Actor:
    """Who is making a change: the signed-in person (or the command line) and their role."""

    user: str
    role: str


def _allow(store: Store, by: Actor, action: str, **detail: object) -> None:
    def log(name: str, data: dict[str, Any]) -> None:
        audit.record(store, by.user, by.role, name, data)

    permissions.require(by.role, action, audit=log, **detail)


def _text(value: str | None) -> str:
    return (value or "").strip()[:MAX_TEXT]


# -- meetings ------------------------------------------------------------------------------
def default_meeting(store: Store, meeting_date: date) -> dict[str, Any]:
    """The meeting a date would get with the defaults (not stored): the year to the date,
    the latest dataset version, the latest earlier meeting as the previous one."""
    earlier = [m for m in list_meetings(store) if m["meeting_date"] < meeting_date.isoformat()]
    return {
        "id": None,
        "meeting_date": meeting_date.isoformat(),
        "period_start": (meeting_date - timedelta(days=DEFAULT_PERIOD_DAYS)).isoformat(),
        "period_end": meeting_date.isoformat(),
        "dataset_version": store.latest_version(),
        "previous_meeting_id": earlier[-1]["id"] if earlier else None,
        "attendance": "",
        "decisions": "",
    }


def save_meeting(
    store: Store,
    meeting_date: date,
    *,
    by: Actor,
    period_start: date | None = None,
    period_end: date | None = None,
    dataset_version: int | None = None,
    previous_meeting_id: int | None = None,
) -> dict[str, Any]:
    """Set up (or change) the meeting on ``meeting_date``; returns its row. Only the roles
    model.yaml allows to ``set_up_meeting`` may; the set-up is audited.

    Defaults: the period is the year to the meeting date, the dataset version is the latest,
    and the previous meeting is the latest one held before this date.
    """
    _allow(store, by, "set_up_meeting", meeting=meeting_date.isoformat())
    defaults = default_meeting(store, meeting_date)
    period_end = period_end or meeting_date
    values = {
        "period_start": (
            period_start or period_end - timedelta(days=DEFAULT_PERIOD_DAYS)
        ).isoformat(),
        "period_end": period_end.isoformat(),
        "dataset_version": dataset_version or defaults["dataset_version"],
        "previous_meeting_id": previous_meeting_id
        if previous_meeting_id is not None
        else defaults["previous_meeting_id"],
    }
    existing = get_meeting(store, meeting_date)
    with store.engine.begin() as conn:
        if existing:
            conn.execute(update(meetings).where(meetings.c.id == existing["id"]).values(**values))
        else:
            conn.execute(
                insert(meetings).values(
                    meeting_date=meeting_date.isoformat(),
                    created_by=by.user,
                    created_at=now_iso(),
                    **values,
                )
            )
    saved = get_meeting(store, meeting_date)
    assert saved is not None  # just written
    audit.record(
        store,
        by.user,
        by.role,
        "set_up_meeting",
        {"meeting": saved["meeting_date"], "changed": bool(existing), **values},
        saved["dataset_version"],
    )
    return saved


def record_minutes(
    store: Store, meeting_id: int, *, by: Actor, attendance: list[str], decisions: str
) -> None:
    """Attendance (agencies or roles present, one entry each) and the decisions/minutes of
    one meeting. Names of children never belong here: the page says so."""
    _allow(store, by, "set_up_meeting", meeting_id=meeting_id)
    present = [_text(a)[:120] for a in attendance if _text(a)]
    with store.engine.begin() as conn:
        conn.execute(
            update(meetings)
            .where(meetings.c.id == meeting_id)
            .values(attendance=json.dumps(present), decisions=_text(decisions))
        )
    audit.record(
        store, by.user, by.role, "set_up_meeting", {"meeting_id": meeting_id, "minutes": True}
    )


def attendance_of(meeting: dict[str, Any]) -> list[str]:
    try:
        return list(json.loads(meeting.get("attendance") or "[]"))
    except ValueError:
        return []


def get_meeting(store: Store, meeting_date: date | str) -> dict[str, Any] | None:
    day = meeting_date if isinstance(meeting_date, str) else meeting_date.isoformat()
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(meetings).where(meetings.c.meeting_date == day)).mappings().first()
        )
    return dict(row) if row else None


def meeting_by_id(store: Store, meeting_id: int | None) -> dict[str, Any] | None:
    if meeting_id is None:
        return None
    with store.engine.connect() as conn:
        row = conn.execute(select(meetings).where(meetings.c.id == meeting_id)).mappings().first()
    return dict(row) if row else None


def list_meetings(store: Store) -> list[dict[str, Any]]:
    """Every meeting, earliest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(meetings).order_by(meetings.c.meeting_date)).mappings()
        return [dict(r) for r in rows]


# -- the action log ------------------------------------------------------------------------
def record_action(
    store: Store,
    meeting_id: int,
    *,
    by: Actor,
    district: str | None,
    target_kind: str,
    target_id: str,
    tactic: str,
    owner_agency: str,
    due_date: date,
    description: str = "",
    owner_person: str = "",
) -> int:
    """Store one agreed action (status open); ``target_id`` is a code (never a name).
    ``owner_person`` is the named owner (a practitioner or post), beside the agency.
    Returns its id; the action is audited."""
    if target_kind not in TARGET_KINDS:
        raise ValueError(f"target kind must be one of {', '.join(TARGET_KINDS)}")
    if tactic not in TACTICS:
        raise ValueError(f"{tactic!r} is not a documented disruption tactic")
    if owner_agency not in MODEL.source_agencies:
        raise ValueError(f"{owner_agency!r} is not a known agency")
    _allow(store, by, "record_action", meeting_id=meeting_id)
    with store.engine.begin() as conn:
        result = conn.execute(
            insert(actions).values(
                meeting_id=meeting_id,
                district=district,
                target_kind=target_kind,
                target_id=target_id,
                tactic=tactic,
                owner_agency=owner_agency,
                owner_person=_text(owner_person)[:200],
                description=_text(description),
                due_date=due_date.isoformat(),
                status="open",
                note="",
                created_at=now_iso(),
                created_by=by.user,
            )
        )
    key = result.inserted_primary_key
    assert key is not None  # a single-row INSERT always reports its key
    action_id = int(key[0])
    audit.record(
        store,
        by.user,
        by.role,
        "record_action",
        {
            "action_id": action_id,
            "meeting_id": meeting_id,
            "tactic": tactic,
            "entities": [target_id] if target_kind != "cluster" else [],
        },
    )
    return action_id


def close_action(
    store: Store,
    action_id: int,
    status: str,
    *,
    by: Actor,
    outcome: str,
    on: date,
    meeting_id: int | None = None,
) -> None:
    """Mark an action done or dropped with its outcome and the date; ``meeting_id`` is the
    meeting it was reviewed at (None between meetings). Reopening (``open``) clears neither
    the outcome nor the date, so the log keeps what was said. Audited."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if status != "open" and not _text(outcome):
        raise ValueError("say what happened: an action is closed with an outcome note")
    _allow(store, by, "close_action", action_id=action_id)
    with store.engine.begin() as conn:
        found = conn.execute(select(actions.c.id).where(actions.c.id == action_id)).first()
        if found is None:
            raise ValueError(f"no action {action_id}")
        conn.execute(
            update(actions)
            .where(actions.c.id == action_id)
            .values(
                status=status,
                outcome=_text(outcome),
                closed_on=on.isoformat(),
                reviewed_meeting_id=meeting_id,
                updated_by=by.user,
                updated_at=now_iso(),
            )
        )
    audit.record(
        store,
        by.user,
        by.role,
        "close_action",
        {"action_id": action_id, "status": status, "on": on.isoformat(), "meeting_id": meeting_id},
    )


def meeting_actions(store: Store, meeting_id: int | None) -> list[dict[str, Any]]:
    """Actions agreed at one meeting, each with ``agreed_at`` (that meeting's date)."""
    if meeting_id is None:
        return []
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(actions, meetings.c.meeting_date.label("agreed_at"))
            .join(meetings, actions.c.meeting_id == meetings.c.id)
            .where(actions.c.meeting_id == meeting_id)
            .order_by(actions.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def outstanding_actions(store: Store, meeting_date: date | str) -> list[dict[str, Any]]:
    """Actions still open from meetings held before ``meeting_date`` (carried forward),
    each with the date of the meeting that agreed it and whether it is overdue."""
    return [a for a in actions_to_review(store, meeting_date) if a["status"] == "open"]


def actions_to_review(
    store: Store, meeting_date: date | str, since: str | None = None
) -> list[dict[str, Any]]:
    """What the meeting on ``meeting_date`` reviews: every action agreed earlier that is
    still open, and every one closed on or after ``since`` (the previous meeting's date) or
    at this meeting, with its outcome. Earliest first."""
    day = meeting_date if isinstance(meeting_date, str) else meeting_date.isoformat()
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(actions, meetings.c.meeting_date.label("agreed_at"))
            .join(meetings, actions.c.meeting_id == meetings.c.id)
            .where(meetings.c.meeting_date < day)
            .order_by(meetings.c.meeting_date, actions.c.id)
        ).mappings()
        found = []
        for r in rows:
            still_open = r["status"] == "open"
            closed_lately = r["closed_on"] is not None and (
                since is None or r["closed_on"] >= since
            )
            if still_open or closed_lately:
                overdue = still_open and bool(r["due_date"] and r["due_date"] < day)
                found.append({**r, "overdue": overdue})
        return found


def log_stamp(store: Store, meeting: dict[str, Any]) -> str:
    """Changes whenever an action is recorded or closed, or the meeting's minutes change:
    part of the key of a cached agenda, so no one is shown a stale action log."""
    from sqlalchemy import func

    with store.engine.connect() as conn:
        count, created, updated = conn.execute(
            select(func.count(), func.max(actions.c.created_at), func.max(actions.c.updated_at))
        ).one()
    minutes = f"{meeting.get('attendance') or ''}|{meeting.get('decisions') or ''}"
    digest = hashlib.sha256(minutes.encode("utf-8")).hexdigest()[:12]
    return f"{count}|{created}|{updated}|{digest}"


def action_rows(
    items: list[dict[str, Any]],
    visible: set[str] | None = None,
    names: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Actions as table rows in the field's words (codes for targets).

    ``visible``: the codes the reader's role may see; an action against anything else
    keeps its row (so the count is honest) but says :data:`WITHHELD` for the target and the
    description, never the code. ``None`` means every code may be shown (the chair's own
    records in tests). ``names``: public places' names by code, shown beside the code.
    """
    names = names or {}
    rows = []
    for a in items:
        hidden = (
            visible is not None and a["target_kind"] != "cluster" and a["target_id"] not in visible
        )
        against = TARGET_KINDS.get(a["target_kind"], a["target_kind"])
        owner = (
            MODEL.source_agencies.label(a["owner_agency"])
            if a["owner_agency"] in MODEL.source_agencies
            else a["owner_agency"]
        )
        if a.get("owner_person"):
            owner = f"{a['owner_person']} ({owner})"
        status = a["status"] + (" (overdue)" if a.get("overdue") else "")
        if a["status"] != "open" and a.get("closed_on"):
            status += f" {a['closed_on']}"
        rows.append(
            {
                "id": a["id"],
                "district": a.get("district") or "all",
                "against": WITHHELD
                if hidden
                else " ".join(
                    p for p in (against, a["target_id"], names.get(a["target_id"], "")) if p
                ),
                "tactic": TACTICS.label(a["tactic"]) if a["tactic"] in TACTICS else a["tactic"],
                "description": WITHHELD if hidden else (a.get("description") or ""),
                "owner": owner,
                "due": a["due_date"],
                "status": status,
                "outcome": WITHHELD if hidden and a.get("outcome") else (a.get("outcome") or ""),
                "agreed": a.get("agreed_at") or "",
            }
        )
    return rows


def withheld_note(rows: list[dict[str, Any]]) -> str | None:
    """One line counting the actions whose target the role may not see (None when none)."""
    n = sum(1 for r in rows if r["against"] == WITHHELD)
    if not n:
        return None
    return (
        f"{n} action{'s' if n > 1 else ''} against a subject your role may not see: "
        "withheld (ask the agency that owns it)."
    )
