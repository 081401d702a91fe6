"""Strategic summary: small-number suppression, and that no suppressed cell can be worked
out from anything shown. The attacker here reads every shown figure of the page's table,
the chart data, the pack's summary slide and the CSV export, and tries every value 1 to 4
for every suppressed cell against every row, column and grand total (sums and differences
alike, since a sum constraint is all of them at once): each suppressed cell must still be
able to be any of 1 to 4."""

from __future__ import annotations

import csv
import itertools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.export.formats import FORMATS
from mapping.export.options import ExportData, ExportOptions
from mapping.export.pack import pack_data, pack_slides
from mapping.graph import Scope, build_scoped_graph
from mapping.meeting import Actor, build_agenda, save_meeting
from mapping.store import Store
from mapping.summary import (
    ALL_DISTRICTS,
    ALL_HARMS,
    summarise,
    suppress,
    suppressed_table,
    trend,
    young_people_by_period,
)
from tests.mapping.conftest import tables_from


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (17, "17")])
def test_small_numbers_are_suppressed(count, shown):
    assert suppress(count) == shown


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        suppress(-1)


# -- the attacker ---------------------------------------------------------------------------
def interval(text: str) -> tuple[int, int]:
    """What a reader learns from one shown figure."""
    text = str(text).strip()
    if text == "<5":
        return 1, 4
    if "–" in text:
        low, high = text.split("–")
        return int(low), int(high)
    assert text.lstrip("~").isdigit(), f"unexpected figure {text!r}"
    assert not text.startswith("~"), "a rounded total can give a hidden cell back"
    return int(text), int(text)


def recoverable(cells: dict, totals: list) -> dict:
    """For every suppressed cell, the values it can take given all shown figures.

    ``cells``: (period, district, harm) -> (low, high); ``totals``: (cells summed, low, high).
    Brute force over every assignment of 1 to 4 to the suppressed cells of each period.
    """
    found = {}
    for period in {k[0] for k in cells}:
        hidden = [k for k, (lo, hi) in cells.items() if k[0] == period and lo < hi]
        exact = {k: lo for k, (lo, hi) in cells.items() if k[0] == period and lo == hi}
        checks = {(frozenset(t[0]), t[1], t[2]) for t in totals if next(iter(t[0]))[0] == period}
        possible: dict = {k: set() for k in hidden}
        for values in itertools.product(range(1, 5), repeat=len(hidden)):
            chosen = dict(zip(hidden, values, strict=True))
            if all(
                lo <= sum(chosen.get(k, exact.get(k, 0)) for k in keys) <= hi
                for keys, lo, hi in checks
            ):
                for k, v in chosen.items():
                    possible[k].add(v)
        found.update(possible)
    return found


def constraints_from_long(rows) -> tuple[dict, list]:
    """Cells and totals from (period, district, harm, shown) rows (export, table, chart)."""
    rows = list(rows)
    cells = {(p, d, h): interval(s) for p, d, h, s in rows if d != ALL_DISTRICTS and h != ALL_HARMS}
    totals = []
    for p, d, h, s in rows:
        if d == ALL_DISTRICTS and h == ALL_HARMS:
            keys = {k for k in cells if k[0] == p}
        elif d == ALL_DISTRICTS:
            keys = {k for k in cells if k[0] == p and k[2] == h}
        elif h == ALL_HARMS:
            keys = {k for k in cells if k[0] == p and k[1] == d}
        else:
            continue
        if keys:
            totals.append((keys, *interval(s)))
    return cells, totals


def table_rows(table: pd.DataFrame, period: str):
    for _, row in table.iterrows():
        for harm in table.columns[1:]:
            yield period, row["district"], harm, row[harm]


def assert_nothing_recoverable(cells, totals):
    for cell, values in recoverable(cells, totals).items():
        assert values == {1, 2, 3, 4}, f"{cell} narrowed to {sorted(values)} by shown totals"


def test_rounded_totals_would_be_caught():
    """The attacker is real: a total of 7 rounded to ~5 beside a shown 6 gives the hidden 1."""
    cells = {("Q", "A", "CCE"): (6, 6), ("Q", "A", "CSE"): (1, 4)}
    totals = [({("Q", "A", "CCE"), ("Q", "A", "CSE")}, 3, 7)]  # ~5 means 3 to 7
    assert recoverable(cells, totals)[("Q", "A", "CSE")] == {1}


# -- a world with small counts ---------------------------------------------------------------
def small_world():
    """Eastbrook 7 CCE, Millbridge 4 CCE (the issue's 11 = 7 + 4), radicalisation spread in
    ones over five districts beside a 10, and a CSE 1 beside a CCE 6 in one district."""
    counts = {
        "Eastbrook": {"cce": 7, "radicalisation": 10},
        "Millbridge": {"cce": 4, "radicalisation": 1},
        "Northfield": {"radicalisation": 1, "cse": 1},
        "Oakham": {"radicalisation": 1, "cce": 6},
        "Riverside": {"radicalisation": 1, "cse": 5},
        "Southgate": {"radicalisation": 1},
    }
    entities, links = [], []
    for district, harms in counts.items():
        place = f"PL-{district}"
        entities.append({"entity_id": place, "entity_type": "place", "district": district})
        for harm, n in harms.items():
            for i in range(n):
                person = f"YP-{district}-{harm}-{i}"
                entities.append(
                    {
                        "entity_id": person,
                        "entity_type": "young_person",
                        "district": district,
                        "harms": harm,
                    }
                )
                links.append({"source_id": person, "target_id": place, "link_type": "frequents"})
    return tables_from(entities, links)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('summary') / 'map.sqlite'}")
    store.write_version(small_world(), created_by="test", sources=[])
    scoped = build_scoped_graph(
        store.read_version(1), Scope(role="chair", today=date(2026, 11, 1)), 1
    )
    return store, scoped


def test_nothing_shown_gives_a_suppressed_cell_back(world, tmp_path):
    store, scoped = world
    summary = summarise(young_people_by_period(scoped))
    assert (summary["shown"] == "<5").sum() >= 6  # the world really has small counts
    rows = []
    for period in summary["period"].unique():  # the page's table, every period
        rows += list(table_rows(suppressed_table(summary, period), period))
    for _, point in trend(summary).iterrows():  # the chart data (its tooltip text)
        rows.append((point["period"], ALL_DISTRICTS, point["harm"], point["shown"]))
        assert interval(point["shown"]) == (point["low"], point["high"])  # drawn = shown
    out = tmp_path / "summary.csv"  # the export
    meta = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 1}
    FORMATS["summary"](ExportData(scoped), out, meta, ExportOptions())
    with out.open(encoding="utf-8") as handle:
        body = [r for r in csv.reader(handle) if not r[0].startswith("#")]
    rows += [(r[0], r[1], r[2], r[3]) for r in body[1:]]
    meeting = save_meeting(
        store, date(2026, 11, 1), by=Actor("chair-1", "chair")
    )  # the pack's summary slide
    slides = pack_slides(pack_data(store, build_agenda(store, meeting, "chair")), with_images=False)
    (slide,) = [s for s in slides if s.section == "Summary"]
    shown = pd.DataFrame(slide.tables[0].rows, columns=slide.tables[0].columns)
    period = slide.title.split(": ")[1]
    rows += list(table_rows(shown, period))
    cells, totals = constraints_from_long(rows)
    assert cells[(period, "Millbridge", "CCE")] == (1, 4)
    assert totals, "the totals were read"
    assert_nothing_recoverable(cells, totals)


def test_the_issues_example_is_a_range_not_eleven(world):
    _store, scoped = world
    summary = summarise(young_people_by_period(scoped))
    summary = summary[summary["period"] == "2026Q3"].set_index(["district", "harm"])
    assert summary.loc[(ALL_DISTRICTS, "CCE"), "shown"] == "14–17"  # 7 + 6 + (1 to 4)
    assert summary.loc[(ALL_DISTRICTS, "RAD"), "shown"] == "15–30"
    assert summary.loc[("Eastbrook", ALL_HARMS), "shown"] == "17"  # nothing hidden: exact


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=2, max_size=2))
def test_no_grid_of_counts_lets_a_cell_be_recovered(grid):
    counts = pd.DataFrame(
        [
            ("2026Q3", f"D{d}", harm, n)
            for d, row in enumerate(grid)
            for harm, n in zip(("cce", "cse", "radicalisation"), row, strict=True)
            if n
        ],
        columns=["period", "district", "harm", "young_people"],
    )
    summary = summarise(counts)
    rows = list(summary[["period", "district", "harm", "shown"]].itertuples(index=False))
    assert_nothing_recoverable(*constraints_from_long(rows))


def test_counts_young_people_per_quarter_they_were_seen(make_tables):
    entities = [
        {"entity_id": "Y1", "entity_type": "young_person", "district": "A", "harms": "cce;cse"},
        {"entity_id": "Y2", "entity_type": "young_person", "district": "A", "harms": "cce"},
        {"entity_id": "Y3", "entity_type": "young_person", "district": "B"},
        {"entity_id": "P1", "entity_type": "place", "district": "A"},
    ]
    links = [
        {
            "source_id": "Y1",
            "target_id": "P1",
            "link_type": "frequents",
            "first_seen": "2026-01-10",
            "last_seen": "2026-05-01",
        },
        {
            "source_id": "Y2",
            "target_id": "P1",
            "link_type": "frequents",
            "first_seen": "2026-04-10",
            "last_seen": "2026-04-20",
        },
        {
            "source_id": "Y3",
            "target_id": "P1",
            "link_type": "frequents",
            "first_seen": "2026-04-10",
            "last_seen": "2026-04-20",
        },
    ]
    scoped = build_scoped_graph(make_tables(entities, links), Scope(today=date(2026, 6, 1)))
    counts = young_people_by_period(scoped).set_index(["period", "district", "harm"])
    assert counts.loc[("2026Q1", "A", "cce"), "young_people"] == 1
    assert counts.loc[("2026Q2", "A", "cce"), "young_people"] == 2
    assert counts.loc[("2026Q2", "A", "cse"), "young_people"] == 1
    assert "B" not in counts.index.get_level_values("district")  # Y3 carries no harm flag


# -- real counts ----------------------------------------------------------------------------
REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def propagated(cells: dict, totals: list) -> dict:
    """Bounds a reader reaches by "a total minus the others" across every row, column and
    total, repeated until nothing narrows (works on tables too large to brute-force)."""
    bounds = dict(cells)
    changed = True
    while changed:
        changed = False
        for keys, lo, hi in totals:
            low_sum = sum(bounds[k][0] for k in keys)
            high_sum = sum(bounds[k][1] for k in keys)
            for k in keys:
                a, b = bounds[k]
                new = (max(a, lo - (high_sum - b)), min(b, hi - (low_sum - a)))
                if new != (a, b):
                    bounds[k], changed = new, True
    return {k: v for k, v in bounds.items() if cells[k][0] < cells[k][1]}


def test_real_small_counts_cannot_be_narrowed():
    """The Ndrangheta summit network's members by local unit and role (17 x 3, 24 cells of
    1 to 4) as a district x harm table: propagation narrows no hidden cell, while the same
    attack on exact totals gives cells back (the control)."""
    frame = pd.read_csv(REALDATA / "ndrangheta_summits_146.csv")
    harm_of = {"aff": "cce", "boss": "cse", "miss": "radicalisation"}
    counts = (
        frame.groupby(["node_meta.Locale", "node_meta.Role"])
        .size()
        .rename("young_people")
        .reset_index()
        .rename(columns={"node_meta.Locale": "district", "node_meta.Role": "harm"})
        .assign(period="2009Q1", harm=lambda f: f["harm"].map(harm_of))
    )
    summary = summarise(counts)
    rows = list(summary[["period", "district", "harm", "shown"]].itertuples(index=False))
    cells, totals = constraints_from_long(rows)
    hidden = [k for k, (lo, hi) in cells.items() if lo < hi]
    assert len(hidden) >= 20  # real small counts
    assert all(v == (1, 4) for v in propagated(cells, totals).values())
    exact = [(keys, sum(_true(counts, k) for k in keys)) for keys, _lo, _hi in totals]
    leaked = propagated(cells, [(keys, n, n) for keys, n in exact])
    assert any(lo == hi for lo, hi in leaked.values())  # exact totals would give cells back


def _true(counts: pd.DataFrame, key) -> int:
    _period, district, harm = key
    short = {h: _harm_short(h) for h in counts["harm"].unique()}
    match = counts[(counts["district"] == district) & (counts["harm"].map(short) == harm)]
    return int(match["young_people"].sum())


def _harm_short(harm: str) -> str:
    from mapping.analysis.harms import short_label

    return short_label(harm)
