"""AppTest: the upload page refuses imports in demo mode and offers the uploader otherwise."""

import importlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.explorer_world import import_world

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def demo_env(tmp_path, monkeypatch):
    monkeypatch.setenv("MAPPING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MAPPING_USERS_FILE", raising=False)
    monkeypatch.delenv("MAPPING_ALLOW_DEMO_IMPORT", raising=False)
    import mapping.config

    importlib.reload(mapping.config)
    demo = tmp_path / "demo"
    demo.mkdir()
    import_world(f"sqlite:///{demo / 'demo.sqlite'}", demo / "demo.key", tmp_path)
    yield monkeypatch
    monkeypatch.undo()
    importlib.reload(mapping.config)


def open_import_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/import.py").run()
    assert not at.exception, at.exception
    return at


def test_demo_mode_refuses_imports(demo_env):
    at = open_import_page()
    assert at.title[0].value == "Import data"
    assert any("sign-in is configured" in w.value for w in at.warning)
    assert not at.get("file_uploader")


def test_test_only_switch_opens_the_uploader(demo_env):
    demo_env.setenv("MAPPING_ALLOW_DEMO_IMPORT", "1")
    at = open_import_page()
    assert not at.warning
    assert len(at.get("file_uploader")) == 1
