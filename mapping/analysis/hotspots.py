"""Hotspots: places and online spaces linked to several young people who carry harm flags.

A MACE meeting reads a hotspot as "a context to assess and change" (a takeaway, a hotel, an
address, a game server, a school): patrols, disruption, a workshop in a school. Each hotspot
says which harms the young people linked to it carry, in which district, over which period
(first and last seen of the links behind it), and on what evidence. A school is also a
hotspot when its flagged pupils belong to different peer groups: the harm is not travelling
along one friendship group, so the school itself is the shared context (as in the DfE
report's school where several children had radicalisation vulnerabilities).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mapping.analysis.engine import choose_engine, edge_arrays, louvain_arrays
from mapping.analysis.harms import HARM_KEYS, harm_profile
from mapping.analysis.overlap import context_kind, context_types
from mapping.graph import ScopedGraph
from mapping.model import MODEL

#: A context becomes a hotspot when linked to at least this many flagged young people.
MIN_FLAGGED_YOUNG_PEOPLE = 3
#: A school is highlighted when its flagged pupils come from at least this many peer groups.
MIN_PEER_GROUPS = 2


def peer_groups(scoped: ScopedGraph, *, seed: int = 0, engine: str = "auto") -> dict[str, str]:
    """young person id -> peer group id (``P001``...): Louvain communities of the young people
    and the links among them only, so shared places and online spaces play no part.

    A MACE meeting reads two young people in different peer groups as "not friends with each
    other": if both are linked to one school, the school is their common ground.
    """
    graph = scoped.graph
    arrays = edge_arrays(graph, scoped.links)
    is_young = arrays.kinds == "young_person"
    young = [n for n, flag in zip(arrays.nodes, is_young.tolist(), strict=True) if flag]
    rank = np.cumsum(is_young) - 1  # index among the young people, same sorted order
    among = is_young[arrays.low] & is_young[arrays.high]
    # The engine of the whole analysis, so peer groups and clusters come from one engine.
    groups = louvain_arrays(
        young,
        rank[arrays.low[among]],
        rank[arrays.high[among]],
        arrays.weight[among],
        seed=seed,
        engine=choose_engine(graph, engine),
    )
    return {
        person: f"P{number:03d}" for number, group in enumerate(groups, start=1) for person in group
    }


def flagged_neighbours(graph: nx.Graph, node: str, harm: str | None = None) -> list[str]:
    """Young people linked to ``node`` who carry any harm flag (or the flag ``harm``)."""
    return _flagged(graph.nodes, graph.adj[node], harm)


def _flagged(
    attributes: Mapping[str, Mapping[str, Any]], neighbours: Iterable[str], harm: str | None
) -> list[str]:
    """``flagged_neighbours`` over ``neighbours``, with node attributes from ``attributes``."""
    found = []
    for n in neighbours:
        data = attributes[n]
        if data["entity_type"] != "young_person" or not data.get("harms"):
            continue
        if harm is None or harm in data["harms"]:
            found.append(n)
    return sorted(found)


def link_dates(links: pd.DataFrame) -> dict[str, tuple[object, object]]:
    """link id -> (first seen, last seen), built once per analysis."""
    columns = [
        links[c].to_numpy(dtype=object).tolist() for c in ("link_id", "first_seen", "last_seen")
    ]
    return dict(zip(columns[0], zip(columns[1], columns[2], strict=True), strict=True))


def period_of(dates: dict[str, tuple[object, object]], link_ids: Collection[str]) -> dict[str, Any]:
    """First and last seen dates over ``link_ids`` (ISO dates, or None when undated)."""
    firsts = [first for i in link_ids if isinstance(first := dates[i][0], str)]
    lasts = [last for i in link_ids if isinstance(last := dates[i][1], str)]
    return {
        "first_seen": min(firsts) if firsts else None,
        "last_seen": max(lasts) if lasts else None,
    }


def find_hotspots(
    scoped: ScopedGraph,
    *,
    membership: dict[str, str] | None = None,
    peers: dict[str, str] | None = None,
    harm: str | None = None,
    min_young_people: int = MIN_FLAGGED_YOUNG_PEOPLE,
) -> list[dict[str, Any]]:
    """Contexts linked to at least ``min_young_people`` flagged young people.

    Parameters
    ----------
    scoped : the scoped graph (district and period filters already applied through Scope).
    membership : person id -> cluster id (see ``clusters.membership``).
    peers : young person id -> peer group (see ``peer_groups``; computed when not given),
        used to tell whether a school's flagged pupils are in different peer groups.
    harm : count only young people carrying this flag (a hotspot "by harm type").

    Returns
    -------
    list of dict, ranked by number of harm types then flagged young people. Keys: ``id``,
    ``kind``, ``district``, ``harms`` {flag: n}, ``ideologies``, ``harm_types``, ``overlap``,
    ``young_people`` (flagged, ids as stored), ``multi_harm_young_people``,
    ``adults_of_concern`` linked to the context (``adults_of_concern_inferred``: those whose
    role was read from the evidence), ``clusters`` (cluster ids of the flagged
    young people), ``peer_groups`` (their peer groups), ``pupils_in_different_peer_groups``
    (schools whose flagged pupils come from 2+ peer groups), ``protective`` (a
    protective kind of place), ``period`` and ``evidence`` (link ids).
    """
    graph = scoped.graph
    membership = membership or {}
    peers = peer_groups(scoped) if peers is None else peers
    protective_kinds = set(MODEL.place_kinds.with_flag("protective"))
    dates = link_dates(scoped.links)
    attributes = dict(graph.nodes(data=True))  # plain lookups: node views cost a call each
    contexts = context_types(attributes.values())
    hotspots = []
    for node, data in attributes.items():
        if data["entity_type"] not in contexts:
            continue
        neighbours = graph.adj[node]
        young = _flagged(attributes, neighbours, harm)
        if len(young) < min_young_people:
            continue
        adults = sorted(
            n for n in neighbours if attributes[n].get("adult_role") == "person_of_concern"
        )
        evidence = sorted({link for n in young + adults for link in neighbours[n]["links"]})
        groups = sorted({peers[p] for p in young if p in peers})
        kind = context_kind(data)
        hotspots.append(
            {
                "id": node,
                "kind": kind,
                "label": data.get("label"),
                "district": data.get("district"),
                **harm_profile(graph, young),
                "young_people": young,
                "adults_of_concern": adults,
                "adults_of_concern_inferred": [
                    a for a in adults if graph.nodes[a].get("adult_role_inferred")
                ],
                "clusters": sorted({membership[p] for p in young if p in membership}),
                "peer_groups": groups,
                "pupils_in_different_peer_groups": kind == "school"
                and len(groups) >= MIN_PEER_GROUPS,
                "protective": data.get("place_kind") in protective_kinds,
                "period": period_of(dates, evidence),
                "evidence": evidence,
            }
        )
    hotspots.sort(key=lambda h: (-len(h["harm_types"]), -len(h["young_people"]), h["id"]))
    return hotspots


def hotspots_by_harm(
    hotspots: list[dict[str, Any]], min_young_people: int = MIN_FLAGGED_YOUNG_PEOPLE
) -> dict[str, list[str]]:
    """For each harm flag, the hotspots where at least ``min_young_people`` young people carry
    that flag (ids, most such young people first). Same result as ``find_hotspots(harm=...)``
    without a second pass over the graph."""
    by_harm = {}
    for harm in HARM_KEYS:
        found = [h for h in hotspots if h["harms"].get(harm, 0) >= min_young_people]
        found.sort(key=lambda h: (-h["harms"][harm], h["id"]))
        by_harm[harm] = [h["id"] for h in found]
    return by_harm


def schools_with_split_peer_groups(hotspots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schools whose flagged pupils come from different peer groups: whole-school responses
    (universal workshops) rather than work with one friendship group."""
    return [h for h in hotspots if h["pupils_in_different_peer_groups"]]
