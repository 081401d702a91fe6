"""The audit log's hash chain: every row carries the previous row's hash and its own, so an
edited, deleted or inserted row shows (``python -m mapping audit --verify``).

Each row's hash is SHA-256 over the previous row's hash and the row's fields. The chain's
head (last id and hash) is kept in ``store_settings``, so deleting the newest rows shows
too; the audit retention purge records where the kept chain starts. A person who can
rewrite the whole database can also recompute the chain: record the head that ``--verify``
prints somewhere else (a ticket, an e-mail) to make even that visible (docs/security.md).

Works at the store layer (used by ``mapping.audit`` and ``loaders.rekey``); never touches
Streamlit and never reads what a detail means, except to re-key codes in it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, MappingResult, Row, RowMapping, select, text, update

from mapping.model import MODEL
from mapping.pseudonymise import DIGEST_CHARS
from mapping.store import Store, audit_log, store_settings

GENESIS = "0" * 64
HEAD = "audit_chain_head"  # "<id>:<hash>" of the newest row
START = "audit_chain_start"  # the prev_hash the oldest kept row must carry (after a purge)
FIELDS = ("id", "at", "user_name", "role", "action", "detail", "dataset_version")


def digest(prev_hash: str, row: Mapping[str, object] | RowMapping) -> str:
    """The hash of one audit row chained to ``prev_hash``."""
    fields = [row[name] for name in FIELDS]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _setting(conn: Connection, name: str) -> str | None:
    value: str | None = conn.execute(
        select(store_settings.c.value).where(store_settings.c.name == name)
    ).scalar()
    return value


def _lock(conn: Connection) -> None:
    """Serialise appends: PostgreSQL takes an advisory lock; SQLite's first write takes the
    database's write lock, so the insert below already serialises."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4711180)"))


def append(store: Store, conn: Connection, values: dict[str, Any]) -> int:
    """Insert one audit row sealed onto the chain, in ``conn``'s transaction."""
    _lock(conn)
    # One row inserted into a table with an integer key: the key is always there.
    inserted = cast(
        "Row[Any]", conn.execute(audit_log.insert().values(**values)).inserted_primary_key
    )
    row_id = inserted[0]
    head = _setting(conn, HEAD)
    prev = head.split(":", 1)[1] if head else (_setting(conn, START) or GENESIS)
    row_hash = digest(prev, {**values, "id": row_id})
    conn.execute(
        update(audit_log).where(audit_log.c.id == row_id).values(prev_hash=prev, row_hash=row_hash)
    )
    store.set_setting(HEAD, f"{row_id}:{row_hash}", conn)
    return int(row_id)


@dataclass
class ChainReport:
    """What ``verify`` found: row counts, the head and every break, by row id."""

    rows: int = 0
    sealed: int = 0
    before_chain: int = 0  # rows written before the chain existed (older databases)
    head: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def _rows(conn: Connection) -> MappingResult:
    columns = [audit_log.c[name] for name in (*FIELDS, "prev_hash", "row_hash")]
    return conn.execute(select(*columns).order_by(audit_log.c.id)).mappings()


def verify(store: Store) -> ChainReport:
    """Walk the chain from the oldest kept row to the head, reporting every break."""
    report = ChainReport()
    with store.engine.connect() as conn:
        head = _setting(conn, HEAD)
        expected = _setting(conn, START) or GENESIS
        last = None
        for row in _rows(conn):
            report.rows += 1
            last = row
            if not row["row_hash"]:
                if report.sealed:
                    report.problems.append(
                        f"row {row['id']}: not sealed (written around the chain)"
                    )
                else:
                    report.before_chain += 1
                continue
            report.sealed += 1
            if row["prev_hash"] != expected:
                report.problems.append(
                    f"row {row['id']}: does not follow the row before it "
                    "(a row before it was deleted, or the chain was rewritten)"
                )
            if digest(row["prev_hash"] or "", row) != row["row_hash"]:
                report.problems.append(f"row {row['id']}: edited after it was written")
            expected = row["row_hash"]
    report.head = head or ""
    if head and (last is None or f"{last['id']}:{last['row_hash']}" != head):
        head_id = head.split(":", 1)[0]
        report.problems.append(
            f"the newest row recorded (row {head_id}) is not the last row: rows were "
            "deleted from the end, or added around the chain"
        )
    elif not head and report.sealed:
        report.problems.append("the chain's head is missing from the database")
    return report


def reseal(store: Store, conn: Connection) -> int:
    """Recompute every hash from the oldest kept row (after a re-key rewrote details)."""
    prev = _setting(conn, START) or GENESIS
    count, head = 0, None
    for row in list(_rows(conn)):
        row_hash = digest(prev, row)
        conn.execute(
            update(audit_log)
            .where(audit_log.c.id == row["id"])
            .values(prev_hash=prev, row_hash=row_hash)
        )
        prev, head, count = row_hash, f"{row['id']}:{row_hash}", count + 1
    if head:
        store.set_setting(HEAD, head, conn)
    return count


def mark_start(store: Store, conn: Connection) -> None:
    """After the retention purge deleted the oldest rows: the kept chain starts here."""
    first = conn.execute(
        select(audit_log.c.prev_hash)
        .where(audit_log.c.row_hash.isnot(None))
        .order_by(audit_log.c.id)
        .limit(1)
    ).scalar()
    if first:
        store.set_setting(START, first, conn)


def code_prefixes() -> list[str]:
    """The prefixes of pseudonymised codes (people, unknowns, private addresses)."""
    people = [MODEL.code_prefix(t) for t in MODEL.entity_types.keys() if MODEL.is_person(t)]
    return sorted({*people, MODEL.code_prefix("place")})


def code_pattern() -> re.Pattern[str]:
    """Matches a pseudonymised entity code (``YP-`` and 12 base-32 characters, ...)."""
    prefixes = "|".join(map(re.escape, code_prefixes()))
    return re.compile(rf"\b(?:{prefixes})-[A-Z2-7]{{{DIGEST_CHARS}}}\b")


def rewrite_codes(store: Store, conn: Connection, recode: Callable[[str], str]) -> int:
    """Replace every entity code in audit details by ``recode(code)`` (a key rotation),
    then reseal the chain. Returns how many rows changed."""
    pattern = code_pattern()
    changed = 0
    rows = conn.execute(select(audit_log.c.id, audit_log.c.detail)).all()
    for row_id, detail in rows:
        new = pattern.sub(lambda m: recode(m.group(0)), detail or "")
        if new != detail:
            conn.execute(update(audit_log).where(audit_log.c.id == row_id).values(detail=new))
            changed += 1
    reseal(store, conn)
    return changed
