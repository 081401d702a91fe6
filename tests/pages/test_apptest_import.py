"""AppTest: the upload page refuses imports in demo mode and offers the uploader otherwise."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_import_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/import.py").run()
    assert not at.exception, at.exception
    return at


def test_demo_mode_refuses_imports(world_env):
    at = open_import_page()
    assert at.title[0].value == "Import data"
    assert any("sign-in is configured" in w.value for w in at.warning)
    assert not at.get("file_uploader")


def test_test_only_switch_opens_the_uploader(world_env, monkeypatch):
    monkeypatch.setenv("MAPPING_ALLOW_DEMO_IMPORT", "1")
    at = open_import_page()
    assert not at.warning
    assert len(at.get("file_uploader")) == 1
