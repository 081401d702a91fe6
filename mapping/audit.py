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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from mapping import audit_chain
from mapping.graph import Scope, build_scoped_graph
from mapping.lookup import candidate_codes
from mapping.model import MODEL
from mapping.pseudonymise import Pseudonymiser
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
    detail: dict[str, Any] | str = "",
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
    _with_retry(lambda: _append(store, values))


def _append(store: Store, values: dict[str, Any]) -> None:
    with store.engine.begin() as conn:
        audit_chain.append(store, conn, values)


#: How long an audit write keeps trying while another writer (a long import) holds the
#: database: an audit row is never dropped because the database was busy.
AUDIT_WAIT_SECONDS = 600


def _with_retry(write: Callable[[], object]) -> None:
    """Run ``write`` until it succeeds, waiting out "database is locked" (SQLite's own wait
    is 10 s; a large import holds its write longer) up to :data:`AUDIT_WAIT_SECONDS`."""
    import time

    from sqlalchemy.exc import OperationalError

    deadline = time.monotonic() + AUDIT_WAIT_SECONDS
    pause = 0.2
    while True:
        try:
            write()
            return
        except OperationalError as problem:
            busy = "locked" in str(problem).lower() or "busy" in str(problem).lower()
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


#: What a code the reader's role may not see is replaced by, in every audit output.
WITHHELD = "withheld"


def visible_codes(store: Store, role: str, version: int | None = None) -> set[str] | None:
    """The entity ids ``role`` may see in ``version`` (default: the latest), stale links
    included; None when the role may see everything (then nothing is redacted)."""
    spec = MODEL.role(role)
    if spec.sees_handling_c and spec.sees_person_links_to_adults:
        return None
    version = version if version is not None else store.latest_version()
    if version is None:
        return set()
    tables = store.read_version(version)
    return set(build_scoped_graph(tables, Scope(role=role, include_stale=True), version).graph)


def redact_codes(text: str, visible: set[str] | None) -> str:
    """``text`` with every entity code outside ``visible`` replaced by :data:`WITHHELD`."""
    if visible is None or not text:
        return text
    return audit_chain.code_pattern().sub(
        lambda m: m.group(0) if m.group(0) in visible else WITHHELD, text
    )


def list_audit(
    store: Store,
    *,
    user: str | None = None,
    action: str | None = None,
    mentions: str | None = None,
    limit: int | None = None,
    visible: set[str] | None = None,
) -> pd.DataFrame:
    """Audit rows, newest first, optionally for one user, one action or one entity code.

    ``visible``: the codes the reader may see (:func:`visible_codes`); any other code in a
    detail is shown as :data:`WITHHELD`. None shows every code (police, the command line).
    """
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
        rows = pd.read_sql(query, conn)
    rows = rows.drop(columns=["prev_hash", "row_hash"], errors="ignore")
    if visible is not None:
        rows["detail"] = [redact_codes(d, visible) for d in rows["detail"]]
    return rows


@dataclass
class SubjectAccessReport:
    """What the database holds on one person and who has seen or received it.

    ``held`` lists, per dataset version, the entity record and how many links it has;
    ``seen`` are audit rows naming the person's code (searches and views); ``received`` are
    exports whose scope, rebuilt as it was, included the person.
    """

    codes: list[str]
    held: list[dict[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    #: True when the person is held but the reader's role may see them in no version:
    #: nothing about them is reported (ask a role that may see them).
    withheld: bool = False
    #: Dataset versions whose record of the person the reader's role may not see.
    withheld_versions: int = 0

    @property
    def found(self) -> bool:
        return bool(self.held or self.seen or self.received or self.withheld)


def subject_access_report(
    store: Store, raw_id: str, pseudonymiser: Pseudonymiser | None, role: str | None = None
) -> SubjectAccessReport:
    """Answer a subject access request for ``raw_id`` (hashed here, never stored).

    ``role``: the reader's role. A person the role may see in no dataset version (an adult
    known only through handling-code C links, for an analyst) is reported as withheld, with
    no record, view or export; otherwise versions the role may not see are left out and
    counted, link counts are those the role may see, and other codes in audit details are
    withheld. None (the command line, which holds the key and database) reports everything.
    """
    report = _full_report(store, raw_id, pseudonymiser)
    if role is None or not report.held:
        return report
    return _as_seen_by(store, report, role)


def _as_seen_by(store: Store, report: SubjectAccessReport, role: str) -> SubjectAccessReport:
    spec = MODEL.role(role)
    if spec.sees_handling_c and spec.sees_person_links_to_adults:
        return report
    kept = []
    visible_anywhere: set[str] = set()
    for row in report.held:
        version = int(row["version_id"])
        tables = store.read_version(version)
        scoped = build_scoped_graph(tables, Scope(role=role, include_stale=True), version)
        visible_anywhere |= set(scoped.graph)
        if row["entity_id"] in scoped.graph:
            ends = scoped.links[["source_id", "target_id"]]
            links_seen = int(((ends == row["entity_id"]).any(axis=1)).sum())
            kept.append({**row, "links": links_seen})
    if not kept:
        # The codes stay for the audit row of the request; no page shows them.
        return SubjectAccessReport(codes=report.codes, withheld=True)

    def redacted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "detail": redact_codes(r.get("detail", ""), visible_anywhere)} for r in rows]

    return SubjectAccessReport(
        codes=report.codes,
        held=kept,
        seen=redacted(report.seen),
        received=redacted(report.received),
        withheld_versions=len(report.held) - len(kept),
    )


def _full_report(
    store: Store, raw_id: str, pseudonymiser: Pseudonymiser | None
) -> SubjectAccessReport:
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
            if row["action"] not in ("export", "build_pack"):
                report.seen.append(row)
    report.received = _exports_including(store, set(report.codes))
    return report


def _exports_including(store: Store, codes: set[str]) -> list[dict[str, Any]]:
    """Exports whose recorded scope, rebuilt on the exported version, held one of ``codes``."""
    received = []
    tables_by_version: dict[int, VersionTables | None] = {}
    sent = [
        *list_audit(store, action="export").to_dict("records"),
        *list_audit(store, action="build_pack").to_dict("records"),  # meeting packs
    ]
    for row in sent:
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


def scope_from_detail(described: dict[str, Any], at: str) -> Scope:
    """The :class:`Scope` an audit row describes, on the day it was recorded."""
    day = date.fromisoformat(at[:10])
    return Scope(
        role=described.get("role", MODEL.default_role),
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
