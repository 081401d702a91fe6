"""Audit log: append-only rows, filters, and the subject access report."""

from __future__ import annotations

import pytest

from loaders.pseudonymise import Pseudonymiser
from mapping import audit
from mapping.graph import Scope
from mapping.lookup import lookup
from mapping.store import Store
from tests.security.world import RAW_IDS, RAW_NAMES, import_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    version = import_world(url, folder / "k.key", folder / "in")
    return Store(url), version, Pseudonymiser.from_file(folder / "k.key")


def test_rows_come_back_newest_first_and_filter(world):
    store, version, _p = world
    audit.record(store, "ana", "analyst", "sign_in")
    audit.record(store, "pc", "police", "search", {"entities": ["YP-X"]}, version)
    rows = audit.list_audit(store)
    assert list(rows["action"][:2]) == ["search", "sign_in"]
    assert set(audit.list_audit(store, user="pc")["action"]) == {"search"}
    assert set(audit.list_audit(store, action="sign_in")["user_name"]) == {"ana"}


def test_unknown_actions_are_refused(world):
    with pytest.raises(ValueError):
        audit.record(world[0], "ana", "analyst", "drop_table")


def test_module_offers_no_update_or_delete():
    public = {name for name in dir(audit) if not name.startswith("_")}
    assert not {n for n in public if n.startswith(("update", "delete", "edit", "remove"))}


def test_subject_access_report_finds_holdings_views_and_exports(world):
    store, version, pseudonymiser = world
    code = lookup(store, RAW_IDS[0], pseudonymiser)
    other = lookup(store, RAW_IDS[1], pseudonymiser)
    audit.record(store, "ana", "analyst", "view", {"entities": [code]}, version)
    audit.record(store, "pat", "practitioner", "view", {"entities": [other]}, version)
    # A partner export includes TR-1 (linked to places); a district filter elsewhere does not.
    audit.record(
        store,
        "pam",
        "partner",
        "export",
        {"format": "csv", "scope": Scope(role="partner").describe()},
        version,
    )
    audit.record(
        store,
        "sam",
        "analyst",
        "export",
        {"format": "csv", "scope": Scope(districts=("South",)).describe()},
        version,
    )
    report = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser)
    assert report.codes == [code]
    assert report.held[0]["entity_type"] == "young_person" and report.held[0]["links"] == 4
    assert {r["user_name"] for r in report.seen} == {"ana"}
    assert {r["user_name"] for r in report.received} == {"pam"}


def test_subject_access_report_never_holds_raw_values(world):
    store, _version, pseudonymiser = world
    report = audit.subject_access_report(store, RAW_IDS[0], pseudonymiser)
    text = repr(report)
    assert RAW_IDS[0] not in text.replace(report.codes[0], "")
    assert not any(name in text for name in RAW_NAMES)


def test_unknown_person_gives_an_empty_report(world):
    store, _version, pseudonymiser = world
    report = audit.subject_access_report(store, "NO-SUCH-ID", pseudonymiser)
    assert not report.found and report.held == []
