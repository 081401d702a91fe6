"""The analysis report: every analysis of one scoped graph, as one JSON-ready dict.

This is the shape ``python -m mapping analyse --json`` prints (docs/analysis.md lists every
key), and what the pages and the meeting pack read.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from mapping.analysis.changes import compare
from mapping.analysis.clusters import find_clusters, membership, protective_in
from mapping.analysis.connectors import find_connectors
from mapping.analysis.engine import choose_engine
from mapping.analysis.explain import explanations
from mapping.analysis.hotspots import (
    find_hotspots,
    hotspots_by_harm,
    peer_groups,
    schools_with_split_peer_groups,
)
from mapping.analysis.overlap import (
    cluster_overlaps,
    multi_harm_young_people,
    overlaps_by_context,
)
from mapping.graph import ScopedGraph, gc_paused


def dataset_block(scoped: ScopedGraph, info: dict[str, Any] | None = None) -> dict[str, Any]:
    info = info or {}
    return {
        "version": scoped.version,
        "created_at": info.get("created_at"),
        "entities": scoped.graph.number_of_nodes(),
        "links": len(scoped.links),
    }


def protective_block(scoped: ScopedGraph) -> dict[str, Any]:
    """Trusted adults and protective places in scope, counted and listed beside the risks."""
    listed = protective_in(scoped.graph, scoped.graph.nodes)
    return {**listed, "counts": {k: len(v) for k, v in listed.items()}}


def inferred_adult_roles(scoped: ScopedGraph) -> dict[str, str]:
    """adult id -> role read from the evidence (no adult_role recorded): shown as inferred."""
    return {
        n: d["adult_role"]
        for n, d in sorted(scoped.graph.nodes(data=True))
        if d.get("adult_role_inferred")
    }


def summary_block(report: dict[str, Any]) -> dict[str, Any]:
    """Headline counts for a meeting's first slide (risk and protective side by side)."""
    return {
        "young_people": report["_young_people"],
        "clusters": len(report["clusters"]),
        "overlap_clusters": sum(1 for c in report["clusters"] if c["overlap"]),
        "overlap_contexts": len(report["overlaps_by_context"]),
        "multi_harm_young_people": len(report["multi_harm_young_people"]),
        "hotspots": len(report["hotspots"]),
        "connectors": len(report["connectors"]),
        "trusted_adults": report["protective"]["counts"]["trusted_adults"],
        "protective_places": report["protective"]["counts"]["protective_places"],
    }


def analyse(
    scoped: ScopedGraph,
    *,
    info: dict[str, Any] | None = None,
    resolution: float = 1.0,
    seed: int = 0,
    engine: str = "auto",
    previous: ScopedGraph | None = None,
    connector_limit: int | None = 50,
) -> dict[str, Any]:
    """Run every analysis on ``scoped`` and return plain data.

    With ``previous`` (an earlier version or date in the same scope) the report also has
    ``changes`` (see ``changes.compare``).
    """
    with gc_paused():
        return _analyse(scoped, info, resolution, seed, engine, previous, connector_limit)


def _analyse(
    scoped: ScopedGraph,
    info: dict[str, Any] | None,
    resolution: float,
    seed: int,
    engine: str,
    previous: ScopedGraph | None,
    connector_limit: int | None,
) -> dict[str, Any]:
    clusters = find_clusters(scoped, resolution=resolution, seed=seed, engine=engine)
    members = membership(clusters)
    peers = peer_groups(scoped, seed=seed, engine=engine)
    hotspots = find_hotspots(scoped, membership=members, peers=peers)
    report = {
        "dataset": dataset_block(scoped, info),
        "scope": scoped.scope.describe(),
        "settings": {
            "resolution": resolution,
            "seed": seed,
            "engine": engine,
            "engine_used": choose_engine(scoped.graph, engine),
        },
        "clusters": [{f.name: getattr(c, f.name) for f in fields(c)} for c in clusters],
        "cluster_overlaps": cluster_overlaps(clusters),
        "overlaps_by_context": overlaps_by_context(scoped),
        "multi_harm_young_people": multi_harm_young_people(scoped, members),
        "hotspots": hotspots,
        "hotspots_by_harm": hotspots_by_harm(hotspots),
        "schools_with_split_peer_groups": [
            h["id"] for h in schools_with_split_peer_groups(hotspots)
        ],
        "connectors": find_connectors(
            scoped, members, seed=seed, engine=engine, limit=connector_limit
        ),
        "protective": protective_block(scoped),
        "inferred_adult_roles": inferred_adult_roles(scoped),
        "_young_people": len(scoped.young_people()),
    }
    if previous is not None:
        report["changes"] = compare(
            previous,
            scoped,
            seed=seed,
            engine=engine,
            resolution=resolution,
            after_clusters=clusters,
        )
    report["summary"] = summary_block(report)
    del report["_young_people"]
    report["explanations"] = explanations(scoped, report)
    return report
