"""The app records searches and views by entity code, never by the typed raw identifier."""

from __future__ import annotations

from loaders.pseudonymise import Pseudonymiser
from mapping import audit
from mapping.lookup import lookup
from mapping.store import Store
from tests.security.conftest import new_app, sign_in
from tests.security.world import RAW_IDS


def test_search_and_view_are_recorded_by_code(signed_in_env):
    store = Store(signed_in_env["url"])
    code = lookup(store, RAW_IDS[0], Pseudonymiser.from_file(signed_in_env["folder"] / "k.key"))
    at = sign_in(new_app().run(), "ana")
    at.text_input(key="ex_search").input(RAW_IDS[0]).run()
    open_button = next(b for b in at.button if b.label == "Open network")
    open_button.click().run()
    assert not at.exception
    rows = audit.list_audit(store)
    search = rows[rows["action"] == "search"].iloc[0]
    view = rows[rows["action"] == "view"].iloc[0]
    assert code in search["detail"] and code in view["detail"]
    assert view["user_name"] == "ana" and view["role"] == "analyst"
    assert int(view["dataset_version"]) == signed_in_env["version"]
    assert not rows["detail"].str.contains(RAW_IDS[0], regex=False).any()


def test_first_session_of_the_day_runs_the_retention_purge_once(signed_in_env):
    store = Store(signed_in_env["url"])
    version = signed_in_env["version"]
    assert "PL-M" in set(store.read_version(version).entities["entity_id"])
    sign_in(new_app().run(), "ana")
    sign_in(new_app().run(), "pc")
    purges = audit.list_audit(store, action="purge")
    assert list(purges["user_name"]) == ["scheduled"]  # once, not per session
    assert "PL-M" not in set(store.read_version(version).entities["entity_id"])
