"""Nothing raw left behind (issue 18 item 5): uploads live in one private folder per
session, never under the person's file name, and the folder goes when the import ends, when
the session ends, when the server exits or, for a killed server, by a sweep."""

from __future__ import annotations

import gc
import os
import stat
import tempfile
import time

import pytest

from loaders.uploads import PREFIX, STALE_AFTER_SECONDS, UploadFolder, sweep_stale
from tests.security.conftest import new_app, sign_in
from tests.security.world import entity_rows, link_rows, to_csv


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def leftovers(root) -> list[str]:
    """Upload folders and loose upload files (other parts of the app keep their own)."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith((PREFIX, "upload-")))


def test_an_upload_is_private_and_never_named_after_the_person(temp_root):
    folder = UploadFolder()
    path = folder.save(b"source_id,target_id\n", ".csv")
    assert path.name == "upload-1.csv" and path.parent.name.startswith(PREFIX)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    folder.close()
    assert leftovers(temp_root) == []


def test_a_dropped_session_removes_its_folder(temp_root):
    folder = UploadFolder()
    folder.save(b"x", ".csv")
    del folder  # a session's state is dropped when the session ends
    gc.collect()
    assert leftovers(temp_root) == []


def test_the_sweep_removes_only_stale_folders_and_old_loose_files(temp_root):
    stale, fresh = UploadFolder(), UploadFolder()
    stale.save(b"x")
    loose = temp_root / "upload-abc.csv"  # what older versions left in the temp folder
    loose.write_text("x")
    old = time.time() - STALE_AFTER_SECONDS - 60
    for path in (stale.path, loose):
        os.utime(path, (old, old))
    assert sweep_stale() == 2
    assert leftovers(temp_root) == [fresh.path.name]


def upload_page(env, temp_root):
    at = sign_in(new_app().run(), "ana")
    at.switch_page("pages/import.py").run()
    files = [
        ("entities.csv", to_csv(entity_rows()).encode(), "text/csv"),
        ("links.csv", to_csv(link_rows()).encode(), "text/csv"),
    ]
    at.file_uploader(key="upload_files").set_value(files).run()
    assert not at.exception, at.exception
    [folder] = [p for p in temp_root.iterdir() if p.name.startswith(PREFIX)]
    assert sorted(p.name for p in folder.iterdir()) == ["upload-1.csv", "upload-2.csv"]
    return at


def test_uploads_are_gone_after_an_import(signed_in_env, temp_root):
    at = upload_page(signed_in_env, temp_root)
    at.button(key="check").click().run()
    at.checkbox(key="confirm").check().run()
    next(b for b in at.button if b.label == "Import as a new dataset version").click().run()
    assert not at.exception, at.exception
    assert at.success, [e.value for e in at.error]
    assert leftovers(temp_root) == []


def start_import(at):
    at.button(key="check").click().run()
    assert not at.error, [e.value for e in at.error]  # the check passed
    at.checkbox(key="confirm").check().run()
    next(b for b in at.button if b.label == "Import as a new dataset version").click().run()
    return at


def test_uploads_are_gone_after_a_fault_in_the_write(signed_in_env, temp_root, monkeypatch):
    """The checks passed, then storing failed (a full disk, a lost database): the page
    says so, nothing is stored and no upload file is left behind."""
    from sqlalchemy.exc import OperationalError

    from mapping.store import Store

    def full_disk(self, *args, **kwargs):
        raise OperationalError("INSERT ...", {}, Exception("database or disk is full"))

    at = upload_page(signed_in_env, temp_root)
    monkeypatch.setattr(Store, "write_version", full_disk)
    start_import(at)
    assert not at.exception, at.exception
    assert any("nothing was stored" in e.value for e in at.error), [e.value for e in at.error]
    assert leftovers(temp_root) == []
    assert Store(signed_in_env["url"]).latest_version() == signed_in_env["version"]


def test_uploads_are_gone_after_a_refusal_at_the_write(signed_in_env, temp_root, monkeypatch):
    """The checks passed, then the import itself refused (ImportFailed raised by the
    write): the upload folder goes with the refusal."""
    import loaders.importer
    from loaders.problems import ERROR, ImportFailed, Problem

    def refused(*args, **kwargs):
        raise ImportFailed([Problem(ERROR, "upload-1.csv", "", None, None, "late", "refused")])

    at = upload_page(signed_in_env, temp_root)
    monkeypatch.setattr(loaders.importer, "import_files", refused)
    start_import(at)
    assert not at.exception, at.exception
    assert any("import refused" in e.value for e in at.error)
    assert leftovers(temp_root) == []
