"""Change since the last meeting, on a hand-made network where the answer is known."""

from __future__ import annotations

from datetime import date

from mapping.analysis.changes import compare, graphs_on_dates
from mapping.analysis.clusters import find_clusters, membership
from mapping.analysis.connectors import find_connectors, incident_roles, who_connects
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import tables_from


def _clique(prefix, size, harms="cce", district="North"):
    people = [
        {
            "entity_id": f"{prefix}{i}",
            "entity_type": "young_person",
            "harms": harms,
            "district": district,
        }
        for i in range(size)
    ]
    links = [
        {"source_id": a["entity_id"], "target_id": b["entity_id"]}
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    ]
    return people, links


def _world(bridge: bool, hotspot_late: bool = False):
    a_people, a_links = _clique("YP-A", 5)
    b_people, b_links = _clique("YP-B", 5, harms="radicalisation")
    entities = (
        a_people
        + b_people
        + [
            {"entity_id": "PL-1", "entity_type": "place", "place_kind": "takeaway"},
            {"entity_id": "AD-1", "entity_type": "adult", "adult_role": "person_of_concern"},
        ]
    )
    links = (
        a_links
        + b_links
        + [
            {"source_id": f"YP-A{i}", "target_id": "PL-1", "link_type": "frequents"}
            for i in range(3)
        ]
    )
    if hotspot_late:
        links.append(
            {
                "source_id": "YP-B0",
                "target_id": "PL-1",
                "link_type": "frequents",
                "first_seen": "2026-09-01",
            }
        )
    if bridge:  # an adult of concern now in contact with both groups, many times over
        links += [
            {
                "source_id": "AD-1",
                "target_id": p["entity_id"],
                "link_type": "contact",
                "weight": 6.0,
                "first_seen": "2026-09-01",
            }
            for p in a_people + b_people
        ]
        links += [
            {
                "source_id": a["entity_id"],
                "target_id": b["entity_id"],
                "weight": 3.0,
                "first_seen": "2026-09-01",
            }
            for a in a_people
            for b in b_people
        ]
    return tables_from(entities, links)


def test_new_links_merged_clusters_and_newly_linked_hotspot_young_people():
    before_tables, after_tables = _world(False), _world(True, hotspot_late=True)
    before = build_scoped_graph(before_tables, Scope(include_stale=True))
    after = build_scoped_graph(after_tables, Scope(include_stale=True))
    changes = compare(before, after)
    expected_new = set(after_tables.links["link_id"]) - set(before_tables.links["link_id"])
    assert set(changes["new_links"]) == expected_new and not changes["ended_links"]
    assert len(changes["merged"]) == 1
    merged = changes["merged"][0]
    assert len(merged["from"]) == 2 and set(merged["evidence"]) <= expected_new
    newly = {c["hotspot"]: c for c in changes["newly_linked_to_hotspots"]}
    assert newly["PL-1"]["young_people"] == ["YP-B0"]
    backwards = compare(after, before)
    assert set(backwards["ended_links"]) == expected_new and len(backwards["split"]) == 1


def test_comparing_two_dates_sees_links_first_seen_in_between():
    tables = _world(True)
    before, after = graphs_on_dates(tables, Scope(), date(2026, 8, 1), date(2026, 10, 1))
    changes = compare(before, after)
    late = set(tables.links.loc[tables.links["first_seen"] == "2026-09-01", "link_id"])
    assert set(changes["new_links"]) == late
    assert "AD-1" not in before.graph and "AD-1" in after.graph


def test_connectors_name_the_bridging_adult_with_evidence_and_keep_roles_apart():
    scoped = build_scoped_graph(_world(True), Scope(include_stale=True))
    clusters = find_clusters(scoped, resolution=1.5)
    connectors = find_connectors(scoped, membership(clusters))
    adult = next(c for c in connectors if c["id"] == "AD-1")
    assert adult["kind"] == "person_of_concern" and len(adult["young_people"]) == 10
    records = scoped.link_records(adult["evidence"])
    assert (records["source_id"].eq("AD-1") | records["target_id"].eq("AD-1")).all()
    assert all(c["entity_type"] != "young_person" for c in connectors)


def test_incident_roles_are_counted_per_role_never_merged():
    tables = tables_from(
        [],
        [
            {
                "source_id": "P1",
                "target_id": "P2",
                "source_role": "victim",
                "target_role": "person_of_concern",
            },
            {
                "source_id": "P1",
                "target_id": "P3",
                "source_role": "person_of_concern",
                "target_role": "witness",
            },
        ],
    )
    roles = incident_roles(tables.links)
    assert roles["P1"] == {"person_of_concern": 1, "victim": 1}
    assert roles["P2"] == {"person_of_concern": 1} and roles["P3"] == {"witness": 1}


def test_who_connects_two_contexts():
    entities = [
        {"entity_id": e, "entity_type": t}
        for e, t in (
            ("PL-1", "place"),
            ("PL-2", "place"),
            ("AD-1", "adult"),
            ("YP-1", "young_person"),
            ("YP-2", "young_person"),
        )
    ]
    links = [
        {"source_id": "AD-1", "target_id": "PL-1"},
        {"source_id": "AD-1", "target_id": "PL-2"},
        {"source_id": "YP-1", "target_id": "PL-1"},
        {"source_id": "YP-1", "target_id": "YP-2"},
        {"source_id": "YP-2", "target_id": "PL-2"},
    ]
    scoped = build_scoped_graph(tables_from(entities, links), Scope(include_stale=True))
    result = who_connects(scoped.graph, ["PL-1", "PL-2"])
    assert result[0]["id"] == "AD-1" and result[0]["direct"]
    assert set(result[0]["evidence"]) == {"L00000", "L00001"}
    assert {r["id"] for r in result} == {"AD-1"}  # YP-1/YP-2 chain is longer than via AD-1
