"""Connectors: who and what connects these contexts.

A MACE meeting reads a connector as "this adult, place or online space links young people
who are otherwise apart" (it bridges clusters) or "links to many young people": a candidate
for disruption (an adult of concern, an address) or for support (a trusted adult, a youth
club). Connectors are adults, places, online spaces and groups; young people are never
ranked as connectors.

Measures, all on the scoped graph: the clusters an entity's linked people belong to
(``clusters_bridged``); the young people linked to it; betweenness (exact up to
``engine.EXACT_BETWEENNESS_MAX_NODES`` entities, estimated from seeded sample sources above);
and whether it is an articulation point (removing it would cut the network in two).

Victims and people of concern are never merged in one role: an adult keeps its own
``adult_role``, and the roles recorded in incidents are reported per role as they were
recorded on the links (``incident_roles``), never collapsed into one label.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import pandas as pd

from mapping.analysis import engine as engines
from mapping.analysis.clusters import POPULAR_CONTEXT_SIZE, context_scales
from mapping.analysis.harms import is_protective
from mapping.analysis.neighbourhood import paths_between
from mapping.analysis.overlap import context_kind
from mapping.graph import ScopedGraph
from mapping.model import LIST_SEPARATOR, MODEL

#: An entity linked to at least this many young people is a connector even within a cluster.
MIN_YOUNG_PEOPLE = 3
CONNECTOR_TYPES = ("adult", "place", "online_space", "group", "unknown")


def connector_kind(data: dict[str, Any]) -> str:
    """An adult's role (kept as recorded), or a context's kind."""
    if data["entity_type"] == "adult":
        return data.get("adult_role") or "other"
    if MODEL.is_context(data["entity_type"]):
        return context_kind(data)
    kind: str = data["entity_type"]
    return kind


def incident_roles(links: pd.DataFrame) -> dict[str, dict[str, int]]:
    """entity id -> {incident role: number of incidents recorded with that role}.

    Each role is counted separately and each incident once (an incident makes a link to
    everyone present, so counting links would count it several times); a person recorded
    as both victim and person of concern shows both counts, and nothing turns one into the
    other. A role on a link with no incident counts that link as one occasion.
    """
    occasion = links["incident_id"].where(links["incident_id"].notna(), links["link_id"])
    frames = [
        pd.DataFrame({"entity": links[end + "_id"], "role": links[end + "_role"], "at": occasion})
        for end in ("source", "target")
    ]
    both = pd.concat(frames).dropna(subset=["role"])
    both = both[both["role"] != ""]
    both = both.assign(role=both["role"].astype(str).str.split(LIST_SEPARATOR)).explode("role")
    counts = both.drop_duplicates().groupby(["entity", "role"])["at"].nunique()
    roles: dict[str, dict[str, int]] = {}
    for (entity, role), n in counts.sort_index().items():
        roles.setdefault(entity, {})[role] = int(n)
    return roles


def through_places(scoped: ScopedGraph) -> nx.Graph:
    """The graph betweenness is measured on: co-presence links of an incident that has a
    place are left out, so its people reach each other through the place (present-at links)
    rather than directly, and the venue that joins most incidents lies on their paths.

    A view of ``scoped.graph`` (nothing copied); the graph itself when no incident has a
    place. Pairs also linked otherwise (peers, contacts) keep their edge.
    """
    links = scoped.links
    with_place = set(links.loc[links["link_type"] == "present_at", "incident_id"].dropna())
    if not with_place:
        return scoped.graph
    routed = set(
        links.loc[
            (links["link_type"] == "co_presence") & links["incident_id"].isin(with_place),
            "link_id",
        ]
    )
    drop = [
        (u, v)
        for u, v, ids in scoped.graph.edges(data="links")
        if all(link in routed for link in ids)
    ]
    return nx.restricted_view(scoped.graph, [], drop) if drop else scoped.graph


def find_connectors(
    scoped: ScopedGraph,
    membership: dict[str, str],
    *,
    seed: int = 0,
    engine: str = "auto",
    min_young_people: int = MIN_YOUNG_PEOPLE,
    limit: int | None = 50,
    popular_context_size: int = POPULAR_CONTEXT_SIZE,
) -> list[dict[str, Any]]:
    """Adults and contexts that bridge clusters, link to many young people, or hold the
    network together (articulation points).

    Ranking damps popular contexts as clustering does: a place or online space linked to
    n > ``popular_context_size`` young people counts its clusters bridged and young people
    times ``popular_context_size / n`` (``damping``), so seven schools that everyone attends
    do not crowd out the two adults at the centre of a county-lines network. Betweenness is
    measured on a graph where an incident's people reach each other through its place
    (see :func:`through_places`), so the venue that joins most incidents ranks as it should.

    Returns
    -------
    list of dict, most (damped) clusters bridged first, then most (damped) young people,
    then betweenness; at most ``limit`` adults (and unknown people) and ``limit`` contexts
    and groups. Keys: ``id``, ``entity_type``, ``kind``, ``adult_role_inferred``,
    ``district``, ``young_people`` (ids linked directly), ``clusters_bridged`` (cluster ids),
    ``betweenness``, ``articulation_point``, ``damping`` (1 unless a popular context),
    ``protective`` (trusted adult or protective place), ``incident_roles``, ``evidence``.
    """
    graph = scoped.graph
    centrality = engines.betweenness(through_places(scoped), seed=seed, engine=engine)
    damping = context_scales(graph, popular_context_size)
    cuts = engines.articulation_points(graph, engine=engine)
    kinds = dict(graph.nodes(data="entity_type"))
    person_kinds = {k for k in set(kinds.values()) if MODEL.is_person(k)}
    # What ranks a candidate is counted for each; the lists and evidence shown are built
    # only for those kept (at 1M links most candidates fall past ``limit``, and a popular
    # context's evidence is a sort of tens of thousands of link ids).
    candidates = []
    for node, data in graph.nodes(data=True):
        if data["entity_type"] not in CONNECTOR_TYPES:
            continue
        neighbours = graph.adj[node]
        young = [n for n in neighbours if kinds[n] == "young_person"]
        clusters = sorted({membership[n] for n in neighbours if n in membership})
        people = [n for n in neighbours if n in membership or kinds[n] in person_kinds]
        # No cluster needed: an entity whose removal cuts people apart connects them too.
        holds_together = node in cuts and len(people) >= 2
        if len(clusters) < 2 and len(young) < min_young_people and not holds_together:
            continue
        weight = round(damping.get(node, 1.0), 6)  # ranked on the figures shown
        between = round(centrality.get(node, 0.0), 6)
        rank = (-len(clusters) * weight, -len(young) * weight, -between, node)
        candidates.append((rank, node, data, young, clusters, people))
    candidates.sort(key=lambda c: c[0])
    if limit:
        # "Who" (adults) and "what" (contexts) are ranked apart, so neither crowds out the other.
        kept: dict[str, int] = {}
        shown = []
        for candidate in candidates:
            side = "who" if candidate[2]["entity_type"] in ("adult", "unknown") else "what"
            kept[side] = kept.get(side, 0) + 1
            if kept[side] <= limit:
                shown.append(candidate)
        candidates = shown
    roles = incident_roles(scoped.links)
    found = []
    for _rank, node, data, young, clusters, people in candidates:
        neighbours = graph.adj[node]
        found.append(
            {
                "id": node,
                "entity_type": data["entity_type"],
                "kind": connector_kind(data),
                "district": data.get("district"),
                "young_people": sorted(young),
                "clusters_bridged": clusters,
                "betweenness": round(centrality.get(node, 0.0), 6),
                "articulation_point": node in cuts,
                "damping": round(damping.get(node, 1.0), 6),
                "adult_role_inferred": bool(data.get("adult_role_inferred")),
                "protective": is_protective(data),
                "incident_roles": roles.get(node, {}),
                "evidence": sorted({link for n in people for link in neighbours[n]["links"]}),
            }
        )
    return found


def who_connects(graph: nx.Graph, entities: list[str], *, cutoff: int = 4) -> list[dict[str, Any]]:
    """Who and what connects these contexts (or people): entities linked to two or more of
    ``entities``, then those on the shortest chains between each pair.

    Each item: ``id``, ``kind``, ``connects`` (which of ``entities`` it links), ``direct``
    (True when linked to them directly) and ``evidence``. Ranked by how many it connects.
    """
    wanted = [e for e in entities if e in graph]
    touching: dict[str, set[str]] = {}
    evidence: dict[str, set[str]] = {}
    for entity in wanted:
        for n in graph.neighbors(entity):
            if n in wanted:
                continue
            touching.setdefault(n, set()).add(entity)
            evidence.setdefault(n, set()).update(graph.edges[entity, n]["links"])
    direct = {n for n, reached in touching.items() if len(reached) >= 2}
    on_paths: Counter[str] = Counter()
    path_evidence: dict[str, set[str]] = {}
    path_ends: dict[str, set[str]] = {}
    for i, a in enumerate(wanted):
        for b in wanted[i + 1 :]:
            for path in paths_between(graph, a, b, max_paths=1, cutoff=cutoff):
                for n in path.nodes[1:-1]:
                    if n in direct or n in wanted:
                        continue
                    on_paths[n] += 1
                    path_evidence.setdefault(n, set()).update(path.links)
                    path_ends.setdefault(n, set()).update((a, b))
    results: list[dict[str, Any]] = [
        {
            "id": n,
            "kind": connector_kind(graph.nodes[n]),
            "connects": sorted(touching[n]),
            "direct": True,
            "evidence": sorted(evidence[n]),
        }
        for n in direct
    ]
    results += [
        {
            "id": n,
            "kind": connector_kind(graph.nodes[n]),
            "connects": sorted(path_ends[n]),
            "direct": False,
            "evidence": sorted(path_evidence[n]),
        }
        for n in on_paths
    ]
    results.sort(key=lambda r: (not r["direct"], -len(r["connects"]), r["id"]))
    return results
