"""Load test: N concurrent browser sessions browsing the fictional sample world.

Starts the app on 127.0.0.1 in demo mode (its own temporary data folder, so the sample
world is imported fresh), waits for the first session to finish that import, then opens
``--sessions`` sessions (all at once, or over ``--ramp`` seconds). Each loads the network
page, opens "Clusters and overlap", then returns to the network page. It reports errors,
p50/p95 page-ready times and the server's CPU and memory.

What "ready" means depends on the client. ``--client ws`` (default): the server's script
run has finished and every message of it has reached the client, the page's data among
them; it leaves out the app's static files a browser fetches on a first visit and the
browser's drawing. ``--client browser``: headless Chromium, ready when the explorer has
drawn; on a small machine the browsers then compete with the server for the CPUs.
Bounded: at most 50 sessions, a hard time limit, and only 127.0.0.1 is ever contacted.

    .venv/bin/python benchmarks/load_test.py --sessions 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.security.server import app_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
MAX_SESSIONS = 50


class ServerMonitor(threading.Thread):
    """Samples the server process tree's CPU and resident memory twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.cpu: list[float] = []
        self.rss: list[int] = []
        self.running = True
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> None:
        """Keep the server's CPU seconds so far (user + system), load-independent."""
        times = self.process.cpu_times()
        self.marks[name] = times.user + times.system

    def run(self) -> None:
        self.process.cpu_percent(None)
        while self.running:
            time.sleep(0.5)
            try:
                self.cpu.append(self.process.cpu_percent(None))
                self.rss.append(self.process.memory_info().rss)
            except psutil.Error:
                return


async def ready(page, timeout_ms: int) -> None:
    """The network page is ready when the explorer component has drawn its graph."""
    await page.wait_for_selector("iframe", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if await frame.evaluate(
                    "() => document.body && document.body.hasAttribute('data-drawn')"
                ):
                    return
            except Exception:  # noqa: BLE001, S112  (a frame still loading)
                continue
        await asyncio.sleep(0.2)
    raise TimeoutError("explorer did not draw")


async def session(browser, base: str, number: int, timeout_ms: int, delay: float = 0.0) -> dict:
    await asyncio.sleep(delay)  # a ramp: people do not all press enter in the same millisecond
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    await page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:200]))
    timings: dict[str, float] = {}
    try:
        start = time.monotonic()
        await page.goto(base, wait_until="commit", timeout=timeout_ms)
        await page.get_by_text("Dataset version", exact=False).first.wait_for(timeout=timeout_ms)
        timings["network_served"] = time.monotonic() - start  # the server's script has run
        await ready(page, timeout_ms)
        timings["network"] = time.monotonic() - start  # and the browser has drawn the graph
        start = time.monotonic()
        await page.get_by_role("link", name="Clusters and overlap").click()
        await page.get_by_role("heading", name="Clusters").first.wait_for(timeout=timeout_ms)
        await page.wait_for_selector("[data-testid=stDataFrame]", timeout=timeout_ms)
        timings["clusters"] = time.monotonic() - start
        start = time.monotonic()
        await page.get_by_role("link", name="Network").click()
        await ready(page, timeout_ms)
        timings["network_again"] = time.monotonic() - start
        body = await page.inner_text("body")
        if "Traceback" in body or "encountered an error" in body:
            errors.append("error shown on page")
    except Exception as problem:  # noqa: BLE001  (counted and reported, not raised)
        errors.append(f"{type(problem).__name__}: {str(problem)[:120]}")
    finally:
        await context.close()
    return {"session": number, "timings": timings, "errors": errors}


async def ws_session(base: str, number: int, timeout: float, delay: float = 0.0) -> dict:
    """One session spoken in Streamlit's own websocket protocol: the server's work with no
    browser rendering (the figures a person's own machine would add to are the browser's)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await asyncio.sleep(delay)
    timings: dict[str, float] = {}
    errors: list[str] = []
    pages: dict[str, str] = {}

    async def run_page(socket, page_hash: str, name: str, expect: bytes) -> None:
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_script_hash = page_hash
        start = time.monotonic()
        await socket.send(message.SerializeToString())
        seen = False
        while True:
            raw = await asyncio.wait_for(socket.recv(), timeout)
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "navigation":
                pages.update(
                    {p.page_name: p.page_script_hash for p in forward.navigation.app_pages}
                )
            elif kind == "delta":
                seen |= expect in raw
                if b"encountered an error" in raw or forward.delta.new_element.HasField(
                    "exception"
                ):
                    errors.append(f"{name}: exception shown")
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    break
        timings[name] = time.monotonic() - start
        if not seen:
            errors.append(f"{name}: page did not show {expect.decode()!r}")

    url = base.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(
            url, subprotocols=["streamlit"], max_size=2**26, ping_interval=None
        ) as sock:  # no keepalive pings (a browser sends none): a starved client missed them
            await run_page(sock, "", "network", b"Dataset version")
            await run_page(sock, pages["Clusters and overlap"], "clusters", b"Clusters")
            await run_page(sock, pages["Network"], "network_again", b"Dataset version")
    except Exception as problem:  # noqa: BLE001  (counted and reported, not raised)
        errors.append(f"{type(problem).__name__}: {str(problem)[:120]}")
    return {"session": number, "timings": timings, "errors": errors}


async def run_ws(
    base: str, sessions: int, timeout: float, ramp: float, monitor: ServerMonitor
) -> list[dict]:
    warm = await ws_session(base, 0, 300)  # the first session imports the sample world
    if warm["errors"]:
        raise SystemExit(f"warm-up session failed: {warm['errors']}")
    monitor.mark("sessions_start")
    results = await asyncio.gather(
        *[
            ws_session(base, n, timeout, ramp * (n - 1) / max(sessions - 1, 1))
            for n in range(1, sessions + 1)
        ]
    )
    monitor.mark("sessions_end")
    return list(results)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


async def run(
    base: str, sessions: int, timeout_ms: int, ramp: float, monitor: ServerMonitor
) -> list[dict]:
    async with async_playwright() as play:
        browser = await play.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        warm = await session(browser, base, 0, 180_000)  # first session imports the sample
        if warm["errors"]:
            raise SystemExit(f"warm-up session failed: {warm['errors']}")
        monitor.mark("sessions_start")
        results = await asyncio.gather(
            *[
                session(browser, base, n, timeout_ms, ramp * (n - 1) / max(sessions - 1, 1))
                for n in range(1, sessions + 1)
            ]
        )
        monitor.mark("sessions_end")
        await browser.close()
    return list(results)


def summarise(results: list[dict], monitor: ServerMonitor, wall: float) -> dict:
    pages = {
        name: [r["timings"][name] for r in results if name in r["timings"]]
        for name in ("network_served", "network", "clusters", "network_again")
    }
    every = [t for values in pages.values() for t in values]
    return {
        "sessions": len(results),
        "sessions_with_errors": sum(bool(r["errors"]) for r in results),
        "errors": [e for r in results for e in r["errors"]][:10],
        "page_ready_seconds": {
            name: {
                "p50": round(statistics.median(v), 2),
                "p95": round(percentile(v, 0.95), 2),
                "max": round(max(v), 2),
            }
            for name, v in pages.items()
            if v
        },
        "all_pages_p50": round(statistics.median(every), 2) if every else None,
        "all_pages_p95": round(percentile(every, 0.95), 2) if every else None,
        "server_cpu_percent": {
            "mean": round(statistics.fmean(monitor.cpu), 1),
            "peak": round(max(monitor.cpu), 1),
        }
        if monitor.cpu
        else None,
        "server_cpu_seconds_per_session": round(
            (monitor.marks["sessions_end"] - monitor.marks["sessions_start"]) / len(results), 3
        )
        if {"sessions_start", "sessions_end"} <= monitor.marks.keys() and results
        else None,
        "server_rss_mb": {"peak": round(max(monitor.rss) / 2**20, 1)} if monitor.rss else None,
        "wall_seconds": round(wall, 1),
        "cpus": psutil.cpu_count(),
        "load_average_1m": round(psutil.getloadavg()[0], 2),
        "note": "the clients share these CPUs with the server; server CPU percent and memory "
        "include the warm-up session that imports the sample world; CPU seconds per session "
        "(user + system, all three pages) count only the measured sessions and do not depend "
        "on the machine's load; the ws client's ready is the server's run finished and "
        "received (no static files, no drawing)",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    parser.add_argument(
        "--client",
        choices=["ws", "browser"],
        default="ws",
        help="ws: Streamlit's websocket protocol (server load only); "
        "browser: headless Chromium contexts (adds rendering)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=10.0,
        help="seconds over which the sessions start (0: all at once)",
    )
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        # XSRF protection is off only for this local benchmark server: the websocket client
        # has no browser cookie. It stays on in .streamlit/config.toml.
        env = {
            "MAPPING_DATA_DIR": folder,
            "MAPPING_USERS_FILE": "",
            "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": str(args.client == "browser").lower(),
        }
        with app_server(env) as (base, process):
            monitor = ServerMonitor(process.pid)
            monitor.start()
            start = time.monotonic()
            if args.client == "ws":
                results = asyncio.run(run_ws(base, sessions, args.timeout, args.ramp, monitor))
            else:
                results = asyncio.run(
                    run(base, sessions, int(args.timeout * 1000), args.ramp, monitor)
                )
            wall = time.monotonic() - start
            monitor.running = False
    report = {"client": args.client, **summarise(results, monitor, wall)}
    print(json.dumps(report, indent=2))
    return 1 if report["sessions_with_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
