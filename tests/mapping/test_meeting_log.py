"""The action log and who may change it: only the roles model.yaml allows set up meetings
and record or close actions, every change is audited, an action is closed with an outcome
and reviewed at the next meeting, and an action against a subject the reader's role may
not see (an adult reachable only through handling-code C links) leaves no trace in that
role's agenda, meeting page data or packs."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader

from mapping import meeting as mt
from mapping.audit import list_audit
from mapping.export.pack import pack_data
from mapping.export.pack_files import build_pack
from mapping.permissions import PermissionDenied
from mapping.store import Store
from tests.mapping.conftest import tables_from

CHAIR = mt.Actor("chair-1", "chair")
POLICE = mt.Actor("police-1", "police")
PARTNER = mt.Actor("partner-1", "partner")
HIDDEN = "AD-CONLY00001"  # an adult of concern known only through handling-code C links


def c_only_world():
    entities = [
        {
            "entity_id": "PL-001",
            "entity_type": "place",
            "district": "A",
            "label": "Bus station",
            "place_kind": "transport_hub",
            "lat": 52.0,
            "lon": -1.0,
        },
        {"entity_id": HIDDEN, "entity_type": "adult", "adult_role": "person_of_concern"},
    ]
    links = []
    for i in range(3):
        person = f"YP-{i:011d}"
        entities.append(
            {"entity_id": person, "entity_type": "young_person", "district": "A", "harms": "cce"}
        )
        links.append({"source_id": person, "target_id": "PL-001", "link_type": "frequents"})
        links.append(
            {"source_id": HIDDEN, "target_id": person, "link_type": "contact", "handling_code": "C"}
        )
    return tables_from(entities, links)


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    store.write_version(c_only_world(), created_by="test", sources=[])
    return store


def test_partner_may_not_set_up_record_or_close_and_is_audited(store):
    with pytest.raises(PermissionDenied):
        mt.save_meeting(store, date(2026, 11, 1), by=PARTNER)
    assert mt.list_meetings(store) == []
    meeting = mt.save_meeting(store, date(2026, 11, 1), by=CHAIR)
    with pytest.raises(PermissionDenied):
        mt.record_action(
            store,
            meeting["id"],
            by=PARTNER,
            district="A",
            target_kind="context",
            target_id="PL-001",
            tactic="location_patrols",
            owner_agency="police",
            due_date=date(2026, 12, 1),
        )
    action = mt.record_action(
        store,
        meeting["id"],
        by=CHAIR,
        district="A",
        target_kind="context",
        target_id="PL-001",
        tactic="location_patrols",
        owner_agency="police",
        due_date=date(2026, 12, 1),
    )
    with pytest.raises(PermissionDenied):
        mt.close_action(store, action, "done", by=PARTNER, outcome="x", on=date(2026, 11, 2))
    assert mt.meeting_actions(store, meeting["id"])[0]["status"] == "open"
    denied = [json.loads(d)["action"] for d in list_audit(store, action="denied")["detail"]]
    assert sorted(denied) == ["close_action", "record_action", "set_up_meeting"]


def test_every_change_is_audited_and_an_outcome_is_reviewed_next_time(store):
    first = mt.save_meeting(store, date(2026, 10, 1), by=CHAIR)
    action = mt.record_action(
        store,
        first["id"],
        by=CHAIR,
        district="A",
        target_kind="context",
        target_id="PL-001",
        tactic="location_patrols",
        owner_agency="police",
        owner_person="PC 123 Neighbourhood team",
        description="Evening patrols at PL-001",
        due_date=date(2026, 10, 20),
    )
    with pytest.raises(ValueError, match="outcome"):
        mt.close_action(store, action, "done", by=CHAIR, outcome=" ", on=date(2026, 10, 25))
    mt.close_action(
        store, action, "done", by=CHAIR, outcome="Patrols held, no sightings", on=date(2026, 10, 25)
    )
    second = mt.save_meeting(store, date(2026, 11, 1), by=CHAIR)
    agenda = mt.build_agenda(store, second, "chair")
    (row,) = agenda.items[0].sections["outstanding_actions"]
    assert row["status"] == "done 2026-10-25" and row["outcome"] == "Patrols held, no sightings"
    assert row["owner"] == "PC 123 Neighbourhood team (Police)" and row["agreed"] == "2026-10-01"
    (district,) = agenda.districts
    assert any("Patrols held" in line for line in mt.change_lines(district.sections["changes"]))
    third = mt.save_meeting(store, date(2026, 12, 1), by=CHAIR)
    later = mt.build_agenda(store, third, "chair")
    assert later.items[0].sections["outstanding_actions"] == []  # reviewed once, then done
    audited = set(list_audit(store)["action"])
    assert {"set_up_meeting", "record_action", "close_action"} <= audited


def test_a_c_only_adult_is_never_named_for_roles_that_cannot_see_them(store):
    meeting = mt.save_meeting(store, date(2026, 11, 1), by=CHAIR)
    police = mt.build_agenda(store, meeting, "police")
    assert [a["id"] for a in police.districts[0].sections["adults_of_concern"]] == [HIDDEN]
    mt.record_action(
        store,
        meeting["id"],
        by=POLICE,
        district="A",
        target_kind="person",
        target_id=HIDDEN,
        tactic="cawn",
        owner_agency="police",
        description=f"CAWN for {HIDDEN}",
        due_date=date(2026, 12, 1),
    )
    seen = mt.build_agenda(store, meeting, "police").agreed_rows(store)
    assert HIDDEN in seen[0]["against"]  # the police role sees its own action
    for role in ("analyst", "partner"):
        agenda = mt.build_agenda(store, meeting, role)
        page = json.dumps([asdict(i) for i in agenda.items]) + json.dumps(agenda.agreed_rows(store))
        assert HIDDEN not in page, role
        assert agenda.agreed_rows(store)[0]["against"] == mt.WITHHELD  # counted, not dropped
        files = build_pack(pack_data(store, agenda))
        deck = Presentation(io.BytesIO(files["pptx"]))
        deck_text = " ".join(
            shape.text_frame.text
            if shape.has_text_frame
            else " ".join(c.text for r in shape.table.rows for c in r.cells)
            if shape.has_table
            else ""
            for slide in deck.slides
            for shape in slide.shapes
        ) + " ".join(s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide)
        pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
        for text in (deck_text, pdf_text, files["html"].decode("utf-8")):
            assert HIDDEN not in text, role
            assert HIDDEN[3:] not in text  # nor the code without its prefix
        assert "withheld" in deck_text
