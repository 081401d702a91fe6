"""``python -m mapping export`` writes every registered format from a stored version, with
the role's redactions, and records each export in the audit log."""

from __future__ import annotations

import json

import pytest

from mapping.audit import list_audit
from mapping.cli import main
from mapping.export.formats import FORMATS, out_name
from mapping.store import Store
from tests.mapping.conftest import tables_from
from tests.mapping.export_world import ENTITIES, LINKS, RESTRICTED_LINK


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'map.sqlite'}"
    Store(url).write_version(tables_from(ENTITIES, LINKS), created_by="test", sources=[])
    return url


def test_every_format_is_offered():
    assert set(FORMATS) >= {
        "graphml",
        "gexf",
        "cyjs",
        "anb",
        "csv",
        "xlsx",
        "geojson",
        "kml",
        "html",
    }


@pytest.mark.parametrize("fmt", ["gexf", "anb", "cyjs"])
def test_cli_export_redacts_and_audits(database, tmp_path, fmt, capsys):
    out = tmp_path / out_name(fmt, "map")
    assert (
        main(
            [
                "export",
                "--format",
                fmt,
                "--out",
                str(out),
                "--db",
                database,
                "--role",
                "analyst",
                "--district",
                "North",
                "--include-stale",
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8-sig")
    assert RESTRICTED_LINK not in text and "OFFICIAL-SENSITIVE" in text
    assert "YP-3" not in text  # district filter: the South young person is left out
    rows = list_audit(Store(database), action="export")
    recorded = json.loads(rows.iloc[0]["detail"])
    assert recorded["format"] == fmt and recorded["scope"]["districts"] == ["North"]
    assert rows.iloc[0]["role"] == "analyst"
