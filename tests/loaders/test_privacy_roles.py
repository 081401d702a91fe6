"""Privacy at import (no raw names anywhere) and incident roles kept apart on links."""

import logging
import tempfile
from datetime import date

import pandas as pd

from loaders.columns import Profile, detect, header_lookup, profile_from_assignments
from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from loaders.read import RawSheet
from mapping.store import Store
from tests.fixtures.import_corpus import RAW_NAMES, template

KEY = Pseudonymiser(b"privacy-key-" * 3)
TODAY = date(2026, 11, 29)


def test_raw_names_absent_from_db_wal_logs_and_temp_files(tmp_path, monkeypatch, caplog):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store(f"sqlite:///{tmp_path / 'db' / 'm.sqlite'}")
    result = import_files([Source(p, p.name) for p in template()(folder)], store, KEY, today=TODAY)
    issues = "\n".join(map(str, result.problems))
    files = [p for p in (tmp_path / "db").iterdir()] + list(scratch.rglob("*"))
    blob = b"".join(p.read_bytes() for p in files if p.is_file())
    for name in RAW_NAMES:
        assert name.encode() not in blob and name not in caplog.text and name not in issues
    store.dispose()


def test_notes_kept_only_when_opted_in(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text(
        "source_id,target_id,link_type,first_seen,notes\nA-1,B-2,peer,2026-01-01,met at the park\n",
        encoding="utf-8",
    )
    for keep in (False, True):
        store = Store(f"sqlite:///{tmp_path / f'n{keep}.sqlite'}")
        import_files([Source(path, "links.csv")], store, KEY, keep_notes=keep, today=TODAY)
        notes = store.read_version().links["notes"]
        assert list(notes.fillna("(none)")) == (["met at the park"] if keep else ["(none)"])


def test_victim_in_one_incident_person_of_concern_in_another(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(
        "Incident,Incident Date,Location,Person ID,Agency,Involvement\n"
        "INC-1,2026-05-01,PL-1,CS-9,police,Injured Party\n"
        "INC-1,2026-05-01,PL-1,AD-4,police,Offender\n"
        "INC-2,2026-06-01,PL-1,CS-9,police,Suspect\n"
        "INC-2,2026-06-01,PL-1,CS-7,police,Injured Party\n",
        encoding="utf-8",
    )
    store = Store(f"sqlite:///{tmp_path / 'r.sqlite'}")
    import_files([Source(path, "incidents.csv")], store, KEY, today=TODAY)
    links = store.read_version().links
    child = KEY.code("CS-9", "UN")
    roles = {}
    for row in links[links["link_type"] == "co_presence"].itertuples():
        if row.source_id == child:
            roles[row.incident_id] = row.source_role
        elif row.target_id == child:
            roles[row.incident_id] = row.target_role
    assert roles == {"INC-1": "victim", "INC-2": "person_of_concern"}
    entities = store.read_version().entities
    assert (entities["entity_id"] == child).sum() == 1  # one person, two roles, not merged


def test_synonyms_are_case_and_space_insensitive():
    links, incidents = header_lookup("links"), header_lookup("incidents")
    entities = header_lookup("entities")
    from loaders.columns import squash

    assert links[squash(" FROM ")] == "source_id" and links[squash("to")] == "target_id"
    assert links[squash("Subject")] == "source_id" and links[squash("ASSOCIATE")] == "target_id"
    assert (
        links[squash("Date  Seen")] == "first_seen" and links[squash("agency")] == "source_agency"
    )
    assert incidents[squash("Location")] == "place_id"
    assert incidents[squash("person id")] == "person_id"
    assert (
        entities[squash("Post Code")] == "postcode" and entities[squash("Postcode")] == "postcode"
    )


def test_profile_from_assignments_round_trips_and_maps(tmp_path):
    profile = profile_from_assignments(
        {
            "calls.csv": {
                "role": "links",
                "columns": {
                    "Nominal A": "source_id",
                    "Nominal B": "target_id",
                    "Kind": "link_type",
                    "Ignore me": "",
                },
            }
        },
        date_order="month_first",
    )
    profile.save(tmp_path / "p.yaml")
    loaded = Profile.load(tmp_path / "p.yaml")
    assert loaded.sheets == {
        "calls.csv": {
            "role": "links",
            "columns": {"Nominal A": "source_id", "Nominal B": "target_id", "Kind": "link_type"},
        }
    }
    assert (loaded.date_order, loaded.date_order_set) == ("month_first", True)
    frame = pd.DataFrame([["Nominal A", "Nominal B", "Kind"], ["X1", "X2", "peer"]], dtype="string")
    mapped = detect(RawSheet("calls.csv", "", frame), loaded)
    assert mapped.role == "links" and mapped.frame.iloc[0]["source_id"] == "X1"


def test_profile_refuses_unknown_column_names(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="not a template column"):
        profile_from_assignments({"x.csv": {"role": "links", "columns": {"A": "name"}}})
