"""Strategic summary for the partnership board: young people by district and harm type over
time, with small-number suppression so the summary can leave the meeting.

Counts of 1 to 4 are shown as ``<5`` (primary suppression): a small count in one district
can identify a child. A row total could give a suppressed cell back by subtraction, so when
any cell in a row is suppressed the row's total is rounded to the nearest 5 and marked
``~`` (secondary suppression). Zero is shown as 0: it identifies no one. Counts are of
young people, never of links, and nothing here names or codes a person.
"""

from __future__ import annotations

import pandas as pd

from mapping.graph import ScopedGraph
from mapping.model import MODEL

SUPPRESSED = "<5"
THRESHOLD = 5


def suppress(count: int) -> str:
    """``0`` stays 0, 1 to 4 become ``<5``, 5 and above are shown as they are.

    >>> [suppress(n) for n in (0, 1, 4, 5)]
    ['0', '<5', '<5', '5']
    """
    if count < 0:
        raise ValueError("a count cannot be negative")
    return SUPPRESSED if 0 < count < THRESHOLD else str(count)


def rounded_total(count: int) -> str:
    """A row total beside a suppressed cell: to the nearest 5, marked ``~`` (under 5: ``<5``)."""
    if count < THRESHOLD:
        return suppress(count)
    return f"~{int(5 * round(count / 5))}"


def young_people_by_period(scoped: ScopedGraph, freq: str = "Q") -> pd.DataFrame:
    """One row per (period, district, harm): young people carrying that harm flag who have
    any link seen in the period (first seen to last seen overlaps it).

    ``freq`` is ``"M"`` (months) or ``"Q"`` (quarters). Raw counts: suppress before they
    leave the meeting (:func:`suppressed_table`).
    """
    links = scoped.links
    ends = pd.concat(
        [
            links[["source_id", "first_seen", "last_seen"]].rename(columns={"source_id": "id"}),
            links[["target_id", "first_seen", "last_seen"]].rename(columns={"target_id": "id"}),
        ]
    )
    ends["first"] = pd.to_datetime(ends["first_seen"].fillna(ends["last_seen"]), errors="coerce")
    ends["last"] = pd.to_datetime(ends["last_seen"].fillna(ends["first_seen"]), errors="coerce")
    ends = ends.dropna(subset=["first", "last"])
    young = {n: d for n, d in scoped.graph.nodes(data=True) if d["entity_type"] == "young_person"}
    ends = ends[ends["id"].isin(young)]
    rows = set()
    for person, first, last in zip(ends["id"], ends["first"], ends["last"], strict=True):
        data = young[person]
        for period in pd.period_range(first, max(first, last), freq=freq):
            for harm in data["harms"]:
                rows.add((str(period), data.get("district") or "not recorded", harm, person))
    frame = pd.DataFrame(sorted(rows), columns=["period", "district", "harm", "person"])
    counts = frame.groupby(["period", "district", "harm"]).size().rename("young_people")
    return counts.reset_index()


def suppressed_table(
    counts: pd.DataFrame, rows: str = "district", period: str | None = None
) -> pd.DataFrame:
    """A district x harm table (for one period, or the latest) ready to leave the meeting:
    every cell passed through :func:`suppress`, totals rounded where a cell was suppressed."""
    if counts.empty:
        return pd.DataFrame()
    period = period or counts["period"].max()
    chosen = counts[counts["period"] == period]
    wide = chosen.pivot_table(
        index=rows, columns="harm", values="young_people", aggfunc="sum", fill_value=0
    )
    harms = [h for h in MODEL.harms.keys() if h in wide.columns]
    wide = wide[harms]
    table = wide.map(lambda n: suppress(int(n)))
    table.columns = [MODEL.harms[h].attrs.get("short", h) for h in harms]
    hidden = (wide > 0) & (wide < THRESHOLD)
    # A young person with two flags counts in two cells: the total is of flags, not people.
    totals = wide.sum(axis=1)
    table["harm flags (total)"] = [
        rounded_total(int(t)) if h else suppress(int(t))
        for t, h in zip(totals, hidden.any(axis=1), strict=True)
    ]
    return table.reset_index()


def trend(counts: pd.DataFrame) -> pd.DataFrame:
    """Harm flags across all districts per period (for a chart), suppressed below 5: a
    suppressed point is drawn as missing, never as its true value."""
    if counts.empty:
        return pd.DataFrame()
    wide = counts.pivot_table(
        index="period", columns="harm", values="young_people", aggfunc="sum", fill_value=0
    )
    return wide.mask((wide > 0) & (wide < THRESHOLD))
