"""Themes of a district for the MACE meeting: the harm mix, ideologies, schools with several
flagged pupils, and online spaces; and online spaces once across districts with each
district's reach (an online space is not in one district, so it is not split into seven).

Counts of young people only, never a score; every school row carries its evidence.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from mapping.analysis.harms import carries_ideology, short_label
from mapping.graph import ScopedGraph
from mapping.model import MODEL

#: A school is a theme when at least this many of its pupils carry a harm flag.
MIN_FLAGGED_PUPILS = 2


def _young_neighbours(graph: nx.Graph, node: str) -> list[str]:
    return [n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"]


def themes(scoped: ScopedGraph) -> dict[str, Any]:
    """Harm mix, ideologies, online spaces and schools with several flagged pupils."""
    graph = scoped.graph
    young = scoped.young_people()
    harms = Counter(h for p in young for h in graph.nodes[p]["harms"])
    ideologies = Counter(
        graph.nodes[p]["ideology"]
        for p in young
        if carries_ideology(graph.nodes[p]["harms"], graph.nodes[p].get("ideology"))
    )
    online, schools = [], []
    for node, data in graph.nodes(data=True):
        linked = _young_neighbours(graph, node)
        flagged = [n for n in linked if graph.nodes[n]["harms"]]
        if data["entity_type"] == "online_space" and linked:
            online.append({"code": node, "young_people": len(linked), "flagged": len(flagged)})
        if data.get("place_kind") == "school" and len(flagged) >= MIN_FLAGGED_PUPILS:
            schools.append(
                {
                    "code": node,
                    "flagged_pupils": len(flagged),
                    "evidence": sorted({x for n in flagged for x in graph.edges[node, n]["links"]}),
                }
            )
    return {
        "harm_mix": {short_label(h): harms[h] for h in MODEL.harms.keys() if harms[h]},
        "ideologies": {MODEL.ideologies.label(k): n for k, n in sorted(ideologies.items())},
        "online_spaces": sorted(online, key=lambda o: (-o["flagged"], o["code"])),
        "schools": sorted(schools, key=lambda s: (-s["flagged_pupils"], s["code"])),
    }


def theme_rows(theme: dict[str, Any]) -> list[dict[str, Any]]:
    """The themes as one readable table: (theme, what, young people)."""
    rows = [
        {"theme": "Harm mix", "what": k, "young_people": v} for k, v in theme["harm_mix"].items()
    ]
    rows += [
        {"theme": "Ideology", "what": k, "young_people": v} for k, v in theme["ideologies"].items()
    ]
    rows += [
        {
            "theme": "School with several flagged pupils",
            "what": s["code"],
            "young_people": s["flagged_pupils"],
        }
        for s in theme["schools"]
    ]
    rows += [
        {
            "theme": "Online space (flagged / linked)",
            "what": o["code"],
            "young_people": f"{o['flagged']} / {o['young_people']}",
        }
        for o in theme["online_spaces"]
        if o["flagged"]
    ]
    return rows


def online_spaces_across_districts(scoped: ScopedGraph) -> list[dict[str, Any]]:
    """Each online space linked to a flagged young person, once, with its reach per district
    (young people linked, of them flagged), most flagged first."""
    graph = scoped.graph
    found = []
    for node, data in graph.nodes(data=True):
        if data["entity_type"] != "online_space":
            continue
        linked = _young_neighbours(graph, node)
        flagged = [n for n in linked if graph.nodes[n]["harms"]]
        if not flagged:
            continue
        reach: dict[str, list[int]] = {}
        for n in linked:
            district = graph.nodes[n].get("district") or "not recorded"
            counts = reach.setdefault(district, [0, 0])
            counts[0] += 1
            counts[1] += bool(graph.nodes[n]["harms"])
        found.append(
            {
                "code": node,
                "young_people": len(linked),
                "flagged": len(flagged),
                "districts": len(reach),
                "reach": ", ".join(f"{d} {f}/{n}" for d, (n, f) in sorted(reach.items())),
                "evidence": sorted({x for n in flagged for x in graph.edges[node, n]["links"]}),
            }
        )
    return sorted(found, key=lambda o: (-o["flagged"], o["code"]))
