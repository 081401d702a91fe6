"""The fictional sample world: deterministic, self-consistent, its planted structures really in
the data, and the shipped copy in sample_data/ equal to a fresh ``generate()``."""

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from mapping.model import (
    LIST_COLUMNS,
    LIST_SEPARATOR,
    MODEL,
    TEMPLATE_COLUMNS,
    parse_grading,
)
from mapping.sample import NORTH_SEA, NOTICE, generate

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "sample_data"
TEXT_FILES = (
    "entities.csv",
    "links.csv",
    "incidents.csv",
    "postcodes.csv",
    "ground_truth.json",
    "districts.geojson",
)
WORKBOOKS = ("sample_world.xlsx", "template.xlsx")


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A fresh default world: (folder, ground truth, {sheet: rows}, {entity id: row})."""
    folder = tmp_path_factory.mktemp("sample")
    truth = generate(folder)
    sheets = {name: read_csv(folder / f"{name}.csv") for name in TEMPLATE_COLUMNS}
    return folder, truth, sheets, {e["entity_id"]: e for e in sheets["entities"]}


def links_of(sheets, link_type):
    return [k for k in sheets["links"] if k["link_type"] == link_type]


def pairs(sheets, link_type):
    return {(k["source_id"], k["target_id"]) for k in links_of(sheets, link_type)}


def harms(entities, entity_id):
    return set(filter(None, entities[entity_id]["harms"].split(LIST_SEPARATOR)))


def workbook_values(path: Path) -> dict:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


# -- determinism and the shipped copy --------------------------------------------------------
def test_same_seed_gives_identical_files(tmp_path):
    generate(tmp_path / "a", young_people=120, seed=7)
    generate(tmp_path / "b", young_people=120, seed=7)
    for name in TEXT_FILES + WORKBOOKS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_another_seed_gives_another_world(tmp_path):
    generate(tmp_path / "a", young_people=120, seed=7)
    generate(tmp_path / "b", young_people=120, seed=8)
    for name in ("entities.csv", "links.csv", "ground_truth.json"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_shipped_sample_data_equals_a_fresh_generate(world):
    folder = world[0]
    for name in TEXT_FILES:
        assert (SHIPPED / name).read_bytes() == (folder / name).read_bytes(), (
            f"sample_data/{name} drifted from mapping/sample.py: regenerate it"
        )
    for name in WORKBOOKS:  # compared by content: zlib output may differ between machines
        assert workbook_values(SHIPPED / name) == workbook_values(folder / name), name


def test_too_small_a_world_is_refused(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, young_people=20)


def test_a_smaller_world_keeps_its_plants(tmp_path):
    truth = generate(tmp_path, young_people=100, seed=3)
    assert truth["counts"]["young_people"] == 100
    assert len(truth["county_lines"]["young_people"]) == 12
    assert len(truth["overlap_cluster"]["young_people"]) == 8
    assert len(set(truth["radicalisation_school"]["peer_groups"].values())) == 5


# -- shape and validity ----------------------------------------------------------------------
def test_files_have_exactly_the_template_columns(world):
    folder = world[0]
    for name, columns in TEMPLATE_COLUMNS.items():
        with open(folder / f"{name}.csv", encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == list(columns)
    sheets = workbook_values(folder / "sample_world.xlsx")
    assert list(sheets) == ["README", *TEMPLATE_COLUMNS]
    assert any(NOTICE in str(cell) for row in sheets["README"] for cell in row)
    for name, columns in TEMPLATE_COLUMNS.items():
        assert sheets[name][0] == columns
        assert len(sheets[name]) - 1 == len(world[2][name])


def test_ids_in_the_workbook_are_text(world):
    book = openpyxl.load_workbook(world[0] / "sample_world.xlsx")
    for name, id_columns in (
        ("entities", ("entity_id",)),
        ("links", ("source_id", "target_id")),
        ("incidents", ("incident_id", "place_id", "person_id")),
    ):
        sheet = book[name]
        for position in [TEMPLATE_COLUMNS[name].index(c) for c in id_columns]:
            cells = [row[position] for row in sheet.iter_rows(min_row=2) if row[position].value]
            assert cells and all(c.data_type == "s" for c in cells)


def test_entities_use_only_model_vocabulary(world):
    _, _, sheets, entities = world
    assert len(entities) == len(sheets["entities"]), "entity ids must be unique"
    vocabularies = {
        "entity_type": MODEL.entity_types,
        "ideology": MODEL.ideologies,
        "case_status": MODEL.case_statuses,
        "place_kind": MODEL.place_kinds,
        "adult_role": MODEL.adult_roles,
    }
    for row in sheets["entities"]:
        for column, vocab in vocabularies.items():
            assert row[column] == "" or row[column] in vocab, (column, row[column])
        for column, vocab in LIST_COLUMNS.items():
            for key in filter(None, row[column].split(LIST_SEPARATOR)):
                assert key in getattr(MODEL, vocab), (column, key)
        assert row["age_band"] in ("", *MODEL.age_bands) and row["sex"] in ("", *MODEL.sexes)
        assert bool(row["ideology"]) == ("radicalisation" in row["harms"]), row["entity_id"]
        assert bool(row["place_kind"]) == (row["entity_type"] == "place")
        assert bool(row["adult_role"]) == (row["entity_type"] == "adult")
        if row["entity_type"] == "young_person":
            assert row["age_band"] in ("10-12", "13-15", "16-17")
        if row["entity_type"] == "adult":
            assert row["age_band"] in ("18-24", "25+")
        if row["entity_type"] == "online_space":
            assert row["platform"]


def test_links_and_incidents_are_valid(world):
    _, _, sheets, _ = world
    for k in sheets["links"]:
        assert k["source_id"] != k["target_id"]
        assert k["link_type"] in MODEL.link_types and k["source_agency"] in MODEL.source_agencies
        assert parse_grading(k["grading"]) is not None, k["grading"]
        first, last = date.fromisoformat(k["first_seen"]), date.fromisoformat(k["last_seen"])
        assert date(2022, 1, 1) <= first <= last <= date(2026, 11, 15)
        assert 1 <= int(k["weight"]) <= 5
    recent = [k for k in sheets["links"] if k["last_seen"] >= "2025-06-01"]
    stale = [k for k in sheets["links"] if k["last_seen"] < "2024-11-29"]
    assert stale and len(recent) > 0.9 * len(sheets["links"])
    gradings = [k["grading"] for k in sheets["links"]]
    assert (
        any("/" in g for g in gradings) and sum("/" not in g for g in gradings) > len(gradings) / 2
    )
    handled = Counter(
        k["source_agency"]
        for k in sheets["links"]
        if parse_grading(k["grading"]).handling_code == "C"
    )
    assert handled and handled.most_common(1)[0][0] == "police"
    for row in sheets["incidents"]:
        assert row["role"] in MODEL.incident_roles and row["source_agency"] in MODEL.source_agencies
        assert parse_grading(row["grading"]) is not None and date.fromisoformat(row["date"])


def test_incidents_name_two_to_six_people_at_a_place(world):
    _, _, sheets, entities = world
    by_incident: dict[str, list[dict]] = {}
    for row in sheets["incidents"]:
        by_incident.setdefault(row["incident_id"], []).append(row)
    assert 30 <= len(by_incident) <= 50
    for rows in by_incident.values():
        assert 2 <= len(rows) <= 6 and len({r["place_id"] for r in rows}) == 1
        assert entities[rows[0]["place_id"]]["entity_type"] == "place"
        for r in rows:
            if entities[r["person_id"]]["entity_type"] == "adult":
                assert r["role"] == "person_of_concern"


def test_every_reference_resolves_except_the_recorded_dangling_ones(world):
    _, truth, sheets, entities = world
    dangling = [
        k
        for k in sheets["links"]
        if k["source_id"] not in entities or k["target_id"] not in entities
    ]
    recorded = truth["dangling_references"]
    assert len(dangling) == len(recorded) == 2
    assert sorted((k["source_id"], k["target_id"], k["link_type"]) for k in dangling) == sorted(
        (d["source_id"], d["target_id"], d["link_type"]) for d in recorded
    )
    for row in sheets["incidents"]:
        assert row["person_id"] in entities and row["place_id"] in entities


def test_every_raw_id_in_ground_truth_is_an_entity(world):
    _, truth, _, entities = world
    text = json.dumps({k: v for k, v in truth.items() if k != "dangling_references"})
    ids = set(re.findall(r'"((?:CS|NOM|PL|ON|GR)-\d+)"', text))
    assert ids and ids <= set(entities)


# -- fictional people and places -------------------------------------------------------------
def test_people_have_fictional_looking_names_many_with_accents(world):
    people = [
        e["label"] for e in world[2]["entities"] if e["entity_type"] in ("young_person", "adult")
    ]
    assert len(set(people)) == len(people)
    assert sum(not label.isascii() for label in people) > 0.3 * len(people)
    assert not [label for label in people if "nominal" in label.casefold()]


def test_every_coordinate_is_in_the_north_sea(world):
    folder, _, sheets, _ = world
    south, north, west, east = NORTH_SEA
    points = [(float(e["lat"]), float(e["lon"])) for e in sheets["entities"] if e["lat"]]
    points += [(float(p["lat"]), float(p["lon"])) for p in read_csv(folder / "postcodes.csv")]
    assert points and all(south <= lat <= north and west <= lon <= east for lat, lon in points)


def test_postcodes_are_fictional_and_all_looked_up(world):
    folder, _, sheets, _ = world
    lookup = {p["postcode"]: p for p in read_csv(folder / "postcodes.csv")}
    places = [e for e in sheets["entities"] if e["entity_type"] == "place"]
    codes = {d["name"]: d["postcode_district"] for d in world[1]["districts"]}
    for place in places:
        assert re.fullmatch(r"FX\d \d[A-Z]{2}", place["postcode"]), place["postcode"]
        assert lookup[place["postcode"]]["district"] == place["district"]
        assert place["postcode"].split()[0] == codes[place["district"]]
    assert any(not p["lat"] and p["postcode"] for p in places), "postcode-only places"
    assert {e["postcode"] for e in sheets["entities"] if e["postcode"]} <= set(lookup)


def test_districts_tile_the_box_and_hold_their_places(world):
    folder, _, sheets, _ = world
    features = json.loads((folder / "districts.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == 7
    boxes = {}
    for f in features:
        ring = f["geometry"]["coordinates"][0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        boxes[f["properties"]["name"]] = (min(lats), max(lats), min(lons), max(lons))
        assert f["properties"]["code"] and ring[0] == ring[-1]
    area = sum((n - s) * (e - w) for s, n, w, e in boxes.values())
    south, north, west, east = NORTH_SEA
    assert area == pytest.approx((north - south) * (east - west))
    assert {e["district"] for e in sheets["entities"] if e["district"]} == set(boxes)
    for e in sheets["entities"]:
        if e["lat"]:
            s, n, w, east_ = boxes[e["district"]]
            assert s <= float(e["lat"]) <= n and w <= float(e["lon"]) <= east_


# -- planted structures ----------------------------------------------------------------------
def test_schools_are_popular_and_everyone_attends_one(world):
    _, _, sheets, entities = world
    schools = {k: e for k, e in entities.items() if e["place_kind"] == "school"}
    assert 8 <= len(schools) <= 10
    young = {k for k, e in entities.items() if e["entity_type"] == "young_person"}
    attending = Counter(s for _, s in pairs(sheets, "attends"))
    assert {s for s, _ in pairs(sheets, "attends")} == young
    assert set(attending) <= set(schools) and min(attending.values()) >= 12


def test_county_lines_network(world):
    _, truth, sheets, entities = world
    plant = truth["county_lines"]
    assert 10 <= len(plant["young_people"]) <= 14 and len(plant["adults"]) == 2
    assert entities[plant["trap_house"]]["place_kind"] == "address"
    assert {entities[y]["district"] for y in plant["young_people"]} == set(plant["districts"])
    exploited = pairs(sheets, "victim_offender")
    frequent = pairs(sheets, "frequents")
    for y in plant["young_people"]:
        assert "cce" in harms(entities, y)
        assert any((y, a) in exploited for a in plant["adults"])
        assert (y, plant["trap_house"]) in frequent
    for a in plant["adults"]:
        assert entities[a]["adult_role"] == "person_of_concern"
        assert (a, plant["trap_house"]) in frequent
    assert plant["missing"] and all("missing" in harms(entities, y) for y in plant["missing"])
    contacts = pairs(sheets, "contact")
    assert any((a, y) in contacts for a in plant["adults"] for y in plant["young_people"])


def test_cse_group_around_a_takeaway_and_a_hotel(world):
    _, truth, sheets, entities = world
    plant = truth["cse_group"]
    assert entities[plant["takeaway"]]["place_kind"] == "takeaway"
    assert entities[plant["hotel"]]["place_kind"] == "hotel"
    assert 2 <= len(plant["adults"]) <= 3
    frequent, exploited = pairs(sheets, "frequents"), pairs(sheets, "victim_offender")
    for y in plant["young_people"]:
        assert "cse" in harms(entities, y) and entities[y]["district"] == plant["district"]
        assert (y, plant["takeaway"]) in frequent and (y, plant["hotel"]) in frequent
        assert any((y, a) in exploited for a in plant["adults"])
    assert plant["district"] not in truth["county_lines"]["districts"]


def test_online_server_gathers_radicalisation_flags(world):
    _, truth, sheets, entities = world
    plant = truth["online_server"]
    server = plant["online_space"]
    assert entities[server]["entity_type"] == "online_space" and entities[server]["platform"]
    members = {s for s, t in pairs(sheets, "member_of") if t == server}
    assert members == set(plant["young_people"]) and len(members) >= 8
    ideologies = Counter(entities[y]["ideology"] for y in members)
    assert all("radicalisation" in harms(entities, y) for y in members)
    assert ideologies.most_common(1)[0][0] == "mixed_unclear" and len(ideologies) > 1


def test_overlap_cluster_is_one_strong_peer_group_of_cce_and_radicalisation(world):
    _, truth, sheets, entities = world
    plant = truth["overlap_cluster"]
    young = plant["young_people"]
    flags = set().union(*(harms(entities, y) for y in young))
    assert set(plant["harms_expected"]) == {"cce", "radicalisation"} and flags >= {
        "cce",
        "radicalisation",
    }
    assert 3 <= len(plant["cce"]) <= 4 and 3 <= len(plant["radicalisation"]) <= 4
    assert set(plant["cce"]) <= set(truth["county_lines"]["young_people"])
    assert set(plant["radicalisation"]) <= set(truth["online_server"]["young_people"])
    strong = {
        frozenset((k["source_id"], k["target_id"]))
        for k in links_of(sheets, "peer_association")
        if int(k["weight"]) >= 4 and parse_grading(k["grading"]).handling_code == "P"
    }
    assert all(frozenset((a, b)) in strong for a in young for b in young if a != b)


def test_radicalisation_school_pupils_come_from_different_peer_groups(world):
    _, truth, sheets, entities = world
    plant = truth["radicalisation_school"]
    assert entities[plant["school"]]["place_kind"] == "school"
    assert 4 <= len(plant["young_people"]) <= 5
    attends = pairs(sheets, "attends")
    for y in plant["young_people"]:
        assert (y, plant["school"]) in attends and "radicalisation" in harms(entities, y)
    groups = [plant["peer_groups"][y] for y in plant["young_people"]]
    assert None not in groups and len(set(groups)) == len(groups)
    peers = pairs(sheets, "peer_association")
    assert not any((a, b) in peers for a in plant["young_people"] for b in plant["young_people"])


def test_protective_contexts_and_trusted_adults(world):
    _, truth, sheets, entities = world
    plant = truth["protective"]
    assert 2 <= len(plant["youth_clubs"]) <= 3
    assert all(entities[c]["place_kind"] == "youth_club" for c in plant["youth_clubs"])
    trusted = pairs(sheets, "trusted_relationship")
    assert trusted == {tuple(t) for t in plant["trusted_relationships"]}
    for a in plant["trusted_adults"]:
        assert entities[a]["adult_role"] == "trusted_adult"
        assert any(adult == a for _, adult in trusted)
    for y, _ in trusted:
        assert "trusted_adult" in entities[y]["protective_factors"].split(LIST_SEPARATOR)


def test_background_young_people_carry_few_flags(world):
    _, truth, _, entities = world
    planted = {
        y
        for key in ("county_lines", "cse_group", "online_server", "radicalisation_school")
        for y in truth[key]["young_people"]
    }
    background = [
        e for k, e in entities.items() if e["entity_type"] == "young_person" and k not in planted
    ]
    flagged = [e for e in background if e["harms"]]
    assert len(background) > 200 and len(flagged) < 0.2 * len(background)
    assert not [
        e
        for e in background
        if {"cce", "cse", "radicalisation"} & set(e["harms"].split(LIST_SEPARATOR))
    ]


def test_template_is_blank_and_describes_every_column(world):
    sheets = workbook_values(world[0] / "template.xlsx")
    assert list(sheets) == ["README", *TEMPLATE_COLUMNS]
    for name, columns in TEMPLATE_COLUMNS.items():
        assert sheets[name] == [columns]
    header, *rows = sheets["README"]
    described = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows if r and r[1]}
    assert set(described) == {(s, c) for s, cols in TEMPLATE_COLUMNS.items() for c in cols}
    assert described["entities", "harms"]["list separator"] == LIST_SEPARATOR
    assert described["entities", "entity_id"]["required"] == "yes"
    allowed = described["links", "link_type"]["allowed values"].split(", ")
    assert allowed and set(allowed) <= set(MODEL.link_types.keys())
