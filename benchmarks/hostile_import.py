"""Benchmark: how fast and how small the command line refuses hostile workbooks.

    .venv/bin/python benchmarks/hostile_import.py

Each case runs ``python -m mapping import FILE`` in its own child process (peak resident
memory from ``resource.getrusage(RUSAGE_CHILDREN)`` is then that import's own) with an
address-space limit of 2 GB, so an unbounded reader fails rather than taking the machine.
Goal (issue 18): the dimension bomb (``dimension A1:XFD1048576`` and one cell at
XFD1048576, a few KB) refused in under 5 s and under 300 MB. Never run inside pytest; the
refusals themselves are tests/security/test_resource_limits.py.

    .venv/bin/python benchmarks/hostile_import.py --app

does the same in a live app server (127.0.0.1, a throwaway database and users file): one
Chromium page signed in as an analyst uploads the bomb on the import page while a partner's
page opens the meeting page; prints the time to the refusal on screen, the server's
resident memory before and at its peak, the health checks answered and failed (polled every
0.1 s), and how long the partner's page took (tests/security/app_bomb.py).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security import hostile  # noqa: E402

LIMIT = 2 * 1024**3


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run_case(name: str, path: Path | None, folder: Path) -> dict:
    db = f"sqlite:///{folder / (name + '.sqlite')}"
    command = ["import", str(path), "--db", db, "--key-file", str(folder / "k.key")]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mapping", *(command if path else ["--help"])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=_limit,
        check=False,
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024
    last = (done.stderr.strip().splitlines() or [""])[0]
    return {
        "case": name,
        "bytes": path.stat().st_size if path else 0,
        "cpu": usage.ru_utime + usage.ru_stime,
        "exit": done.returncode,
        "seconds": seconds,
        "peak_mb": peak_mb,
        "said": last[:110],
    }


def app_run() -> int:
    """The bomb in a live server while another session works (``--app``)."""
    from playwright.sync_api import expect, sync_playwright

    from mapping import auth
    from tests.security import app_bomb
    from tests.security.server import app_server
    from tests.security.world import import_world

    password = "benchmark-password-1"  # noqa: S105 - a throwaway users file
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'db.sqlite'}"
        import_world(url, folder / "k.key", folder / "in")
        users = folder / "users.yaml"
        auth.add_user(users, "ana", "analyst", password)
        auth.add_user(users, "pam", "partner", password)
        env = {
            "MAPPING_USERS_FILE": str(users),
            "MAPPING_DB": url,
            "MAPPING_KEY_FILE": str(folder / "k.key"),
            "MAPPING_DATA_DIR": str(folder),
        }
        bomb = hostile.dimension_bomb(folder / "bomb.xlsx")
        size = bomb.stat().st_size
        with app_server(env) as (base, process), sync_playwright() as play:
            browser = play.chromium.launch(
                executable_path=app_bomb.CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            try:
                run = app_bomb.bomb_in_app(
                    base,
                    process.pid,
                    browser,
                    expect,
                    bomb,
                    analyst="ana",
                    other="pam",
                    password=password,
                )
            finally:
                browser.close()
    print(f"dimension bomb in the app ({size:,} bytes), uploaded by one session")
    print(
        f"refused on screen: {run.refusal_shown} after {run.refused_seconds:.2f} s "
        "(upload to the refusal visible in the browser)"
    )
    print(
        f"server RSS: {run.rss_before_mb:.0f} MB before, {run.rss_peak_mb:.0f} MB peak, "
        f"growth {run.rss_growth_mb:.0f} MB"
    )
    print(
        f"health checks: {run.health_ok} ok, {run.health_failed} failed, slowest "
        f"{run.health_slowest_seconds:.2f} s"
    )
    print(
        f"other session (partner opens the meeting page): answered "
        f"{run.other_page_answered} in {run.other_page_seconds:.2f} s"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if run.refusal_shown and not run.health_failed else 1


def main() -> int:
    if "--app" in sys.argv[1:]:
        return app_run()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases: dict[str, Path | None] = {
            "startup_only (--help)": None,
            "dimension_bomb": hostile.dimension_bomb(folder / "bomb.xlsx"),
            "far_cell": hostile.far_cell(folder / "far.xlsx"),
            "10000_entries": hostile.many_entries(folder / "many.xlsx"),
            "doctype_in_bin_part": hostile.doctype_in_odd_part(folder / "odd.xlsx"),
            "cell_2M_chars": hostile.long_cell(folder / "long.xlsx", 2_000_000),
        }
        # RUSAGE_CHILDREN accumulates over every child of a process, so each case runs
        # from a fresh copy of this script and its figures are its own.
        if len(sys.argv) > 1:
            name = sys.argv[1]
            row = run_case(name, cases[name], folder)
            print("\t".join(str(row[k]) for k in row))
            return 0
        print(
            f"{'case':22} {'bytes':>9} {'exit':>4} {'CPU s':>6} {'wall s':>7} {'peak MB':>8}"
            "  first line"
        )
        for name in cases:
            out = subprocess.run(
                [sys.executable, __file__, name], capture_output=True, text=True, check=False
            ).stdout.rstrip("\n")
            case, size, cpu, code, seconds, peak, said = out.split("\t")
            print(
                f"{case:22} {int(size):>9,} {code:>4} {float(cpu):>6.2f} {float(seconds):>7.2f} "
                f"{float(peak):>8.0f}  {said}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
