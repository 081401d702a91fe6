"""Sessions end (issue 18 item 14): a session idle past MAPPING_SESSION_IDLE_MINUTES or
signed in longer than MAPPING_SESSION_MAX_HOURS is signed out on its next run, shows no
data, says why, and the sign-out is audited with the reason."""

from __future__ import annotations

import json
import time

import pytest

from mapping import audit
from mapping.store import Store
from tests.security.conftest import all_text, new_app, sign_in


@pytest.mark.parametrize(
    "state,reason,words",
    [
        ({"last_seen": -31 * 60}, "idle", "idle too long"),
        ({"signed_in_at": -13 * 3600}, "absolute", "fixed time"),
    ],
)
def test_a_session_past_its_limit_is_signed_out(signed_in_env, state, reason, words):
    at = sign_in(new_app().run(), "ana")
    assert "Dataset version" in all_text(at)
    for key, offset in state.items():
        at.session_state[key] = time.time() + offset
    at.run()
    assert not at.exception
    # The sign-in form, or (when the browser asked for a page by name) that page's refusal.
    assert any(words in e.value for e in [*at.info, *at.warning])
    assert "Dataset version" not in all_text(at)
    assert not at.dataframe
    rows = audit.list_audit(Store(signed_in_env["url"]), action="sign_out")
    assert json.loads(rows["detail"][0]) == {"reason": f"timeout ({reason})"}


def test_an_active_session_stays_signed_in(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    at.session_state["last_seen"] = time.time() - 5 * 60
    at.run()
    assert "Dataset version" in all_text(at)


def test_the_limits_come_from_settings(signed_in_env, monkeypatch):
    monkeypatch.setenv("MAPPING_SESSION_IDLE_MINUTES", "1")
    at = sign_in(new_app().run(), "ana")
    at.session_state["last_seen"] = time.time() - 2 * 60
    at.run()
    assert "Dataset version" not in all_text(at)
    assert any("idle too long" in e.value for e in [*at.info, *at.warning])
