"""Ranked lists for the Hotspots and Connectors pages: filters, the cap with "and N more",
plain headings, and a reason when nothing is left."""

import pytest

from mapping.analysis.clusters import find_clusters, membership
from mapping.analysis.connectors import find_connectors
from mapping.analysis.hotspots import find_hotspots
from mapping.graph import Scope, build_scoped_graph
from mapping.ranked import connector_list, hotspot_list, more_note
from mapping.store import Store
from tests.explorer_world import TODAY, import_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranked")
    url = f"sqlite:///{folder / 'map.sqlite'}"
    version = import_world(url, folder / "map.key", folder)
    scoped = build_scoped_graph(Store(url).read_version(version), Scope(today=TODAY), version)
    clusters = find_clusters(scoped)
    return scoped, membership(clusters)


def test_hotspot_rows_read_plainly_and_keep_their_id(world):
    scoped, members = world
    hotspots = find_hotspots(scoped, membership=members)
    ranked = hotspot_list(scoped, hotspots)
    assert ranked.total == 1 and ranked.note is None
    row = ranked.rows.iloc[0]
    assert row["id"] == "PL-1" and row["Place or online space"] == "Chicken Palace"
    assert row["Flagged young people"] == 3
    assert row["Seen"] == "01/01/2026 – 01/10/2026"
    assert row["Kind"] == "Takeaway"


def test_filters_that_leave_nothing_say_why(world):
    scoped, members = world
    hotspots = find_hotspots(scoped, membership=members)
    none = hotspot_list(scoped, hotspots, district="South")
    assert none.total == 0 and "matches these filters" in none.note
    empty = hotspot_list(scoped, [])
    assert "in this scope" in empty.note and "at least 3 young people" in empty.note
    assert hotspot_list(scoped, hotspots, harm="cse").total == 1
    assert hotspot_list(scoped, hotspots, harm="radicalisation").total == 1


def test_the_cap_says_how_many_more(world):
    scoped, members = world
    (hotspot,) = find_hotspots(scoped, membership=members)
    # the same evidence under three contexts of the graph: three rows to cap
    many = [dict(hotspot, id=node) for node in ("PL-1", "PL-3", "ON-1")]
    capped = hotspot_list(scoped, many, cap=2)
    assert list(capped.rows["id"]) == ["PL-1", "PL-3"] and capped.total == 3
    assert capped.note == more_note(3, 2)
    assert "and 1 more" in capped.note
    assert list(capped.rows["Rank"]) == [1, 2]
    assert hotspot_list(scoped, many, cap=3).note is None


def test_connectors_split_who_from_what(world):
    scoped, members = world
    connectors = find_connectors(scoped, members, limit=None)
    who = connector_list(scoped, connectors, side="who")
    what = connector_list(scoped, connectors, side="what")
    assert who.total + what.total == len(connectors)
    assert set(who.rows["Type"]) <= {
        "Adult (fill and border by role, below)",
        "Unknown (only named in a link)",
    }
    assert "Adult" not in " ".join(what.rows["Type"])
    for code in who.rows["Connector"]:
        assert code.startswith(("AD-", "UN-"))  # people by code, never by name
