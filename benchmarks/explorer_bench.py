"""Benchmark: open a young person's 2-hop network with 1,000,000 links loaded.

Run ``.venv/bin/python benchmarks/explorer_bench.py [--links N] [--samples K]``.

A fictional world is generated in memory (no names; ids are codes): young people in local
peer groups of about 12, adults of concern linked to several groups, places and online
spaces by district, and 1,000,000 links (repeat observations of the same pairs included, as
real exports have). The scoped graph is built once, as the app caches it per session and
dataset version; then for K young people chosen with a fixed seed we time what a click on
"Open network" costs in the app: the 2-hop neighbourhood (contexts first, cut at 400
entities), the seeded layout of that subgraph, and the vis-network payload and its JSON.
Goal (issue #4): under one second.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from mapping.explorer import focus_view
from mapping.graph import Scope, build_scoped_graph
from mapping.render.explorer import payload, view_layout
from mapping.render.network import safe_json
from mapping.store import VersionTables

LINK_TYPES = np.array(
    ["peer_association", "seen_together", "contact", "frequents", "member_of", "victim_offender"]
)


def world(links: int, seed: int = 4) -> VersionTables:
    """Entities and links shaped like a county's pooled exports (see module docstring)."""
    rng = np.random.default_rng(seed)
    wanted, links = links, int(links * 1.1)  # self-pairs are dropped; draw a few more
    young, adults, places, online = links // 15, links // 100, links // 400, links // 2000
    ids = np.concatenate(
        [
            [f"YP-{i:07d}" for i in range(young)],
            [f"AD-{i:06d}" for i in range(adults)],
            [f"PL-{i:05d}" for i in range(places)],
            [f"ON-{i:05d}" for i in range(online)],
        ]
    )
    kinds = (
        ["young_person"] * young
        + ["adult"] * adults
        + ["place"] * places
        + ["online_space"] * online
    )
    harms = rng.choice(["cce", "cse", "radicalisation", "", "", ""], len(ids))
    entities = pd.DataFrame(
        {
            "entity_id": ids,
            "entity_type": kinds,
            "label": ids,
            "district": [f"District {i % 7 + 1}" for i in range(len(ids))],
            "harms": np.where(np.array(kinds) == "young_person", harms, ""),
            "place_kind": np.where(np.array(kinds) == "place", "park", None),
            "adult_role": np.where(np.array(kinds) == "adult", "person_of_concern", None),
        }
    )
    group = rng.integers(0, young, links) // 12 * 12  # peer groups of 12
    source = group + rng.integers(0, 12, links)
    kind = rng.choice(len(LINK_TYPES), links, p=[0.35, 0.2, 0.1, 0.2, 0.1, 0.05])
    target = group + rng.integers(0, 12, links)
    target = np.where(kind == 3, young + adults + (group // 12) % places, target)
    target = np.where(kind == 4, young + adults + places + (group // 48) % online, target)
    target = np.where(kind == 5, young + (group // 36) % adults, target)
    source, target = np.minimum(source, young - 1), np.minimum(target, len(ids) - 1)
    keep = source != target
    keep &= np.cumsum(keep) <= wanted
    n = int(keep.sum())
    first = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    linked = pd.DataFrame(
        {
            "link_id": [f"L{i:08d}" for i in range(n)],
            "source_id": ids[source[keep]],
            "target_id": ids[target[keep]],
            "link_type": LINK_TYPES[kind[keep]],
            "first_seen": first.strftime("%Y-%m-%d"),
            "last_seen": first.strftime("%Y-%m-%d"),
            "source_agency": "police",
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
            "weight": 1.0,
        }
    )
    return VersionTables(entities, linked, pd.DataFrame())


def open_network(scoped, centre: str) -> tuple[float, int]:
    """What the app does on "Open network" at 2 hops; returns (seconds, entities drawn)."""
    start = time.perf_counter()
    view, _ = focus_view(scoped.graph, centre, 2)
    positions = view_layout(view)
    drawing = payload(view, positions)
    safe_json(drawing)
    return time.perf_counter() - start, view.graph.number_of_nodes()


GC_SECONDS = [0.0]


def _time_gc(phase: str, info: dict, _started=[0.0]) -> None:  # noqa: B006 - a tiny clock
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        GC_SECONDS[0] += time.perf_counter() - _started[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    tables = world(args.links)
    built = time.perf_counter()
    scoped = build_scoped_graph(tables, Scope(include_stale=True))
    gc.freeze()  # as pages/common.session_cached does after building a scoped graph
    cached = time.perf_counter()
    print(
        f"world: {len(tables.links):,} links, {len(tables.entities):,} entities "
        f"generated in {built - start:.1f} s"
    )
    print(
        f"scoped graph (cached once per session): {scoped.graph.number_of_nodes():,} "
        f"entities, {scoped.graph.number_of_edges():,} edges in {cached - built:.1f} s"
    )
    gc.callbacks.append(_time_gc)
    rng = np.random.default_rng(1)
    young = sorted(scoped.young_people())
    timings = [open_network(scoped, young[i]) for i in rng.integers(0, len(young), args.samples)]
    graph = scoped.graph
    busiest = max(
        (young[i] for i in rng.integers(0, len(young), 2000)),
        key=lambda n: sum(graph.degree(m) for m in graph.neighbors(n)),
    )
    worst, worst_size = open_network(scoped, busiest)
    print(f"busiest of 2,000 sampled young people: {worst:.3f} s, {worst_size} entities drawn")
    seconds = [t for t, _ in timings]
    sizes = [n for _, n in timings]
    print(
        f"2-hop network of {args.samples} young people: median {statistics.median(seconds):.3f}"
        f" s, max {max(seconds):.3f} s; entities drawn median {statistics.median(sizes):.0f},"
        f" max {max(sizes)}"
    )
    print(
        f"garbage collection during the timed calls: {GC_SECONDS[0]:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print("PASS" if max(*seconds, worst) < 1.0 else "FAIL", "(goal: under 1 s)")


if __name__ == "__main__":
    main()
