"""The audit log: who signed in, searched, viewed, imported, exported or deleted, and when.

Rows are only ever appended from the app and the command line, each sealed onto a hash
chain (:mod:`mapping.audit_chain`, checked by ``python -m mapping audit --verify``); nothing
here updates or deletes them. The one exception is the audit log's own retention
(:func:`mapping.retention.purge_audit`), documented in docs/security.md. Details hold
entity codes (never raw identifiers or names), so a subject access request can find every
time a person's record was looked at or sent out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import select

from mapping import audit_chain
from mapping.graph import Scope, build_scoped_graph
from mapping.lookup import candidate_codes
from mapping.store import Store, VersionTables, audit_log, entities, links, now_iso

#: The actions the app records. ``view`` is a view of one young person's (or entity's) network.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "search",
    "view",
    "import",
    "export",
    "purge",
    "delete",
    "audit_view",
    "subject_access",
    "denied",  # a request the role may not make (mapping.permissions), with the action
    "import_failed",
    "rekey",
    "set_up_meeting",
    "record_action",
    "close_action",
    "build_pack",
    "download",
)


def record(
    store: Store,
    user: str,
    role: str,
    action: str,
    detail: dict | str = "",
    dataset_version: int | None = None,
) -> None:
    """Append one row to the audit log.

    ``detail`` is plain data (JSON-encoded when a dict); put entity codes in an
    ``entities`` list so the subject access report can find them.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    text = detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True, default=str)
    values = {
        "at": now_iso(),
        "user_name": str(user)[:200],
        "role": str(role)[:40],
        "action": action,
        "detail": text,
        "dataset_version": dataset_version,
    }
    with store.engine.begin() as conn:
        audit_chain.append(store, conn, values)


def list_audit(
    store: Store,
    *,
    user: str | None = None,
    action: str | None = None,
    mentions: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, optionally for one user, one action or one entity code."""
    query = select(audit_log).order_by(audit_log.c.id.desc())
    if user:
        query = query.where(audit_log.c.user_name == user)
    if action:
        query = query.where(audit_log.c.action == action)
    if mentions:
        query = query.where(audit_log.c.detail.contains(mentions, autoescape=True))
    if limit:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        return pd.read_sql(query, conn)


@dataclass
class SubjectAccessReport:
    """What the database holds on one person and who has seen or received it.

    ``held`` lists, per dataset version, the entity record and how many links it has;
    ``seen`` are audit rows naming the person's code (searches and views); ``received`` are
    exports whose scope, rebuilt as it was, included the person.
    """

    codes: list[str]
    held: list[dict] = field(default_factory=list)
    seen: list[dict] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.held or self.seen or self.received)


def subject_access_report(store: Store, raw_id: str, pseudonymiser) -> SubjectAccessReport:
    """Answer a subject access request for ``raw_id`` (hashed here, never stored)."""
    candidates = [*candidate_codes(raw_id, pseudonymiser), raw_id.strip()]
    report = SubjectAccessReport(codes=[])
    with store.engine.connect() as conn:
        rows = (
            conn.execute(select(entities).where(entities.c.entity_id.in_(candidates)))
            .mappings()
            .all()
        )
        for row in rows:
            count = conn.execute(
                select(links.c.link_id).where(
                    links.c.version_id == row["version_id"],
                    (links.c.source_id == row["entity_id"])
                    | (links.c.target_id == row["entity_id"]),
                )
            ).all()
            report.held.append(
                {**{k: v for k, v in row.items() if v is not None}, "links": len(count)}
            )
    report.codes = sorted({r["entity_id"] for r in report.held}) or candidates[:-1]
    for code in report.codes:
        for row in list_audit(store, mentions=code).to_dict("records"):
            if row["action"] != "export":
                report.seen.append(row)
    report.received = _exports_including(store, set(report.codes))
    return report


def _exports_including(store: Store, codes: set[str]) -> list[dict]:
    """Exports whose recorded scope, rebuilt on the exported version, held one of ``codes``."""
    received = []
    tables_by_version: dict[int, VersionTables | None] = {}
    for row in list_audit(store, action="export").to_dict("records"):
        version = row["dataset_version"]
        detail = json.loads(row["detail"] or "{}")
        if version is None or "scope" not in detail:
            continue
        if version not in tables_by_version:
            try:
                tables_by_version[version] = store.read_version(int(version))
            except LookupError:  # the version was deleted since: say so, do not guess
                tables_by_version[version] = None
        tables = tables_by_version[version]
        if tables is None:
            received.append({**row, "included": "unknown (version since deleted)"})
            continue
        scoped = build_scoped_graph(tables, scope_from_detail(detail["scope"], row["at"]))
        if codes & set(scoped.graph.nodes):
            received.append({**row, "included": "yes"})
    return received


def scope_from_detail(described: dict, at: str) -> Scope:
    """The :class:`Scope` an audit row describes, on the day it was recorded."""
    day = date.fromisoformat(at[:10])
    return Scope(
        role=described.get("role", "analyst"),
        since=_as_date(described.get("since")),
        until=_as_date(described.get("until")),
        districts=tuple(described.get("districts") or ()),
        link_types=tuple(described.get("link_types") or ()),
        harms=tuple(described.get("harms") or ()),
        min_grading=described.get("min_grading"),
        include_stale=bool(described.get("include_stale")),
        stale_days=int(described.get("stale_days") or 730),
        today=day,
    )


def _as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
