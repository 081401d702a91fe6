"""Sign-in gate and roles: no page shows data before sign-in, and the role comes only from
the signed-in user (never the URL, a widget or session state)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapping import audit
from mapping.store import Store
from tests.security.conftest import APP, all_text, new_app, sign_in

PAGES = ["pages/network.py", "pages/clusters.py", "pages/import.py", "pages/admin.py"]


def link_count(at) -> int:
    text = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    return int(text.split(" entities and ")[1].split(" links")[0])


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_data_before_sign_in(signed_in_env, page):
    at = new_app().run()
    with pytest.raises(ValueError, match=r"Known pages: \['Sign in'\]"):
        at.switch_page(page)  # before sign-in, no page but the form is even registered
    at.run()
    text = all_text(at)
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.dataframe and not at.table
    assert "YP-" not in text and "Kebab" not in text and "Dataset version" not in text


def test_query_params_do_not_open_pages_or_sign_in(signed_in_env):
    at = new_app()
    at.query_params.update({"role": "police", "user": "pc", "page": "network"})
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "Dataset version" not in all_text(at)


def test_wrong_password_is_refused_and_recorded(signed_in_env):
    at = sign_in(new_app().run(), "pc", "not the password at all")
    assert [t.value for t in at.title] == ["Sign in"]
    assert "not recognised" in at.error[0].value
    rows = audit.list_audit(Store(signed_in_env["url"]), action="sign_in_failed")
    assert list(rows["user_name"]) == ["pc"]


def test_sign_in_is_recorded_with_the_users_role(signed_in_env):
    sign_in(new_app().run(), "pc")
    rows = audit.list_audit(Store(signed_in_env["url"]), action="sign_in")
    assert rows[["user_name", "role"]].values.tolist() == [["pc", "police"]]


@pytest.mark.parametrize("user,links", [("pc", 6), ("ana", 5), ("pam", 4)])
def test_handling_code_and_partner_redaction_follow_the_signed_in_role(signed_in_env, user, links):
    # 6 current links; the C-graded one is police only; a partner loses both adult links.
    at = sign_in(new_app().run(), user)
    assert link_count(at) == links


@pytest.mark.parametrize("user,links", [("ana", 5), ("pam", 4)])
def test_role_in_url_changes_nothing(signed_in_env, user, links):
    at = sign_in(new_app().run(), user)
    at.query_params["role"] = "police"
    at.run()
    assert link_count(at) == links


def test_role_in_session_state_is_reset_from_the_user(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    at.session_state["role"] = "police"
    at.run()
    assert link_count(at) == 5


def test_no_role_picker_once_sign_in_is_configured(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    assert not [s for s in at.sidebar.selectbox if s.key == "role"]


@pytest.mark.parametrize("user", ["pam", "cho"])
def test_admin_page_is_not_offered_to_partner_and_chair(signed_in_env, user):
    at = sign_in(new_app().run(), user)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin.py")


def test_admin_page_refuses_a_partner_even_when_opened_directly(signed_in_env):
    from mapping.auth import Identity
    from mapping.workspace import current_workspace

    at = AppTest.from_file(str(Path(APP).parent / "pages" / "admin.py"), default_timeout=60)
    at.session_state["workspace"] = current_workspace()
    at.session_state["identity"] = Identity("pam", "partner", "local")
    at.run()
    assert "may not see the audit log" in at.error[0].value
    assert not at.dataframe
    denied = audit.list_audit(Store(signed_in_env["url"]), action="denied")
    assert denied[["user_name", "role"]].values.tolist() == [["pam", "partner"]]


def test_admin_page_lists_the_audit_log_for_police(signed_in_env):
    at = sign_in(new_app().run(), "pc")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    log = at.dataframe[0].value
    assert "sign_in" in set(log["action"])


@pytest.mark.parametrize("page", ["admin.py", "import.py", "meeting.py", "network.py"])
def test_a_page_run_before_any_session_setup_refuses_without_an_error(signed_in_env, page):
    # A freshly started server may run a page file directly from pages/ before app.py has
    # set up the session: the page must say "sign in", not show an error box.
    at = AppTest.from_file(str(Path(APP).parent / "pages" / page), default_timeout=60).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == ["Please sign in first."]
    assert not at.dataframe
