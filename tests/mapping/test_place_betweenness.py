"""Place betweenness in incident data: an incident's people reach each other through its
place, so the venue that joins most incidents ranks first, not last (co-presence links used
to bypass it and give every venue betweenness 0)."""

from __future__ import annotations

from mapping.analysis.connectors import find_connectors, through_places
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, tables_from

# Five summits of three people each, four at the hall, one at the cafe; nobody repeats.
SUMMITS = {
    "S1": ("HALL", ["A1", "A2", "A3"]),
    "S2": ("HALL", ["A4", "A5", "A6"]),
    "S3": ("HALL", ["A7", "A8", "A9"]),
    "S4": ("HALL", ["A10", "A11", "A12"]),
    "S5": ("CAFE", ["A12", "A13", "A14"]),
}


def incident_world():
    people = sorted({p for _, group in SUMMITS.values() for p in group})
    entities = [dict(entity_id=p, entity_type="adult") for p in people] + [
        dict(entity_id=v, entity_type="place", place_kind="other") for v in ("HALL", "CAFE")
    ]
    links = []
    for incident, (venue, group) in SUMMITS.items():
        for i, a in enumerate(group):
            links.append(
                dict(source_id=a, target_id=venue, link_type="present_at", incident_id=incident)
            )
            for b in group[i + 1 :]:
                links.append(
                    dict(source_id=a, target_id=b, link_type="co_presence", incident_id=incident)
                )
    return build_scoped_graph(tables_from(entities, links), Scope(role="police", today=TODAY), 1)


def test_people_at_a_placed_incident_reach_each_other_through_the_place():
    scoped = incident_world()
    routed = through_places(scoped)
    assert not routed.has_edge("A1", "A2") and routed.has_edge("A1", "HALL")
    assert scoped.graph.has_edge("A1", "A2")  # the scoped graph itself is untouched


def test_the_venue_joining_most_incidents_ranks_first():
    connectors = find_connectors(incident_world(), {})
    betweenness = {c["id"]: c["betweenness"] for c in connectors}
    assert betweenness["HALL"] > 0
    assert max(betweenness, key=betweenness.get) == "HALL"
    assert betweenness["HALL"] > betweenness.get("CAFE", 0)
