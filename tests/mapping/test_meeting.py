"""Meeting mode: agenda one section per district of the sample world, actions carried
forward as outstanding, the documented tactic list, and role redactions in the agenda."""

from __future__ import annotations

from datetime import date

import pytest

from mapping import meeting as mt
from mapping.graph import Scope, build_scoped_graph

CHAIR = mt.Actor("chair-1", "chair")


@pytest.fixture(scope="module")
def held(sample_world):
    """Two meetings on the sample world; one action agreed at the first, one done."""
    store, _p, _truth = sample_world
    first = mt.save_meeting(store, date(2026, 7, 1), by=CHAIR)
    open_id = mt.record_action(
        store,
        first["id"],
        by=CHAIR,
        district="Eastbrook",
        target_kind="context",
        target_id="PL-001",
        tactic="cawn",
        owner_agency="police",
        due_date=date(2026, 8, 1),
    )
    done_id = mt.record_action(
        store,
        first["id"],
        by=CHAIR,
        district="Eastbrook",
        target_kind="cluster",
        target_id="C01",
        tactic="school_workshop",
        owner_agency="education",
        due_date=date(2026, 12, 1),
    )
    mt.close_action(store, done_id, "done", by=CHAIR, outcome="workshop held", on=date(2026, 9, 1))
    second = mt.save_meeting(store, date(2026, 10, 1), by=CHAIR)
    return store, first, second, open_id, done_id


def test_next_meeting_shows_open_action_as_outstanding(held):
    store, first, second, open_id, done_id = held
    assert second["previous_meeting_id"] == first["id"]
    ids = [a["id"] for a in mt.outstanding_actions(store, second["meeting_date"])]
    assert ids == [open_id]  # the done action is not carried forward
    row = mt.outstanding_actions(store, second["meeting_date"])[0]
    assert row["overdue"] and row["agreed_at"] == "2026-07-01"
    assert mt.outstanding_actions(store, first["meeting_date"]) == []


def test_agenda_has_one_section_per_district(held):
    store, _first, second, open_id, done_id = held
    agenda = mt.build_agenda(store, second, role="chair")
    districts = [i.district for i in agenda.districts]
    truth_districts = (
        held[0]
        .read_version()
        .entities.query("entity_type == 'young_person'")["district"]
        .dropna()
        .unique()
    )
    assert sorted(districts) == sorted(truth_districts) and len(districts) == 7
    review = agenda.items[0].sections["outstanding_actions"]
    assert [r["id"] for r in review] == [open_id, done_id]  # open, and done since the last one
    assert review[1]["status"] == "done 2026-09-01" and review[1]["outcome"] == "workshop held"
    east = next(i for i in agenda.items if i.district == "Eastbrook")
    assert east.sections["outstanding_actions"][0]["id"] == open_id
    assert east.sections["changes"] is not None  # there was a previous meeting
    for item in agenda.districts:
        for hotspot in item.sections["hotspots"]:
            assert hotspot["evidence"], "every highlight carries its evidence"


def test_partner_agenda_has_no_adults_of_concern(held):
    store, _first, second, *_ = held
    agenda = mt.build_agenda(store, second, role="partner")
    assert all(not i.sections["adults_of_concern"] for i in agenda.districts)
    chair = mt.build_agenda(store, second, role="chair")
    assert any(i.sections["adults_of_concern"] for i in chair.districts)  # redaction, not absence


def test_adults_of_concern_need_several_young_people(make_tables):
    entities = [
        {"entity_id": f"Y{i}", "entity_type": "young_person", "district": "A"} for i in range(3)
    ]
    entities += [
        {"entity_id": "A1", "entity_type": "adult", "adult_role": "person_of_concern"},
        {"entity_id": "A2", "entity_type": "adult", "adult_role": "person_of_concern"},
        {"entity_id": "T1", "entity_type": "adult", "adult_role": "trusted_adult"},
    ]
    links = [
        {"source_id": "A1", "target_id": "Y0"},
        {"source_id": "A1", "target_id": "Y1"},
        {"source_id": "A2", "target_id": "Y2"},
        {"source_id": "T1", "target_id": "Y0"},
        {"source_id": "T1", "target_id": "Y2"},
    ]
    scoped = build_scoped_graph(make_tables(entities, links), Scope(today=date(2026, 11, 1)))
    found = mt.adults_of_concern(scoped)
    assert [a["id"] for a in found] == ["A1"]
    assert found[0]["young_people"] == 2 and len(found[0]["evidence"]) == 2


def test_actions_use_the_documented_lists(held):
    store, first, *_ = held
    with pytest.raises(ValueError):
        mt.record_action(
            store,
            first["id"],
            by=CHAIR,
            district=None,
            target_kind="context",
            target_id="PL-001",
            tactic="arrest_everyone",
            owner_agency="police",
            due_date=date(2026, 8, 1),
        )
    with pytest.raises(ValueError):
        mt.record_action(
            store,
            first["id"],
            by=CHAIR,
            district=None,
            target_kind="young_person",
            target_id="YP-1",
            tactic="cawn",
            owner_agency="police",
            due_date=date(2026, 8, 1),
        )
    assert {
        "cawn",
        "location_patrols",
        "school_workshop",
        "licensing_visit",
        "online_platform_referral",
        "closure_order",
    } <= set(mt.TACTICS.keys())


def _district_item() -> mt.AgendaItem:
    """A hand-made district item: two contexts (a hotspot and an online space), a cluster,
    one adult of concern and no schools."""
    return mt.AgendaItem(
        key="district:A",
        title="District: A",
        district="A",
        sections={
            "hotspots": [{"code": "PL-002"}],
            "clusters": [{"code": "C01"}],
            "adults_of_concern": [{"id": "AD-007"}],
            "themes": {"schools": [], "online_spaces": [{"code": "ON-001"}]},
        },
    )


def test_action_codes_follow_the_chosen_target_kind():
    item = _district_item()
    assert mt.action_target_kinds(item) == ["context", "cluster", "person"]
    assert mt.action_targets(item, "context") == ["ON-001", "PL-002"]
    assert mt.action_targets(item, "cluster") == ["C01"]
    assert mt.action_targets(item, "person") == ["AD-007"]
    with pytest.raises(ValueError):
        mt.action_targets(item, "young_person")


def test_kinds_without_codes_are_not_offered():
    item = _district_item()
    item.sections["adults_of_concern"] = []  # e.g. the partner role, or none in the period
    assert mt.action_target_kinds(item) == ["context", "cluster"]
    assert mt.action_targets(item, "person") == []
    opening = mt.AgendaItem(key="opening", title="Opening", district=None)
    assert mt.action_target_kinds(opening) == []


def test_agenda_role_note_names_the_role():
    assert "MACE chair" in mt.agenda_role_note("chair")
    assert "Partner agency" in mt.agenda_role_note("partner")


def test_agenda_keeps_its_own_cluster_rule(make_tables):
    """An adults' network is reported by the analysis (issue 13) but the agenda raises only
    clusters linking two or more young people."""
    from mapping.analysis.report import analyse

    entities = [
        {"entity_id": f"Y{i}", "entity_type": "young_person", "district": "A"} for i in range(4)
    ]
    entities += [{"entity_id": f"A{i}", "entity_type": "adult", "district": "A"} for i in range(4)]
    links = [
        {"source_id": a, "target_id": b}
        for group in (["Y0", "Y1", "Y2", "Y3"], ["A0", "A1", "A2", "A3"])
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    ]
    links.append({"source_id": "Y0", "target_id": "A0"})
    scoped = build_scoped_graph(make_tables(entities, links), Scope(today=date(2026, 11, 1)))
    report = analyse(scoped)
    networks = {c["network"] for c in report["clusters"]}
    assert networks == {"young_people", "adults"}  # the analysis reports both
    item = mt.district_item(scoped, report, "A", [])
    shown = item.sections["clusters"]
    assert len(shown) == 1
    assert shown[0]["young_people"] == 4
