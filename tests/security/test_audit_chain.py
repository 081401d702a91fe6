"""Tamper-evident audit (issue 18 item 12): a hash chain checked by ``audit --verify``
finds an edited, a deleted and an inserted row; the retention purge and a key rotation keep
the chain intact; rekey re-keys the codes in audit details and logs itself."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from loaders.pseudonymise import Pseudonymiser
from mapping import audit, audit_chain, retention
from mapping.cli import main
from mapping.lookup import lookup
from mapping.store import Store
from tests.security.world import RAW_IDS, import_world


@pytest.fixture
def logged(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url)
    for n in range(5):
        audit.record(store, f"user{n}", "analyst", "search", {"entities": [f"YP-{n}"]}, 1)
    return store, url


def raw_sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_an_untouched_log_verifies(logged, capsys):
    store, url = logged
    report = audit_chain.verify(store)
    assert report.intact and (report.rows, report.sealed) == (5, 5)
    assert main(["audit", "--verify", "--db", url]) == 0
    assert "audit chain intact: 5 row(s)" in capsys.readouterr().out


def test_an_edited_row_is_found(logged, capsys):
    store, url = logged
    raw_sql(url, "UPDATE audit_log SET user_name = 'someone else' WHERE id = 3")
    assert audit_chain.verify(store).problems == ["row 3: edited after it was written"]
    assert main(["audit", "--verify", "--db", url]) == 1
    assert "BROKEN: row 3: edited" in capsys.readouterr().err


def test_a_deleted_row_is_found(logged):
    store, url = logged
    raw_sql(url, "DELETE FROM audit_log WHERE id = 2")
    [problem] = audit_chain.verify(store).problems
    assert problem.startswith("row 3: does not follow the row before it")
    assert main(["audit", "--verify", "--db", url]) == 1


def test_deleting_the_newest_rows_is_found(logged):
    store, url = logged
    raw_sql(url, "DELETE FROM audit_log WHERE id >= 4")
    [problem] = audit_chain.verify(store).problems
    assert "newest row recorded (row 5) is not the last row" in problem


def test_deleting_the_newest_row_then_appending_is_found(logged):
    store, url = logged
    raw_sql(url, "DELETE FROM audit_log WHERE id = 5")
    audit.record(store, "later", "analyst", "sign_in")
    problems = audit_chain.verify(store).problems
    assert problems and "does not follow" in problems[0]


def test_a_row_inserted_around_the_chain_is_found(logged):
    store, url = logged
    raw_sql(
        url,
        "INSERT INTO audit_log (at, user_name, role, action, detail) "
        "VALUES ('2026-01-01T00:00:00Z', 'ghost', 'police', 'search', '{}')",
    )
    problems = audit_chain.verify(store).problems
    assert "row 6: not sealed (written around the chain)" in problems


def test_retention_purge_of_old_rows_keeps_the_chain_intact(logged):
    store, url = logged
    raw_sql(url, "UPDATE audit_log SET at = '2001-01-01T00:00:00Z' WHERE id <= 2")
    raw_sql(url, "DELETE FROM store_settings WHERE name = 'audit_chain_head'")  # re-seal below
    with store.engine.begin() as conn:
        audit_chain.reseal(store, conn)  # the dates were changed by the test, not an attacker
    assert retention.purge_audit(store, date(2026, 11, 29), months=72) == 2
    report = audit_chain.verify(store)
    assert report.intact, report.problems
    assert report.rows == 3


def test_an_older_database_gains_the_chain_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    raw_sql(
        url,
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at VARCHAR(32) NOT NULL, "
        "user_name VARCHAR(200) NOT NULL, role VARCHAR(40) NOT NULL, action VARCHAR(40) "
        "NOT NULL, detail TEXT NOT NULL, dataset_version INTEGER)",
    )
    raw_sql(
        url,
        "INSERT INTO audit_log (at, user_name, role, action, detail) "
        "VALUES ('2026-01-01T00:00:00Z', 'old', 'analyst', 'sign_in', '{}')",
    )
    store = Store(url)
    audit.record(store, "new", "analyst", "sign_in")
    report = audit_chain.verify(store)
    assert report.intact, report.problems
    assert (report.before_chain, report.sealed) == (1, 1)


def test_rekey_rewrites_audit_codes_keeps_the_chain_and_logs_itself(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    key = tmp_path / "k.key"
    import_world(url, key, tmp_path / "in")
    store = Store(url)
    old = Pseudonymiser.from_file(key)
    code = lookup(store, RAW_IDS[0], old)
    for _ in range(3):
        audit.record(store, "ana", "analyst", "view", {"entities": [code]}, 1)
    seen_before = len(audit.subject_access_report(store, RAW_IDS[0], old).seen)
    assert seen_before == 3
    assert (
        main(["rekey", "--old-key", str(key), "--new-key", str(tmp_path / "new.key"), "--db", url])
        == 0
    )
    new = Pseudonymiser.from_file(tmp_path / "new.key")
    assert lookup(store, RAW_IDS[0], new) != code
    assert len(audit.subject_access_report(store, RAW_IDS[0], new).seen) == seen_before
    assert not audit.list_audit(store)["detail"].str.contains(code, regex=False).any()
    [rekey] = audit.list_audit(store, action="rekey").to_dict("records")
    assert json.loads(rekey["detail"])["audit_rows"] == 3
    assert audit_chain.verify(store).intact
