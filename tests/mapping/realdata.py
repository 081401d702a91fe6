"""Import helpers for the public data sets in ../shared/realdata/ (see its README): read at
test time, never copied into the project."""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
NDRANGHETA = REALDATA / "ndrangheta_summits_146.csv"


def ndrangheta() -> tuple[list[str], dict[tuple[str, str], int], dict[str, dict]]:
    """(member ids, {(a, b): summits attended together}, {id: {"role", "locale"}})."""
    with NDRANGHETA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ids = [f"M{int(r['node_meta.Id']):03d}" for r in rows]
    pairs = {}
    for i, row in enumerate(rows):
        for j in range(i + 1, len(rows)):
            n = int(float(row[f"X.{j + 1}"]))
            if n:
                pairs[(ids[i], ids[j])] = n
    meta = {
        ids[i]: {"role": r["node_meta.Role"], "locale": r["node_meta.Locale"]}
        for i, r in enumerate(rows)
    }
    return ids, pairs, meta


def write_ndrangheta(folder: Path, *, first_seen: str, last_seen: str) -> list[Path]:
    """Entities (everyone an adult, no adult_role) and seen-together links weighted by summits."""
    ids, pairs, _ = ndrangheta()
    entities = folder / "members.csv"
    entities.write_text(
        "entity_id,entity_type\n" + "".join(f"{i},adult\n" for i in ids), encoding="utf-8"
    )
    links = folder / "summits.csv"
    links.write_text(
        "source_id,target_id,link_type,first_seen,last_seen,source_agency,grading,weight\n"
        + "".join(
            f"{a},{b},seen_together,{first_seen},{last_seen},police,2BP,{n}\n"
            for (a, b), n in pairs.items()
        ),
        encoding="utf-8",
    )
    return [entities, links]


def nmi(truth: dict[str, str], found: dict[str, str]) -> float:
    """Normalised mutual information (arithmetic mean of entropies, as scikit-learn)."""
    keys = sorted(truth)
    n = len(keys)
    a = Counter(truth[k] for k in keys)
    b = Counter(found[k] for k in keys)
    joint = Counter((truth[k], found[k]) for k in keys)
    mutual = sum(c / n * math.log(c * n / (a[x] * b[y])) for (x, y), c in joint.items())
    entropy = [-sum(c / n * math.log(c / n) for c in counts.values()) for counts in (a, b)]
    mean = sum(entropy) / 2
    return mutual / mean if mean else 1.0
