"""Who may do what: the one place every write (app and command line) asks before acting.

The rules are declared in ``mapping/model.yaml`` under ``permissions:`` (action -> roles
allowed); nothing else lists them. Seeing is the scoped graph's business (``roles:``);
this module only answers "may this role do this action?" and, when the answer is no,
records the refusal through the caller's audit function before raising.

``operator`` is not a viewing role: it is the command line on the server, i.e. whoever
holds the database and the key file (docs/security.md "Permissions").

>>> allowed("analyst", "import")
True
>>> allowed("partner", "import")
False
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapping.model import MODEL

#: The principal the command line acts as (it holds the database and the key file).
OPERATOR = "operator"

#: Every action the model must declare, with the words used in a refusal.
ACTIONS: dict[str, str] = {
    "import": "import data",
    "set_up_meeting": "set up a meeting",
    "record_action": "record a meeting action",
    "close_action": "close a meeting action",
    "build_pack": "make a meeting pack",
    "purge": "purge expired records",
    "rekey": "rotate the pseudonymisation key",
    "manage_users": "manage users",
    "subject_access": "answer a subject access request",
    "view_audit": "see the audit log",
}

#: ``audit(action, detail)``: how a caller records an event (pages.sign_in.event fits).
AuditFn = Callable[[str, dict[str, Any]], None]


class PermissionDenied(PermissionError):
    """A role asked for an action the model does not give it. The message is safe to show."""

    def __init__(self, role: str, action: str):
        self.role = role
        self.action = action
        who = MODEL.roles[role].label if role in MODEL.roles else role
        allowed_roles = ", ".join(_label(r) for r in roles_for(action)) or "nobody"
        super().__init__(
            f"Your role ({who}) may not {ACTIONS[action]}. Allowed: {allowed_roles}. "
            "The attempt has been recorded in the audit log."
        )


def _label(role: str) -> str:
    if role == OPERATOR:
        return "the command line (operator)"
    return MODEL.roles[role].label if role in MODEL.roles else role


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; actions are {', '.join(ACTIONS)}")


def roles_for(action: str) -> tuple[str, ...]:
    """The roles the model allows to do ``action`` (empty when none is declared)."""
    _check_action(action)
    return MODEL.permissions.get(action, ())


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action``. Unknown or missing roles may do nothing."""
    return bool(role) and role in roles_for(action)


def require(
    role: str | None, action: str, *, audit: AuditFn | None = None, **detail: object
) -> None:
    """Raise :class:`PermissionDenied` unless ``role`` may do ``action``.

    A refusal is recorded first, through ``audit("denied", {...})``, with the action, the
    role and any ``detail`` given (codes only, never raw values), so forged requests leave
    a trace even when the caller lets the exception propagate.
    """
    if allowed(role, action):
        return
    if audit is not None:
        audit("denied", {"action": action, "role": role or "(none)", **detail})
    raise PermissionDenied(str(role or "(none)"), action)


def check_model() -> list[str]:
    """Problems with the declared permissions (an empty list when they are sound)."""
    problems = [
        f"permissions: no entry for action {a!r}" for a in ACTIONS if a not in MODEL.permissions
    ]
    problems += [
        f"permissions: unknown action {a!r}" for a in MODEL.permissions if a not in ACTIONS
    ]
    known = {*MODEL.roles, OPERATOR}
    problems += [
        f"permissions: {action} names unknown role {role!r}"
        for action, roles in MODEL.permissions.items()
        for role in roles
        if role not in known
    ]
    return problems
