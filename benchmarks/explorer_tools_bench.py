"""Benchmark: what the explorer's time bar, play-through step and size measures cost.

Run ``.venv/bin/python benchmarks/explorer_tools_bench.py [--links N]``.

On the fictional world of ``benchmarks/explorer_bench.py`` (codes only), the scoped graph is
built once (the app caches it per session); then we time, once each as a page computes them
once per scope or window (the pages cache the results): the histogram of link months, one
play-through step's narrowing (a one-month window, ``mapping.explorer.window_scoped``, what
the map redraws from) and each size measure over the whole scope
(``mapping.explorer_sizes.measure_values``; betweenness is sampled above 5,000 entities).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from benchmarks.explorer_bench import world
from mapping import explorer as ex
from mapping.explorer_sizes import measure_values
from mapping.graph import Scope, build_scoped_graph


def timed(label: str, compute):
    start = time.perf_counter()
    value = compute()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    args = parser.parse_args()
    tables = world(args.links)
    if "incident_id" not in tables.links:  # that world records no incidents
        tables.links["incident_id"] = None
    scoped = build_scoped_graph(tables, Scope(include_stale=True))
    print(f"scoped graph: {scoped.graph.number_of_nodes():,} entities, {len(scoped.links):,} links")
    bars = timed("histogram of link months", lambda: ex.link_histogram(scoped.links))
    labels = [m for m, _ in bars]
    middle = labels[len(labels) // 2]
    narrow = timed(
        f"one play step: scope narrowed to {middle}",
        lambda: ex.window_scoped(scoped, middle, middle),
    )
    print(f"  {len(narrow.links):,} of {len(scoped.links):,} links in that month")
    for measure in ("degree", "links", "betweenness"):
        timed(f"size by {measure}", lambda m=measure: measure_values(scoped, scoped.graph, m))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
