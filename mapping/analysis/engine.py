"""The one seam where networkx hands heavy graph work to a compiled engine (igraph).

Callers ask for a partition and get the same canonical shape whichever engine ran:
communities as sorted tuples of node ids, ordered by size then first member. The engine is
chosen by graph size (``IGRAPH_ABOVE_EDGES``), never by chance, so the same data with the
same settings always gives the same answer. igraph is GPL-2.0-or-later, compatible with this
project's GPL-3.0-or-later licence (docs/architecture.md).
"""

from __future__ import annotations

import random
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

#: Graphs with more edges than this are clustered by igraph; smaller ones by networkx.
IGRAPH_ABOVE_EDGES = 50_000
ENGINES = ("auto", "networkx", "igraph")


def choose_engine(graph: nx.Graph, engine: str = "auto") -> str:
    """The engine for ``graph``: ``engine`` itself, or by size when it is ``auto``."""
    return engine_for_edges(edge_count(graph), engine)


def edge_count(graph: nx.Graph) -> int:
    """``graph.number_of_edges()``, counted from the adjacency's lengths for a plain graph
    (networkx sums a degree view in Python: 0.4 s a call at 1M links, called a dozen times
    per analysis); views and other graph types ask networkx."""
    if type(graph) is not nx.Graph:
        return int(graph.number_of_edges())
    adjacency = graph._adj
    ends = sum(map(len, adjacency.values()))
    loops = sum(1 for node, neighbours in adjacency.items() if node in neighbours)
    return (ends + loops) // 2


def engine_for_edges(edges: int, engine: str = "auto") -> str:
    """The engine for a graph of ``edges`` edges (``auto``: igraph above the threshold)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    if engine != "auto":
        return engine
    return "igraph" if edges > IGRAPH_ABOVE_EDGES else "networkx"


_IGRAPH_LOCK = threading.Lock()


def igraph_module() -> ModuleType:
    """``igraph``, imported without its plotting backends.

    igraph's package import pulls in matplotlib (1-8 s on a cold start) only to offer
    drawing, which we never use; matplotlib is held back for the moment of that import and
    imports normally afterwards for whoever draws with it.
    """
    if "igraph" in sys.modules:
        return sys.modules["igraph"]
    with _IGRAPH_LOCK:
        held = [m for m in ("matplotlib", "plotly") if m not in sys.modules]
        for name in held:
            sys.modules[name] = None  # type: ignore[assignment]  # import machinery's "absent"
        try:
            import igraph
        finally:
            for name in held:
                if sys.modules.get(name, 0) is None:
                    del sys.modules[name]
    module: ModuleType = igraph  # igraph has no type stubs
    return module


@dataclass(frozen=True)
class EdgeArrays:
    """A graph as arrays: sorted node ids and one row per edge (``low`` < ``high`` as node
    indexes, in sorted order), with the edge's summed link ``weight``. Built once per graph
    and shared by every measure, so no step walks a million-edge dict-of-dicts twice."""

    nodes: list[str]
    kinds: np.ndarray  # entity type per node
    low: np.ndarray
    high: np.ndarray
    weight: np.ndarray


_ARRAYS: weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int], EdgeArrays]] = (
    weakref.WeakKeyDictionary()
)


def edge_arrays(graph: nx.Graph, links: pd.DataFrame | None = None) -> EdgeArrays:
    """``graph`` as :class:`EdgeArrays`, kept while ``graph`` lives.

    With ``links`` (the scoped graph's link table, from which ``graph`` was built) the
    arrays come from the table with numpy, without walking the graph; each edge's weight is
    summed in link order, as the graph's own was, so the numbers are the same.
    """
    size = (graph.number_of_nodes(), edge_count(graph))
    cached = _ARRAYS.get(graph)
    if cached and cached[0] == size:
        return cached[1]
    nodes = sorted(graph.nodes)
    kinds = np.array([graph.nodes[n].get("entity_type") for n in nodes], dtype=object)
    arrays = _arrays_from_links(nodes, kinds, links, size[1]) if links is not None else None
    if arrays is None:
        arrays = _arrays_from_graph(graph, nodes, kinds)
    _ARRAYS[graph] = (size, arrays)
    return arrays


def sub_arrays(arrays: EdgeArrays, members: Iterable[str]) -> EdgeArrays:
    """The :class:`EdgeArrays` of the subgraph induced by ``members``, cut from ``arrays``
    (the same rows, renumbered, in the same sorted order) without a subgraph view, whose
    Python-level filtering cost seconds per call at 1M links."""
    keep = np.zeros(len(arrays.nodes), dtype=bool)
    keep[pd.Index(arrays.nodes).get_indexer(list(members))] = True
    rank = np.cumsum(keep) - 1
    rows = keep[arrays.low] & keep[arrays.high]
    nodes = [n for n, flag in zip(arrays.nodes, keep.tolist(), strict=True) if flag]
    return EdgeArrays(
        nodes,
        arrays.kinds[keep],
        rank[arrays.low[rows]],
        rank[arrays.high[rows]],
        arrays.weight[rows],
    )


def _arrays_from_links(
    nodes: list[str], kinds: np.ndarray, links: pd.DataFrame, edges: int
) -> EdgeArrays | None:
    index = pd.Index(nodes)
    source = index.get_indexer(links["source_id"].to_numpy(dtype=object))
    target = index.get_indexer(links["target_id"].to_numpy(dtype=object))
    if (source < 0).any() or (target < 0).any():
        return None  # not the table this graph was built from
    low, high = np.minimum(source, target), np.maximum(source, target)
    loops = low == high
    code = low[~loops].astype(np.int64) * len(nodes) + high[~loops]
    pairs, row = np.unique(code, return_inverse=True)
    if len(pairs) + len(np.unique(low[loops])) != edges:
        return None
    weight = np.zeros(len(pairs))
    np.add.at(weight, row, links["weight"].fillna(1.0).to_numpy(dtype=float)[~loops])
    return EdgeArrays(nodes, kinds, pairs // len(nodes), pairs % len(nodes), weight)


def _arrays_from_graph(graph: nx.Graph, nodes: list[str], kinds: np.ndarray) -> EdgeArrays:
    ends_u: list[str] = []
    ends_v: list[str] = []
    weights: list[float] = []
    for u, neighbours in graph.adj.items():
        for v, data in neighbours.items():
            if u < v:
                ends_u.append(u)
                ends_v.append(v)
                weights.append(data.get("weight", 1.0))
    index = pd.Index(nodes)
    low = index.get_indexer(ends_u).astype(np.int64)
    high = index.get_indexer(ends_v).astype(np.int64)
    weight = np.array(weights, dtype=float)
    order = np.lexsort((weight, high, low))
    return EdgeArrays(nodes, kinds, low[order], high[order], weight[order])


def canonical(communities: Iterable[Iterable[str]]) -> list[tuple[str, ...]]:
    parts = [tuple(sorted(c)) for c in communities if c]
    return sorted(parts, key=lambda c: (-len(c), c[0]))


def louvain(
    graph: nx.Graph,
    *,
    weight: str = "weight",
    resolution: float = 1.0,
    seed: int = 0,
    engine: str = "auto",
) -> list[tuple[str, ...]]:
    """Louvain communities of ``graph`` (weighted), deterministic for a given seed."""
    chosen = choose_engine(graph, engine)
    if weight != "weight":
        return louvain_edges(
            list(graph.nodes),
            weighted_edges(graph, weight),
            resolution=resolution,
            seed=seed,
            engine=chosen,
        )
    arrays = edge_arrays(graph)
    return louvain_arrays(
        arrays.nodes,
        arrays.low,
        arrays.high,
        arrays.weight,
        resolution=resolution,
        seed=seed,
        engine=chosen,
    )


def louvain_edges(
    nodes: list[str],
    weighted_edges: Iterable[tuple[str, str, float]],
    *,
    resolution: float = 1.0,
    seed: int = 0,
    engine: str = "networkx",
) -> list[tuple[str, ...]]:
    """Louvain communities of the graph given as ``nodes`` and ``(u, v, weight)`` triples.

    Nodes and edges are put in sorted order first, so the answer depends only on the data,
    the seed and the resolution, not on the order rows arrived in.
    """
    if not nodes:
        return []
    nodes = sorted(nodes)
    index = {n: i for i, n in enumerate(nodes)}
    triples = [(index[u], index[v], w) for u, v, w in weighted_edges]
    ends = np.array([(u, v) for u, v, _w in triples], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _u, _v, w in triples], dtype=float)
    return louvain_arrays(
        nodes,
        ends.min(axis=1),
        ends.max(axis=1),
        weights,
        resolution=resolution,
        seed=seed,
        engine=engine,
    )


def louvain_arrays(
    nodes: list[str],
    low: np.ndarray,
    high: np.ndarray,
    weights: np.ndarray,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    engine: str = "networkx",
) -> list[tuple[str, ...]]:
    """Louvain communities of the graph whose ``nodes`` are sorted ids and whose edges are
    index arrays ``low`` < ``high`` with ``weights``: the array form of ``louvain_edges``,
    for graphs too big to hand over as Python triples. Edges are put in sorted order first."""
    if not nodes:
        return []
    order = np.lexsort((weights, high, low))  # sorted edges: independent of row order
    low, high, weights = low[order], high[order], weights[order]
    if engine == "networkx":
        graph = nx.Graph()
        graph.add_nodes_from(range(len(nodes)))
        graph.add_weighted_edges_from(
            zip(low.tolist(), high.tolist(), weights.tolist(), strict=True)
        )
        parts = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed
        )
    else:
        parts = _igraph_louvain(len(nodes), np.column_stack([low, high]), weights, resolution, seed)
    return canonical([nodes[i] for i in part] for part in parts)


def weighted_edges(
    graph: nx.Graph, weight: str = "weight", scale: Mapping[str, float] | None = None
) -> Iterator[tuple[str, str, float]]:
    """(u, v, weight) once per edge, read straight from the adjacency (faster than
    ``graph.edges(data=...)`` on a million edges); ``scale`` maps a node to a multiplier."""
    for u, neighbours in graph.adj.items():
        su = scale.get(u, 1.0) if scale else 1.0
        for v, data in neighbours.items():
            if u < v:
                w = data.get(weight, 1.0) * su
                yield u, v, (w * scale.get(v, 1.0)) if scale else w


def _igraph_louvain(
    n: int, edges: np.ndarray, weights: np.ndarray, resolution: float, seed: int
) -> Any:  # an igraph VertexClustering (igraph has no type stubs)
    igraph = igraph_module()
    ig = igraph.Graph(n=n, edges=edges)
    ig.es["weight"] = weights
    igraph.set_random_number_generator(random.Random(seed))
    try:
        return ig.community_multilevel(weights="weight", resolution=resolution)
    finally:
        igraph.set_random_number_generator(random)


_CONVERTED: weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int], Any, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _to_igraph(graph: nx.Graph) -> tuple[Any, list[str]]:
    """The graph (unweighted) in igraph form, vertices in sorted id order so both engines
    agree; kept while ``graph`` lives, so several measures share one conversion."""
    size = (graph.number_of_nodes(), edge_count(graph))
    cached = _CONVERTED.get(graph)
    if cached and cached[0] == size:
        return cached[1], cached[2]
    arrays = edge_arrays(graph)
    ig = igraph_module().Graph(
        n=len(arrays.nodes), edges=np.column_stack([arrays.low, arrays.high])
    )
    _CONVERTED[graph] = (size, ig, arrays.nodes)
    return ig, arrays.nodes


#: Betweenness is exact on graphs up to this many entities, sampled above it.
EXACT_BETWEENNESS_MAX_NODES = 5_000
#: Sources sampled for approximate betweenness on larger graphs.
BETWEENNESS_SAMPLES = 100


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


def betweenness(
    graph: nx.Graph, *, k: int | None = None, seed: int = 0, engine: str = "auto"
) -> dict[str, float]:
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
        raw = nx.betweenness_centrality_subset(graph, sources, list(graph.nodes), normalized=False)
        return {v: value * 2 * scale for v, value in raw.items()}
    ig, nodes = _to_igraph(graph)
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
    ig, nodes = _to_igraph(graph)
    return {nodes[i] for i in ig.articulation_points()}
