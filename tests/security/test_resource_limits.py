"""Bounded resources before parsing (issue 18 item 4) and hidden content (item 7).

The figures (time, memory) for the dimension bomb on the command line are printed by
``benchmarks/hostile_import.py``; here each hostile workbook is checked to be refused (or
warned about) with a clear problem and nothing stored."""

from __future__ import annotations

import pytest

from loaders import bounds
from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from loaders.read import read_file
from mapping.store import Store
from tests.security import hostile


@pytest.fixture
def store_and_key(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), Pseudonymiser.from_file(tmp_path / "k.key")


def refusal(path, store_and_key) -> list:
    store, key = store_and_key
    with pytest.raises(ImportFailed) as refused:
        import_files([Source(path, path.name)], store, key)
    assert store.latest_version() is None
    return refused.value.problems


def test_a_good_minimal_workbook_imports(tmp_path, store_and_key):
    path = hostile.write_workbook(tmp_path / "ok.xlsx", hostile.link_rows_xml())
    store, key = store_and_key
    result = import_files([Source(path, path.name)], store, key)
    assert result.links == 3


def test_dimension_bomb_is_refused_by_its_declared_dimension(tmp_path, store_and_key):
    path = hostile.dimension_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10_000
    [problem] = refusal(path, store_and_key)
    assert problem.kind == "oversize sheet"
    assert "declares 1,048,576 rows by 16,384 columns" in problem.message
    assert problem.sheet == "links"


def test_a_far_cell_is_refused_by_the_real_extent(tmp_path, store_and_key):
    [problem] = refusal(hostile.far_cell(tmp_path / "far.xlsx"), store_and_key)
    assert "spans 1,048,576 rows by 16,384 columns" in problem.message


def test_ten_thousand_zip_entries_are_refused(tmp_path, store_and_key):
    [problem] = refusal(hostile.many_entries(tmp_path / "many.xlsx"), store_and_key)
    assert problem.kind == "too many parts"


def test_doctype_in_a_part_not_named_xml_is_refused(tmp_path, store_and_key):
    [problem] = refusal(hostile.doctype_in_odd_part(tmp_path / "odd.xlsx"), store_and_key)
    assert problem.kind == "XML entity declaration"


@pytest.mark.parametrize("characters", [bounds.MAX_FIELD_CHARS + 1, 140_000, 300_000])
def test_a_cell_longer_than_excel_allows_is_refused(tmp_path, store_and_key, characters):
    path = hostile.long_cell(tmp_path / "long.xlsx", characters)
    [problem] = refusal(path, store_and_key)
    assert problem.kind == "field too long"
    assert hostile.long_text(characters)[:30] not in problem.message


@pytest.mark.parametrize("characters", [bounds.MAX_FIELD_CHARS + 1, 131_073, 200_000])
def test_a_csv_field_longer_than_excel_allows_is_refused(tmp_path, store_and_key, characters):
    path = tmp_path / "long.csv"
    path.write_text(f"source_id,target_id,link_type,notes\nP1,P2,peer,{'y' * characters}\n")
    [problem] = refusal(path, store_and_key)
    assert problem.kind == "field too long"


def test_a_hidden_sheet_is_not_imported_and_says_so(tmp_path):
    [sheet] = read_file(hostile.hidden_sheet(tmp_path / "hidden.xlsx"))
    assert sheet.frame.empty
    assert [p.kind for p in sheet.notes] == ["hidden sheet"]


def test_hidden_rows_refuse_the_import_naming_them(tmp_path, store_and_key):
    problems = refusal(hostile.hidden_rows(tmp_path / "rows.xlsx"), store_and_key)
    [problem] = [p for p in problems if p.kind == "hidden rows"]
    assert (problem.sheet, problem.row) == ("links", 3)
    assert "rows 3" in problem.message


@pytest.mark.e2e
@pytest.mark.slow
def test_dimension_bomb_in_the_app_is_refused_while_another_session_answers(tmp_path, users_file):
    """Issue 18 group 4 in a live server: the bomb uploaded on the import page is refused
    with the same problem, the health check never fails, a partner's page opens meanwhile,
    and the server's memory stays bounded (figures: benchmarks/hostile_import.py --app)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.security import app_bomb
    from tests.security.conftest import PASSWORD
    from tests.security.server import app_server
    from tests.security.world import import_world

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    env = {
        "MAPPING_USERS_FILE": str(users_file),
        "MAPPING_DB": url,
        "MAPPING_KEY_FILE": str(tmp_path / "k.key"),
        "MAPPING_DATA_DIR": str(tmp_path),
    }
    bomb = hostile.dimension_bomb(tmp_path / "bomb.xlsx")
    with app_server(env) as (base, process), sync_api.sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=app_bomb.CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            run = app_bomb.bomb_in_app(
                base,
                process.pid,
                browser,
                sync_api.expect,
                bomb,
                analyst="ana",
                other="pam",
                password=PASSWORD,
            )
        finally:
            browser.close()
    assert run.refusal_shown and run.other_page_answered
    assert run.health_ok > 0 and run.health_failed == 0
    assert run.rss_growth_mb < 300, run.as_dict()  # the bound; it took 1.37 GB
