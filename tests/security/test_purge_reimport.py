"""Purge is remembered (issue 18 item 6, part): re-importing a file whose records were
purged is flagged instead of quietly bringing them back."""

from __future__ import annotations

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping import retention
from mapping.store import Store
from tests.security.world import TODAY, import_world


def test_reimporting_a_purged_file_is_flagged(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    store = Store(url)
    assert retention.purge(store, TODAY).links >= 1  # the world's years-old link
    again = import_files(
        [Source(tmp_path / "in" / n, n) for n in ("entities.csv", "links.csv")],
        store,
        Pseudonymiser.from_file(tmp_path / "k.key"),
        today=TODAY,
    )
    flagged = [p for p in again.warnings if p.kind == "purged before"]
    assert sorted(p.file for p in flagged) == ["entities.csv", "links.csv"]
    assert all(TODAY.isoformat() in p.message for p in flagged)


def test_a_new_file_is_not_flagged(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    store = Store(url)
    retention.purge(store, TODAY)
    other = tmp_path / "other.csv"
    other.write_text("source_id,target_id,link_type,first_seen\nZ1,Z2,peer,2026-10-01\n")
    result = import_files(
        [Source(other, "other.csv")],
        store,
        Pseudonymiser.from_file(tmp_path / "k.key"),
        today=TODAY,
    )
    assert not [p for p in result.warnings if p.kind == "purged before"]
