"""Profiles' values: section, unknown-term suggestions, header-set matching and grouping."""

import json
from datetime import date
from pathlib import Path

import pytest

from loaders.columns import Profile, profile_from_assignments
from loaders.importer import Source, check_files, check_fingerprint, import_files
from loaders.problems import MAX_LISTED
from loaders.pseudonymise import Pseudonymiser
from loaders.read import read_file
from loaders.values import suggest, value_key
from mapping.store import Store

TODAY = date(2026, 11, 29)
ENTITIES = """Person Ref,Type,Needs
P1,young person,school_exclusion
P2,young person,School exclusion;autism
P3,young person,School  Exclusion
P4,adult,
"""
LINKS = """Nominal A,Nominal B,Relationship,Date Seen
P1,P2,Known associate,31/10/2026
P2,P3,Known associate,01/11/2026
P3,P4,peer,02/11/2026
"""
COLUMNS = {
    "entities": {"Person Ref": "entity_id", "Type": "entity_type", "Needs": "vulnerabilities"},
    "links": {
        "Nominal A": "source_id",
        "Nominal B": "target_id",
        "Relationship": "link_type",
        "Date Seen": "first_seen",
    },
}


def files(folder: Path, suffix: str = "") -> list[Source]:
    out = []
    for name, text in (("nominals", ENTITIES), ("contacts", LINKS)):
        path = folder / f"{name}{suffix}.csv"
        path.write_text(text, encoding="utf-8")
        out.append(Source(path, path.name))
    return out


def assignments(suffix: str = "") -> dict:
    return {
        "nominals.csv": {"role": "entities", "columns": COLUMNS["entities"]},
        "contacts.csv": {"role": "links", "columns": COLUMNS["links"]},
    }


def test_unknown_terms_are_listed_once_with_counts_and_suggestions(tmp_path):
    profile = profile_from_assignments(assignments())
    check = check_files(files(tmp_path), profile, today=TODAY)
    assert not check.passed
    terms = {(t.column, value_key(t.term)): t.count for t in check.unknown_terms}
    # three spellings of one term are one entry, counted per cell
    assert terms == {("vulnerabilities", "schoolexclusion"): 3, ("link_type", "knownassociate"): 2}
    by_column = {t.column: t for t in check.unknown_terms}
    assert by_column["vulnerabilities"].suggestions[0] == "excluded_from_school"
    assert "peer_association" in by_column["link_type"].suggestions
    problem = next(p for p in check.problems if p.kind == "unknown link type")
    assert "2 row(s): 2, 3" in problem.message and "closest: " in problem.message
    # analyst's header first, then the template column
    assert problem.column == "Relationship (link_type)"


def test_profile_values_map_terms_and_the_mapping_is_recorded(tmp_path):
    profile = profile_from_assignments(
        assignments(),
        values={
            "vulnerabilities": {"school_exclusion": "excluded_from_school"},
            "link_type": {"Known associate": "peer_association"},
        },
    )
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    result = import_files(
        files(tmp_path), store, Pseudonymiser(b"k" * 32), profile=profile, today=TODAY
    )
    tables = store.read_version(result.version)
    assert set(tables.links["link_type"]) == {"peer_association"}
    assert (tables.entities["vulnerabilities"].str.contains("excluded_from_school")).sum() == 3
    mapped: dict = {}
    for m in result.mapped_values:
        mapped[(m["column"], m["to"])] = mapped.get((m["column"], m["to"]), 0) + m["cells"]
    # keys compare case-, space- and punctuation-insensitively: all three spellings mapped
    assert mapped == {
        ("link_type", "peer_association"): 2,
        ("vulnerabilities", "excluded_from_school"): 3,
    }
    sources = json.loads(store.version_info(result.version)["sources"])
    stored = [m for s in sources for m in s["values_mapped"]]
    assert sorted(m["cells"] for m in stored) == [1, 1, 1, 2]
    assert {m["from"] for m in stored if m["column"] == "vulnerabilities"} == {
        "school_exclusion",
        "School exclusion",
        "School  Exclusion",
    }


@pytest.mark.parametrize(
    ("section", "needle"),
    [
        (
            {"vulnerabilities": {"school_exclusion": "expelled"}},
            "'school_exclusion' is mapped to 'expelled'",
        ),
        ({"nickname": {"x": "y"}}, "'nickname' is not a column with a vocabulary"),
    ],
)
def test_values_with_an_unknown_target_are_refused(tmp_path, section, needle):
    path = tmp_path / "monthly.yaml"
    Profile(values={}).save(path)
    text = path.read_text() + "values: " + json.dumps(section) + "\n"
    path.write_text(text)
    with pytest.raises(ValueError, match="values") as raised:
        Profile.load(path)
    assert "monthly.yaml" in str(raised.value) and needle in str(raised.value)


def test_a_saved_profile_recognises_next_months_files_by_headers(tmp_path):
    profile = profile_from_assignments(
        assignments(),
        values={
            "vulnerabilities": {"School exclusion": "excluded_from_school"},
            "link_type": {"known associate": "peer_association"},
        },
    )
    path = tmp_path / "monthly.yaml"
    profile.save(path)
    january = tmp_path / "jan"
    january.mkdir()
    check = check_files(files(january, "_jan"), Profile.load(path), today=TODAY)
    assert check.passed, [str(p) for p in check.problems]
    assert {s.role for s in check.sheets} == {"entities", "links"}


def test_a_file_pattern_names_next_months_file(tmp_path):
    path = tmp_path / "contacts_2027_01.csv"
    path.write_text("A,B,Kind\nP1,P2,peer\n", encoding="utf-8")
    profile = Profile.parse(
        "sheets:\n  contacts:\n    role: links\n    file: 'contacts_*.csv'\n"
        "    columns: {A: source_id, B: target_id, Kind: link_type}\n"
    )
    check = check_files([Source(path, path.name)], profile, today=TODAY)
    assert [s.role for s in check.sheets] == ["links"]


def test_advice_names_the_profile_when_nothing_matched(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Colour,Shape\nred,round\n", encoding="utf-8")
    profile_path = tmp_path / "police.yaml"
    profile_from_assignments(assignments()).save(profile_path)
    check = check_files([Source(path, path.name)], Profile.load(profile_path), today=TODAY)
    nothing = next(p for p in check.problems if p.kind == "nothing to import")
    assert "profile police.yaml" in nothing.message


def test_repeated_warnings_are_grouped_after_the_limit(tmp_path):
    entities = tmp_path / "entities.csv"
    entities.write_text("entity_id,entity_type\nYP1,young person\n", encoding="utf-8")
    links = tmp_path / "links.csv"
    rows = "".join(f"YP1,GHOST{i},peer\n" for i in range(MAX_LISTED + 60))
    links.write_text("source_id,target_id,link_type\n" + rows, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    result = import_files(
        [Source(entities, "entities.csv"), Source(links, "links.csv")],
        store,
        Pseudonymiser(b"k" * 32),
        today=TODAY,
    )
    dangling = [p for p in result.warnings if p.kind == "unknown entity referenced"]
    assert len(dangling) == MAX_LISTED + 1
    assert dangling[-1].row is None and dangling[-1].message.startswith(
        "60 more row(s) have the same problem (rows 22, 23, 24, 25, 26, …)"
    )


def test_suggestions_come_from_the_model():
    assert suggest("source_agency", "Police Scotland")[0] == "police"
    assert suggest("case_status", "zzzz") == []  # nothing close: no suggestion invented


def test_a_misspelt_section_or_setting_is_refused():
    with pytest.raises(ValueError, match="unknown section"):
        Profile.parse("value:\n  link_type: {a: peer}\n", "monthly.yaml")
    with pytest.raises(ValueError, match="unknown setting"):
        Profile.parse("sheets:\n  x:\n    colums: {A: source_id}\n", "monthly.yaml")


def read_sheet(path: Path):
    return read_file(path, path.name)[0]


def test_an_explicit_header_set_picks_the_entry(tmp_path):
    path = tmp_path / "export-03.csv"
    path.write_text("Subject,Associate,Kind,Notes\nP1,P2,peer,\n", encoding="utf-8")
    profile = Profile.parse(
        "sheets:\n"
        "  wrong:\n    role: entities\n    headers: [Subject, Colour]\n"
        "  contacts:\n    role: links\n    headers: [subject, ASSOCIATE, kind]\n"
        "    columns: {Kind: link_type}\n"
    )
    assert profile.entry_name(read_sheet(path)) == "contacts"
    check = check_files([Source(path, path.name)], profile, today=TODAY)
    assert [s.role for s in check.sheets] == ["links"] and check.passed


def test_dates_and_their_advice_name_the_analysts_header(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "From,To,Relationship,Date Seen,Most recent\nP1,P2,peer,31/02/2026,01/01/2026\n"
        "P2,P3,peer,01/03/2026,01/01/2026\n",
        encoding="utf-8",
    )
    check = check_files([Source(path, path.name)], Profile(), today=TODAY)
    date = next(p for p in check.problems if p.kind == "unparseable date")
    assert date.column == "Date Seen (first_seen)"
    backwards = next(p for p in check.problems if p.kind == "last seen before first seen")
    assert backwards.message.startswith("Most recent (last_seen) is earlier than Date Seen")


def test_the_check_fingerprint_follows_the_files_bytes(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("source_id,target_id,link_type\nA,B,peer\n", encoding="utf-8")
    sources = [Source(path, "links.csv")]
    before = check_fingerprint(sources, Profile(), add_to_latest=False)
    assert check_fingerprint(sources, Profile(), add_to_latest=True) != before
    path.write_text("source_id,target_id,link_type\nA,C,peer\n", encoding="utf-8")
    assert check_fingerprint(sources, Profile(), add_to_latest=False) != before


def test_unknown_incident_roles_are_offered_and_mapped(tmp_path):
    path = tmp_path / "stops.csv"
    path.write_text(
        "incident_id,date,place_id,person_id,role\nS1,01/10/2026,PL1,P1,Aggrieved party\n"
        "S1,01/10/2026,PL1,P2,Nominal suspect\n",
        encoding="utf-8",
    )
    check = check_files([Source(path, path.name)], Profile(), today=TODAY)
    # refused with a message (it used to raise pyarrow's "Invalid null value"), and offered
    assert not check.passed and any(p.kind == "unknown incident role" for p in check.problems)
    assert {(t.column, t.term) for t in check.unknown_terms} >= {("role", "Aggrieved party")}
    mapped = Profile.parse(
        "values:\n  role: {aggrieved party: victim, nominal suspect: person_of_concern}\n"
    )
    check = check_files([Source(path, path.name)], mapped, today=TODAY)
    assert check.passed, [str(p) for p in check.problems]
    assert sorted(m["to"] for m in check.mapped_values) == ["person_of_concern", "victim"]


def test_docs_name_every_mappable_column_and_profile_setting():
    from loaders.values import VOCABULARY_COLUMNS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text()
    for column in VOCABULARY_COLUMNS:
        assert f"`{column}`" in docs, column
    for setting in ("values:", "file:", "headers:", "columns:", "date_order"):
        assert setting in docs, setting


def test_a_sheet_missing_a_required_header_is_still_guessed(tmp_path):
    from loaders.columns import detect, guess_role

    path = tmp_path / "Sheet2.csv"
    path.write_text("Title\nFrom,Nominal B,Relationship,Date Seen\nP1,P2,peer,01/10/2026\n")
    sheet = read_sheet(path)
    assert detect(sheet, Profile()) is None  # no synonym knows "Nominal B"
    assert guess_role(sheet, Profile()) == ("links", 1)
