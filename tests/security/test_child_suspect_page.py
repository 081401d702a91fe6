"""The upload page (issue 18 group 15): a young person recorded as a suspect is listed by
row, and the import stays disabled until that is confirmed with a tick of its own."""

from __future__ import annotations

from mapping.store import Store
from tests.security.conftest import new_app, sign_in

ENTITIES = b"entity_id,entity_type\nYA1,young_person\nYA2,young_person\n"
INCIDENTS = (
    b"incident_id,date,person_id,role\nI9,2026-01-05,YA1,victim/suspect\nI9,2026-01-05,YA2,victim\n"
)


def import_button(at):
    return next(b for b in at.button if b.label == "Import as a new dataset version")


def test_a_child_suspect_needs_its_own_confirmation_on_the_upload_page(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    at.switch_page("pages/import.py").run()
    files = [("e.csv", ENTITIES, "text/csv"), ("i.csv", INCIDENTS, "text/csv")]
    at.file_uploader(key="upload_files").set_value(files).run()
    at.button(key="check").click().run()
    assert not at.exception, at.exception
    at.checkbox(key="confirm").check().run()
    assert import_button(at).disabled  # the general tick is not enough
    at.checkbox(key="confirm_child_suspects").check().run()
    assert not import_button(at).disabled
    import_button(at).click().run()
    assert not at.exception, at.exception
    assert at.success, [e.value for e in at.error]
    store = Store(signed_in_env["url"])
    issues = store.issues(store.latest_version())
    assert (issues["kind"] == "young person as suspect").sum() == 2  # the count line, row 2
    incidents = store.read_version(store.latest_version()).incidents
    assert "victim;person_of_concern" in set(incidents["role"])


def test_files_without_a_child_suspect_ask_for_no_second_tick(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    at.switch_page("pages/import.py").run()
    files = [
        ("e.csv", ENTITIES, "text/csv"),
        ("i.csv", INCIDENTS.replace(b"/suspect", b""), "text/csv"),
    ]
    at.file_uploader(key="upload_files").set_value(files).run()
    at.button(key="check").click().run()
    at.checkbox(key="confirm").check().run()
    assert not any(c.key == "confirm_child_suspects" for c in at.checkbox)
    assert not import_button(at).disabled
