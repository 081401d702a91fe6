"""The canonical model: one declaration, read everywhere."""

import doctest

import pytest

import mapping.model
from mapping.model import MODEL, TEMPLATE_COLUMNS, load_model, parse_grading, parse_minimum


def test_doctests_in_model_pass():
    assert doctest.testmod(mapping.model).failed == 0


def test_issue_vocabularies_are_declared():
    assert {"young_person", "adult", "place", "online_space", "group"} <= set(
        MODEL.entity_types.keys()
    )
    assert {"cce", "cse", "radicalisation", "missing", "serious_youth_violence"} <= set(
        MODEL.harms.keys()
    )
    assert MODEL.harms["radicalisation"].flag("has_ideology")
    assert {
        "police",
        "social_care",
        "education",
        "youth_justice",
        "health",
        "voluntary_sector",
        "prevent",
    } <= set(MODEL.source_agencies.keys())
    assert {"early_help", "child_in_need", "child_protection", "channel"} <= set(
        MODEL.case_statuses.keys()
    )
    assert {"analyst", "chair", "practitioner", "partner", "police"} <= set(MODEL.roles)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2BP", ("2", "B", "P")),
        ("1/a/c", ("1", "A", "C")),
        (" 3 E P ", ("3", "E", "P")),
        ("2-B-C", ("2", "B", "C")),
    ],
)
def test_grading_parses(text, expected):
    g = parse_grading(text)
    assert (g.source_evaluation, g.intelligence_assessment, g.handling_code) == expected


@pytest.mark.parametrize("text", ["4AP", "1FP", "1AX", "", "AB1", "1A", None])
def test_grading_outside_3x5x2_is_refused(text):
    assert parse_grading(text) is None


def test_minimum_grading_orders_both_scales():
    assert parse_grading("1AP").at_least("2B")
    assert parse_grading("2BC").at_least("2B")
    assert not parse_grading("3AP").at_least("2B")
    assert not parse_grading("1CP").at_least("2B")
    with pytest.raises(ValueError):
        parse_minimum("9Z")


def test_synonyms_normalise_case_and_spacing():
    assert MODEL.link_types.normalise("Victim-Offender") == "victim_offender"
    assert MODEL.entity_types.normalise("  Young   Person ") == "young_person"
    assert MODEL.incident_roles.normalise("Suspect") == "person_of_concern"
    assert MODEL.incident_roles.normalise("Injured Party") == "victim"
    assert MODEL.harms.normalise("nonsense") is None


def test_adding_a_harm_is_a_one_place_change(tmp_path):
    text = mapping.model.MODEL_FILE.read_text(encoding="utf-8").replace(
        "harms:\n",
        "harms:\n  harmful_sexual_behaviour: {label: Harmful sexual behaviour, "
        'short: HSB, colour: "#123456"}\n',
        1,
    )
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    model = load_model(path)
    assert model.harms.normalise("harmful sexual behaviour") == "harmful_sexual_behaviour"
    assert "harmful_sexual_behaviour" not in MODEL.harms


def test_people_and_private_places_are_pseudonymised():
    assert MODEL.is_pseudonymised("young_person")
    assert MODEL.is_pseudonymised("adult")
    assert MODEL.is_pseudonymised("unknown")
    assert MODEL.is_pseudonymised("place", "address")
    assert not MODEL.is_pseudonymised("place", "school")
    assert not MODEL.is_pseudonymised("online_space")


def test_template_has_the_issue_columns():
    assert TEMPLATE_COLUMNS["links"][:9] == (
        "source_id",
        "target_id",
        "link_type",
        "first_seen",
        "last_seen",
        "source_agency",
        "grading",
        "weight",
        "notes",
    )
    assert TEMPLATE_COLUMNS["incidents"][:6] == (
        "incident_id",
        "date",
        "place_id",
        "person_id",
        "source_agency",
        "grading",
    )
