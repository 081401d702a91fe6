"""The dimension bomb uploaded in a live app server while another session keeps working
(issue 18 group 4), shared by tests/security/test_resource_limits.py and
benchmarks/hostile_import.py ``--app``.

One Chromium page, signed in as an analyst, uploads the bomb on the import page; a second
page, signed in as a partner, opens another page meanwhile; a thread polls
``/_stcore/health`` and samples the server's resident memory (psutil, else
``/proc/PID/status``) every 0.1 s until the refusal shows.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REFUSAL_TEXT = "oversize sheet"  # the problem kind loaders.bounds gives the bomb
CHROMIUM = "/usr/bin/chromium"


def rss_mb(pid: int) -> float:
    """Resident memory of one process, MB."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 1024**2
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class BombRun:
    refused_seconds: float = 0.0
    refusal_shown: bool = False
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    health_ok: int = 0
    health_failed: int = 0
    health_slowest_seconds: float = 0.0
    other_page_seconds: float = 0.0
    other_page_answered: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_peak_mb - self.rss_before_mb

    def as_dict(self) -> dict:
        return {**asdict(self), "rss_growth_mb": self.rss_growth_mb}


class Watch(threading.Thread):
    """Health checks and memory samples of the server, until stopped."""

    def __init__(self, base: str, pid: int, run: BombRun):
        super().__init__(daemon=True)
        self.base, self.pid, self.run_ = base, pid, run
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=5) as answer:  # noqa: S310
                    ok = answer.read().strip() == b"ok"
            except OSError:
                ok = False
            spent = time.monotonic() - started
            self.run_.health_ok += ok
            self.run_.health_failed += not ok
            self.run_.health_slowest_seconds = max(self.run_.health_slowest_seconds, spent)
            self.run_.rss_peak_mb = max(self.run_.rss_peak_mb, rss_mb(self.pid))
            self.done.wait(0.1)


def local_only(page) -> None:
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort(),
    )


def sign_in(browser, expect, base: str, user: str, password: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    local_only(page)
    page.goto(base)
    page.get_by_label("User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Network map")).to_be_visible(timeout=60_000)
    return context, page


def bomb_in_app(
    base: str, pid: int, browser, expect, bomb: Path, *, analyst: str, other: str, password: str
) -> BombRun:
    """Upload ``bomb`` as ``analyst`` while ``other`` opens the meeting page; measure.
    ``refused_seconds``: from the upload starting to the refusal appearing in the page."""
    run = BombRun()
    importer, page = sign_in(browser, expect, base, analyst, password)
    partner, other_page = sign_in(browser, expect, base, other, password)
    try:
        page.get_by_role("link", name="Import data").click()
        expect(page.get_by_role("heading", name="Import data")).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)  # let the page settle before measuring
        run.rss_before_mb = run.rss_peak_mb = rss_mb(pid)
        watch = Watch(base, pid, run)
        watch.start()
        # The browser stamps the moment the refusal appears, so the other session's
        # wait below does not count towards it.
        page.evaluate(
            """text => { window.__refusedAt = null;
                new MutationObserver((_, observer) => {
                    if (document.body.innerText.includes(text)) {
                        window.__refusedAt = performance.now(); observer.disconnect(); }
                }).observe(document.body, {childList: true, subtree: true,
                                           characterData: true}); }""",
            REFUSAL_TEXT,
        )
        started = page.evaluate("performance.now()")
        page.locator("input[type=file]").first.set_input_files(str(bomb))
        # Meanwhile the other session works: open the meeting page and wait for it.
        other_started = time.monotonic()
        other_page.get_by_role("link", name="MACE meeting").click()
        expect(other_page.get_by_role("heading", name="MACE meeting")).to_be_visible(timeout=60_000)
        run.other_page_seconds = time.monotonic() - other_started
        run.other_page_answered = True
        expect(page.get_by_text(REFUSAL_TEXT).first).to_be_visible(timeout=60_000)
        run.refused_seconds = (page.evaluate("window.__refusedAt") - started) / 1000
        run.refusal_shown = True
        page.wait_for_timeout(1000)  # memory after the refusal too
        watch.done.set()
        watch.join(10)
    finally:
        importer.close()
        partner.close()
    return run
