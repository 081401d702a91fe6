"""The analysis report: every analysis of one scoped graph, as one JSON-ready dict.

This is the shape ``python -m mapping analyse --json`` prints (README "Analysis JSON"), and
what the pages and the meeting pack read.
"""

from __future__ import annotations

from dataclasses import asdict

from mapping.analysis.clusters import find_clusters
from mapping.graph import ScopedGraph


def dataset_block(scoped: ScopedGraph, info: dict | None = None) -> dict:
    info = info or {}
    return {
        "version": scoped.version,
        "created_at": info.get("created_at"),
        "entities": scoped.graph.number_of_nodes(),
        "links": len(scoped.links),
    }


def analyse(scoped: ScopedGraph, *, info: dict | None = None, resolution: float = 1.0,
            seed: int = 0, engine: str = "auto") -> dict:
    """Run every analysis on ``scoped`` and return plain data."""
    clusters = find_clusters(scoped, resolution=resolution, seed=seed, engine=engine)
    return {
        "dataset": dataset_block(scoped, info),
        "scope": scoped.scope.describe(),
        "settings": {"resolution": resolution, "seed": seed, "engine": engine},
        "clusters": [asdict(c) for c in clusters],
    }
