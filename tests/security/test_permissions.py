"""Least privilege (issue 18 item 3): every write asks mapping.permissions, which reads the
model's ``permissions:``; a refusal is shown, changes nothing and is audited."""

from __future__ import annotations

import json

import pytest

from mapping import audit, permissions
from mapping.cli import main
from mapping.model import MODEL
from mapping.store import Store
from tests.security.conftest import new_app, sign_in

WRITES = [a for a in permissions.ACTIONS if a != "view_audit"]


def test_the_model_declares_every_action_with_known_roles():
    assert permissions.check_model() == []
    assert set(MODEL.permissions) == set(permissions.ACTIONS)


@pytest.mark.parametrize("role", ["partner", "practitioner"])
def test_partner_and_practitioner_may_write_nothing(role):
    assert [a for a in WRITES if permissions.allowed(role, a)] == []


def test_unknown_or_missing_roles_may_do_nothing():
    assert not any(permissions.allowed(r, a) for r in ("", None, "admin") for a in WRITES)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        permissions.allowed("analyst", "import_everything")


def test_a_refusal_is_recorded_before_it_is_raised():
    recorded = []
    with pytest.raises(permissions.PermissionDenied, match=r"Partner agency\) may not import"):
        permissions.require("partner", "import", audit=lambda a, d: recorded.append((a, d)))
    assert recorded == [("denied", {"action": "import", "role": "partner"})]
    permissions.require("analyst", "import", audit=lambda a, d: recorded.append((a, d)))
    assert len(recorded) == 1  # an allowed request records no refusal


def test_cli_import_refused_by_the_model_writes_nothing_and_is_audited(
    signed_in_env, monkeypatch, tmp_path
):
    store = Store(signed_in_env["url"])
    before = store.latest_version()
    monkeypatch.setitem(MODEL.permissions, "import", ("analyst",))  # no operator
    data = tmp_path / "links.csv"
    data.write_text("source_id,target_id,link_type\nP1,P2,peer\n", encoding="utf-8")
    code = main(["import", str(data), "--db", signed_in_env["url"], "--by", "someone"])
    assert code == 3
    assert store.latest_version() == before
    denied = audit.list_audit(store, action="denied")
    assert len(denied) == 1
    assert json.loads(denied["detail"][0])["action"] == "import"
    assert denied["user_name"][0] == "someone"


def test_cli_purge_refused_by_the_model(signed_in_env, monkeypatch, capsys):
    monkeypatch.setitem(MODEL.permissions, "purge", ())
    assert main(["purge", "--db", signed_in_env["url"]]) == 3
    assert "may not purge" in capsys.readouterr().err
    assert not audit.list_audit(Store(signed_in_env["url"]), action="purge").shape[0]


@pytest.mark.parametrize("user", ["pam", "pra"])
def test_import_page_is_hidden_and_refuses_when_opened(signed_in_env, user):
    at = sign_in(new_app().run(), user)
    at.switch_page("pages/import.py").run()  # a forged navigation to the hidden page
    assert not at.exception
    assert any("may not import data" in e.value for e in at.error)
    assert not at.get("file_uploader")
    denied = audit.list_audit(Store(signed_in_env["url"]), action="denied")
    assert denied["user_name"].tolist() == [user]
    assert json.loads(denied["detail"][0])["action"] == "import"


def test_import_page_offers_the_uploader_to_an_analyst(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    at.switch_page("pages/import.py").run()
    assert not at.exception
    assert len(at.get("file_uploader")) == 1
    assert not audit.list_audit(Store(signed_in_env["url"]), action="denied").shape[0]
