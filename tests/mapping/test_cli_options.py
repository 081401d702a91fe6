"""CLI option fixes (issue 15): nothing written by a refused first import, UK dates in every
date option, unknown districts refused with the known ones, export names that match."""

from __future__ import annotations

import json
from datetime import date

import pytest

from mapping.cli import build_parser, main
from mapping.dates import parse_day
from mapping.store import Store
from tests.mapping.conftest import tables_from
from tests.mapping.export_world import ENTITIES, LINKS


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('opts') / 'map.sqlite'}"
    Store(url).write_version(tables_from(ENTITIES, LINKS), created_by="test", sources=[])
    return url


def test_a_refused_first_import_writes_no_database_and_no_key(tmp_path, capsys):
    bad = tmp_path / "links.csv"
    bad.write_text("source_id,target_id,link_type\nA1,A2,dragon\n", encoding="utf-8")
    db, key = tmp_path / "new.sqlite", tmp_path / "new.key"
    code = main(["import", str(bad), "--db", f"sqlite:///{db}", "--key-file", str(key)])
    assert code == 1
    assert not db.exists() and not key.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.csv"]
    err = capsys.readouterr().err
    assert "nothing was stored" in err and "'dragon' in 1 cell(s)" in err


def test_a_first_import_that_passes_creates_both(tmp_path):
    good = tmp_path / "links.csv"
    good.write_text("source_id,target_id,link_type\nA1,A2,peer\n", encoding="utf-8")
    db, key = tmp_path / "new.sqlite", tmp_path / "new.key"
    assert main(["import", str(good), "--db", f"sqlite:///{db}", "--key-file", str(key)]) == 0
    assert db.exists() and key.exists()


@pytest.mark.parametrize(
    ("verb", "option"),
    [
        ("analyse", "--since"),
        ("analyse", "--until"),
        ("analyse", "--compare-date"),
        ("export", "--since"),
        ("export", "--meeting"),
        ("purge", "--today"),
    ],
)
def test_every_date_option_takes_uk_dates(verb, option):
    extra = {"export": ["--format", "graphml", "--out", "x.graphml"]}.get(verb, [])
    args = build_parser().parse_args([verb, *extra, option, "31/12/2026"])
    assert getattr(args, option.lstrip("-").replace("-", "_")) == date(2026, 12, 31)


def test_dates_iso_and_refusals():
    assert parse_day("2026-12-31") == parse_day("31.12.2026") == date(2026, 12, 31)
    with pytest.raises(ValueError, match="out of range"):
        parse_day("12/31/2026")  # month-first is refused, never guessed
    with pytest.raises(SystemExit):
        build_parser().parse_args(["analyse", "--since", "next week"])


def test_analyse_since_a_uk_date_filters(database, capsys):
    assert main(["analyse", "--db", database, "--since", "01/07/2026", "--include-stale"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scope"]["since"] == "2026-07-01"


def test_an_unknown_district_is_an_error_listing_the_known(database, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["analyse", "--db", database, "--district", "Nowhere"])
    message = str(stopped.value.code)
    assert "'Nowhere'" in message and "North" in message and "South" in message


def test_a_district_in_other_case_is_the_stored_one(database, capsys):
    assert main(["analyse", "--db", database, "--district", "north", "--include-stale"]) == 0
    assert json.loads(capsys.readouterr().out)["scope"]["districts"] == ["North"]


@pytest.mark.parametrize(
    ("fmt", "name", "advice"),
    [("anb", "map.anb", "map.csv"), ("map", "map.map", "map.html"), ("xlsx", "t.csv", "t.xlsx")],
)
def test_export_refuses_a_name_that_does_not_match_the_format(
    database, tmp_path, capsys, fmt, name, advice
):
    out = tmp_path / name
    assert main(["export", "--db", database, "--format", fmt, "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert advice in err and "nothing was written" in err
