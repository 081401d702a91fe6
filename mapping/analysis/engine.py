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
    """The graph in igraph form, vertices in sorted id order (so both engines agree)."""
    import igraph

    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges]
    ig = igraph.Graph(n=len(nodes), edges=edges)
    if weight:
        ig.es["weight"] = [float(w) for _u, _v, w in graph.edges(data=weight, default=1.0)]
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


#: Betweenness is exact on graphs up to this many entities, sampled above it.
EXACT_BETWEENNESS_MAX_NODES = 5_000
#: Sources sampled for approximate betweenness on larger graphs.
BETWEENNESS_SAMPLES = 200


def betweenness_sources(graph: nx.Graph, k: int | None, seed: int = 0) -> list[str] | None:
    """The seeded sample of source entities for approximate betweenness (None = exact).

    Chosen from the sorted node ids with ``random.Random(seed)``, so both engines sample the
    same sources and give the same values.
    """
    n = graph.number_of_nodes()
    if k is None:
        k = BETWEENNESS_SAMPLES if n > EXACT_BETWEENNESS_MAX_NODES else None
    if k is None or k >= n:
        return None
    return sorted(random.Random(seed).sample(sorted(graph.nodes), k))


def betweenness(graph: nx.Graph, *, k: int | None = None, seed: int = 0,
                engine: str = "auto") -> dict[str, float]:
    """Normalised betweenness: the share of shortest paths between others through a node.

    Exact up to ``EXACT_BETWEENNESS_MAX_NODES`` entities; above it (or when ``k`` is given)
    estimated from ``k`` seeded source entities and scaled up by ``n / k``. Values are in
    [0, 1]; a MACE meeting reads a high value as "much of the network is reached through
    this adult or place". The same sources are used by both engines.
    """
    n = graph.number_of_nodes()
    if n < 3:
        return dict.fromkeys(graph.nodes, 0.0)
    sources = betweenness_sources(graph, k, seed)
    scale = 1.0 / ((n - 1) * (n - 2))  # undirected pairs, counted once each way below
    if sources is not None:
        scale *= n / len(sources)
    if choose_engine(graph, engine) == "networkx":
        if sources is None:
            raw = nx.betweenness_centrality(graph, normalized=False)
            return {v: value * 2 * scale for v, value in raw.items()}
        raw = nx.betweenness_centrality_subset(graph, sources, list(graph.nodes),
                                               normalized=False)
        return {v: value * 2 * scale for v, value in raw.items()}
    ig, nodes = _to_igraph(graph, None)
    if sources is None:
        values = ig.betweenness(directed=False)
        return {nodes[i]: value * 2 * scale for i, value in enumerate(values)}
    index = {name: i for i, name in enumerate(nodes)}
    values = ig.betweenness(directed=False, sources=[index[s] for s in sources])
    return {nodes[i]: value * 2 * scale for i, value in enumerate(values)}


def articulation_points(graph: nx.Graph, *, engine: str = "auto") -> set[str]:
    """Entities whose removal would cut the network in two (cut vertices)."""
    if graph.number_of_nodes() == 0:
        return set()
    if choose_engine(graph, engine) == "networkx":
        return set(nx.articulation_points(graph))
    ig, nodes = _to_igraph(graph, None)
    return {nodes[i] for i in ig.articulation_points()}
