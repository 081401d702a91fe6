"""Overlap: where child criminal exploitation, sexual exploitation and radicalisation meet.

A MACE meeting reads an overlap as "in this place, online space or cluster, young people
carrying two or more different harm flags turn up together": the cue to look at the context
rather than at one child. Results are ranked by how many harm types meet and how many young
people and contexts are shared, never by a score per child. A young person who carries two
harm flags is listed as such, with the flags, not a number.

Missing episodes are shown and counted but, being an indicator rather than a harm type of its
own, do not by themselves make an overlap (``overlap: false`` in model.yaml).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mapping.analysis.clusters import Cluster
from mapping.analysis.harms import HARM_KEYS, harm_profile, overlap_harms
from mapping.graph import ScopedGraph
from mapping.model import MODEL


def context_kind(data: dict[str, Any]) -> str:
    """What sort of context a node is: its place kind, or ``online_space``."""
    if data.get("entity_type") == "online_space":
        return "online_space"
    return data.get("place_kind") or data.get("entity_type") or "other"


def context_types(attributes: Iterable[Mapping[str, Any]]) -> set[str]:
    """The entity types among ``attributes`` (node attribute dicts) that are contexts, so a
    loop over every node asks the model once per type rather than once per node."""
    return {k for k in {d["entity_type"] for d in attributes} if MODEL.is_context(k)}


def overlaps_by_context(scoped: ScopedGraph, *, overlap_only: bool = True) -> list[dict[str, Any]]:
    """For each place and online space, the young people linked to it by harm flag.

    Each item: ``id``, ``kind``, ``district``, ``young_people`` (all linked young people),
    ``harms``, ``ideologies``, ``harm_types``, ``multi_harm_young_people``, ``overlap``,
    ``evidence`` (the links between the context and those young people). With
    ``overlap_only`` (default) only contexts where two or more harm types meet are returned.
    Ranked by number of harm types, then number of flagged young people.
    """
    graph = scoped.graph
    attributes = dict(graph.nodes(data=True))  # plain lookups: node views cost a call each
    contexts = context_types(attributes.values())
    results = []
    for node, data in attributes.items():
        if data["entity_type"] not in contexts:
            continue
        neighbours = graph.adj[node]
        young = [n for n in neighbours if attributes[n]["entity_type"] == "young_person"]
        if not young:
            continue
        profile = harm_profile(graph, young)
        if overlap_only and not profile["overlap"]:
            continue
        evidence = sorted({link for person in young for link in neighbours[person]["links"]})
        results.append(
            {
                "id": node,
                "kind": context_kind(data),
                "district": data.get("district"),
                "young_people": sorted(young),
                **profile,
                "evidence": evidence,
            }
        )
    results.sort(key=lambda r: (-len(r["harm_types"]), -_flagged(r), r["id"]))
    return results


def _flagged(item: dict[str, Any]) -> int:
    return sum(item["harms"].values())


def cluster_overlaps(clusters: list[Cluster]) -> list[dict[str, Any]]:
    """The clusters where two or more harm types meet, ranked as the clusters are (harm types,
    then shared contexts), with what meets and the evidence."""
    return [
        {
            "id": c.id,
            "harm_types": c.harm_types,
            "harms": c.harms,
            "ideologies": c.ideologies,
            "young_people": c.young_people,
            "multi_harm_young_people": c.multi_harm_young_people,
            "contexts": c.contexts,
            "evidence": c.evidence,
        }
        for c in clusters
        if c.overlap
    ]


def multi_harm_young_people(
    scoped: ScopedGraph, membership: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Young people who carry two or more harm flags that count towards overlap.

    Listed with their flags, ideology and cluster, and ``evidence``: the links to the
    contexts they are linked to (where the harms may meet). Sorted by id: not a ranking.
    """
    graph = scoped.graph
    counted = overlap_harms()
    membership = membership or {}
    found = []
    for person in sorted(scoped.young_people()):
        data = graph.nodes[person]
        carried = set(data.get("harms", ()))
        flags = [h for h in HARM_KEYS if h in carried]
        if len(set(flags) & counted) < 2:
            continue
        contexts = sorted(
            n for n in graph.neighbors(person) if MODEL.is_context(graph.nodes[n]["entity_type"])
        )
        evidence = sorted({link for c in contexts for link in graph.edges[person, c]["links"]})
        found.append(
            {
                "id": person,
                "harms": flags,
                "ideology": data.get("ideology"),
                "district": data.get("district"),
                "cluster": membership.get(person),
                "contexts": contexts,
                "evidence": evidence,
            }
        )
    return found
