"""Local users file, password checks and identity-provider role mapping."""

from __future__ import annotations

import stat

import pytest
import yaml

from mapping import auth

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("users") / "users.yaml"
    auth.add_user(path, "ana", "analyst", PASSWORD)
    auth.add_user(path, "pc.jones", "police", PASSWORD + "!")
    return path


def test_file_holds_hashes_not_passwords_and_is_owner_only(users_file):
    text = users_file.read_text()
    assert PASSWORD not in text
    data = yaml.safe_load(text)["users"]
    assert data["ana"]["password_hash"].startswith("$2b$")
    assert data["ana"]["role"] == "analyst"
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600


def test_right_password_gives_the_users_own_role(users_file):
    users = auth.load_users(users_file)
    assert auth.verify_password(users, "ana", PASSWORD) == auth.Identity("ana", "analyst", "local")
    assert auth.verify_password(users, "pc.jones", PASSWORD + "!").role == "police"


@pytest.mark.parametrize(
    "name,password",
    [("ana", PASSWORD + "x"), ("ana", ""), ("nobody", PASSWORD), ("pc.jones", PASSWORD)],
)
def test_wrong_name_or_password_is_refused(users_file, name, password):
    assert auth.verify_password(auth.load_users(users_file), name, password) is None


def test_unknown_role_or_broken_hash_in_file_is_refused(tmp_path):
    path = tmp_path / "users.yaml"
    good = auth.hash_password(PASSWORD)
    path.write_text(
        yaml.safe_dump(
            {
                "users": {
                    "x": {"role": "superuser", "password_hash": good},
                    "y": {"role": "analyst", "password_hash": "not-a-hash"},
                }
            }
        )
    )
    users = auth.load_users(path)
    assert auth.verify_password(users, "x", PASSWORD) is None
    assert auth.verify_password(users, "y", PASSWORD) is None


def test_short_passwords_bad_names_and_roles_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="at least"):
        auth.add_user(tmp_path / "u.yaml", "ana", "analyst", "short")
    with pytest.raises(ValueError, match="user names"):
        auth.add_user(tmp_path / "u.yaml", "../etc/passwd", "analyst", PASSWORD)
    with pytest.raises(ValueError, match="unknown role"):
        auth.add_user(tmp_path / "u.yaml", "ana", "admin", PASSWORD)
    assert not (tmp_path / "u.yaml").exists()


ROLE_MAP = {
    "users": {"Chair@Council.example": "chair"},
    "groups": {
        "mace-police": "police",
        "mace-partners": "partner",
        "mace-analysts": "analyst",
        "odd": "superuser",
    },
}


@pytest.mark.parametrize(
    "claims,role",
    [
        ({"email": "chair@council.example", "groups": ["mace-police"]}, "chair"),
        ({"email": "a@x.example", "groups": ["mace-police"]}, "police"),
        ({"email": "a@x.example", "groups": ["mace-police", "mace-partners"]}, "partner"),
        ({"email": "a@x.example", "groups": "mace-analysts"}, "analyst"),
        ({"email": "a@x.example", "groups": ["odd"]}, None),
        ({"email": "a@x.example"}, None),
    ],
)
def test_identity_provider_roles_least_privilege_and_no_default(claims, role):
    assert auth.oidc_role(claims, ROLE_MAP) == role


def test_only_analyst_and_police_administer():
    assert {r for r in auth.MODEL.roles if auth.may_administer(r)} == {"analyst", "police"}
