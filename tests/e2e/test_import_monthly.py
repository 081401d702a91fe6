"""The analyst's monthly import (issue 15), in a real browser.

(a) A workbook in the analyst's own words (a header no synonym knows, two terms the model
does not know) is mapped in the app, the profile saved from the page, and imported; next
month's workbook (another file name and sheet names, same headers and words) is imported by
the CLI with that profile and no hand edits, and both versions hold the same codes.
(b) Changing the uploaded files after a check clears the old result and disables Import
until the new files are checked. All data is fictional.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from mapping.store import Store
from tests.e2e.harness import ROOT, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

PEOPLE = [
    ("Person ID", "Type", "Needs", "Area"),
    ("WV-101", "young person", "School exclusion", "Northmoor"),
    ("WV-102", "young person", "School exclusion;autism", "Northmoor"),
    ("WV-103", "young person", "", "Eastbrook"),
    ("WV-201", "adult", "", "Northmoor"),
]
LINKS = [
    ("From", "Nominal B", "Relationship", "Date Seen"),  # "Nominal B": no synonym knows it
    ("WV-101", "WV-102", "Known associate", "03/10/2026"),
    ("WV-102", "WV-103", "Known associate", "04/10/2026"),
    ("WV-101", "WV-201", "victim offender", "05/10/2026"),
]


def workbook(path: Path, sheet_names: tuple[str, str]) -> Path:
    book = Workbook()
    people = book.active
    people.title = sheet_names[0]
    for row in PEOPLE:
        people.append(row)
    links = book.create_sheet(sheet_names[1])
    for row in LINKS:
        links.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def server(app_server, tmp_path_factory):
    return app_server({"MAPPING_ALLOW_DEMO_IMPORT": "1"})


def choose(page, widget, option: str) -> None:
    """Open a select widget and pick ``option``; retried because a rerun can close it."""
    for _ in range(5):
        widget.scroll_into_view_if_needed()
        widget.get_by_role("combobox").click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            wait_for_app(page)
            return
        except PlaywrightError:
            page.wait_for_timeout(500)
    raise AssertionError(f"could not choose {option!r}")


def open_import(server, page) -> None:
    page.set_default_timeout(60_000)
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_role("link", name="Import data").click()
    wait_for_app(page)


def upload(page, *paths: Path) -> None:
    page.locator("[data-testid='stFileUploader']").first.locator(
        "input[type=file]"
    ).set_input_files([str(p) for p in paths])
    page.get_by_text("1. Map columns").wait_for()
    wait_for_app(page)


def check(page) -> None:
    page.get_by_role("button", name="Check for problems").click()
    wait_for_app(page)
    page.get_by_text("error(s)").first.wait_for()


def import_button(page):
    return page.get_by_role("button", name="Import as a new dataset version")


def entity_codes(store: Store, version: int) -> set[str]:
    return set(store.read_version(version).entities["entity_id"])


def test_map_in_the_app_then_next_month_by_the_cli(server, page, tmp_path):
    october = workbook(tmp_path / "wyvern-export-october.xlsx", ("People", "Links"))
    open_import(server, page)
    upload(page, october)
    # the header no synonym knows: mapped by hand
    choose(
        page, page.locator("[data-testid='stSelectbox']").filter(has_text="Nominal B"), "target_id"
    )
    check(page)
    expect(page.get_by_text("Words the model does not know")).to_be_visible()
    expect(import_button(page)).to_be_disabled()
    page.get_by_text("error(s)").first.scroll_into_view_if_needed()
    screenshot(page, "import-unknown-terms")
    # two unknown terms: mapped to a suggested model term each
    terms = page.locator("[data-testid='stSelectbox']")
    choose(page, terms.filter(has_text="'School exclusion'"), "excluded_from_school")
    expect(page.get_by_text("changed since the last check")).to_be_visible()
    choose(page, terms.filter(has_text="'Known associate'"), "peer_association")
    check(page)
    expect(page.get_by_text("0 error(s)")).to_be_visible()
    with page.expect_download() as saving:
        page.get_by_role("button", name="Save this mapping as a profile (YAML)").click()
    profile = tmp_path / "wyvern.yaml"
    saving.value.save_as(profile)
    page.get_by_text("I have checked the mapping").click()
    wait_for_app(page)
    expect(import_button(page)).to_be_enabled()
    import_button(page).click()
    page.get_by_text("Imported as dataset version").wait_for(timeout=120_000)
    page.get_by_text("Imported as dataset version").scroll_into_view_if_needed()
    screenshot(page, "import-done")
    text = page.get_by_text("Imported as dataset version").inner_text()
    app_version = int(text.split("version ")[1].split(":")[0])

    # Next month: other file and sheet names, same headers and words; the CLI, no edits.
    november = workbook(tmp_path / "nov_2026.xlsx", ("Sheet1", "Sheet2"))
    data = Path(server.env["MAPPING_DATA_DIR"]) / "demo"
    db = f"sqlite:///{data / 'demo.sqlite'}"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapping",
            "import",
            str(november),
            "--profile",
            str(profile),
            "--db",
            db,
            "--key-file",
            str(data / "demo.key"),
            "--by",
            "analyst",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "mapped to excluded_from_school" in run.stderr  # reported, never silent
    store = Store(db)
    cli_version = store.latest_version()
    assert cli_version == app_version + 1
    assert entity_codes(store, cli_version) == entity_codes(store, app_version)
    links = [store.read_version(v).links for v in (app_version, cli_version)]
    assert set(links[0]["link_id"]) == set(links[1]["link_id"])
    assert sorted(links[1]["link_type"]) == [
        "peer_association",
        "peer_association",
        "victim_offender",
    ]


def test_changed_files_clear_the_check(server, page, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "entities.csv").write_text(
        "entity_id,entity_type\nWV-1,young person\nWV-2,young person\n", encoding="utf-8"
    )
    (clean / "links.csv").write_text(
        "source_id,target_id,link_type\nWV-1,WV-2,peer\n", encoding="utf-8"
    )
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "links.csv").write_text(
        "source_id,target_id,link_type\nWV-1,WV-9,peer\n", encoding="utf-8"
    )
    open_import(server, page)
    upload(page, clean / "entities.csv", clean / "links.csv")
    check(page)
    expect(page.get_by_text("0 error(s), 0 warning(s).")).to_be_visible()
    page.get_by_text("I have checked the mapping").click()
    wait_for_app(page)
    expect(import_button(page)).to_be_enabled()

    # the analyst swaps links.csv for another file of the same name
    page.get_by_role("button", name="Remove links.csv").click()
    wait_for_app(page)
    upload(page, changed / "links.csv")
    expect(page.get_by_text("0 error(s), 0 warning(s).")).to_have_count(0)
    expect(page.get_by_text("changed since the last check")).to_be_visible()
    expect(import_button(page)).to_be_disabled()
    expect(page.get_by_role("checkbox", name="I have checked the mapping")).not_to_be_checked()
    page.get_by_text("changed since the last check").scroll_into_view_if_needed()
    screenshot(page, "import-check-cleared")
    check(page)
    expect(page.get_by_text("0 error(s), 1 warning(s).")).to_be_visible()  # the new file's
    expect(import_button(page)).to_be_disabled()  # not until the confirmation is ticked
    page.get_by_text("I have checked the mapping").click()
    wait_for_app(page)
    expect(import_button(page)).to_be_enabled()


def test_the_saved_profile_loads_in_the_app_for_next_month(server, page, tmp_path):
    profile = tmp_path / "wyvern.yaml"
    profile.write_text(
        "sheets:\n"
        "  Links:\n    role: links\n"
        "    columns: {From: source_id, Nominal B: target_id, Relationship: link_type,"
        " Date Seen: first_seen}\n"
        "values:\n  vulnerabilities: {School exclusion: excluded_from_school}\n"
        "  link_type: {Known associate: peer_association}\n",
        encoding="utf-8",
    )
    november = workbook(tmp_path / "nov_2026.xlsx", ("Sheet1", "Sheet2"))
    open_import(server, page)
    upload(page, november)
    check(page)
    expect(page.get_by_text("Words the model does not know")).to_be_visible()  # no profile yet
    page.locator("[data-testid='stFileUploader']").nth(1).locator(
        "input[type=file]"
    ).set_input_files(str(profile))
    wait_for_app(page)
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Nominal B")
    expect(box.get_by_role("combobox")).to_have_value("target_id")  # from the profile
    check(page)
    expect(page.get_by_text("0 error(s)")).to_be_visible()
    page.get_by_text("0 error(s)").scroll_into_view_if_needed()
    screenshot(page, "import-profile-loaded")
