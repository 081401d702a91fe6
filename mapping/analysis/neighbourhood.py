"""Neighbourhoods and paths: who and where one young person is linked to, and how two
people are connected.

A practitioner opens a young person's network at one or two hops. Contexts (places and
online spaces) come first within each hop, because contextual safeguarding assesses the
contexts, and a popular context must not crowd them out. Large neighbourhoods are cut at
``max_nodes`` and say so, rather than freezing the browser. Every path carries its links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import TYPE_CHECKING, Any

import networkx as nx

from mapping.model import GRADING_FIELDS, MODEL

if TYPE_CHECKING:
    from mapping.graph import ScopedGraph

#: Most entities a neighbourhood holds before it is cut (and reported as cut).
MAX_NEIGHBOURHOOD_NODES = 400


@dataclass
class Neighbourhood:
    """The entities within ``hops`` links of ``centre``, contexts first within each hop.

    ``hop`` gives each entity's distance from the centre; ``truncated`` is True when
    entities were left out to respect ``max_nodes`` (the meeting should narrow the filters);
    ``left_out`` counts those found but not drawn (entities beyond them are not searched).
    """

    centre: str
    hops: int
    nodes: list[str]
    hop: dict[str, int]
    truncated: bool = False
    left_out: int = 0


@dataclass
class Path:
    """One chain of links between two entities, with the link ids behind each step."""

    nodes: list[str]
    links: list[str] = field(default_factory=list)


def _rank(graph: nx.Graph, node: str, neighbour: str) -> tuple[bool, float, str]:
    context = MODEL.is_context(graph.nodes[neighbour].get("entity_type", ""))
    return (not context, -graph.edges[node, neighbour].get("weight", 1.0), neighbour)


def neighbourhood(
    graph: nx.Graph, centre: str, hops: int = 1, max_nodes: int = MAX_NEIGHBOURHOOD_NODES
) -> Neighbourhood:
    """Breadth-first neighbourhood of ``centre``; contexts first, then strongest links.

    >>> g = nx.Graph()
    >>> g.add_node("YP1", entity_type="young_person"); g.add_node("P1", entity_type="place")
    >>> g.add_node("YP2", entity_type="young_person")
    >>> g.add_edge("YP1", "YP2", weight=5.0); g.add_edge("YP1", "P1", weight=1.0)
    >>> neighbourhood(g, "YP1").nodes
    ['YP1', 'P1', 'YP2']
    """
    if centre not in graph:
        raise KeyError(f"{centre} is not in the scoped graph")
    hop = {centre: 0}
    seen = {centre}  # includes entities left out, so none is counted twice
    order = [centre]
    frontier = [centre]
    left_out = 0
    for distance in range(1, hops + 1):
        ranked: dict[str, tuple[bool, float, str]] = {}
        for node in frontier:
            for neighbour in graph.neighbors(node):
                if neighbour in seen:
                    continue
                rank = _rank(graph, node, neighbour)
                if neighbour not in ranked or rank < ranked[neighbour]:
                    ranked[neighbour] = rank
        layer = sorted(ranked, key=ranked.__getitem__)
        seen.update(layer)
        room = max(0, max_nodes - len(order))
        left_out += max(0, len(layer) - room)
        layer = layer[:room]
        for node in layer:
            hop[node] = distance
        order.extend(layer)
        frontier = layer
    return Neighbourhood(centre, hops, order, hop, left_out > 0, left_out)


def paths_between(
    graph: nx.Graph, source: str, target: str, *, max_paths: int = 3, cutoff: int = 4
) -> list[Path]:
    """Up to ``max_paths`` shortest chains of at most ``cutoff`` links from source to target.

    A MACE meeting reads a path as "how these two are connected, and on what evidence";
    an empty list means no connection within ``cutoff`` links in this scope.
    """
    if source not in graph or target not in graph or source == target:
        return []
    try:
        if len(nx.bidirectional_shortest_path(graph, source, target)) - 1 > cutoff:
            return []
        found = islice(nx.shortest_simple_paths(graph, source, target), max_paths)
        chains = [p for p in found if len(p) - 1 <= cutoff]
    except nx.NetworkXNoPath:
        return []
    return [
        Path(
            list(p),
            sorted({link for u, v in pairwise(p) for link in graph.edges[u, v].get("links", [])}),
        )
        for p in chains
    ]


STEP_FIELDS = (
    "link_id",
    "link_type",
    "source_agency",
    *GRADING_FIELDS,
    "first_seen",
    "last_seen",
    "incident_id",
    "source_role",
    "target_role",
)


def path_steps(scoped: ScopedGraph, path: Path) -> list[dict[str, Any]]:
    """What links each step of ``path``: for each pair of neighbours on it, every link with
    its type, agency, grading and dates (the evidence a practitioner reads step by step)."""
    links = scoped.links
    steps = []
    for u, v in pairwise(path.nodes):
        ids = scoped.graph.edges[u, v]["links"]
        rows = links[links["link_id"].isin(ids)].sort_values("link_id")
        records = [
            {k: (None if _missing(r.get(k)) else r.get(k)) for k in STEP_FIELDS}
            for r in rows.to_dict("records")
        ]
        steps.append({"from": u, "to": v, "links": records})
    return steps


def _missing(value: object) -> bool:
    return value is None or value != value  # NaN and pandas NA compare unequal to themselves
