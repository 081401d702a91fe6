"""Operations under faults (issue 18 item 13): an export that fails half way (a full disk)
leaves no truncated file under its name; a second export replaces the first whole."""

from __future__ import annotations

import errno

import pytest

import mapping.export.formats as formats
from mapping.cli import main
from tests.security.world import import_world


@pytest.fixture
def world(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    return url, tmp_path


def test_a_full_disk_leaves_no_truncated_export(world, monkeypatch, capsys):
    url, folder = world

    def half_then_full(scoped, out, metadata, args):
        out.write_text("<graphml>half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(formats.FORMATS, "graphml", half_then_full)
    out = folder / "out" / "net.graphml"
    assert main(["export", "--format", "graphml", "--out", str(out), "--db", url]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert list((folder / "out").iterdir()) == []


@pytest.mark.parametrize("fmt,name", [("graphml", "net.graphml"), ("csv", "tables")])
def test_a_second_export_replaces_the_first_whole(world, fmt, name):
    url, folder = world
    out = folder / "out" / name
    for _ in range(2):
        assert main(["export", "--format", fmt, "--out", str(out), "--db", url]) == 0
    assert [p.name for p in (folder / "out").iterdir()] == [name]


def test_a_second_import_is_told_another_is_running(world, capsys):
    from mapping.locks import import_lock
    from mapping.store import Store

    url, folder = world
    store = Store(url)
    before = store.latest_version()
    with import_lock(store):  # a first import, still running
        code = main(
            [
                "import",
                str(folder / "in" / "links.csv"),
                "--db",
                url,
                "--add",
                "--key-file",
                str(folder / "k.key"),
            ]
        )
    assert code == 1
    assert "another import into this database is running" in capsys.readouterr().err
    assert store.latest_version() == before
    with import_lock(store):  # the lock is free again once the first ends
        pass


def test_an_audit_write_waits_out_a_long_write_instead_of_failing(world):
    import sqlite3
    import threading
    import time

    from mapping import audit
    from mapping.store import Store

    url, folder = world
    store = Store(url)
    holder = sqlite3.connect(folder / "db.sqlite", timeout=1, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # a long import holding the write lock
    released = threading.Timer(12, holder.commit)  # longer than SQLite's 10 s busy wait
    released.start()
    started = time.monotonic()
    audit.record(store, "ana", "analyst", "sign_in")
    waited = time.monotonic() - started
    released.join()
    holder.close()
    assert waited >= 10  # it did wait behind the writer, and then wrote
    assert list(audit.list_audit(store, action="sign_in")["user_name"]) == ["ana"]
