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


MONTHLY_LINKS = b"source_id,target_id,link_type,first_seen\nCS-3,CS-4,seen_together,01/11/2026\n"


def upload_monthly(monkeypatch) -> AppTest:
    monkeypatch.setenv("MAPPING_ALLOW_DEMO_IMPORT", "1")
    at = open_import_page()
    at.file_uploader(key="upload_files").set_value([("links.csv", MONTHLY_LINKS, "text/csv")]).run()
    assert not at.exception, at.exception
    return at


def test_a_links_only_file_added_to_the_latest_knows_its_people(world_env, monkeypatch):
    at = upload_monthly(monkeypatch)
    at.button(key="check").click().run()
    replaced = [t.value for t in at.markdown]
    # as the whole dataset, both ends are unknown people
    assert any("0 error(s), 2 warning(s)." in text for text in replaced)
    at.radio(key="mode").set_value("add").run()
    assert any("changed since the last check" in i.value for i in at.info)
    assert at.checkbox(key="confirm").disabled
    at.button(key="check").click().run()
    assert any("0 error(s), 0 warning(s)." in t.value for t in at.markdown)
    at.checkbox(key="confirm").check().run()
    next(b for b in at.button if b.label == "Import as a new dataset version").click().run()
    assert not at.exception, at.exception
    assert "version 2" in at.success[0].value
    from mapping.store import Store

    store = Store(f"sqlite:///{world_env / 'demo' / 'demo.sqlite'}")
    assert len(store.read_version(2).links) == len(store.read_version(1).links) + 1
