"""Benchmark: the largest network the explorer draws interactively, measured in Chromium.

Run ``.venv/bin/python benchmarks/browser_draw_bench.py [--sizes 500 1000 ...]``.

For each size a fictional graph is generated in memory (codes only: young people in peer
groups of about 12 with adults, places and online spaces, ``--links-per-node`` links per
entity, so 3 gives three times as many links as entities). The drawing data comes from the
functions the Network page uses (``mapping.render.explorer.view_layout`` and ``payload``,
hence ``mapping.render.network.layout`` and ``vis_elements``), and the component's own
files (``mapping/components/network/``: index.html, explorer.js and the vis-network build
inlined from pyvis) are served from 127.0.0.1 to headless Debian Chromium (Playwright). The
data is posted to the page as a ``streamlit:render`` message, exactly as Streamlit does.

Measured in the page (``performance.now()``):

- **first draw**: from posting the data to vis-network's first ``afterDrawing``;
- **pan**: ``network.moveTo`` along a circle in a ``requestAnimationFrame`` loop for 2 s at
  the fitted (whole graph) zoom, every edge drawn; mean and max interval between frames;
- **zoom**: the same loop zooming from the fitted scale to 8x and back;
- **drag**: a mouse drag across the canvas (vis-network hides edges while dragging above 500
  nodes, as the component asks); intervals between frames while the mouse moves.

Nothing is fetched from outside the machine (any such request is aborted and reported).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import math
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from mapping.explorer import ExplorerView
from mapping.render.explorer import component_dir, payload, view_layout

CHROMIUM = os.environ.get("MAPPING_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SIZES = (500, 1_000, 2_500, 5_000, 10_000)
MAX_SIZE = 10_000  # the brief's ceiling: nothing bigger is drawn
HEIGHT = 540  # the Network page's component height (pages/network.py)
LINK_TYPES = ("peer_association", "seen_together", "contact", "frequents", "member_of")


def synthetic_graph(entities: int, links_per_node: float = 3.0, seed: int = 4) -> nx.Graph:
    """A fictional scoped graph shaped like the explorer's input (codes, no names)."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        ["young_person", "adult", "place", "online_space"], entities, p=[0.7, 0.1, 0.15, 0.05]
    )
    graph = nx.Graph()
    for i, kind in enumerate(kinds):
        harms = (
            [str(rng.choice(["cce", "cse", "radicalisation"]))]
            if (kind == "young_person" and rng.random() < 0.4)
            else []
        )
        graph.add_node(
            f"N-{i:06d}",
            entity_type=str(kind),
            label=f"N-{i:06d}",
            harms=harms,
            district=f"District {i % 7 + 1}",
            place_kind="park" if kind == "place" else None,
            adult_role="person_of_concern" if kind == "adult" else None,
        )
    target_edges = int(entities * links_per_node)
    link = 0
    while graph.number_of_edges() < target_edges:
        u = int(rng.integers(entities))
        local = rng.random() < 0.85  # most links stay inside a peer group of about 12
        v = (
            (u // 12 * 12 + int(rng.integers(12))) % entities
            if local
            else int(rng.integers(entities))
        )
        if u != v and not graph.has_edge(f"N-{u:06d}", f"N-{v:06d}"):
            link += 1
            graph.add_edge(
                f"N-{u:06d}",
                f"N-{v:06d}",
                links=[f"L{link:07d}"],
                weight=1.0,
                link_types=[LINK_TYPES[link % len(LINK_TYPES)]],
            )
    return graph


def drawing_args(graph: nx.Graph) -> tuple[dict, float]:
    """The component's arguments as pages/network.py builds them, and the seconds taken."""
    start = time.perf_counter()
    view = ExplorerView(graph)
    drawing = payload(view, view_layout(view))
    seconds = time.perf_counter() - start
    return {
        **drawing,
        "data_key": f"bench-{graph.number_of_nodes()}",
        "height": HEIGHT,
        "selected": None,
        "status": "",
        "view": None,
    }, seconds


FIRST_DRAW_JS = """(args) => new Promise((resolve, reject) => {
  const start = performance.now();
  const seen = new MutationObserver(() => {
    if (document.body.hasAttribute("data-drawn")) {
      seen.disconnect();
      resolve(performance.now() - start);
    }
  });
  seen.observe(document.body, {attributes: true});
  setTimeout(() => reject(new Error("no afterDrawing within 180 s")), 180000);
  window.postMessage({type: "streamlit:render", args: args}, "*");
})"""

# moveTo in a requestAnimationFrame loop; vis-network redraws in the next frame, so each
# interval between callbacks holds one full redraw.
MOVE_JS = """async ({ms, mode}) => {
  const net = window.explorerNetwork;
  net.fit({animation: false});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const home = net.getViewPosition(), fitted = net.getScale();
  const radius = 300 / fitted;  // 300 screen pixels
  const draws = [];
  let began = 0;
  const before = () => { began = performance.now(); };
  const after = () => { draws.push(performance.now() - began); };
  net.on("beforeDrawing", before);
  net.on("afterDrawing", after);
  const frames = [];
  await new Promise(resolve => {
    const start = performance.now();
    let last = start;
    function step() {
      const now = performance.now();
      if (now !== start) { frames.push(now - last); }
      last = now;
      const t = (now - start) / ms;
      if (t >= 1) { resolve(); return; }
      if (mode === "pan") {
        const a = 2 * Math.PI * t;
        net.moveTo({position: {x: home.x + radius * (Math.cos(a) - 1),
                               y: home.y + radius * Math.sin(a)},
                    scale: fitted, animation: false});
      } else {
        net.moveTo({position: home, scale: fitted * Math.pow(8, Math.sin(Math.PI * t)),
                    animation: false});
      }
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  });
  net.off("beforeDrawing", before);
  net.off("afterDrawing", after);
  net.fit({animation: false});
  return {frames: frames, draws: draws};
}"""

FRAME_LOGGER_JS = """() => {
  window.benchFrames = [];
  window.benchLogging = true;
  let last = performance.now();
  function tick() {
    const now = performance.now();
    window.benchFrames.push(now - last);
    last = now;
    if (window.benchLogging) { requestAnimationFrame(tick); }
  }
  requestAnimationFrame(tick);
}"""


def serve(directory: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the benchmark's table is the output
        pass


def summary(intervals: list[float]) -> tuple[float, float, int]:
    """Mean and max frame interval (ms) and frame count, dropping the first frame (the
    redraw already queued when the loop starts)."""
    kept = intervals[1:] or intervals
    return statistics.fmean(kept), max(kept), len(kept)


def drag(page, ms: float = 2000.0) -> list[float]:
    """A mouse drag across the middle of the canvas; frame intervals while it moves."""
    box = page.locator("#network").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    before = page.evaluate("() => window.explorerNetwork.getViewPosition()")
    page.evaluate(FRAME_LOGGER_JS)
    page.mouse.down()
    start, step = time.perf_counter(), 0
    while time.perf_counter() - start < ms / 1000:
        step += 1
        a = 2 * math.pi * step / 60
        page.mouse.move(x + 150 * math.cos(a) - 150, y + 150 * math.sin(a))
    page.mouse.up()
    frames = page.evaluate("() => { window.benchLogging = false; return window.benchFrames; }")
    if page.evaluate("() => window.explorerNetwork.getViewPosition()") == before:
        raise RuntimeError("the drag did not move the view")
    return frames


def measure(browser, url: str, graph: nx.Graph) -> dict:
    args, python_seconds = drawing_args(graph)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    outside: list[str] = []

    def route(request_route) -> None:
        host = request_route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_function("typeof vis !== 'undefined'")
    first_draw = page.evaluate(FIRST_DRAW_JS, args)
    drawn = page.evaluate("() => document.body.getAttribute('data-drawn')")
    pan = page.evaluate(MOVE_JS, {"ms": 2000, "mode": "pan"})
    zoom = page.evaluate(MOVE_JS, {"ms": 2000, "mode": "zoom"})
    dragged = drag(page)
    heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
    context.close()
    if errors or outside or drawn != str(len(args["nodes"])):
        raise RuntimeError(f"page errors {errors}, outside requests {outside}, drawn {drawn}")
    return {
        "nodes": len(args["nodes"]),
        "edges": len(args["edges"]),
        "python": python_seconds,
        "first_draw": first_draw / 1000,
        "pan": summary(pan["frames"]),
        "pan_draw": max(pan["draws"] or [0.0]),
        "zoom": summary(zoom["frames"]),
        "drag": summary(dragged),
        "heap_mb": heap / 2**20,
    }


def print_row(r: dict) -> None:
    print(
        f"| {r['nodes']:,} | {r['edges']:,} | {r['python']:.1f} | {r['first_draw']:.2f} | "
        f"{r['pan'][0]:.0f} / {r['pan'][1]:.0f} | {r['zoom'][0]:.0f} / {r['zoom'][1]:.0f} | "
        f"{r['drag'][0]:.0f} / {r['drag'][1]:.0f} | {r['heap_mb']:.0f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--links-per-node", type=float, default=3.0)
    args = parser.parse_args()
    if max(args.sizes) > MAX_SIZE:
        parser.error(f"sizes above {MAX_SIZE:,} are not drawn")
    from playwright.sync_api import sync_playwright

    server = serve(component_dir())
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    print(
        f"Chromium {CHROMIUM}, 1366x768, component height {HEIGHT} px; "
        f"{args.links_per_node:g} links per entity; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| entities | links | layout + payload (s) | first draw (s) | pan mean / max (ms) "
        "| zoom mean / max (ms) | drag mean / max (ms) | JS heap (MB) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in args.sizes:
                results.append(measure(browser, url, synthetic_graph(size, args.links_per_node)))
                print_row(results[-1])
            browser.close()
    finally:
        server.shutdown()
    smooth = [r["nodes"] for r in results if r["pan"][0] < 100 and r["zoom"][0] < 100]
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(
        f"largest size with pan and zoom frames under 100 ms on average: {max(smooth):,}"
        if smooth
        else "no size kept frames under 100 ms"
    )


if __name__ == "__main__":
    main()
