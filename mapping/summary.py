"""Strategic summary for the partnership board: young people by district and harm type over
time, with small-number suppression so the summary can leave the meeting.

One routine (:func:`summarise`) decides every figure that is shown: the page's table and
chart, the pack's summary slide and the CSV export all read its ``shown`` text, so none of
them can show a number the others hide.

- **Primary suppression**: counts of 1 to 4 are shown as ``<5`` (a small count in one
  district can identify a child). Zero is shown as 0: it identifies no one.
- **Secondary suppression of totals**: a total (a district's harm flags, a harm across all
  districts, the grand total, every point of the chart) that includes a suppressed cell is
  never shown exactly. It is shown as the range the shown cells already imply, ``a–b``:
  the exact cells plus 1 to 4 for each suppressed cell. Rounding a total is not enough (a
  total of 7 rounded to 5 beside a shown 6 gives the hidden cell back as 1), and a range
  computed from the shown cells alone adds nothing that arithmetic on them could not, so no
  suppressed cell can be narrowed by any sum or difference of shown figures.

Counts are of young people, never of links; a young person with two harm flags counts once
under each, so totals are of harm flags. Nothing here names or codes a person.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from mapping.analysis.harms import short_label
from mapping.graph import ScopedGraph
from mapping.model import MODEL

SUPPRESSED = "<5"
THRESHOLD = 5
ALL_DISTRICTS = "All districts"
ALL_HARMS = "harm flags (total)"
#: What every output says about the suppression, in the same words.
SUPPRESSION_NOTE = (
    "Counts of 1 to 4 are shown as <5. A total that includes a <5 is shown as the range "
    "the shown cells allow (e.g. 12–18), never exactly, so no hidden count can be worked "
    "out from a total or a difference. Safe to leave the meeting."
)


def suppress(count: int) -> str:
    """``0`` stays 0, 1 to 4 become ``<5``, 5 and above are shown as they are.

    >>> [suppress(n) for n in (0, 1, 4, 5)]
    ['0', '<5', '<5', '5']
    """
    if count < 0:
        raise ValueError("a count cannot be negative")
    return SUPPRESSED if 0 < count < THRESHOLD else str(count)


def _bounds(count: int) -> tuple[int, int]:
    """What a reader of the shown cell knows: the exact count, or 1 to 4."""
    return (1, THRESHOLD - 1) if 0 < count < THRESHOLD else (count, count)


def shown_total(cells: Iterable[int]) -> tuple[str, int, int]:
    """A total over ``cells`` (raw counts) as it may be shown: exact when no cell is
    suppressed, else the range the shown cells imply. Returns (text, low, high).

    >>> shown_total([6, 1])
    ('7–10', 7, 10)
    >>> shown_total([6, 5, 0])
    ('11', 11, 11)
    """
    low = sum(_bounds(int(c))[0] for c in cells)
    high = sum(_bounds(int(c))[1] for c in cells)
    return (str(low) if low == high else f"{low}–{high}"), low, high


def young_people_by_period(scoped: ScopedGraph, freq: str = "Q") -> pd.DataFrame:
    """One row per (period, district, harm): young people carrying that harm flag who have
    any link seen in the period (first seen to last seen overlaps it).

    ``freq`` is ``"M"`` (months) or ``"Q"`` (quarters). Raw counts: never show them; pass
    them through :func:`summarise` first.
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


def _harm_label(harm: str) -> str:
    return short_label(harm)


def summarise(counts: pd.DataFrame) -> pd.DataFrame:
    """Every figure of the summary as it may be shown, one row per (period, district, harm)
    including the totals (district ``All districts``, harm ``harm flags (total)``).

    Columns: ``period``, ``district``, ``harm`` (short label), ``shown`` (the text every
    output prints), ``low`` and ``high`` (the range ``shown`` stands for; equal when exact),
    ``suppressed`` (the cell itself is 1 to 4). Raw counts never leave this function.
    """
    columns = ["period", "district", "harm", "shown", "low", "high", "suppressed"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    harms = [h for h in MODEL.harms.keys() if h in set(counts["harm"])]
    for period, chosen in counts.groupby("period", sort=True):
        wide = chosen.pivot_table(
            index="district", columns="harm", values="young_people", aggfunc="sum", fill_value=0
        ).reindex(columns=harms, fill_value=0)
        for district, cells in wide.iterrows():
            for harm in harms:
                n = int(cells[harm])
                low, high = _bounds(n)
                rows.append(
                    (period, district, _harm_label(harm), suppress(n), low, high, low < high)
                )
            rows.append((period, district, ALL_HARMS, *shown_total(cells.tolist()), False))
        for harm in harms:
            rows.append((period, ALL_DISTRICTS, _harm_label(harm), *shown_total(wide[harm]), False))
        every = wide.to_numpy().ravel().tolist()
        rows.append((period, ALL_DISTRICTS, ALL_HARMS, *shown_total(every), False))
    return pd.DataFrame(rows, columns=columns)


def suppressed_table(summary: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """A district x harm table for one period (default the latest), totals last: the
    ``shown`` text of :func:`summarise`, nothing else."""
    if summary.empty:
        return pd.DataFrame()
    period = period or summary["period"].max()
    chosen = summary[summary["period"] == period]
    table = chosen.pivot(index="district", columns="harm", values="shown")
    harms = list(dict.fromkeys(chosen["harm"]))  # model order, total last
    districts = [d for d in dict.fromkeys(chosen["district"]) if d != ALL_DISTRICTS]
    table = table.reindex(index=[*districts, ALL_DISTRICTS], columns=harms)
    table.columns.name = None
    return table.reset_index()


def trend(summary: pd.DataFrame) -> pd.DataFrame:
    """Harm flags across all districts per period, for the chart: the same ``shown`` text
    (the tooltip) and range as the table's ``All districts`` row, so a point that includes
    a suppressed cell is drawn as a range and never as its exact value."""
    if summary.empty:
        return summary
    rows = summary[(summary["district"] == ALL_DISTRICTS) & (summary["harm"] != ALL_HARMS)]
    return rows[["period", "harm", "shown", "low", "high"]].reset_index(drop=True)


def harm_colours() -> dict[str, str | None]:
    """Each harm's short label (as the summary names it) and its colour from the model."""
    return {_harm_label(h.key): h.colour for h in MODEL.harms}


def summary_csv_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The export: every shown figure of every period (text and range), nothing more."""
    return summary[["period", "district", "harm", "shown", "low", "high"]]
