"""Change since the last meeting: what is new, what has ended, what has moved.

A MACE chair opens each district with "what changed since we last met": links first seen
since then, links that have ended (gone from the data, or gone stale), young people newly
linked to a hotspot, and clusters that merged or split. Two dataset versions are compared
by link id (link ids are stable across versions, see loaders.canonical.link_ids); two dates
are compared as the same data seen on each date (links already first seen by then and not
yet stale). Every item carries its evidence (link ids).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from mapping.analysis.clusters import Cluster, find_clusters, membership
from mapping.analysis.hotspots import find_hotspots
from mapping.graph import Scope, ScopedGraph, build_scoped_graph
from mapping.store import Store, VersionTables

#: Young people two clusters must share before one is said to have merged into / split from
#: the other (a single person moving is a move, not a merger).
MIN_SHARED_YOUNG_PEOPLE = 2


def scope_on(scope: Scope, day: date) -> Scope:
    """``scope`` as the data stood on ``day``: links first seen by then and not yet stale."""
    return replace(scope, until=day, today=day)


def graphs_on_dates(
    tables: VersionTables, scope: Scope, before: date, after: date, version: int | None = None
) -> tuple[ScopedGraph, ScopedGraph]:
    """The same dataset version seen on two dates (for "since the last meeting")."""
    return (
        build_scoped_graph(tables, scope_on(scope, before), version),
        build_scoped_graph(tables, scope_on(scope, after), version),
    )


def compare(
    before: ScopedGraph,
    after: ScopedGraph,
    *,
    seed: int = 0,
    engine: str = "auto",
    resolution: float = 1.0,
    before_clusters: list[Cluster] | None = None,
    after_clusters: list[Cluster] | None = None,
) -> dict[str, Any]:
    """What changed between two scoped graphs.

    Returns
    -------
    dict with ``new_links`` and ``ended_links`` (link ids), ``new_young_people`` and
    ``gone_young_people``, ``newly_linked_to_hotspots`` [{``hotspot``, ``young_people``,
    ``evidence``}], ``merged`` [{``cluster``, ``from``, ``evidence``}] (an after-cluster
    drawing young people from several before-clusters, evidence = its new links) and
    ``split`` [{``cluster``, ``into``, ``evidence``}] (a before-cluster whose young people
    now sit in several clusters, evidence = its ended links). Cluster ids are each graph's
    own (``before``/``after`` ids).
    """
    old_links, new_links = set(before.links["link_id"]), set(after.links["link_id"])
    added, ended = new_links - old_links, old_links - new_links
    old_young, new_young = set(before.young_people()), set(after.young_people())
    if before_clusters is None:
        before_clusters = find_clusters(before, seed=seed, engine=engine, resolution=resolution)
    if after_clusters is None:
        after_clusters = find_clusters(after, seed=seed, engine=engine, resolution=resolution)
    return {
        "new_links": sorted(added),
        "ended_links": sorted(ended),
        "new_young_people": sorted(new_young - old_young),
        "gone_young_people": sorted(old_young - new_young),
        "newly_linked_to_hotspots": newly_linked_to_hotspots(
            before, after, membership(after_clusters)
        ),
        "merged": _regrouped(after_clusters, before_clusters, added, "from"),
        "split": _regrouped(before_clusters, after_clusters, ended, "into"),
    }


def newly_linked_to_hotspots(
    before: ScopedGraph, after: ScopedGraph, members: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Young people linked to a hotspot now (``after``) who were not linked to it before."""
    changes = []
    for hotspot in find_hotspots(after, membership=members):
        node = hotspot["id"]
        earlier = set(before.graph.neighbors(node)) if node in before.graph else set()
        fresh = [p for p in hotspot["young_people"] if p not in earlier]
        if fresh:
            evidence = sorted({link for p in fresh for link in after.graph.edges[node, p]["links"]})
            changes.append(
                {
                    "hotspot": node,
                    "kind": hotspot["kind"],
                    "young_people": fresh,
                    "evidence": evidence,
                }
            )
    return changes


def _regrouped(
    clusters: list[Cluster], others: list[Cluster], changed_links: set[str], key: str
) -> list[dict[str, Any]]:
    """Clusters in ``clusters`` whose young people come from (or went to) several of
    ``others``; evidence is the changed links inside the cluster."""
    where = {p: c.id for c in others for p in c.young_people}
    results = []
    for cluster in clusters:
        counts: dict[str, int] = {}
        for person in cluster.young_people:
            if person in where:
                counts[where[person]] = counts.get(where[person], 0) + 1
        sources = sorted(c for c, n in counts.items() if n >= MIN_SHARED_YOUNG_PEOPLE)
        if len(sources) >= 2:
            evidence = sorted(set(cluster.evidence) & changed_links)
            results.append(
                {
                    "cluster": cluster.id,
                    key: sources,
                    "young_people": cluster.young_people,
                    "evidence": evidence,
                }
            )
    return results


def previous_graph(
    store: Store, current: ScopedGraph, *, version: int | None = None, day: date | None = None
) -> ScopedGraph:
    """The graph to compare ``current`` with: an earlier ``version`` in the same scope, or
    the current version as it stood on ``day`` (the last meeting)."""
    if version is not None:
        return build_scoped_graph(store.read_version(version), current.scope, version)
    if day is None:
        raise ValueError("give a version or a date to compare with")
    tables = store.read_version(current.version)
    return build_scoped_graph(tables, scope_on(current.scope, day), current.version)
