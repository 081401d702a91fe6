"""Strategic summary: small-number suppression (0, 1, 4, 5), secondary suppression of row
totals, and counts of young people by district, harm and period on a hand-made graph."""

from __future__ import annotations

import pandas as pd
import pytest

from mapping.graph import Scope, build_scoped_graph
from mapping.summary import rounded_total, suppress, suppressed_table, young_people_by_period


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (17, "17")])
def test_small_numbers_are_suppressed(count, shown):
    assert suppress(count) == shown


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        suppress(-1)


def test_total_beside_a_suppressed_cell_cannot_be_subtracted_back():
    counts = pd.DataFrame(
        {
            "period": ["2026Q3"] * 3,
            "district": ["A", "A", "B"],
            "harm": ["cce", "cse", "cce"],
            "young_people": [6, 2, 5],
        }
    )
    table = suppressed_table(counts).set_index("district")
    assert table.loc["A", "CSE"] == "<5" and table.loc["A", "CCE"] == "6"
    assert table.loc["A", "harm flags (total)"] == "~10"  # 8 rounded, not 8
    assert table.loc["B", "harm flags (total)"] == "5"
    assert table.loc["B", "CSE"] == "0"
    assert rounded_total(3) == "<5"


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
    from datetime import date

    scoped = build_scoped_graph(make_tables(entities, links), Scope(today=date(2026, 6, 1)))
    counts = young_people_by_period(scoped).set_index(["period", "district", "harm"])
    assert counts.loc[("2026Q1", "A", "cce"), "young_people"] == 1
    assert counts.loc[("2026Q2", "A", "cce"), "young_people"] == 2
    assert counts.loc[("2026Q2", "A", "cse"), "young_people"] == 1
    assert "B" not in counts.index.get_level_values("district")  # Y3 carries no harm flag
