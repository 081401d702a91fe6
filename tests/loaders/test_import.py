"""Import: template files in, pseudonymised and versioned; bad files refused whole."""

from datetime import date
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.lookup import lookup
from mapping.store import Store

ENTITIES = """entity_id,entity_type,label,district,age_band,sex,harms,ideology,vulnerabilities,protective_factors,case_status,place_kind,postcode,lat,lon,platform
007,young person,Zoë Ådams,Northmoor,13-15,female,CCE;missing,,autism,,CIN,,,,,
CS-2,young_person,Łukasz Nowakowski,Northmoor,16-17,male,radicalisation,mixed,,,channel,,,,,
CS-3,young_person,Siobhán Quinlan,Eastbrook,16-17,female,cse,,,,,,,,,
AD-1,adult,Bartholomew Grimsdyke,Northmoor,25+,male,,,,,,,,,,
PL-1,place,Chicken Palace,Northmoor,,,,,,,,takeaway,FX1 2AB,54.5,2.5,
PL-2,place,14 Fictional Row,Northmoor,,,,,,,,address,FX1 3CD,54.51234,2.51234,
"""
LINKS = """source_id,target_id,link_type,first_seen,last_seen,source_agency,grading,weight,notes
007,CS-2,peer,01/06/2026,2026-10-01,police,2BP,3,Zoë was seen with Łukasz
007,AD-1,victim_offender,2026-01-01,2026-10-01,police,1AC,1,
CS-2,PL-1,frequents,2026-01-01,2026-10-01,education,2/B/P,,
CS-3,PL-1,frequents,2026-01-01,2026-10-01,education,2/B/P,,
007,PL-2,frequents,2026-01-01,2026-10-01,police,2/B/P,,
CS-3,GHOST-9,contact,2026-01-01,2026-10-01,police,2/B/P,,
"""
INCIDENTS = """incident_id,date,place_id,person_id,source_agency,grading,role
INC-1,05/09/2026,PL-1,007,police,2BP,victim
INC-1,05/09/2026,PL-1,AD-1,police,2BP,Suspect
INC-1,05/09/2026,PL-1,CS-3,police,2BP,witness
"""
RAW_NAMES = [
    "Zoë Ådams",
    "Łukasz Nowakowski",
    "Siobhán Quinlan",
    "Bartholomew Grimsdyke",
    "14 Fictional Row",
    "GHOST-9",
    "CS-2",
]


def write(folder: Path, **files: str) -> list[Source]:
    sources = []
    for name, text in files.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        sources.append(Source(path, path.name))
    return sources


@pytest.fixture
def world(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    pseudonymiser = Pseudonymiser(b"test-key-" * 4)
    sources = write(tmp_path, entities=ENTITIES, links=LINKS, incidents=INCIDENTS)
    result = import_files(sources, store, pseudonymiser, today=date(2026, 11, 29))
    return store, pseudonymiser, result, tmp_path


def test_import_stores_one_version_with_codes(world):
    store, pseudonymiser, result, _ = world
    assert result.version == 1 and store.latest_version() == 1
    tables = store.read_version()
    ids = set(tables.entities["entity_id"])
    assert pseudonymiser.code("007", "YP") in ids
    assert pseudonymiser.code("AD-1", "AD") in ids
    assert pseudonymiser.code("PL-2", "AR") in ids  # a home address is coded
    assert "PL-1" in ids  # a takeaway keeps its id
    assert pseudonymiser.code("GHOST-9", "UN") in ids
    unknown = tables.entities.set_index("entity_id").loc[pseudonymiser.code("GHOST-9", "UN")]
    assert unknown["entity_type"] == "unknown"


def test_raw_names_and_notes_never_reach_the_database(world):
    store, _, _, tmp_path = world
    store.dispose()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("map.sqlite*"))
    for name in RAW_NAMES:
        assert name.encode("utf-8") not in blob, name
    assert b"seen with" not in blob


def test_address_coordinates_are_generalised(world):
    store, pseudonymiser, _, _ = world
    entities = store.read_version().entities.set_index("entity_id")
    address = entities.loc[pseudonymiser.code("PL-2", "AR")]
    assert (address["lat"], address["lon"]) == (54.512, 2.512)
    assert address["postcode"] == "FX1"


def test_dangling_reference_warns_with_row(world):
    _, _, result, _ = world
    dangling = [p for p in result.warnings if p.kind == "unknown entity referenced"]
    assert [(p.file, p.row, p.column) for p in dangling] == [("links.csv", 7, "target_id")]


def test_incidents_become_copresence_links_with_roles(world):
    store, pseudonymiser, _, _ = world
    links = store.read_version().links
    incident = links[links["incident_id"] == "INC-1"]
    assert sorted(incident["link_type"]) == ["co_presence"] * 3 + ["present_at"] * 3
    child, adult = pseudonymiser.code("007", "YP"), pseudonymiser.code("AD-1", "AD")
    pair = incident[(incident["source_id"] == child) & (incident["target_id"] == adult)].iloc[0]
    assert (pair["source_role"], pair["target_role"]) == ("victim", "person_of_concern")
    assert set(incident["first_seen"]) == {"2026-09-05"}


def test_dates_day_first_and_iso(world):
    store, _pseudonymiser, _, _ = world
    links = store.read_version().links
    peer = links[links["link_type"] == "peer_association"].iloc[0]
    assert (peer["first_seen"], peer["last_seen"]) == ("2026-06-01", "2026-10-01")
    assert peer["review_by"] == "2027-10-01"


def test_lookup_finds_codes_and_place_ids(world):
    store, pseudonymiser, _, _ = world
    assert lookup(store, " 007", pseudonymiser) == pseudonymiser.code("007", "YP")
    assert lookup(store, "PL-1", pseudonymiser) == "PL-1"
    assert lookup(store, "nobody", pseudonymiser) is None


@pytest.mark.parametrize(
    "bad_links,kind",
    [
        ("007,007,peer,2026-01-01,2026-01-02,police,2BP,1,", "link to itself"),
        ("007,CS-2,peer,2026-01-01,2026-01-02,police,4BP,1,", "invalid grading"),
        ("007,CS-2,peer,31/02/2026,2026-01-02,police,2BP,1,", "unparseable date"),
        ("007,CS-2,peer,03/25/2026,,police,2BP,1,", "unparseable date"),
        ("007,CS-2,best friends forever,2026-01-01,,police,2BP,1,", "unknown link type"),
    ],
)
def test_errors_refuse_the_whole_import(world, bad_links, kind):
    store, pseudonymiser, _, tmp_path = world
    folder = tmp_path / "bad"
    folder.mkdir()
    sources = write(folder, entities=ENTITIES, links=LINKS + bad_links + "\n")
    with pytest.raises(ImportFailed) as failure:
        import_files(sources, store, pseudonymiser)
    problems = [p for p in failure.value.problems if p.severity == "error"]
    assert problems and problems[0].kind == kind
    assert problems[0].file == "links.csv" and problems[0].row == 8
    assert store.latest_version() == 1  # nothing stored
    assert "Zo" not in str(problems[0])


def test_unknown_entity_type_is_an_error(world):
    store, pseudonymiser, _, tmp_path = world
    folder = tmp_path / "bad"
    folder.mkdir()
    sources = write(folder, entities=ENTITIES + "X-1,dragon,Smaug,,,,,,,,,,,,,\n")
    with pytest.raises(ImportFailed) as failure:
        import_files(sources, store, pseudonymiser)
    [problem] = [p for p in failure.value.problems if p.severity == "error"]
    assert (problem.row, problem.column, problem.kind) == (8, "entity_type", "unknown entity type")


def test_ids_stay_text(world):
    store, pseudonymiser, _, _tmp_path = world
    assert pseudonymiser.code("007", "YP") != pseudonymiser.code("7", "YP")
    assert lookup(store, "7", pseudonymiser) is None


def test_a_new_version_can_add_to_the_last(world):
    store, pseudonymiser, _, tmp_path = world
    folder = tmp_path / "next"
    folder.mkdir()
    sources = write(
        folder,
        links="source_id,target_id,link_type,first_seen,source_agency,grading\n"
        "CS-3,GHOST-9,peer,2026-11-01,social care,2CP\n",
    )
    result = import_files(
        sources, store, pseudonymiser, add_to_latest=True, today=date(2026, 11, 29)
    )
    tables = store.read_version(result.version)
    assert result.version == 2
    assert len(tables.links) == len(store.read_version(1).links) + 1
    assert store.version_info(2)["based_on"] == 1
