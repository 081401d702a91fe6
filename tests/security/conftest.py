"""Fixtures for the security suite: the trust world in a signed-in workspace with users."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapping import auth
from tests.security.world import import_world

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "a long enough passphrase"
USERS = {
    "ana": "analyst",
    "pc": "police",
    "pam": "partner",
    "cho": "chair",
    "pra": "practitioner",
}


@pytest.fixture(scope="session")
def users_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.yaml"
    for name, role in USERS.items():
        auth.add_user(path, name, role, PASSWORD)
    return path


@pytest.fixture
def signed_in_env(tmp_path, monkeypatch, users_file):
    """A signed-in workspace (MAPPING_USERS_FILE set) holding the trust world."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    version = import_world(url, tmp_path / "k.key", tmp_path / "in")
    monkeypatch.setenv("MAPPING_USERS_FILE", str(users_file))
    monkeypatch.setenv("MAPPING_DB", url)
    monkeypatch.setenv("MAPPING_KEY_FILE", str(tmp_path / "k.key"))
    monkeypatch.setenv("MAPPING_DATA_DIR", str(tmp_path))
    return {"url": url, "version": version, "folder": tmp_path}


def new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def all_text(at: AppTest) -> str:
    """Everything the app put on screen as text, tables included."""
    parts = [
        str(e.value)
        for kind in (
            "markdown",
            "caption",
            "text",
            "title",
            "subheader",
            "header",
            "info",
            "warning",
            "error",
            "success",
        )
        for e in getattr(at, kind)
    ]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [str(t.value) for t in at.table]
    return "\n".join(parts)
