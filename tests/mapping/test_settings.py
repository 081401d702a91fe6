"""mapping/settings.py: one table of settings, the README's table checked against it, and the
only reader of the environment in the code."""

import dataclasses
import doctest
import re
from pathlib import Path

import pytest

from mapping import settings

ROOT = Path(__file__).resolve().parents[2]
CODE = [*(ROOT / "mapping").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")]
CODE += [*(ROOT / "pages").rglob("*.py"), ROOT / "app.py"]


def readme_settings() -> dict[str, str]:
    """``{variable: default}`` from the README's settings table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`MAPPING_"):
            rows[cells[0].strip("`")] = cells[1].strip("`")
    return rows


def test_readme_table_is_the_settings_table():
    rows = readme_settings()
    assert list(rows) == [s.name for s in settings.SETTINGS]
    assert rows == {s.name: s.shown_default() for s in settings.SETTINGS}


def test_settings_module_is_the_only_reader_of_the_environment():
    readers = sorted(
        str(path.relative_to(ROOT))
        for path in CODE
        if re.search(r"\bos\.environ\b|\bgetenv\b|\benviron\.get\b", path.read_text("utf-8"))
    )
    assert readers == ["mapping/settings.py"]


def test_every_setting_read_in_the_code_is_declared():
    """A MAPPING_* name the code spells out is a row of the table (so none is read ad hoc
    through some other way of reaching the environment)."""
    named = set()
    for path in CODE:
        named |= set(re.findall(r"\bMAPPING_[A-Z_]*[A-Z]\b", path.read_text("utf-8")))
    assert named <= set(settings.BY_NAME), named - set(settings.BY_NAME)


def test_settings_are_read_when_asked_not_at_import(monkeypatch, tmp_path):
    monkeypatch.setenv("MAPPING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MAPPING_DB", raising=False)
    monkeypatch.delenv("MAPPING_KEY_FILE", raising=False)
    from mapping import config, workspace

    assert config.database_url() == f"sqlite:///{tmp_path / 'mapping.sqlite'}"
    assert config.key_file() == tmp_path / "pseudonym.key"
    monkeypatch.delenv("MAPPING_USERS_FILE", raising=False)
    assert workspace.current_workspace().key_file == tmp_path / "demo" / "demo.key"


def test_empty_values_count_as_unset_and_numbers_are_numbers():
    found = settings.current({"MAPPING_USERS_FILE": "", "MAPPING_RETENTION_MONTHS": "6"})
    assert found.users_file is None and found.retention_months == 6
    assert found.boundaries_file == settings.SAMPLE_DATA / "districts.geojson"
    assert settings.current({"MAPPING_TILE_URL": "  "}).tile_url is None
    assert settings.current({"MAPPING_ALLOW_DEMO_IMPORT": "yes"}).allow_demo_import is False


def test_settings_are_frozen():
    found = settings.current({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.stale_days = 1  # type: ignore[misc]  # the point: it must refuse


def test_doctests():
    assert doctest.testmod(settings).failed == 0
