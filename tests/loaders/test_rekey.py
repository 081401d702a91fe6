"""Key rotation: a re-keyed database and a new import with the key chain agree."""

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser, new_key, write_key_file
from loaders.rekey import rekey_database, rotate_key_file
from mapping.lookup import lookup
from mapping.store import Store
from tests.fixtures.import_corpus import RAW_NAMES, template

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 29)


def sources(folder: Path) -> list[Source]:
    folder.mkdir(exist_ok=True)
    return [Source(p, p.name) for p in template()(folder)]


@pytest.fixture
def keyed(db_url, tmp_path):
    old_file = tmp_path / "old.key"
    write_key_file(old_file, [new_key()])
    store = Store(db_url)
    import_files(sources(tmp_path / "m1"), store, Pseudonymiser.from_file(old_file), today=TODAY)
    return store, old_file, tmp_path


def test_rekeyed_codes_match_a_fresh_import_with_the_chain(keyed):
    store, old_file, tmp_path = keyed
    old = Pseudonymiser.from_file(old_file)
    before = store.read_version(1)
    new = rotate_key_file(old_file, tmp_path / "new.key")
    result = rekey_database(store, old, new, tmp_path / "new.key")
    after = store.read_version(1)
    assert result.codes == 3 and stat.S_IMODE(os.stat(tmp_path / "new.key").st_mode) == 0o600
    assert new.code("007", "YP") in set(after.entities["entity_id"])
    assert old.code("007", "YP") not in set(after.entities["entity_id"])
    assert "PL-1" in set(after.entities["entity_id"])  # a takeaway's id is not a code
    fresh = Store(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    import_files(sources(tmp_path / "m1"), fresh, new, today=TODAY)
    expected = fresh.read_version(1)
    assert sorted(after.links["link_id"]) == sorted(expected.links["link_id"])
    assert sorted(after.links["source_id"]) == sorted(expected.links["source_id"])
    assert len(after.links) == len(before.links)
    assert lookup(store, "007", new) == new.code("007", "YP")


def test_next_month_after_rotation_joins_the_same_people(keyed):
    store, old_file, tmp_path = keyed
    new = rotate_key_file(old_file, tmp_path / "new.key")
    rekey_database(store, Pseudonymiser.from_file(old_file), new, tmp_path / "new.key")
    result = import_files(sources(tmp_path / "m2"), store, new, add_to_latest=True, today=TODAY)
    tables = store.read_version(result.version)
    assert len(tables.entities) == 4  # nobody duplicated, nobody became 'unknown'
    assert len(tables.links) == 3


def test_old_key_is_refused_after_rotation(keyed):
    store, old_file, tmp_path = keyed
    new = rotate_key_file(old_file, tmp_path / "new.key")
    rekey_database(store, Pseudonymiser.from_file(old_file), new, tmp_path / "new.key")
    with pytest.raises(ImportFailed) as failure:
        import_files(sources(tmp_path / "m2"), store, Pseudonymiser.from_file(old_file))
    assert failure.value.problems[0].kind == "wrong key"
    assert store.latest_version() == 1


def test_rekey_verb_end_to_end(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    paths = template()(tmp_path)
    env = dict(os.environ, MAPPING_KEY_FILE=str(tmp_path / "k1"))

    def run(*a, **kw):
        return subprocess.run(
            [sys.executable, "-m", "mapping", *a],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            **kw,
        )

    assert run("import", *map(str, paths), "--db", db, env=env).returncode == 0
    done = run(
        "rekey", "--old-key", str(tmp_path / "k1"), "--new-key", str(tmp_path / "k2"), "--db", db
    )
    assert done.returncode == 0, done.stderr
    assert (
        run(
            "rekey",
            "--old-key",
            str(tmp_path / "k1"),
            "--new-key",
            str(tmp_path / "k2"),
            "--db",
            db,
        ).returncode
        == 2
    )  # never overwrites a key
    env2 = dict(os.environ, MAPPING_KEY_FILE=str(tmp_path / "k2"))
    found = run("lookup", "007", "--db", db, env=env2)
    assert found.stdout.strip() == Pseudonymiser.from_file(tmp_path / "k2").code("007", "YP")
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("cli.sqlite*"))
    assert not any(name.encode() in blob for name in RAW_NAMES)
