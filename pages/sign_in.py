"""Sign-in gate, audit helper and the daily retention check for the app (used by app.py).

Three modes (mapping.workspace decides which): demo (fictional world, no sign-in, role picker
for illustration only), local (a form checked against ``MAPPING_USERS_FILE``) and identity
provider (``st.login``/``st.user``, roles from ``[mapping_roles]`` in secrets). The role is
always taken from the signed-in identity held in this session, never from the URL.
"""

from __future__ import annotations

import time

import streamlit as st

from mapping import audit, auth, retention, settings
from mapping.auth import Identity
from mapping.model import MODEL
from mapping.store import Store

MAX_FAILURES = 5  # per session; then each attempt waits, slowing password guessing


def sign_in_secrets() -> dict:
    """``[auth]`` and ``[mapping_roles]`` from secrets, or {} when there is no secrets file."""
    try:
        return {
            key: st.secrets[key].to_dict() for key in ("auth", "mapping_roles") if key in st.secrets
        }
    except (FileNotFoundError, KeyError, AttributeError):
        return {}
    except Exception:  # noqa: BLE001  (no secrets file raises Streamlit's own error type)
        return {}


def identity() -> Identity | None:
    """Who is signed in to this session (None before sign-in)."""
    workspace = st.session_state.workspace
    if workspace.is_demo:
        # Demo only: the role picker in the sidebar is for illustration on fictional data.
        return Identity("demo", st.session_state.get("role", MODEL.default_role), "demo")
    found = st.session_state.get("identity")
    if found is not None and _timed_out(found):
        return None
    if found is None and sign_in_secrets().get("auth") and st.user.is_logged_in:
        found = _identity_from_provider()
    if found is not None:
        st.session_state.role = found.role  # reset every run: nothing else may change it
    return found


def timeout_note() -> str | None:
    """Why this session was signed out, when it timed out (then the note is shown once)."""
    reason = st.session_state.pop("timed_out", None)
    if reason is None:
        return None
    if reason == "idle":
        return "You were signed out: the session was idle too long. Sign in again."
    return "You were signed out: sessions end after a fixed time. Sign in again."


def _timed_out(who: Identity) -> bool:
    """Sign the session out when it has been idle, or signed in, too long (settings
    ``MAPPING_SESSION_IDLE_MINUTES``/``MAPPING_SESSION_MAX_HOURS``); the sign-in page says
    why. Checked on every run, so a tab left open shows nothing after the limit."""
    now = time.time()
    state = st.session_state
    limits = settings.current()
    reason = auth.session_expired(
        state.setdefault("signed_in_at", now),
        state.setdefault("last_seen", now),
        now,
        idle_minutes=limits.session_idle_minutes,
        max_hours=limits.session_max_hours,
    )
    if reason is None:
        state.last_seen = now
        return False
    event("sign_out", {"reason": f"timeout ({reason})"}, who=who)
    sign_out(record=False)
    st.session_state.timed_out = reason
    return True


def current_role() -> str:
    """The role every scope is built with: the signed-in user's (demo: the picker's)."""
    who = identity() if "workspace" in st.session_state else None
    if who is None:  # a page reached without app.py's gate (e.g. Streamlit's pages/ fallback)
        st.warning(timeout_note() or "Please sign in first.")
        st.stop()
    return who.role


def _identity_from_provider() -> Identity | None:
    claims = st.user.to_dict()
    role = auth.oidc_role(claims, sign_in_secrets().get("mapping_roles", {}))
    name = str(claims.get("email") or claims.get("sub") or "unknown")
    if role is None:
        return None
    found = Identity(name, role, "oidc")
    st.session_state.identity = found
    st.session_state.signed_in_at = st.session_state.last_seen = time.time()
    event("sign_in", {"method": "oidc"}, who=found)
    return found


def sign_in_page() -> None:
    """The only page shown before sign-in: no data, just the form or the provider button."""
    st.title("Sign in")
    note = timeout_note()
    if note:
        st.info(note)
    if sign_in_secrets().get("auth"):
        if st.user.is_logged_in:
            st.error(
                "You are signed in but have no role in this tool. Ask the analyst who "
                "runs it to add you to a MACE group."
            )
            st.button("Sign out", on_click=st.logout)
        else:
            st.button("Sign in with your organisation", on_click=st.login, type="primary")
        return
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        _check_local(name, password)


def _check_local(name: str, password: str) -> None:
    failures = st.session_state.get("sign_in_failures", 0)
    if failures >= MAX_FAILURES:
        time.sleep(min(2 ** (failures - MAX_FAILURES), 30))
    path = auth.users_file()
    found = auth.verify_password(auth.load_users(path), name, password) if path else None
    if found is None:
        st.session_state.sign_in_failures = failures + 1
        event(
            "sign_in_failed",
            {"method": "local"},
            who=Identity(name[:80] or "(blank)", "none", "local"),
        )
        st.error("User name or password not recognised.")
        return
    st.session_state.identity = found
    st.session_state.signed_in_at = st.session_state.last_seen = time.time()
    st.session_state.sign_in_failures = 0
    event("sign_in", {"method": "local"}, who=found)
    st.rerun()


def sign_out(record: bool = True) -> None:
    who = st.session_state.get("identity")
    if who is not None and record:
        event("sign_out", {}, who=who)
    for key in list(st.session_state):
        if key != "workspace":
            del st.session_state[key]
    if who is not None and who.method == "oidc":
        st.logout()


def event(
    action: str, detail: dict, *, who: Identity | None = None, version: int | None = None
) -> None:
    """Record ``action`` in the audit log as the signed-in person (codes only in detail)."""
    who = who or identity()
    if who is None:
        return
    audit.record(store(), who.name, who.role, action, detail, version)


def store() -> Store:
    """This session's store (shared with pages.common.store, which also checks sign-in)."""
    if "store" not in st.session_state:
        st.session_state.store = Store(st.session_state.workspace.database_url)
    return st.session_state.store


def daily_checks() -> None:
    """Once a day (first session after midnight) purge expired records, then drop this
    session's cached data if a purge happened since it was cached."""
    workspace = st.session_state.workspace
    if not workspace.is_demo and retention.due_for_check(store()):
        retention.mark_checked(store())
        try:  # a short wait: a session is waiting; the cron job (docs/security.md) retries
            result = retention.purge(store(), wait_seconds=5)
        except retention.PurgeRefused:
            audit.record(store(), "scheduled", "system", "purge", {"refused": "reader"})
        else:
            audit.record(store(), "scheduled", "system", "purge", result.as_dict())
            st.cache_data.clear()
    purged = store().setting(retention.PURGED_AT)
    if st.session_state.get("_purged_seen") != purged:
        st.session_state.pop("_cache", None)
        st.session_state["_purged_seen"] = purged


def sidebar_account(who: Identity) -> None:
    with st.sidebar:
        if who.method == "demo":
            st.caption(
                "Demo: no sign-in; the role picker under Filters is for illustration "
                "only and applies on every page."
            )
        else:
            st.text(f"Signed in as {who.name} ({auth.MODEL.roles[who.role].label})")
            st.button("Sign out", on_click=sign_out, key="sign_out")


def admin_pages() -> list:
    """The admin page, for roles that may see the audit log."""
    who = identity()
    if who is None or not auth.may_administer(who.role):
        return []
    return [
        st.Page(
            "pages/admin.py", title="Audit and requests", icon=":material/admin_panel_settings:"
        )
    ]
