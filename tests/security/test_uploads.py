"""Uploads: size limit, type allowlist, bombs refused, file names never used as paths;
tracebacks hidden from users."""

from __future__ import annotations

import ast
import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store
from tests.security.world import entity_rows, link_rows, to_csv

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"xlsx", "xlsm", "csv", "tsv", "graphml", "gexf"}


@pytest.fixture(scope="module")
def streamlit_config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_upload_size_is_bounded(streamlit_config):
    assert 0 < streamlit_config["server"]["maxUploadSize"] <= 50


def test_tracebacks_are_not_shown_to_users(streamlit_config):
    assert streamlit_config["client"]["showErrorDetails"] in ("none", False)


def test_table_toolbar_download_is_off(streamlit_config):
    # Streamlit's own CSV download wrote formulas raw and was never audited (issue 18).
    assert streamlit_config["client"]["disableDataExport"] is True


def test_the_server_listens_on_this_machine_only(streamlit_config):
    assert streamlit_config["server"]["address"] == "127.0.0.1"


def test_no_usage_statistics_leave_the_machine(streamlit_config):
    assert streamlit_config["browser"]["gatherUsageStats"] is False


def test_uploader_accepts_only_the_allowlist():
    tree = ast.parse((ROOT / "pages" / "import.py").read_text())
    suffixes = next(
        ast.literal_eval(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "SUFFIXES"
    )
    assert set(suffixes) == ALLOWED
    uploader = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "file_uploader"
    )
    assert {k.arg: getattr(k.value, "id", None) for k in uploader.keywords}["type"] == "SUFFIXES"


@pytest.fixture
def store_and_key(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), Pseudonymiser.from_file(tmp_path / "k")


@pytest.mark.parametrize(
    "name",
    [
        "../../../../tmp/evil-upload.csv",
        "/etc/cron.d/evil.csv",
        "..\\..\\windows\\system.csv",
        "..%2f..%2fetc%2fx.csv",
    ],
)
def test_uploaded_file_names_are_only_text(tmp_path, store_and_key, name):
    store, key = store_and_key
    folder = tmp_path / "uploads"
    folder.mkdir()
    entities, links = folder / "upload-1.csv", folder / "upload-2.csv"
    entities.write_text(to_csv(entity_rows()))
    links.write_text(to_csv(link_rows()))
    before = sorted(p.name for p in Path("/tmp").iterdir())
    result = import_files([Source(entities, name), Source(links, "links.csv")], store, key)
    sources = json.loads(store.version_info(result.version)["sources"])
    assert sources[0]["name"] == name
    # Nothing named after the upload appears in /tmp. (Other processes, such as a browser
    # of a parallel test, may create their own entries there, so compare names, not counts.)
    stem = re.split(r"[/\\]|%2f", name)[-1]
    new_entries = sorted(set(p.name for p in Path("/tmp").iterdir()) - set(before))
    assert [entry for entry in new_entries if stem in entry] == []
    assert not Path("/tmp/evil-upload.csv").exists()
    assert not Path("/etc/cron.d/evil.csv").exists()


def test_zip_bomb_workbook_is_refused_before_inflating(tmp_path, store_and_key):
    store, key = store_and_key
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(ImportFailed) as refused:
        import_files([Source(bomb, "bomb.xlsx")], store, key)
    assert "oversize workbook" in str([p.kind for p in refused.value.problems])
    assert store.latest_version() is None


def test_xml_entity_bomb_is_refused(tmp_path, store_and_key):
    store, key = store_and_key
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    bomb = tmp_path / "bomb.graphml"
    bomb.write_text(
        f'<?xml version="1.0"?><!DOCTYPE g [{laughs}]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph>'
        '<node id="&l9;"/></graph></graphml>'
    )
    with pytest.raises(ImportFailed):
        import_files([Source(bomb, "bomb.graphml")], store, key)
    assert store.latest_version() is None


def test_external_entity_cannot_read_local_files(tmp_path, store_and_key):
    store, key = store_and_key
    xxe = tmp_path / "xxe.gexf"
    xxe.write_text(
        '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<gexf><graph><nodes><node id="a" label="&x;"/></nodes></graph></gexf>'
    )
    with pytest.raises(ImportFailed):
        import_files([Source(xxe, "xxe.gexf")], store, key)
