"""Sizing the explorer's entities by a measure: none (the standard drawing), degree,
betweenness as the analysis computes it, or the number of links in scope.

Pure: the page picks a measure, this module computes the values and rescales the drawn
nodes; the legend line says what size means. Collapsed clusters keep their own size
(members).
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from mapping.analysis import engine
from mapping.analysis.connectors import through_places
from mapping.graph import ScopedGraph

#: The measures a person can size entities by, and how the option reads.
MEASURES = {
    "none": "No measure (standard size)",
    "degree": "Degree: entities linked",
    "betweenness": "Betweenness (as the analysis computes it)",
    "links": "Links in scope",
}
#: Drawn radius of the smallest and largest value of a measure.
SMALLEST, LARGEST = 8.0, 40.0


def measure_values(scoped: ScopedGraph, graph: nx.Graph, measure: str) -> dict[str, float]:
    """Each entity of ``graph`` (the drawing's graph, time bar applied) and its value.

    ``degree`` and ``links`` count in ``graph``; ``betweenness`` is the analysis's
    (:func:`mapping.analysis.connectors.find_connectors`): normalised, on the whole scope
    with an incident's people reaching each other through its place, exact up to
    ``engine.EXACT_BETWEENNESS_MAX_NODES`` entities and seeded-sampled above.
    """
    if measure == "degree":
        return {n: float(graph.degree(n)) for n in graph}
    if measure == "links":
        return {
            n: float(sum(len(d.get("links", ())) for _, _, d in graph.edges(n, data=True)))
            for n in graph
        }
    if measure == "betweenness":
        values = engine.betweenness(through_places(scoped))
        return {n: float(values.get(n, 0.0)) for n in graph}
    if measure == "none":
        return {}
    raise ValueError(f"unknown size measure: {measure!r}")


def sized(
    nodes: list[dict[str, Any]], values: dict[str, float], label: str = ""
) -> list[dict[str, Any]]:
    """``nodes`` with each entity's size from its value: the largest value drawn at
    ``LARGEST``, zero at ``SMALLEST``, area growing with the value (size with its square
    root), and the value added to its tooltip under ``label``. Nodes without a value
    (collapsed clusters) keep theirs; no values, no change."""
    top = max(values.values(), default=0.0)
    if not values:
        return nodes
    out = []
    for node in nodes:
        value = values.get(node["id"])
        if value is not None:
            share = math.sqrt(value / top) if top > 0 else 0.0
            node = {**node, "size": round(SMALLEST + (LARGEST - SMALLEST) * share, 2)}
            if label and isinstance(node.get("title"), str):
                node["title"] += f"\n{label}: {value:.3g}"
        out.append(node)
    return out


def size_legend(measure: str, values: dict[str, float]) -> str:
    """What size means in the drawing, for the legend."""
    if measure == "none" or not values:
        return "Size: standard (a little larger with more connections); no measure chosen."
    top = max(values.values())
    shown = f"{top:.3f}" if measure == "betweenness" else f"{top:,.0f}"
    extra = (
        " (share of shortest paths between others through the entity, measured on the"
        " whole scope as the analysis does)"
        if measure == "betweenness"
        else ""
    )
    return (
        f"Size: {MEASURES[measure].split(' (')[0].lower()}{extra}; the largest drawn is "
        f"{shown}, zero is the smallest; area grows with the value."
    )
