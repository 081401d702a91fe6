"""A young person's network: the steps of a path carry the links that make them."""

from __future__ import annotations

from mapping.analysis.neighbourhood import neighbourhood, path_steps, paths_between
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import tables_from


def test_each_step_of_a_path_lists_its_links_with_type_agency_grading_and_dates():
    entities = [
        {"entity_id": e, "entity_type": t}
        for e, t in (("YP-1", "young_person"), ("PL-1", "place"), ("YP-2", "young_person"))
    ]
    links = [
        {
            "source_id": "YP-1",
            "target_id": "PL-1",
            "link_type": "frequents",
            "source_agency": "youth_justice",
            "first_seen": "2026-03-01",
        },
        {
            "source_id": "YP-2",
            "target_id": "PL-1",
            "link_type": "frequents",
            "source_evaluation": "1",
            "intelligence_assessment": "A",
        },
        {"source_id": "YP-2", "target_id": "PL-1", "link_type": "seen_together"},
    ]
    scoped = build_scoped_graph(tables_from(entities, links), Scope(include_stale=True))
    assert neighbourhood(scoped.graph, "YP-1", hops=2).nodes == ["YP-1", "PL-1", "YP-2"]
    (path,) = paths_between(scoped.graph, "YP-1", "YP-2")
    first, second = path_steps(scoped, path)
    assert (first["from"], first["to"], second["to"]) == ("YP-1", "PL-1", "YP-2")
    assert [s["link_id"] for s in first["links"]] == ["L00000"]
    assert first["links"][0]["source_agency"] == "youth_justice"
    assert first["links"][0]["first_seen"] == "2026-03-01"
    assert {s["link_type"] for s in second["links"]} == {"frequents", "seen_together"}
    assert {(s["source_evaluation"], s["intelligence_assessment"]) for s in second["links"]} == {
        ("1", "A"),
        ("2", "B"),
    }
