"""Clusters: groups of young people, adults and contexts more linked to each other than to
the rest, and what harms meet in each.

A MACE meeting reads a cluster as "these young people, these adults and these places or
online spaces keep turning up together". Community detection is Louvain, weighted by link
strength and seeded, so the same data and settings give the same clusters at every meeting.

Popular contexts would swamp peer structure (a school everyone attends joins every peer group
into one blob). So a link to a context linked to more than ``popular_context_size`` young
people has its weight scaled by ``popular_context_size / n``: a school with 60 pupils counts
a sixth as much per pupil as a takeaway visited by ten. The context still appears in the
cluster it fits best and in every cluster's ``contexts`` list where two or more members use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from mapping.analysis.engine import (
    EdgeArrays,
    choose_engine,
    edge_arrays,
    engine_for_edges,
    louvain_arrays,
    sub_arrays,
    weighted_edges,
)
from mapping.analysis.harms import OVERLAP_HARMS, harm_profile
from mapping.graph import ScopedGraph
from mapping.model import MODEL

POPULAR_CONTEXT_SIZE = 12
#: A community with fewer than ``min_young_people`` young people is still reported when it
#: holds at least this many people (young people, adults, unknowns): people are people.
MIN_PEOPLE = 3
#: A community holding more than this share of all people in scope (and at least
#: ``MIN_SPLIT_PEOPLE`` people) is split by Louvain on its own links, or, when it does not
#: split, reported as oversized with an explanation. Run on the community alone, Louvain
#: compares it with its own weight rather than the whole network's, which is a higher
#: resolution within the cluster; ``SPLIT_RESOLUTION`` multiplies the resolution asked.
MAX_CLUSTER_SHARE = 1 / 3
MIN_SPLIT_PEOPLE = 20
SPLIT_RESOLUTION = 1.0


@dataclass
class Cluster:
    id: str
    members: list[str]
    young_people: list[str]
    adults: list[str]
    contexts: list[str]
    harms: dict[str, int]
    ideologies: dict[str, int]
    multi_harm_young_people: list[str]
    overlap: bool
    protective: dict[str, list[str]]
    evidence: list[str] = field(default_factory=list)
    #: ``young_people`` (the cluster has young people) or ``adults`` (an adults' network: no
    #: young person, e.g. a police export of adults of concern and their associates).
    network: str = "young_people"
    #: Share of all people in scope who are members (0-1), for "readable sizes".
    share: float = 0.0
    #: True when the cluster came from splitting a community above ``MAX_CLUSTER_SHARE``
    #: (Louvain on its own links); ``oversized`` when even that did not split it (explained
    #: in the report's explanations).
    split: bool = False
    oversized: bool = False

    @property
    def harm_types(self) -> list[str]:
        return [h for h in self.harms if h in OVERLAP_HARMS]


#: Entity types that are contexts (places, online spaces), read from the model once.
CONTEXT_TYPES = frozenset(t.key for t in MODEL.entity_types if t.flag("context"))
#: The entity types ``MODEL.is_person`` accepts, for loops that ask once per node.
PERSON_TYPES = frozenset(t.key for t in MODEL.entity_types if t.flag("person"))


def context_scales(
    graph: nx.Graph, popular_context_size: int = POPULAR_CONTEXT_SIZE
) -> dict[str, float]:
    """context id -> weight multiplier: ``popular_context_size / n`` for a context linked to
    n > popular_context_size young people, 1 otherwise."""
    arrays = edge_arrays(graph)
    scale = _scale_array(arrays, popular_context_size)
    contexts = np.flatnonzero(np.isin(arrays.kinds, list(CONTEXT_TYPES)))
    return dict(zip([arrays.nodes[i] for i in contexts], scale[contexts].tolist(), strict=True))


def _scale_array(arrays: EdgeArrays, popular_context_size: int) -> np.ndarray:
    """Per node: the context's damping (see ``context_scales``), 1 for everyone else."""
    young = arrays.kinds == "young_person"
    context = np.isin(arrays.kinds, list(CONTEXT_TYPES))
    low, high = arrays.low, arrays.high
    n = len(arrays.nodes)
    reach = np.bincount(low[context[low] & young[high]], minlength=n) + np.bincount(
        high[context[high] & young[low]], minlength=n
    )
    scale = np.ones(n)
    reached = context & (reach > 0)
    scale[reached] = np.minimum(1.0, popular_context_size / reach[reached])
    return scale


def damped_edges(
    graph: nx.Graph, popular_context_size: int = POPULAR_CONTEXT_SIZE
) -> Iterator[tuple[str, str, float]]:
    """(u, v, clustering weight) for every edge: link strength, popular contexts damped."""
    return weighted_edges(graph, "weight", context_scales(graph, popular_context_size))


def damped_weights(
    graph: nx.Graph,
    popular_context_size: int = POPULAR_CONTEXT_SIZE,
    links: pd.DataFrame | None = None,
) -> tuple[EdgeArrays, np.ndarray]:
    """The array form of ``damped_edges``: (edge arrays, clustering weight per edge row).

    The same numbers as ``damped_edges`` (weight x scale of the lower id x scale of the
    higher), computed over arrays so a million links cost no Python loop. ``links``: the
    scoped graph's link table, to build the arrays from (see ``engine.edge_arrays``).
    """
    arrays = edge_arrays(graph, links)
    scale = _scale_array(arrays, popular_context_size)
    return arrays, arrays.weight * scale[arrays.low] * scale[arrays.high]


def find_clusters(
    scoped: ScopedGraph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    engine: str = "auto",
    popular_context_size: int = POPULAR_CONTEXT_SIZE,
    min_young_people: int = 2,
) -> list[Cluster]:
    """Clusters of everyone, strongest overlap first.

    Communities are found over every entity. One is reported when it has at least
    ``min_young_people`` young people or at least ``MIN_PEOPLE`` people of any kind; one with
    no young person is an adults' network (``network == "adults"``, ``young_people`` empty),
    so an export of adults of concern and their associates is not an empty answer.
    Ranked by the number of harm types that meet, then by shared contexts, then size:
    never by a score per child.
    """
    graph = scoped.graph
    arrays, weights = damped_weights(graph, popular_context_size, scoped.links)
    communities = louvain_arrays(
        arrays.nodes,
        arrays.low,
        arrays.high,
        weights,
        resolution=resolution,
        seed=seed,
        engine=choose_engine(graph, engine),
    )
    people_in_scope = sum(1 for _, k in graph.nodes(data="entity_type") if k in PERSON_TYPES)
    parts = _split_oversized(
        graph, communities, people_in_scope, popular_context_size, resolution, seed, engine
    )
    parts = [p for p in parts if _reported(graph, p[0], min_young_people)]
    clusters = []
    summaries = summarise_all(graph, [members for members, _split, _big in parts])
    for cluster, (_members, split, oversized) in zip(summaries, parts, strict=True):
        cluster.network = "young_people" if cluster.young_people else "adults"
        cluster.share = round(len(cluster.members) / people_in_scope, 4) if people_in_scope else 0
        cluster.split, cluster.oversized = split, oversized
        clusters.append(cluster)
    clusters.sort(
        key=lambda c: (-len(c.harm_types), -len(c.contexts), -len(c.members), c.members[0])
    )
    for number, cluster in enumerate(clusters, start=1):
        cluster.id = f"C{number:02d}"
    return clusters


def _people(graph: nx.Graph, members: Iterable[str]) -> int:
    nodes = graph.nodes
    return sum(1 for n in members if nodes[n]["entity_type"] in PERSON_TYPES)


def _split_oversized(
    graph: nx.Graph,
    communities: Iterable[tuple[str, ...]],
    people_in_scope: int,
    popular: int,
    resolution: float,
    seed: int,
    engine: str,
) -> list[tuple[tuple[str, ...], bool, bool]]:
    """(members, split, oversized) per community: one holding more than
    ``MAX_CLUSTER_SHARE`` of all people is split by Louvain on its own links; when that
    gives one part (or shatters it into pairs and singletons) it stays, oversized."""
    limit = max(MAX_CLUSTER_SHARE * people_in_scope, MIN_SPLIT_PEOPLE - 1)
    out: list[tuple[tuple[str, ...], bool, bool]] = []
    for members in communities:
        if _people(graph, members) <= limit:
            out.append((members, False, False))
            continue
        arrays = sub_arrays(edge_arrays(graph), members)  # the community's own links
        scale = _scale_array(arrays, popular)
        parts = louvain_arrays(
            arrays.nodes,
            arrays.low,
            arrays.high,
            arrays.weight * scale[arrays.low] * scale[arrays.high],
            resolution=resolution * SPLIT_RESOLUTION,
            seed=seed,
            engine=engine_for_edges(len(arrays.low), engine),
        )
        kept = sum(_people(graph, p) for p in parts if _people(graph, p) >= MIN_PEOPLE)
        # a split that shatters the community into pairs and singletons explains nothing
        if len(parts) > 1 and kept >= 0.9 * _people(graph, members):
            out += [(part, True, _people(graph, part) > limit) for part in parts]
        else:
            out.append((members, False, True))
    return out


def _reported(graph: nx.Graph, members: Iterable[str], min_young_people: int) -> bool:
    nodes = graph.nodes
    kinds = [nodes[n]["entity_type"] for n in members]
    young = sum(1 for k in kinds if k == "young_person")
    return young >= min_young_people or sum(1 for k in kinds if k in PERSON_TYPES) >= MIN_PEOPLE


def summarise(graph: nx.Graph, members: Iterable[str]) -> Cluster:
    """Describe one group of nodes: who is in it, which harms meet, and on what evidence."""
    member_set = set(members)
    young = [n for n in member_set if graph.nodes[n]["entity_type"] == "young_person"]
    shared = Counter(
        n
        for p in young
        for n in graph.neighbors(p)
        if graph.nodes[n]["entity_type"] in CONTEXT_TYPES
    )
    contexts = {n for n, count in shared.items() if count >= 2}
    inside = member_set | contexts
    return _describe(graph, member_set, contexts, evidence_within(graph, member_set, inside))


def summarise_all(graph: nx.Graph, communities: Sequence[Iterable[str]]) -> list[Cluster]:
    """``summarise`` for each of several disjoint ``communities`` (in their order), with
    shared contexts and evidence found in one pass over the edge arrays for all of them.

    An edge is evidence for the community of one of its ends when the other end is in that
    community or is a context two or more of its young people are linked to: the rule of
    ``evidence_within``, as array operations rather than a walk per cluster.
    """
    if not communities:
        return []
    arrays = edge_arrays(graph)
    n = len(arrays.nodes)
    member_of = np.full(n, -1, dtype=np.int64)
    index = pd.Index(arrays.nodes)
    for number, members in enumerate(communities):
        member_of[index.get_indexer(list(members))] = number
    young = arrays.kinds == "young_person"
    context = np.isin(arrays.kinds, list(CONTEXT_TYPES))
    low, high = arrays.low, arrays.high
    linked = []  # (community of a young member) * n + (context it is linked to), per edge
    for person, other in ((low, high), (high, low)):
        rows = young[person] & context[other] & (member_of[person] >= 0)
        linked.append(member_of[person[rows]] * n + other[rows])
    codes, counts = np.unique(np.concatenate(linked), return_counts=True)
    shared_codes = codes[counts >= 2]
    c_low, c_high = member_of[low], member_of[high]
    for_low = (c_low >= 0) & ((c_high == c_low) | np.isin(c_low * n + high, shared_codes))
    for_high = (c_high >= 0) & (c_high != c_low) & np.isin(c_high * n + low, shared_codes)
    evidence: list[set[str]] = [set() for _ in communities]
    adjacency, nodes = graph.adj, arrays.nodes
    for owner, rows in ((c_low, for_low), (c_high, for_high)):
        picked = np.flatnonzero(rows)
        triples = zip(
            owner[picked].tolist(), low[picked].tolist(), high[picked].tolist(), strict=True
        )
        for c, u, v in triples:
            evidence[c].update(adjacency[nodes[u]][nodes[v]]["links"])
    for node in nx.nodes_with_selfloops(graph):  # a member's link to itself, as before
        if member_of[index.get_loc(node)] >= 0:
            evidence[member_of[index.get_loc(node)]].update(adjacency[node][node]["links"])
    shared: list[set[str]] = [set() for _ in communities]
    for code in shared_codes.tolist():
        shared[code // n].add(nodes[code % n])
    return [
        _describe(graph, set(members), shared[number], sorted(evidence[number]))
        for number, members in enumerate(communities)
    ]


def _describe(
    graph: nx.Graph, member_set: set[str], shared: set[str], evidence: list[str]
) -> Cluster:
    """The Cluster of ``member_set`` given its shared contexts and its evidence."""
    attributes = graph.nodes
    kinds = {n: attributes[n]["entity_type"] for n in member_set}
    young = sorted(n for n, k in kinds.items() if k == "young_person")
    adults = sorted(n for n, k in kinds.items() if k == "adult")
    profile = harm_profile(graph, young)
    contexts = sorted({n for n, k in kinds.items() if k in CONTEXT_TYPES} | shared)
    people = member_set - set(contexts)
    inside = member_set | set(contexts)
    return Cluster(
        id="",
        members=sorted(people),
        young_people=young,
        adults=adults,
        contexts=contexts,
        harms=profile["harms"],
        ideologies=profile["ideologies"],
        multi_harm_young_people=profile["multi_harm_young_people"],
        overlap=profile["overlap"],
        protective=protective_in(graph, inside),
        evidence=evidence,
    )


def evidence_within(graph: nx.Graph, member_set: set[str], inside: set[str]) -> list[str]:
    """Link ids of the edges with a member at one end and the other end inside the cluster.

    Walks the members' own adjacency only: a popular school shared by many clusters is
    reached from each cluster's members, never walked in full once per cluster, so over a
    whole partition this is one pass over the links (the old walk over ``inside`` cost
    clusters x hub degree: 204 s of 303 s at 1M heavy-tailed links).
    """
    adjacency = graph.adj
    found: set[str] = set()
    for u in member_set:
        for v, data in adjacency[u].items():
            if v in inside:
                found.update(data["links"])
    return sorted(found)


def protective_in(graph: nx.Graph, nodes: Iterable[str]) -> dict[str, list[str]]:
    """Trusted adults and protective places among ``nodes``, listed beside the risks."""
    protective_kinds = set(MODEL.place_kinds.with_flag("protective"))
    protective_roles = set(MODEL.adult_roles.with_flag("protective"))
    attributes = graph.nodes
    trusted, places = [], []
    for n in nodes:  # one pass: ``nodes`` may be any iterable
        data = attributes[n]
        if data.get("adult_role") in protective_roles:
            trusted.append(n)
        if data.get("place_kind") in protective_kinds:
            places.append(n)
    return {"trusted_adults": sorted(trusted), "protective_places": sorted(places)}


def connected_components(scoped: ScopedGraph) -> list[tuple[str, ...]]:
    """Connected components, largest first (canonical order)."""
    from mapping.analysis.engine import canonical

    return canonical(nx.connected_components(scoped.graph))


def membership(clusters: list[Cluster]) -> dict[str, str]:
    """Which reported cluster each person belongs to (contexts may serve several clusters)."""
    return {member: cluster.id for cluster in clusters for member in cluster.members}
