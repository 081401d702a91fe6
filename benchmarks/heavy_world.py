"""A seeded fictional world shaped like real ones, for benchmarks at 100k and 1M links.

Young people sit in peer groups of eight (each has three peer links inside the group); their
links to places, online spaces and adults follow a heavy tail: the context or adult at a link's
far end is drawn with probability proportional to ``rank ** -1.6`` (Zipf exponent 1.6), so
one place or platform is linked to a large share of all young people, as a big school or a
popular app is, and a few adults are linked to hundreds. Every name and id is made up.

    .venv/bin/python benchmarks/heavy_world.py --links 100000 --out /tmp/world

writes ``entities.csv`` and ``links.csv`` in the project's import format (the same columns
as ``sample_data/``). Never run inside pytest; the same seed always gives the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ZIPF_EXPONENT = 1.6
GROUP = 8  # young people per peer group
PEER_LINKS = 3  # per young person, inside the group
DISTRICTS = ["Northmoor", "Eastbrook", "Southvale", "Westfield", "Ashby", "Brampton", "Calder"]
PLACE_KINDS = ["school", "park", "takeaway", "shop", "address", "hotel", "youth_club"]
PLACE_SHARES = [0.25, 0.15, 0.15, 0.15, 0.15, 0.05, 0.10]
CONTEXT_LINK_TYPE = {"school": "attends", "online_space": "member_of"}
AGENCIES = ["police", "social_care", "education", "youth_justice", "health", "voluntary_sector"]
HARMS = ["", "cce", "cse", "radicalisation", "missing", "cce;radicalisation", "cse;missing"]
HARM_SHARES = [0.55, 0.13, 0.09, 0.07, 0.1, 0.03, 0.03]


def zipf_ranks(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """``size`` draws from 0..n-1 with P(rank r) proportional to (r + 1) ** -1.6."""
    weights = np.arange(1, n + 1, dtype=float) ** -ZIPF_EXPONENT
    return rng.choice(n, size=size, p=weights / weights.sum())


def heavy_world(links: int, seed: int = 14) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(entities, links) frames with exactly ``links`` links (no pair linked twice)."""
    rng = np.random.default_rng(seed)
    n_young = max(GROUP * 2, (links // 5) // GROUP * GROUP)
    n_places, n_online, n_adults = max(10, links // 70), max(5, links // 170), max(10, links // 40)
    young = np.array([f"YP-{i:07d}" for i in range(n_young)], dtype=object)
    places = np.array([f"PL-{i:06d}" for i in range(n_places)], dtype=object)
    online = np.array([f"ON-{i:06d}" for i in range(n_online)], dtype=object)
    adults = np.array([f"AD-{i:06d}" for i in range(n_adults)], dtype=object)
    entities = _entities(rng, young, places, online, adults)
    contexts = np.concatenate([places, online])
    context_kind = np.concatenate(
        [
            entities["place_kind"].to_numpy()[n_young : n_young + n_places],
            ["online_space"] * n_online,
        ]
    )
    adult_role = entities["adult_role"].to_numpy()[-n_adults:]
    pairs = pd.DataFrame(columns=["a", "b", "t"])
    draw = links
    while len(pairs) < links:  # draw, drop repeated pairs, draw again for the shortfall
        more = _draw_pairs(rng, young, contexts, context_kind, adults, adult_role, draw)
        pairs = _unique_pairs(pd.concat([pairs, more], ignore_index=True))
        draw = int((links - len(pairs)) * 1.5) + 100
    pairs = pairs.head(links)
    return entities, _link_frame(rng, pairs.iloc[rng.permutation(len(pairs))])


def _draw_pairs(rng, young, contexts, context_kind, adults, adult_role, size) -> pd.DataFrame:
    """``size`` (young person, other end, link type) triples: 30% peers inside the group,
    40% to contexts, 30% to adults, the far ends drawn Zipf."""
    person = rng.integers(0, len(young), size)
    kind = rng.random(size)
    peer, to_context, to_adult = kind < 0.3, (kind >= 0.3) & (kind < 0.7), kind >= 0.7
    start = person[peer] // GROUP * GROUP
    mate = start + (person[peer] - start + rng.integers(1, GROUP, peer.sum())) % GROUP
    frames = [pd.DataFrame({"a": young[person[peer]], "b": young[mate], "t": "peer_association"})]
    picked = zipf_ranks(rng, int(to_context.sum()), len(contexts))
    types = np.array([CONTEXT_LINK_TYPE.get(k, "frequents") for k in context_kind], dtype=object)
    frames.append(
        pd.DataFrame({"a": young[person[to_context]], "b": contexts[picked], "t": types[picked]})
    )
    picked = zipf_ranks(rng, int(to_adult.sum()), len(adults))
    types = np.where(adult_role[picked] == "trusted_adult", "trusted_relationship", "contact")
    frames.append(pd.DataFrame({"a": adults[picked], "b": young[person[to_adult]], "t": types}))
    return pd.concat(frames, ignore_index=True)


def _unique_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    a, b = pairs["a"].to_numpy(dtype=object), pairs["b"].to_numpy(dtype=object)
    swap = a > b
    key = pd.DataFrame({"low": np.where(swap, b, a), "high": np.where(swap, a, b)})
    return pairs[~key.duplicated().to_numpy()].reset_index(drop=True)


def _entities(rng, young, places, online, adults) -> pd.DataFrame:
    n_young = len(young)
    groups = np.arange(n_young) // GROUP
    district = np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), groups.max() + 1)]
    harms = rng.choice(HARMS, n_young, p=HARM_SHARES)
    radical = np.char.find(harms.astype(str), "radical") >= 0
    others = len(places) + len(online) + len(adults)
    frame = pd.DataFrame(
        {
            "entity_id": np.concatenate([young, places, online, adults]),
            "entity_type": ["young_person"] * n_young
            + ["place"] * len(places)
            + ["online_space"] * len(online)
            + ["adult"] * len(adults),
            "district": np.concatenate([district[groups], rng.choice(DISTRICTS, others)]),
            "age_band": np.concatenate(
                [rng.choice(["10-12", "13-15", "16-17"], n_young), np.full(others, "")]
            ),
            "harms": np.concatenate([harms, np.full(others, "")]),
            "ideology": np.concatenate(
                [np.where(radical, "mixed_unclear", ""), np.full(others, "")]
            ),
            "place_kind": [""] * n_young
            + rng.choice(PLACE_KINDS, len(places), p=PLACE_SHARES).tolist()
            + [""] * (len(online) + len(adults)),
            "platform": [""] * (n_young + len(places))
            + [f"App {i % 40}" for i in range(len(online))]
            + [""] * len(adults),
            "adult_role": [""] * (n_young + len(places) + len(online))
            + rng.choice(
                ["person_of_concern", "family_member", "trusted_adult"],
                len(adults),
                p=[0.5, 0.3, 0.2],
            ).tolist(),
        }
    )
    frame["label"] = frame["entity_id"]
    return frame


def _link_frame(rng, pairs: pd.DataFrame) -> pd.DataFrame:
    n = len(pairs)
    first = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    last = first + pd.to_timedelta(rng.integers(0, 120, n), unit="D")
    grading = rng.choice(["1AP", "2BP", "2CP", "3BP", "2BC"], n, p=[0.1, 0.4, 0.3, 0.15, 0.05])
    return pd.DataFrame(
        {
            "source_id": pairs["a"].to_numpy(),
            "target_id": pairs["b"].to_numpy(),
            "link_type": pairs["t"].to_numpy(),
            "first_seen": first.strftime("%Y-%m-%d"),
            "last_seen": last.strftime("%Y-%m-%d"),
            "source_agency": rng.choice(AGENCIES, n),
            "grading": grading,
            "weight": rng.integers(1, 4, n),
        }
    )


def write_world(folder: Path, links: int, seed: int = 14) -> list[Path]:
    """Write ``entities.csv`` and ``links.csv`` into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    entities, link_rows = heavy_world(links, seed)
    paths = [folder / "entities.csv", folder / "links.csv"]
    entities.to_csv(paths[0], index=False)
    link_rows.to_csv(paths[1], index=False)
    return paths


def degree_summary(link_rows: pd.DataFrame) -> dict:
    """How heavy the tail is: the most linked context's and adult's share of young people."""
    ends = pd.concat([link_rows["source_id"], link_rows["target_id"]])
    degree = ends.value_counts()
    young = degree[degree.index.str.startswith("YP-")]
    contexts = degree[degree.index.str.startswith(("PL-", "ON-"))]
    adults = degree[degree.index.str.startswith("AD-")]
    return {
        "links": len(link_rows),
        "young_people": len(young),
        "top_context_degree": int(contexts.iloc[0]),
        "top_context_share_of_young_people": round(contexts.iloc[0] / len(young), 2),
        "top_adult_degree": int(adults.iloc[0]),
        "median_context_degree": float(contexts.median()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    paths = write_world(args.out, args.links, args.seed)
    print(degree_summary(pd.read_csv(paths[1], dtype=str)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
