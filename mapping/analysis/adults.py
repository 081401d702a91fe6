"""Adults of concern linked to several young people: who a MACE meeting may consider for
disruption. A row is never a verdict: its evidence (link ids) goes with it, and only links
the viewer's scope allows are counted (a partner's scoped graph has none)."""

from __future__ import annotations

from typing import Any

from mapping.graph import ScopedGraph

#: An adult of concern is raised at the meeting when linked to at least this many young people.
MIN_YOUNG_PEOPLE_PER_ADULT = 2


def adults_of_concern(
    scoped: ScopedGraph, min_young_people: int = MIN_YOUNG_PEOPLE_PER_ADULT
) -> list[dict[str, Any]]:
    """Adults recorded as of concern who are linked to several young people, most first.

    Returns rows ``{"id", "young_people", "evidence"}`` (codes and link ids only).
    """
    graph = scoped.graph
    found = []
    for node, data in graph.nodes(data=True):
        if data.get("adult_role") != "person_of_concern":
            continue
        young = sorted(
            n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"
        )
        if len(young) >= min_young_people:
            evidence = sorted({x for n in young for x in graph.edges[node, n]["links"]})
            found.append({"id": node, "young_people": len(young), "evidence": evidence})
    return sorted(found, key=lambda a: (-a["young_people"], a["id"]))
