"""The analysis finds every structure planted in the fictional sample world
(sample_data/ground_truth.json), as the analyst and as the police see it."""

from __future__ import annotations

import pytest

from mapping.analysis.report import analyse
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, stored_id


@pytest.fixture(scope="module", params=["analyst", "police"])
def found(request, sample_world):
    store, pseudonymiser, truth = sample_world
    tables = store.read_version()
    scoped = build_scoped_graph(tables, Scope(role=request.param, today=TODAY), 1)
    report = analyse(scoped)

    def code(raw):
        return stored_id(tables, pseudonymiser, raw)

    return report, truth, code, scoped


def _hotspot(report, entity_id):
    matches = [h for h in report["hotspots"] if h["id"] == entity_id]
    assert matches, f"{entity_id} is not reported as a hotspot"
    return matches[0]


def test_county_lines_adults_are_connectors_and_the_trap_house_a_hotspot(found):
    report, truth, code, _ = found
    planted = truth["county_lines"]
    connectors = {c["id"]: c for c in report["connectors"]}
    young = {code(y) for y in planted["young_people"]}
    for adult in planted["adults"]:
        connector = connectors.get(code(adult))
        assert connector, f"county lines adult {adult} is not listed as a connector"
        assert connector["kind"] == "person_of_concern"
        assert len(young & set(connector["young_people"])) >= 3
    trap = _hotspot(report, code(planted["trap_house"]))
    assert trap["kind"] == "address"
    assert trap["harms"].get("cce", 0) >= 0.5 * len(young)


def test_cse_takeaway_and_hotel_are_cse_hotspots(found):
    report, truth, code, _ = found
    planted = truth["cse_group"]
    young = {code(y) for y in planted["young_people"]}
    for place, kind in ((planted["takeaway"], "takeaway"), (planted["hotel"], "hotel")):
        spot = _hotspot(report, code(place))
        assert spot["kind"] == kind
        assert len(young & set(spot["young_people"])) >= 0.75 * len(young)
        assert code(place) in report["hotspots_by_harm"]["cse"]


def test_online_server_is_a_radicalisation_hotspot(found):
    report, truth, code, _ = found
    planted = truth["online_server"]
    spot = _hotspot(report, code(planted["online_space"]))
    assert spot["kind"] == "online_space"
    assert spot["harms"].get("radicalisation", 0) >= 5
    flagged = {code(y) for y, ideology in planted["ideologies"].items() if ideology}
    assert len(flagged & set(spot["young_people"])) >= 5


def test_overlap_cluster_holds_the_planted_young_people_with_both_harms(found):
    report, truth, code, _ = found
    planted = {code(y) for y in truth["overlap_cluster"]["young_people"]}
    best = max(report["clusters"], key=lambda c: len(planted & set(c["members"])))
    assert len(planted & set(best["members"])) >= 0.75 * len(planted)
    assert best["overlap"] is True
    assert set(truth["overlap_cluster"]["harms_expected"]) <= set(best["harms"])
    assert best["id"] in {c["id"] for c in report["cluster_overlaps"]}
    assert best["evidence"]


def test_radicalisation_school_has_pupils_from_different_peer_groups(found):
    report, truth, code, _ = found
    planted = truth["radicalisation_school"]
    school = _hotspot(report, code(planted["school"]))
    pupils = {code(y) for y in planted["young_people"]}
    assert school["kind"] == "school"
    assert pupils <= set(school["young_people"])
    assert school["pupils_in_different_peer_groups"] is True
    assert len(school["peer_groups"]) >= 2
    assert code(planted["school"]) in report["schools_with_split_peer_groups"]


def test_protective_places_and_trusted_adults_are_listed_beside_risk(found):
    report, truth, code, _ = found
    planted = truth["protective"]
    places = {code(p) for p in planted["youth_clubs"] + planted["sports_clubs"]}
    adults = {code(a) for a in planted["trusted_adults"]}
    assert places <= set(report["protective"]["protective_places"])
    assert adults <= set(report["protective"]["trusted_adults"])
    assert report["summary"]["trusted_adults"] == len(report["protective"]["trusted_adults"])
    trusted_connectors = [c for c in report["connectors"] if c["id"] in adults]
    assert all(c["protective"] and c["kind"] == "trusted_adult" for c in trusted_connectors)


def test_a_district_view_keeps_to_its_young_people(found, sample_world):
    _, truth, code, scoped = found
    district = truth["cse_group"]["district"]
    store, _, _ = sample_world
    tables = store.read_version()
    local = build_scoped_graph(
        tables, Scope(role=scoped.scope.role, today=TODAY, districts=(district,)), 1
    )
    report = analyse(local)
    entities = tables.entities.set_index("entity_id")
    young = {p for c in report["clusters"] for p in c["young_people"]}
    young |= {p for h in report["hotspots"] for p in h["young_people"]}
    assert young and {entities.loc[p, "district"] for p in young} == {district}
    assert code(truth["cse_group"]["takeaway"]) in {h["id"] for h in report["hotspots"]}
