"""A workbook with no adult_role column: its trusted adults are counted as protective and its
adults of concern rank among the first five connectors, every such role marked inferred;
the import says how many adults had no role. Popular schools do not crowd them out."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.analysis.report import analyse
from mapping.export.records import entity_rows
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store

TODAY = date(2026, 11, 29)
KEY = Pseudonymiser(b"adult-role-test-key-" * 2)
YOUNG = [f"YP-{n:02d}" for n in range(1, 41)]
GROUPS = [YOUNG[i : i + 8] for i in range(0, 40, 8)]  # five peer groups of eight
#: Each adult of concern is in contact with six CCE-flagged children across three groups.
CONTACTS = {
    "AD-C1": ["YP-01", "YP-02", "YP-09", "YP-10", "YP-17", "YP-18"],
    "AD-C2": ["YP-03", "YP-11", "YP-25", "YP-26", "YP-33", "YP-34"],
}
CCE = sorted({c for children in CONTACTS.values() for c in children})


def workbook(path):
    book = openpyxl.Workbook()
    entities = book.active
    entities.title = "entities"
    entities.append(
        ["entity_id", "entity_type", "district", "harms", "protective_factors", "place_kind"]
    )
    for person in YOUNG:
        entities.append([person, "young_person", "North", "cce" if person in CCE else "", "", ""])
    entities.append(["AD-C1", "adult", "North", "", "", ""])
    entities.append(["AD-C2", "adult", "North", "", "", ""])
    entities.append(["AD-T1", "adult", "North", "", "trusted_adult", ""])
    entities.append(["AD-T2", "adult", "North", "", "", ""])
    entities.append(["AD-O", "adult", "North", "", "", ""])
    for number in range(1, 8):
        entities.append([f"SCH-{number}", "place", "North", "", "", "school"])
    entities.append(["PL-PARK", "place", "North", "", "", "park"])
    links = book.create_sheet("links")
    links.append(
        [
            "source_id",
            "target_id",
            "link_type",
            "first_seen",
            "last_seen",
            "source_agency",
            "grading",
        ]
    )

    def link(a, b, kind, agency="police", grading="2BP"):
        links.append([a, b, kind, "2026-03-01", "2026-10-01", agency, grading])

    for group in GROUPS:
        for i, a in enumerate(group):
            for b in group[i + 1 : i + 4]:
                link(a, b, "peer_association")
    # seven schools, each attended by 34 of the 40: linked to everyone by attendance
    for number in range(1, 8):
        for person in (YOUNG * 2)[number * 5 : number * 5 + 34]:
            link(person, f"SCH-{number}", "attends", "education", "1AP")
    for adult, children in CONTACTS.items():
        for child in children:
            link(adult, child, "contact")
    link("AD-C1", "YP-01", "victim_offender", grading="1AP")
    link("AD-C2", "YP-11", "victim_offender", grading="1AP")
    link("AD-T2", "YP-20", "trusted_relationship", "voluntary_sector", "1AP")
    link("AD-T1", "YP-21", "peer_association", "voluntary_sector", "1AP")
    link("AD-O", "PL-PARK", "frequents")
    link("YP-30", "PL-PARK", "frequents")
    link("AD-C1", "PL-PARK", "frequents")
    for child in ("YP-01", "YP-02", "YP-09"):
        link(child, "PL-PARK", "frequents")
    book.save(path)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adult_roles")
    path = folder / "no_adult_role.xlsx"
    workbook(path)
    store = Store(f"sqlite:///{folder / 'map.sqlite'}")
    result = import_files([Source(path, path.name)], store, KEY, today=TODAY)
    scoped = build_scoped_graph(store.read_version(), Scope(role="police", today=TODAY), 1)
    return result, scoped, analyse(scoped)


def code(raw: str) -> str:
    return KEY.code(raw, "AD")


def test_import_says_how_many_adults_have_no_role(world):
    result, _, _ = world
    warned = [p for p in result.warnings if p.kind == "adults with no role"]
    assert len(warned) == 1
    message = warned[0].message
    assert message.startswith("5 adults have no adult_role")
    assert "2 are read as trusted adults" in message and "2 as adults of concern" in message
    assert "1 stay 'other'" in message


def test_trusted_adults_are_counted_as_protective(world):
    _, _, report = world
    assert report["protective"]["counts"]["trusted_adults"] == 2
    assert set(report["protective"]["trusted_adults"]) == {code("AD-T1"), code("AD-T2")}
    assert report["summary"]["trusted_adults"] == 2


def test_adults_of_concern_lead_the_connectors_marked_inferred(world):
    _, _, report = world
    first_five = report["connectors"][:5]
    ids = [c["id"] for c in first_five]
    assert {code("AD-C1"), code("AD-C2")} <= set(ids), [c["kind"] for c in first_five]
    for connector in first_five:
        if connector["id"] in (code("AD-C1"), code("AD-C2")):
            assert connector["kind"] == "person_of_concern"
            assert connector["adult_role_inferred"] is True
    schools = [c for c in report["connectors"] if c["kind"] == "school"]
    assert schools and all(c["damping"] < 1 for c in schools)


def test_an_inferred_adult_of_concern_reaches_the_hotspot(world):
    _, _, report = world
    park = next(h for h in report["hotspots"] if h["id"] == "PL-PARK")
    assert park["adults_of_concern"] == [code("AD-C1")]
    assert park["adults_of_concern_inferred"] == [code("AD-C1")]


def test_inferred_roles_are_marked_in_the_data_and_exports(world):
    _, scoped, report = world
    nodes = scoped.graph.nodes
    assert nodes[code("AD-C1")]["adult_role"] == "person_of_concern"
    assert nodes[code("AD-C1")]["adult_role_inferred"] is True
    assert (
        nodes[code("AD-O")]["adult_role"] is None and not nodes[code("AD-O")]["adult_role_inferred"]
    )
    rows = {r["entity_id"]: r for r in entity_rows(scoped)}
    assert rows[code("AD-T2")]["adult_role"] == "trusted_adult"
    assert rows[code("AD-T2")]["adult_role_inferred"] is True
    assert rows["SCH-1"]["adult_role_inferred"] is None
    inferred = [e for e in report["explanations"] if e["code"] == "adult_roles_inferred"]
    assert inferred and inferred[0]["count"] == 4
    assert report["inferred_adult_roles"] == {
        code("AD-C1"): "person_of_concern",
        code("AD-C2"): "person_of_concern",
        code("AD-T1"): "trusted_adult",
        code("AD-T2"): "trusted_adult",
    }


def test_the_network_tooltip_says_inferred(world):
    from mapping.render.network import node_tooltip

    _, scoped, _ = world
    nodes = scoped.graph.nodes
    assert "Adult of concern (inferred from the evidence)" in node_tooltip(
        code("AD-C1"), nodes[code("AD-C1")]
    )
    assert "inferred" not in node_tooltip("SCH-1", nodes["SCH-1"])


def test_a_recorded_role_is_never_changed():
    import pandas as pd

    from mapping.adult_roles import infer_adult_roles

    entities = pd.DataFrame(
        {
            "entity_id": ["A", "B"],
            "entity_type": ["adult", "adult"],
            "adult_role": ["family_member", None],
            "protective_factors": [None, None],
        }
    )
    links = pd.DataFrame(
        {
            "source_id": ["A", "B"],
            "target_id": ["Y", "Y"],
            "link_type": ["victim_offender", "trusted_relationship"],
            "source_role": [None, None],
            "target_role": [None, None],
        }
    )
    frame = infer_adult_roles(entities, links).set_index("entity_id")
    assert (
        frame.loc["A", "adult_role"] == "family_member"
        and not frame.loc["A", "adult_role_inferred"]
    )
    assert frame.loc["B", "adult_role"] == "trusted_adult" and frame.loc["B", "adult_role_inferred"]
