"""Who is signed in, and with which role: local users file and identity-provider mapping.

Two ways to sign in (docs/security.md):

* **Local mode** (a single-user laptop, tests): ``MAPPING_USERS_FILE`` names a YAML file of
  users, each with a bcrypt password hash and one role. ``python -m mapping users add NAME
  --role R`` adds or replaces a user, reading the password from a prompt or stdin.
* **Identity provider** (OIDC through Streamlit's ``st.login``, configured in
  ``.streamlit/secrets.toml`` ``[auth]``): the provider says who the person is; the role
  comes from ``[mapping_roles]`` in the same secrets (by e-mail or by group claim).

A role always comes from the signed-in identity, never from the URL or a widget. This
module never touches Streamlit and never stores or logs a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import yaml

from mapping import settings
from mapping.model import MODEL

MIN_PASSWORD_LENGTH = 12
USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")
# Checked when the user is unknown, so a wrong name costs as long as a wrong password.
# A fixed rounds-12 hash of a throwaway password: computing one at import cost every CLI
# command 1.5 s of CPU.
_DUMMY_HASH = b"$2b$12$bd47/vnsoyZcz7nwRypRLuGq3R9.cFZl31COVE7aTJ.3ZiP7HpAO2"


@dataclass(frozen=True)
class Identity:
    """A signed-in person: their user name (or e-mail), role and how they signed in."""

    name: str
    role: str
    method: str  # "local", "oidc" or "demo"


def users_file() -> Path | None:
    """The local users file from ``MAPPING_USERS_FILE``, or None when local mode is off."""
    return settings.current().users_file


def check_role(role: str) -> str:
    if role not in MODEL.roles:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(sorted(MODEL.roles))}")
    return role


def load_users(path: Path) -> dict[str, dict[str, Any]]:
    """The users in ``path`` as ``{name: {"role": ..., "password_hash": ...}}`` (empty if
    the file does not exist yet)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    users = data.get("users") or {}
    if not isinstance(users, dict):
        raise ValueError(f"{path}: 'users' must map user names to settings")  # noqa: TRY004
    return {str(name): dict(settings) for name, settings in users.items()}


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords need at least {MIN_PASSWORD_LENGTH} characters")
    if len(password.encode("utf-8")) > 72:  # bcrypt reads only the first 72 bytes
        raise ValueError("passwords may be at most 72 bytes long")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def add_user(path: Path, name: str, role: str, password: str) -> None:
    """Add (or replace) ``name`` with ``role`` in the users file, storing only a bcrypt hash.

    The file is written with owner-only permissions, since the hashes are worth guarding.
    """
    if not USER_NAME.match(name):
        raise ValueError("user names may use letters, digits and . _ @ - (up to 80)")
    check_role(role)
    users = load_users(path)
    users[name] = {"role": role, "password_hash": hash_password(password)}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(yaml.safe_dump({"users": users}, sort_keys=True), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)


def verify_password(users: dict[str, dict[str, Any]], name: str, password: str) -> Identity | None:
    """The identity for ``name`` when ``password`` matches its stored hash, else None.

    Unknown names take the same time as wrong passwords, and a user whose role is not in
    the model is refused rather than given a default.
    """
    settings = users.get(name)
    stored = (settings or {}).get("password_hash", "")
    candidate = password.encode("utf-8")[:72]
    try:
        matched = bcrypt.checkpw(candidate, stored.encode("ascii") if stored else _DUMMY_HASH)
    except ValueError:  # a malformed hash in the file: refuse, never crash the sign-in form
        matched = False
    if not (settings and stored and matched):
        return None
    role = settings.get("role")
    if role not in MODEL.roles:
        return None
    return Identity(name, role, "local")


def oidc_role(claims: dict[str, Any], role_map: dict[str, Any]) -> str | None:
    """The role for a person signed in through the identity provider, or None (refused).

    ``role_map`` is ``[mapping_roles]`` from the secrets: ``users`` maps an e-mail to a role,
    ``groups`` maps a group claim value to a role, and ``group_claim`` names the claim
    (default ``groups``). A named user wins over groups; of several groups the least
    privileged role wins, so a person in two groups never gets more than both allow.
    """
    email = str(claims.get("email") or "").lower()
    by_user = {str(k).lower(): v for k, v in (role_map.get("users") or {}).items()}
    if email and by_user.get(email) in MODEL.roles:
        role: str = by_user[email]
        return role
    claim = claims.get(role_map.get("group_claim", "groups")) or []
    groups = [claim] if isinstance(claim, str) else list(claim)
    by_group = role_map.get("groups") or {}
    roles = [by_group[g] for g in groups if by_group.get(g) in MODEL.roles]
    return min(roles, key=privilege) if roles else None


def privilege(role: str) -> int:
    """How much a role may see, for choosing the least: partner 0 up to police 3."""
    spec = MODEL.role(role)
    return (
        int(spec.sees_handling_c) * 2
        + int(spec.sees_person_links_to_adults)
        + int(spec.sees_true_addresses)
    )


#: Roles allowed on the admin page (audit log and subject access reports): those the
#: model's ``permissions: view_audit`` names (mapping.permissions).
ADMIN_ROLES = frozenset(r for r in MODEL.permissions.get("view_audit", ()) if r in MODEL.roles)


def may_administer(role: str) -> bool:
    from mapping.permissions import allowed

    return allowed(role, "view_audit")


def session_expired(
    signed_in_at: float, last_seen: float, now: float, *, idle_minutes: float, max_hours: float
) -> str | None:
    """Why a signed-in session must end now (``"idle"`` or ``"absolute"``), or None.

    >>> session_expired(0, 0, 31 * 60, idle_minutes=30, max_hours=12)
    'idle'
    >>> session_expired(0, 12 * 3600, 12 * 3600 + 1, idle_minutes=30, max_hours=12)
    'absolute'
    >>> session_expired(0, 60, 120, idle_minutes=30, max_hours=12) is None
    True
    """
    if now - signed_in_at > max_hours * 3600:
        return "absolute"
    if now - last_seen > idle_minutes * 60:
        return "idle"
    return None
