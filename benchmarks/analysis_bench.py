"""Benchmark: the full analysis on a synthetic network of about 1,000,000 links.

    .venv/bin/python benchmarks/analysis_bench.py               # 1M links, ~200k entities
    .venv/bin/python benchmarks/analysis_bench.py --links 100000 --baseline-k 20

Synthesises a planted world (peer groups of young people, contexts each group uses, adults
of concern linking several groups, a few overlap groups carrying CCE and radicalisation),
then in separate child processes (so each peak memory is its own):

1. ours: scoped graph -> clusters (Louvain, damped popular contexts) -> overlaps by cluster and
   context -> hotspots -> connectors (approximate betweenness, articulation points), through
   ``mapping.analysis.report.analyse`` with the engine chosen by size (igraph above
   ``IGRAPH_ABOVE_EDGES``);
2. baseline: the same graph built with plain networkx calls, networkx Louvain and networkx
   approximate betweenness with ``--baseline-k`` sample sources (its time per source is
   reported, so the cost at our sample size can be read off).

Reports wall time per step, CPU seconds (robust when other work shares the machine) and
peak resident memory (``resource.getrusage``). Goal: ours under
60 s and under 4 GB on a 2-core machine. Never run inside pytest.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mapping.store import ENTITY_COLUMNS, INCIDENT_COLUMNS, LINK_COLUMNS, VersionTables  # noqa: E402

DISTRICTS = ["Northmoor", "Eastbrook", "Southvale", "Westfield", "Ashby", "Brampton", "Calder"]
GROUP = 8  # young people per planted peer group


def synthesise(links_wanted: int = 1_000_000, seed: int = 7) -> VersionTables:
    """A planted world with about ``links_wanted`` links and ``links_wanted / 5`` entities."""
    rng = np.random.default_rng(seed)
    n_entities = links_wanted // 5
    n_young, n_adult = int(n_entities * 0.6), int(n_entities * 0.2)
    n_place = int(n_entities * 0.15)
    n_online = n_entities - n_young - n_adult - n_place
    young = np.array([f"YP-{i:07d}" for i in range(n_young)], dtype=object)
    adults = np.array([f"AD-{i:07d}" for i in range(n_adult)], dtype=object)
    contexts = np.array(
        [f"PL-{i:07d}" for i in range(n_place)] + [f"ON-{i:07d}" for i in range(n_online)],
        dtype=object,
    )
    group = np.arange(n_young) // GROUP
    n_groups = group.max() + 1
    district = rng.integers(0, len(DISTRICTS), n_groups)[group]
    harms = rng.choice(
        ["", "cce", "cse", "radicalisation", "missing", "cce;radicalisation"],
        n_young,
        p=[0.55, 0.15, 0.1, 0.08, 0.1, 0.02],
    )
    entities = pd.DataFrame(
        {
            "entity_id": np.concatenate([young, adults, contexts]),
            "entity_type": ["young_person"] * n_young
            + ["adult"] * n_adult
            + ["place"] * n_place
            + ["online_space"] * n_online,
            "district": np.concatenate(
                [
                    np.array(DISTRICTS, dtype=object)[district],
                    rng.choice(DISTRICTS, n_adult + len(contexts)),
                ]
            ),
            "harms": np.concatenate([harms, np.full(n_adult + len(contexts), None)]),
            "ideology": np.where(
                np.char.find(harms.astype(str), "radical") >= 0, "mixed_unclear", None
            ).tolist()
            + [None] * (n_adult + len(contexts)),
            "adult_role": [None] * n_young
            + rng.choice(["person_of_concern", "family_member", "trusted_adult"], n_adult).tolist()
            + [None] * len(contexts),
            "place_kind": [None] * (n_young + n_adult)
            + rng.choice(["school", "park", "takeaway", "address", "youth_club"], n_place).tolist()
            + [None] * n_online,
        }
    ).reindex(columns=list(ENTITY_COLUMNS))
    pairs = _planted_links(rng, n_young, n_adult, len(contexts), group, links_wanted)
    names = np.concatenate([young, adults, contexts])
    first_context = n_young + n_adult
    return VersionTables(
        entities,
        _link_frame(rng, names, pairs, first_context),
        pd.DataFrame(columns=list(INCIDENT_COLUMNS)),
    )


def _planted_links(rng, n_young, n_adult, n_contexts, group, links_wanted):
    """Index pairs: peers within groups, group contexts, adults across a few groups, noise."""
    n_groups = group.max() + 1
    peer_a = np.repeat(np.arange(n_young), 4)
    peer_b = group[peer_a] * GROUP + rng.integers(0, GROUP, peer_a.size)
    peer_b = np.minimum(peer_b, n_young - 1)
    group_contexts = rng.integers(0, n_contexts, (n_groups, 3))
    ctx_a = np.repeat(np.arange(n_young), 2)
    ctx_b = n_young + n_adult + group_contexts[group[ctx_a], rng.integers(0, 3, ctx_a.size)]
    adult_a = n_young + np.repeat(np.arange(n_adult), 5)
    home = rng.integers(0, n_groups, n_adult)[adult_a - n_young]
    spread = rng.random(adult_a.size) < 0.3  # 30% of an adult's links reach another group
    groups = np.where(spread, rng.integers(0, n_groups, adult_a.size), home)
    adult_b = np.minimum(groups * GROUP + rng.integers(0, GROUP, adult_a.size), n_young - 1)
    used = peer_a.size + ctx_a.size + adult_a.size
    noise = max(0, links_wanted - used) + peer_a.size // GROUP  # self-pairs are dropped
    total = n_young + n_adult + n_contexts
    a = np.concatenate([peer_a, ctx_a, adult_a, rng.integers(0, n_young, noise)])
    b = np.concatenate([peer_b, ctx_b, adult_b, rng.integers(0, total, noise)])
    keep = a != b
    return a[keep][:links_wanted], b[keep][:links_wanted]


def _link_frame(rng, names, pairs, first_context: int) -> pd.DataFrame:
    a, b = pairs
    n = a.size
    to_context = (a >= first_context) | (b >= first_context)
    types = np.where(to_context, "frequents", "peer_association")
    return pd.DataFrame(
        {
            "link_id": [f"L-{i:09d}" for i in range(n)],
            "source_id": names[a],
            "target_id": names[b],
            "link_type": types,
            "first_seen": "2026-01-01",
            "last_seen": "2026-10-01",
            "source_agency": "police",
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
            "weight": rng.integers(1, 4, n).astype(float),
        }
    ).reindex(columns=list(LINK_COLUMNS))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def cpu_s() -> float:
    """CPU seconds used by this process: unlike wall time, unaffected by other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def run_ours(links: int, queue) -> None:
    from mapping.analysis.report import analyse
    from mapping.graph import Scope, build_scoped_graph

    tables = synthesise(links)
    timings = {}
    cpu_before = cpu_s()
    start = time.perf_counter()
    scoped = build_scoped_graph(tables, Scope(include_stale=True), version=1)
    timings["scoped_graph_s"] = time.perf_counter() - start
    step = time.perf_counter()
    report = analyse(scoped)
    timings["analyse_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - start
    queue.put(
        {
            "pipeline": "ours",
            **_round(timings),
            "cpu_s": round(cpu_s() - cpu_before, 1),
            "peak_mb": round(peak_mb()),
            "entities": scoped.graph.number_of_nodes(),
            "links": len(scoped.links),
            "edges": scoped.graph.number_of_edges(),
            "engine_used": report["settings"]["engine_used"],
            "clusters": len(report["clusters"]),
            "hotspots": len(report["hotspots"]),
            "overlap_contexts": len(report["overlaps_by_context"]),
            "connectors": len(report["connectors"]),
        }
    )


def run_baseline(links: int, k: int, queue) -> None:
    import networkx as nx

    tables = synthesise(links)
    timings = {}
    cpu_before = cpu_s()
    start = time.perf_counter()
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(
            tables.links["source_id"],
            tables.links["target_id"],
            tables.links["weight"],
            strict=True,
        )
    )
    timings["graph_s"] = time.perf_counter() - start
    step = time.perf_counter()
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0)
    timings["louvain_s"] = time.perf_counter() - step
    step = time.perf_counter()
    nx.betweenness_centrality(graph, k=k, seed=0)
    timings["betweenness_s"] = time.perf_counter() - step
    timings["betweenness_per_source_s"] = timings["betweenness_s"] / k
    step = time.perf_counter()
    list(nx.articulation_points(graph))
    timings["articulation_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - start
    queue.put(
        {
            "pipeline": "plain networkx",
            **_round(timings),
            "cpu_s": round(cpu_s() - cpu_before, 1),
            "peak_mb": round(peak_mb()),
            "betweenness_k": k,
            "communities": len(communities),
        }
    )


def _round(timings: dict) -> dict:
    return {k: round(v, 2) for k, v in timings.items()}


def in_child(target, *args) -> dict:
    queue = mp.get_context("fork").Queue()
    process = mp.get_context("fork").Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument(
        "--baseline-k",
        type=int,
        default=20,
        help="sample sources for the networkx betweenness (each costs seconds)",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    results = [in_child(run_ours, args.links)]
    if not args.skip_baseline:
        results.append(in_child(run_baseline, args.links, args.baseline_k))
    for result in results:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
