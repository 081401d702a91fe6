"""Benchmark: import a 1,000,000-link CSV (plus 20,000 entities) into a fresh SQLite database.

Run ``.venv/bin/python benchmarks/import_bench.py [--links N] [--db URL]``. The fictional
files are generated into a temporary folder; the import runs in a child process through
``python -m mapping import`` so the peak memory reported is the import's own (ru_maxrss of
the child). Goal (issue #9): under 60 s and under 4 GB on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK_TYPES = ("peer", "seen_together", "contact", "frequents", "sibling")
AGENCIES = ("police", "social care", "education", "youth justice", "health")


def write_world(folder: Path, links: int, people: int = 20_000, seed: int = 9) -> list[Path]:
    """Fictional entities and links; ids are text like ``CS-000123``."""
    rng = random.Random(seed)
    entities = folder / "entities.csv"
    with open(entities, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["entity_id", "entity_type", "label", "district", "harms"])
        for n in range(people):
            out.writerow(
                [
                    f"CS-{n:06d}",
                    "young_person",
                    f"Fictional Person {n}",
                    "Northmoor",
                    "cce" if n % 3 else "",
                ]
            )
    links_path = folder / "links.csv"
    with open(links_path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "source_id",
                "target_id",
                "link_type",
                "first_seen",
                "last_seen",
                "source_agency",
                "grading",
                "weight",
            ]
        )
        for _ in range(links):
            a, b = rng.sample(range(people), 2)
            day = rng.randint(1, 28)
            out.writerow(
                [
                    f"CS-{a:06d}",
                    f"CS-{b:06d}",
                    rng.choice(LINK_TYPES),
                    f"{day:02d}/0{rng.randint(1, 9)}/2025",
                    f"2026-0{rng.randint(1, 9)}-{day:02d}",
                    rng.choice(AGENCIES),
                    "2BP",
                    rng.randint(1, 5),
                ]
            )
    return [entities, links_path]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--db", help="database URL (default: SQLite in the temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_world(folder, args.links)
        size = sum(f.stat().st_size for f in files) / 1e6
        db = args.db or f"sqlite:///{folder / 'bench.sqlite'}"
        env = dict(os.environ, MAPPING_KEY_FILE=str(folder / "bench.key"))
        command = [sys.executable, "-m", "mapping", "import", *map(str, files), "--db", db]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stdout.strip())
        if done.returncode:
            print(done.stderr[-2000:], file=sys.stderr)
            return done.returncode
        print(
            f"{args.links:,} links ({size:.0f} MB of CSV): {seconds:.1f} s, "
            f"peak memory {peak_mb:,.0f} MB, on {os.cpu_count()} CPU(s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
