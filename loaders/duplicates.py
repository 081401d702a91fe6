"""Duplicate and updated links, always reported: a link given twice (either way round) in
one sheet, and a link an ``import --add`` gives again with other dates or values.

Nothing here drops a link or moves its dates earlier without a message that counts it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from loaders.problems import WARNING, Problem
from mapping.model import GRADING_FIELDS

#: What makes two rows the same link (besides its ends).
LINK_KEY = ["link_type", "first_seen", "source_agency"]


def reversed_duplicates(frame: pd.DataFrame) -> pd.Index:
    """Rows whose link appears on an earlier row the other way round (B-A after A-B).

    Same-direction duplicates are reported by validation already; these are summed into one
    edge just the same (A-B weight 9 and B-A weight 1 become 10), so they are reported too.
    """
    source = frame["source_id"].astype(str).str.strip().str.upper()
    target = frame["target_id"].astype(str).str.strip().str.upper()
    low = source.where(source <= target, target)
    high = target.where(source <= target, source)
    pairs = frame[LINK_KEY].assign(_low=low, _high=high)
    ordered = frame[LINK_KEY].assign(_source=source, _target=target)
    unordered_dup = pairs.duplicated(keep="first")
    same_direction = ordered.duplicated(keep="first")
    return frame.index[unordered_dup & ~same_direction]


def keep_later_dates(
    previous: pd.DataFrame, new: pd.DataFrame, review_by: Callable[[pd.Series], pd.Series]
) -> tuple[pd.DataFrame, list[Problem]]:
    """New links of an ``import --add``, never moving an existing link's dates earlier.

    A link already in the previous version (same link id) given again keeps the later of the
    two last-seen dates, so its review-by and purge dates never move earlier silently; other
    new values (grading, weight, notes) are kept and counted. ``review_by(last_seen)`` gives
    the review-by dates. Returns (new links, warnings).
    """
    old = previous.set_index("link_id")
    again = new[new["link_id"].isin(old.index)]
    if again.empty:
        return new, []
    before = old.loc[again["link_id"]]
    earlier = again["last_seen"].fillna("").to_numpy() < before["last_seen"].fillna("").to_numpy()
    changed = pd.Series(False, index=again.index)
    for field in GRADING_FIELDS:
        a = again[field].fillna("").astype(str).to_numpy()
        b = before[field].fillna("").astype(str).to_numpy()
        changed |= pd.Series(a != b, index=again.index)
    weights = pd.to_numeric(again["weight"], errors="coerce").fillna(1.0).to_numpy()
    old_weights = pd.to_numeric(before["weight"], errors="coerce").fillna(1.0).to_numpy()
    changed |= pd.Series(weights != old_weights, index=again.index)
    result = new.copy()
    rows = again.index[earlier]
    result.loc[rows, "last_seen"] = before["last_seen"].to_numpy()[earlier]
    result.loc[rows, "review_by"] = review_by(result.loc[rows, "last_seen"])
    problems = []
    if len(rows):
        problems.append(
            Problem(
                WARNING,
                "",
                "",
                None,
                "last_seen",
                "link given again with an earlier date",
                f"{len(rows)} links already in the version added to were given again with an "
                "earlier last-seen date; the later date was kept, so their review-by and purge "
                "dates did not move earlier",
            )
        )
    if changed.any():
        problems.append(
            Problem(
                WARNING,
                "",
                "",
                None,
                None,
                "link given again with other values",
                f"{int(changed.sum())} links already in the version added to were given again "
                "with another grading or weight; the new values were kept (the previous "
                "version still holds the old ones)",
            )
        )
    return result, problems
