"""The one seam where networkx hands heavy graph work to a compiled engine (igraph).

Callers ask for a partition and get the same canonical shape whichever engine ran:
communities as sorted tuples of node ids, ordered by size then first member. The engine is
chosen by graph size (``IGRAPH_ABOVE_EDGES``), never by chance, so the same data with the
same settings always gives the same answer. igraph is GPL-2.0-or-later, compatible with this
project's GPL-3.0-or-later licence (docs/architecture.md).
"""

from __future__ import annotations

import random

import networkx as nx

#: Graphs with more edges than this are clustered by igraph; smaller ones by networkx.
IGRAPH_ABOVE_EDGES = 50_000
ENGINES = ("auto", "networkx", "igraph")


def choose_engine(graph: nx.Graph, engine: str = "auto") -> str:
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    if engine != "auto":
        return engine
    return "igraph" if graph.number_of_edges() > IGRAPH_ABOVE_EDGES else "networkx"


def canonical(communities) -> list[tuple[str, ...]]:
    parts = [tuple(sorted(c)) for c in communities if c]
    return sorted(parts, key=lambda c: (-len(c), c[0]))


def louvain(graph: nx.Graph, *, weight: str = "weight", resolution: float = 1.0,
            seed: int = 0, engine: str = "auto") -> list[tuple[str, ...]]:
    """Louvain communities of ``graph`` (weighted), deterministic for a given seed."""
    if graph.number_of_nodes() == 0:
        return []
    if choose_engine(graph, engine) == "networkx":
        return canonical(nx.community.louvain_communities(
            graph, weight=weight, resolution=resolution, seed=seed))
    return canonical(_igraph_louvain(graph, weight, resolution, seed))


def _to_igraph(graph: nx.Graph, weight: str | None):
    import igraph

    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted((min(index[u], index[v]), max(index[u], index[v]))
                   for u, v in graph.edges)
    lookup = {(min(index[u], index[v]), max(index[u], index[v])): d
              for u, v, d in graph.edges(data=True)}
    ig = igraph.Graph(n=len(nodes), edges=edges)
    if weight:
        ig.es["weight"] = [float(lookup[e].get(weight, 1.0)) for e in edges]
    return ig, nodes


def _igraph_louvain(graph, weight, resolution, seed):
    import igraph

    ig, nodes = _to_igraph(graph, weight)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        parts = ig.community_multilevel(weights="weight" if weight else None,
                                        resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)
    return [[nodes[i] for i in part] for part in parts]


def betweenness(graph: nx.Graph, *, k: int | None = None, seed: int = 0,
                engine: str = "auto") -> dict[str, float]:
    """Normalised betweenness; exact unless ``k`` sources are sampled (networkx only)."""
    if k is not None or choose_engine(graph, engine) == "networkx":
        return nx.betweenness_centrality(graph, k=k, seed=seed, normalized=True)
    ig, nodes = _to_igraph(graph, None)
    n = len(nodes)
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return {nodes[i]: value * scale for i, value in enumerate(ig.betweenness(directed=False))}
