"""Benchmark: our ``analyse`` against plain networkx and an igraph-only floor, side by side.

    .venv/bin/python benchmarks/scale_bench.py --links 100000
    .venv/bin/python benchmarks/scale_bench.py --links 1000000 --skip-networkx

One run, one process tree: the heavy-tailed fictional world (``heavy_world.py``, seeded) is
written as CSV, imported with ``python -m mapping import`` and then, one child process at a
time (so each peak memory is its own):

1. ours: ``python -m mapping analyse --db ... --out FILE``, as an analyst runs it (reading
   the version, the scoped graph, every analysis, the JSON written);
2. plain networkx: read the same version, one networkx graph of the links, networkx Louvain
   and networkx betweenness with ``--k`` (200) sample sources;
3. igraph floor: read the same version, the links merged per pair with pandas, then igraph
   alone for the same graph steps as ours (Louvain on all entities, Louvain on the young
   people, betweenness from ``BETWEENNESS_SAMPLES`` sources, articulation points).

Prints wall and CPU seconds and peak memory of each child, the ratios (networkx / ours and
ours / igraph) and the load average before and after, since the machine may be shared.
Never run inside pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def read_links(db: str):
    """The latest version's links and entities, read as every pipeline must."""
    from mapping.store import Store

    return Store(db).read_version()


def networkx_pipeline(db: str, k: int) -> dict:
    import networkx as nx

    tables = read_links(db)
    links = tables.links
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(links["source_id"], links["target_id"], links["weight"].fillna(1.0), strict=True)
    )
    communities = nx.community.louvain_communities(graph, weight="weight", seed=0)
    nx.betweenness_centrality(graph, k=min(k, graph.number_of_nodes()), seed=0)
    return {"communities": len(communities), "edges": graph.number_of_edges()}


def igraph_pipeline(db: str) -> dict:
    import numpy as np
    import pandas as pd

    from mapping.analysis.engine import BETWEENNESS_SAMPLES, igraph_module

    igraph = igraph_module()
    tables = read_links(db)
    links = tables.links
    a = links["source_id"].to_numpy(dtype=object)
    b = links["target_id"].to_numpy(dtype=object)
    low, high = np.where(a < b, a, b), np.where(a < b, b, a)
    codes, nodes = pd.factorize(np.concatenate([low, high]))
    n_links = len(links)
    pairs = pd.DataFrame(
        {"u": codes[:n_links], "v": codes[n_links:], "w": links["weight"].fillna(1.0).to_numpy()}
    )
    merged = pairs.groupby(["u", "v"], sort=True)["w"].sum().reset_index()
    graph = igraph.Graph(n=len(nodes), edges=merged[["u", "v"]].to_numpy())
    graph.es["weight"] = merged["w"].to_numpy()
    communities = graph.community_multilevel(weights="weight")
    kinds = tables.entities.set_index("entity_id")["entity_type"]
    young = np.flatnonzero(kinds.reindex(nodes).to_numpy() == "young_person")
    peers = graph.induced_subgraph(young).community_multilevel(weights="weight")
    sources = np.random.default_rng(0).choice(len(nodes), BETWEENNESS_SAMPLES, replace=False)
    graph.betweenness(directed=False, sources=sources.tolist())
    graph.articulation_points()
    return {"communities": len(communities), "peer_groups": len(peers), "edges": graph.ecount()}


def run_child(name: str, command: list[str], env: dict, out_file: Path) -> dict:
    """Run ``command`` as a child, its output to ``out_file``; its own wall time, CPU time
    and peak memory (``wait4`` reports the rusage of that child alone)."""
    started = time.perf_counter()
    with open(out_file, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle)
        _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{name} failed: {' '.join(command)}")
    result = {
        "step": name,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
    }
    if name in ("networkx", "igraph"):
        result.update(json.loads(out_file.read_text(encoding="utf-8")))
    return result


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def bench(links: int, k: int, skip_networkx: bool, folder: Path, reuse: str | None) -> list:
    """Write, import and analyse the world; with ``reuse`` (the URL of a database this script
    imported before, same links and seed) the world is not written and imported again."""
    python = sys.executable
    me = str(Path(__file__).resolve())
    env = dict(os.environ, MAPPING_KEY_FILE=str(folder / "bench.key"), PYTHONPATH=str(ROOT))
    db = reuse or f"sqlite:///{folder / 'bench.sqlite'}"
    steps = []
    if not reuse:
        from benchmarks.heavy_world import degree_summary, write_world

        paths = write_world(folder, links)
        import pandas as pd

        summary = degree_summary(pd.read_csv(paths[1], dtype=str))
        print(json.dumps({"world": summary}, default=int))
        import_command = [python, "-m", "mapping", "import", *map(str, paths), "--db", db]
        steps.append(("import", [*import_command, "--no-warm"]))
    steps.append(("ours", [python, "-m", "mapping", "analyse", "--db", db]))
    if not skip_networkx:
        steps.append(
            ("networkx", [python, me, "--pipeline", "networkx", "--db", db, "--k", str(k)])
        )
    steps.append(("igraph", [python, me, "--pipeline", "igraph", "--db", db]))
    results = []
    for name, command in steps:
        before = load()
        out_file = folder / f"{name}.out"
        result = run_child(name, command, env, out_file)
        result["load_before_after"] = f"{before} / {load()}"
        if name == "ours":
            result["json_mb"] = round(out_file.stat().st_size / 1e6, 1)
        results.append(result)
        print(json.dumps(result))
    return results


def ratios(results: list[dict]) -> dict:
    by = {r["step"]: r for r in results}
    found = {}
    for measure in ("wall_s", "cpu_s"):
        ours = by["ours"][measure]
        if "networkx" in by:
            found[f"networkx_over_ours_{measure}"] = round(by["networkx"][measure] / ours, 1)
        found[f"ours_over_igraph_{measure}"] = round(ours / by["igraph"][measure], 2)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=200, help="networkx betweenness sources")
    parser.add_argument("--skip-networkx", action="store_true", help="(hours at 1M links)")
    parser.add_argument("--pipeline", choices=["networkx", "igraph"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--db", help="with --links: reuse a database this script imported (skips the import)"
    )
    args = parser.parse_args(argv)
    if args.pipeline == "networkx":
        print(json.dumps(networkx_pipeline(args.db, args.k)))
        return 0
    if args.pipeline == "igraph":
        print(json.dumps(igraph_pipeline(args.db)))
        return 0
    print(json.dumps({"links": args.links, "cpus": os.cpu_count(), "load": load()}))
    with tempfile.TemporaryDirectory() as tmp:
        results = bench(args.links, args.k, args.skip_networkx, Path(tmp), args.db)
    print(json.dumps({"ratios": ratios(results)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
