"""Smaller items of the sweep (issue 18 group 15): weak keys refused, NUL refused, control
characters in file names escaped on the terminal, the expat version checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.columns import Profile
from loaders.importer import Source, import_files
from loaders.problems import ImportFailed, Problem
from loaders.pseudonymise import Pseudonymiser, new_key, write_key_file
from loaders.xmlsafety import expat_problem
from mapping.cli import main
from mapping.store import Store


@pytest.mark.parametrize("key", [b"changeme" * 4, b"0" * 52, b"ab" * 26])
def test_a_weak_key_is_refused(tmp_path, key):
    write_key_file(tmp_path / "k.key", [key])
    with pytest.raises(ValueError, match="not random"):
        Pseudonymiser.from_file(tmp_path / "k.key")


def test_a_random_key_is_accepted(tmp_path):
    write_key_file(tmp_path / "k.key", [new_key()])
    assert Pseudonymiser.from_file(tmp_path / "k.key")


def test_a_nul_character_is_refused(tmp_path):
    path = tmp_path / "links.csv"
    path.write_bytes(b"source_id,target_id,link_type\nP1,P\x002,peer\n")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with pytest.raises(ImportFailed) as failure:
        import_files([Source(path, "links.csv")], store, Pseudonymiser.from_file(tmp_path / "k"))
    assert [p.kind for p in failure.value.problems] == ["NUL character"]
    assert store.latest_version() is None


def test_a_newline_in_a_file_name_cannot_forge_a_line(tmp_path, capsys):
    name = "evil\nINFO: imported 0 problems\u202e.csv"
    assert "\n" not in str(Problem("error", name, "", None, None, "x", "bad"))
    path = tmp_path / name
    path.write_text("nothing,useful\n1,2\n")
    main(
        [
            "import",
            str(path),
            "--db",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
            "--key-file",
            str(tmp_path / "k.key"),
        ]
    )
    err = capsys.readouterr().err
    assert "\nINFO: imported 0 problems" not in err
    assert "\u202e" not in err


def test_an_old_expat_is_reported():
    assert "(expat 2.5.0) is older than 2.6.0" in expat_problem((2, 5, 0))
    assert expat_problem((2, 6, 3)) is None


def _import(tmp_path, entities: str, links: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "e.csv").write_text("entity_id,entity_type,age_band\n" + entities)
    (folder / "l.csv").write_text("source_id,target_id,link_type,first_seen\n" + links)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    sources = [Source(folder / n, n) for n in ("e.csv", "l.csv")]
    return import_files(sources, store, Pseudonymiser.from_file(tmp_path / "k.key"))


def test_an_age_band_outside_the_model_is_refused(tmp_path):
    with pytest.raises(ImportFailed) as failure:
        _import(tmp_path, "P1,young_person,14\nP2,young_person,13-15\n", "P1,P2,peer,\n")
    [problem] = [p for p in failure.value.problems if p.kind == "unknown age band"]
    assert problem.row == 2 and "13-15" in problem.message


def test_a_two_digit_year_is_warned(tmp_path):
    result = _import(tmp_path, "P1,young_person,\nP2,young_person,\n", "P1,P2,peer,03/04/24\n")
    assert [p.row for p in result.warnings if p.kind == "two-digit year"] == [2]


def test_bidirectional_control_characters_are_warned(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("source_id,target_id,link_type\nP1\u202e,P2,peer\nP3,P\u20664,peer\n")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = import_files(
        [Source(path, "links.csv")], store, Pseudonymiser.from_file(tmp_path / "k")
    )
    [warning] = [p for p in result.warnings if p.kind == "bidirectional characters"]
    assert warning.message.startswith("2 cell(s)")
    assert "\u202e" not in warning.message


@pytest.mark.parametrize(
    "fmt,ext", [("graphml", ".graphml"), ("gexf", ".gexf"), ("csv", ""), ("cyjs", ".cyjs")]
)
def test_partners_never_receive_free_text_notes(tmp_path, fmt, ext):
    from tests.security.world import import_world

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in", payload="NOTEMARK")
    texts = {}
    for role in ("partner", "analyst"):
        out = tmp_path / f"{role}{ext}"
        argv = ["export", "--format", fmt, "--out", str(out), "--db", url, "--role", role]
        assert main([*argv, "--include-stale"]) == 0
        paths = sorted(out.iterdir()) if out.is_dir() else [out]
        texts[role] = " ".join(p.read_text(encoding="utf-8") for p in paths)
    assert "noteNOTEMARK" in texts["analyst"]  # kept notes do reach the analyst
    assert "noteNOTEMARK" not in texts["partner"]


def _workbook_with_number_ids(path):
    import openpyxl

    book = openpyxl.Workbook()
    entities = book.active
    entities.title = "entities"
    entities.append(["entity_id", "entity_type"])
    entities.append([7, "young_person"])
    entities.append([8, "young_person"])
    entities["A2"].number_format = "000"  # Excel shows 007
    links = book.create_sheet("links")
    links.append(["source_id", "target_id", "link_type"])
    links.append(["007", 8, "peer"])
    book.save(path)


def test_a_zero_padded_number_id_is_read_as_excel_shows_it(tmp_path):
    from loaders.read import read_file

    _workbook_with_number_ids(tmp_path / "ids.xlsx")
    entities = read_file(tmp_path / "ids.xlsx")[0]
    assert entities.frame.iloc[1, 0] == "007"
    assert entities.frame.iloc[2, 0] == "8"


def test_an_id_typed_as_a_number_is_warned_by_row_and_column(tmp_path):
    _workbook_with_number_ids(tmp_path / "ids.xlsx")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = import_files(
        [Source(tmp_path / "ids.xlsx", "ids.xlsx")],
        store,
        Pseudonymiser.from_file(tmp_path / "k.key"),
    )
    typed = [p for p in result.warnings if p.kind == "id typed as a number"]
    assert [(p.sheet, p.row, p.column) for p in typed] == [
        ("entities", 3, "entity_id"),
        ("links", 2, "target_id"),
    ]
    assert "unknown entity referenced" not in {p.kind for p in result.warnings}  # 007 matched


def test_a_homoglyph_in_an_id_or_a_label_is_warned_by_row_and_column(tmp_path):
    cyrillic_a = "\u0430"
    result = _import(
        tmp_path,
        f"P1,young_person,\nP{cyrillic_a}2,young_person,\nP3,young_person,\n",
        f"P1,P{cyrillic_a}2,peer,\nP1,P3,peer,\n",
    )
    mixed = [p for p in result.warnings if p.kind == "mixed scripts"]
    assert [(p.file, p.row, p.column) for p in mixed] == [
        ("e.csv", 3, "entity_id"),
        ("l.csv", 2, "target_id"),
    ]
    assert all(cyrillic_a not in p.message and "Cyrillic and Latin" in p.message for p in mixed)


def test_a_word_in_one_non_latin_script_is_not_warned(tmp_path):
    result = _import(
        tmp_path,
        "\u0418\u0432\u0430\u043d,young_person,\nP2,young_person,\n",
        "\u0418\u0432\u0430\u043d,P2,peer,\n",
    )
    assert "mixed scripts" not in {p.kind for p in result.warnings}


def _child_suspect_files(folder):
    folder.mkdir(exist_ok=True)
    (folder / "e.csv").write_text(
        "entity_id,entity_type\nP1,young_person\nP2,young_person\nA1,adult\n"
    )
    (folder / "i.csv").write_text(
        "incident_id,date,person_id,role\n"
        "I1,2026-01-05,P1,victim/suspect\n"
        "I1,2026-01-05,P2,victim\n"
        "I1,2026-01-05,A1,suspect\n"
    )
    return [str(folder / "e.csv"), str(folder / "i.csv")]


def test_a_child_recorded_as_suspect_is_listed_as_not_confirmed_without_the_flag(tmp_path, capsys):
    paths = _child_suspect_files(tmp_path / "in")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    argv = ["import", *paths, "--db", db, "--key-file", str(tmp_path / "k.key"), "--no-warm"]
    assert main(argv) == 0  # a valid file imports: exit 0 is the verb's contract
    err = capsys.readouterr().err
    assert "WARNING: i.csv, row 2, column role" in err  # named by row, never by value
    assert "1 incident row(s) record 1 young people as a person of concern" in err
    assert "not confirmed" in err and "--confirm-child-suspects" in err
    store = Store(db)
    issues = store.issues(store.latest_version())
    flagged = issues[issues["kind"] == "young person as suspect"]
    assert len(flagged) == 2 and flagged["message"].str.contains("not confirmed").all()


def test_a_caller_asking_for_confirmation_refuses_an_unconfirmed_child_suspect(tmp_path):
    from loaders.importer import check_files

    paths = _child_suspect_files(tmp_path / "in")
    sources = [Source(Path(p), Path(p).name) for p in paths]
    check = check_files(sources, Profile(), confirm_child_suspects=False)
    assert not check.passed
    assert any(p.kind == "young person as suspect" for p in check.problems)


def test_a_confirmed_child_suspect_keeps_both_roles_and_is_reported(tmp_path, capsys):
    paths = _child_suspect_files(tmp_path / "in")
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    argv = ["import", *paths, "--db", db, "--key-file", str(tmp_path / "k.key")]
    assert main([*argv, "--confirm-child-suspects", "--no-warm"]) == 0
    assert "WARNING: i.csv, row 2, column role: a young person is recorded" in (
        capsys.readouterr().err
    )
    store = Store(db)
    incidents = store.read_version(store.latest_version()).incidents
    assert sorted(incidents["role"]) == ["person_of_concern", "victim", "victim;person_of_concern"]
    issues = store.issues(store.latest_version())
    flagged = issues[issues["kind"] == "young person as suspect"]
    assert flagged["row"].fillna(0).astype(int).tolist() == [0, 2]  # the count line, the row


def test_every_export_says_who_it_is_for_and_when_to_review_it(tmp_path, monkeypatch):
    import json
    from datetime import date, timedelta

    import openpyxl

    from mapping import audit
    from tests.security.world import import_world

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in")
    monkeypatch.setenv("MAPPING_EXPORT_REVIEW_DAYS", "7")
    base = ["--db", url, "--role", "partner", "--include-stale"]
    for fmt, out in (("graphml", "map.graphml"), ("xlsx", "map.xlsx"), ("geojson", "p.geojson")):
        argv = ["export", "--format", fmt, "--out", str(tmp_path / out), "--recipient", "Ms Lee"]
        assert main([*argv, *base]) == 0
    review_by = (date.today() + timedelta(days=7)).isoformat()
    graphml = (tmp_path / "map.graphml").read_text(encoding="utf-8")
    assert "Ms Lee" in graphml and review_by in graphml
    readme = openpyxl.load_workbook(tmp_path / "map.xlsx")["README"]
    values = {row[0]: row[1] for row in readme.iter_rows(values_only=True)}
    assert (values["recipient"], values["review_by"]) == ("Ms Lee", review_by)
    assert values["marking"] == "OFFICIAL-SENSITIVE"  # the earlier keys are kept
    meta = json.loads((tmp_path / "p.geojson").read_text(encoding="utf-8"))["metadata"]
    assert (meta["recipient"], meta["review_by"]) == ("Ms Lee", review_by)
    rows = audit.list_audit(Store(url), action="export")
    assert {json.loads(d)["recipient"] for d in rows["detail"]} == {"Ms Lee"}
