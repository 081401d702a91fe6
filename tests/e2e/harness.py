"""Helpers for the end-to-end tests; the fixtures that use them are in tests/e2e/conftest.py.

Import the helpers in a test module with::

    from tests.e2e.harness import screenshot, wait_for_app
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("MAPPING_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine: loopback hosts and browser-internal
    schemes (data:, blob:, about:) that make no network request."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class AppServer:
    """A ``streamlit run`` process on 127.0.0.1, started by the ``app_server`` fixture."""

    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(
    script: Path, env: Mapping[str, str], log_path: Path, timeout: float = START_TIMEOUT
) -> AppServer:
    """Start ``python -m streamlit run SCRIPT`` from the repository root (so
    .streamlit/config.toml applies) and wait until /_stcore/health answers ``ok``."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Files edited while the suite runs must not trigger reruns or "source changed" prompts.
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = AppServer(f"http://127.0.0.1:{port}", process, log_path, dict(env))
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as answer:  # noqa: S310
                if answer.read().strip() == b"ok":
                    return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"streamlit did not become healthy within {timeout:.0f} s "
                f"(exit code {process.returncode}). Server output:\n{server.log()[-4000:]}"
            )
        time.sleep(0.25)


def wait_for_app(page, timeout: float = 120_000, settle: float = 250, quiet: float = 400) -> None:
    """Wait until Streamlit has connected and finished running the script.

    Call it after ``page.goto`` and after every interaction that reruns the script (click,
    type, select, upload) and before asserting on the result. Streamlit publishes its state
    on the root element (``data-testid="stApp"``): ``data-test-connection-state`` becomes
    ``CONNECTED`` and ``data-test-script-state`` cycles initial -> running -> notRunning;
    streamlit's own e2e suite waits on the same attributes. ``settle`` ms are waited first so
    a rerun triggered just before is already under way; then the app must stay connected,
    not running and free of loading skeletons for ``quiet`` ms in a row. On a loaded machine
    a rerun can start later than ``settle``: the quiet window keeps a stale "notRunning" (the
    state before the click reached the server) from being taken for the finished rerun.
    ``timeout`` (ms, per wait) allows a fresh server's first visit, which computes the
    analysis, on a loaded 2-core machine (a mid-session run needed more than 60 s).
    """
    page.wait_for_timeout(settle)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=timeout)
    page.evaluate("() => { window.__mappingQuietSince = null; }")
    page.wait_for_function(
        """(quiet) => {
            const app = document.querySelector("[data-testid='stApp']");
            const ready = app !== null
                && app.getAttribute("data-test-connection-state") === "CONNECTED"
                && app.getAttribute("data-test-script-state") === "notRunning"
                && document.querySelector("[data-testid='stSkeleton']") === null;
            const now = performance.now();
            if (!ready) { window.__mappingQuietSince = null; return false; }
            if (window.__mappingQuietSince === null) { window.__mappingQuietSince = now; }
            return now - window.__mappingQuietSince >= quiet;
        }""",
        arg=quiet,
        polling=100,
        timeout=timeout,
    )


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the page to artifacts/screenshots/NAME.png and return its path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "screenshot"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
