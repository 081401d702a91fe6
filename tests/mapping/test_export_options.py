"""ExportOptions carry the review-by period (``MAPPING_EXPORT_REVIEW_DAYS``), read once by
the caller through ``options_from`` from the settings in force; the export path itself reads
no setting, so what the caller was given is what the copy says."""

from __future__ import annotations

import json
from datetime import date, timedelta

from mapping import settings
from mapping.audit import list_audit
from mapping.export.options import ExportOptions, options_from
from mapping.export.run import export_metadata, run_export
from mapping.store import Store
from tests.mapping.export_world import scoped_world


def test_options_take_the_review_period_from_the_settings_given():
    found = settings.current({"MAPPING_EXPORT_REVIEW_DAYS": "9"})
    assert options_from(found).review_days == 9
    assert options_from(found, review_days=3).review_days == 3  # a caller's choice wins


def test_options_without_settings_use_the_declared_default():
    declared = settings.BY_NAME["MAPPING_EXPORT_REVIEW_DAYS"].default
    assert declared is not None
    assert ExportOptions().review_days == int(declared) == settings.current({}).export_review_days


def test_the_review_period_given_is_the_one_written(tmp_path, monkeypatch):
    """The environment is read by the caller only: a variable set after the options were
    built does not change the copy's review-by date."""
    monkeypatch.setenv("MAPPING_EXPORT_REVIEW_DAYS", "40")
    options = options_from(settings.current())
    monkeypatch.setenv("MAPPING_EXPORT_REVIEW_DAYS", "5")
    store = Store(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    out = tmp_path / "map.graphml"
    run_export(store, scoped_world(), "graphml", out, user="analyst-a", options=options)
    detail = json.loads(list_audit(store, action="export").iloc[0]["detail"])
    wanted = (date.fromisoformat(detail["exported_at"][:10]) + timedelta(days=40)).isoformat()
    assert detail["review_by"] == wanted
    assert wanted in out.read_text(encoding="utf-8")


def test_metadata_review_by_counts_the_days_given():
    metadata = export_metadata(scoped_world(), "Ms Lee", review_days=12)
    made = date.fromisoformat(str(metadata["exported_at"])[:10])
    assert metadata["review_by"] == (made + timedelta(days=12)).isoformat()
    assert metadata["recipient"] == "Ms Lee"
