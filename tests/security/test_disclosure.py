"""One redaction for subject access and audit views (issue 18 item 1): an adult known only
through a handling-code C link (TR-C) is never named to an analyst: the subject access
report says "withheld" and the audit log shows "withheld" for the code."""

from __future__ import annotations

import json

from loaders.pseudonymise import Pseudonymiser
from mapping import audit
from mapping.lookup import lookup
from mapping.store import Store
from tests.security.conftest import all_text, new_app, sign_in
from tests.security.world import C_LINK, RAW_IDS


def codes(env) -> tuple[Store, Pseudonymiser, str, str]:
    store = Store(env["url"])
    pseudonymiser = Pseudonymiser.from_file(env["folder"] / "k.key")
    c_only = lookup(store, C_LINK[1], pseudonymiser)
    child = lookup(store, RAW_IDS[0], pseudonymiser)
    return store, pseudonymiser, c_only, child


def test_subject_access_for_a_c_only_adult_is_withheld_from_an_analyst(signed_in_env):
    store, pseudonymiser, c_only, _ = codes(signed_in_env)
    audit.record(store, "pc", "police", "view", {"entities": [c_only]}, signed_in_env["version"])
    analyst = audit.subject_access_report(store, C_LINK[1], pseudonymiser, role="analyst")
    assert analyst.withheld and analyst.found
    assert (analyst.held, analyst.seen, analyst.received) == ([], [], [])
    police = audit.subject_access_report(store, C_LINK[1], pseudonymiser, role="police")
    assert not police.withheld
    assert [r["entity_id"] for r in police.held] == [c_only]
    assert [r["user_name"] for r in police.seen] == ["pc"]


def test_an_analysts_link_count_leaves_out_the_c_link(signed_in_env):
    store, pseudonymiser, _, child = codes(signed_in_env)
    full = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser)
    analyst = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser, role="analyst")
    police = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser, role="police")
    assert police.held[0]["links"] == full.held[0]["links"]
    assert analyst.held[0]["links"] == full.held[0]["links"] - 1  # the C link to TR-C


def test_audit_rows_naming_a_hidden_code_show_withheld_to_an_analyst(signed_in_env):
    store, _, c_only, child = codes(signed_in_env)
    audit.record(store, "pc", "police", "view", {"entities": [c_only, child]})
    visible = audit.visible_codes(store, "analyst")
    assert audit.visible_codes(store, "police") is None
    [row] = audit.list_audit(store, action="view", visible=visible).to_dict("records")
    assert json.loads(row["detail"]) == {"entities": ["withheld", child]}


def test_admin_page_never_names_a_c_only_adult_to_an_analyst(signed_in_env):
    store, _, c_only, _ = codes(signed_in_env)
    audit.record(store, "pc", "police", "view", {"entities": [c_only]}, signed_in_env["version"])
    at = sign_in(new_app().run(), "ana")
    at.switch_page("pages/admin.py").run()
    at.text_input(key="sar_raw_id").input(C_LINK[1])
    at.button[-1].click().run()  # the form's Search button
    assert not at.exception
    text = all_text(at)
    assert any("Withheld" in w.value for w in at.warning)
    assert c_only not in text
    assert "withheld" in at.dataframe[0].value.to_csv()  # the police view row, code withheld


def test_admin_page_shows_the_record_to_police(signed_in_env):
    store, _, c_only, _ = codes(signed_in_env)
    at = sign_in(new_app().run(), "pc")
    at.switch_page("pages/admin.py").run()
    at.text_input(key="sar_raw_id").input(C_LINK[1])
    at.button[-1].click().run()
    assert not at.exception
    assert c_only in all_text(at)


def test_a_meeting_pack_counts_as_received_with_its_scope_and_recipient(signed_in_env):
    from mapping.graph import Scope

    store, pseudonymiser, c_only, child = codes(signed_in_env)
    scope = Scope(role="analyst").describe()
    detail = {
        "meeting": "2026-11-29",
        "role": "analyst",
        "formats": ["pdf"],
        "scope": scope,
        "recipient": "ana",
    }
    audit.record(store, "ana", "analyst", "build_pack", detail, signed_in_env["version"])
    [received] = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser).received
    assert received["action"] == "build_pack" and received["included"] == "yes"
    assert json.loads(received["detail"])["recipient"] == "ana"
    # The analyst's pack never held the C-only adult, so their report lists no pack.
    assert audit.subject_access_report(store, C_LINK[1], pseudonymiser).received == []
