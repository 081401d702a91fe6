"""Command-line verbs for trust: ``users add``, ``audit``, ``purge`` and ``sar``.

Wired into ``python -m mapping`` by :mod:`mapping.cli`. Passwords are read from a prompt
(or stdin when piped) and never echoed or logged; a subject access request's raw id is
hashed and never stored.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from mapping import audit, auth, config, permissions, retention
from mapping.dates import date_option
from mapping.model import MODEL
from mapping.store import Store

#: The role the command line acts as in the audit log and in permission checks.
CLI_ROLE = permissions.OPERATOR


def cli_user() -> str:
    """Who ran a command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


def permitted(
    action: str, store: Store | None = None, user: str | None = None, **detail: object
) -> bool:
    """Whether the command line may do ``action`` (mapping.permissions); a refusal is
    printed and, when there is a database, recorded in its audit log."""

    def record(event: str, what: dict[str, Any]) -> None:
        if store is not None:
            audit.record(store, user or cli_user(), CLI_ROLE, event, what)

    try:
        permissions.require(CLI_ROLE, action, audit=record, **detail)
    except permissions.PermissionDenied as denied:
        print(f"ERROR: {denied}", file=sys.stderr)
        return False
    return True


def add_parsers(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = verbs.add_parser("users", help="manage the local users file (local sign-in)")
    users_verbs = users.add_subparsers(dest="users_verb", required=True)
    add = users_verbs.add_parser("add", help="add or replace a user; prompts for the password")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=sorted(MODEL.roles))
    add.add_argument("--file", type=Path, help="users file (default: MAPPING_USERS_FILE)")

    log = verbs.add_parser("audit", help="list the audit log, newest first")
    log.add_argument("--db")
    log.add_argument("--user")
    log.add_argument("--action", choices=audit.ACTIONS)
    log.add_argument("--limit", type=int, default=200)
    log.add_argument(
        "--verify",
        action="store_true",
        help="check the audit log's hash chain (edited, deleted or inserted rows); exit 1 if broken",
    )

    purge = verbs.add_parser("purge", help="delete links past their review-by date, for real")
    purge.add_argument("--db")
    purge.add_argument(
        "--today", type=date_option, help="DD/MM/YYYY or YYYY-MM-DD (default: today)"
    )
    purge.add_argument(
        "--audit",
        action="store_true",
        help="also delete audit rows older than MAPPING_AUDIT_RETENTION_MONTHS",
    )
    purge.add_argument(
        "--wait",
        type=float,
        default=retention.DEFAULT_WAIT_SECONDS,
        help="seconds to wait for other connections' reads to finish before refusing "
        f"(default {retention.DEFAULT_WAIT_SECONDS:g})",
    )

    sar = verbs.add_parser(
        "sar",
        help="subject access report: what we hold on a person and who has seen or received it",
    )
    sar.add_argument("raw_id")
    sar.add_argument("--db")
    sar.add_argument("--key-file")


def cmd_users(args: argparse.Namespace) -> int:
    if not permitted("manage_users"):
        return 3
    path = args.file or auth.users_file()
    if path is None:
        print("ERROR: give --file or set MAPPING_USERS_FILE", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            print("ERROR: the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        auth.add_user(path, args.name, args.role, password)
    except ValueError as problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        return 1
    print(f"user {args.name} ({args.role}) saved in {path}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    store = Store(args.db)
    if not permitted("view_audit", store):
        return 3
    if args.verify:
        return verify_audit(store)
    rows = audit.list_audit(store, user=args.user, action=args.action, limit=args.limit)
    for row in rows.to_dict("records"):
        number = row["dataset_version"]
        version = "" if pd.isna(number) else f" v{int(number)}"
        print(
            f"{row['at']}  {row['user_name']} ({row['role']})  {row['action']}{version}  "
            f"{row['detail']}"
        )
    audit.record(
        store,
        cli_user(),
        CLI_ROLE,
        "audit_view",
        {"user": args.user, "action": args.action, "rows": len(rows)},
    )
    return 0


def verify_audit(store: Store) -> int:
    from mapping import audit_chain

    report = audit_chain.verify(store)
    for problem in report.problems:
        print(f"BROKEN: {problem}", file=sys.stderr)
    state = "intact" if report.intact else f"BROKEN ({len(report.problems)} problem(s))"
    print(
        f"audit chain {state}: {report.rows} row(s), {report.sealed} sealed, "
        f"{report.before_chain} from before the chain; head {report.head or '(none)'} "
        "(keep a copy of the head elsewhere to detect a rewritten chain)"
    )
    audit.record(
        store, cli_user(), CLI_ROLE, "audit_view", {"verify": True, "intact": report.intact}
    )
    return 0 if report.intact else 1


def cmd_purge(args: argparse.Namespace) -> int:
    store = Store(args.db)
    if not permitted("purge", store):
        return 3
    try:
        result = retention.purge(store, args.today, wait_seconds=args.wait)
    except retention.PurgeRefused as refused:
        audit.record(store, cli_user(), CLI_ROLE, "purge", {"refused": "reader", "deleted": {}})
        print(f"purge refused: {refused}", file=sys.stderr)
        return 1
    detail = result.as_dict()
    if args.audit:
        detail["audit_rows"] = retention.purge_audit(store, args.today)
    audit.record(store, cli_user(), CLI_ROLE, "purge", detail)
    print(
        f"deleted {result.links} expired link(s), {result.incidents} incident row(s), "
        f"{result.entities} entit(ies) no longer linked and {result.actions} meeting "
        f"action(s) against them; {result.texts_redacted} note(s) and "
        f"{result.file_names} file name(s) redacted; {result.undated_links} link(s) "
        "have no date and need a person to review them"
    )
    if not result.compacted:
        print(
            f"purge incomplete: the deleted rows are gone but the files were not fully "
            f"rewritten ({', '.join(result.compaction) or 'nothing done'}); another "
            "connection was reading, or the database user may not run every step. Run "
            "`purge` again when it has finished (docs/security.md, Retention).",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_sar(args: argparse.Namespace) -> int:
    from mapping.pseudonymise import Pseudonymiser

    store = Store(args.db)
    if not permitted("subject_access", store):
        return 3
    key_path = config.key_file(args.key_file)
    pseudonymiser = Pseudonymiser.from_file(key_path) if key_path.exists() else None
    report = audit.subject_access_report(store, args.raw_id, pseudonymiser)
    audit.record(
        store,
        cli_user(),
        CLI_ROLE,
        "subject_access",
        {"entities": report.codes if report.held else [], "found": report.found},
    )
    json.dump(
        {
            "codes": report.codes,
            "held": report.held,
            "seen": report.seen,
            "received": report.received,
        },
        sys.stdout,
        indent=2,
        default=str,
    )
    print()
    return 0 if report.found else 1


VERBS = {"users": cmd_users, "audit": cmd_audit, "purge": cmd_purge, "sar": cmd_sar}
