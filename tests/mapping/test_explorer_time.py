"""The time bar shared by the network and map pages: a scope narrowed to some months, the
caption it gives, and the windows a play-through steps through."""

import pytest

from mapping import explorer as ex
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store
from tests.explorer_world import HANDLING_C_LINK, LINKS, TODAY, import_world

LABELS = ["01/2026", "02/2026", "03/2026", "04/2026"]


@pytest.fixture(scope="module")
def scoped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("time")
    url = f"sqlite:///{folder / 'map.sqlite'}"
    version = import_world(url, folder / "map.key", folder, links=LINKS + HANDLING_C_LINK)
    return build_scoped_graph(
        Store(url).read_version(version), Scope(role="practitioner", today=TODAY), version
    )


def test_window_scoped_keeps_only_links_seen_in_the_months(scoped):
    narrow = ex.window_scoped(scoped, "11/2026", "11/2026")
    assert 0 < len(narrow.links) < len(scoped.links)
    assert (narrow.links["last_seen"] >= "2026-11-01").all()
    behind = {link for _, _, d in narrow.graph.edges(data=True) for link in d["links"]}
    assert set(narrow.links["link_id"]) == behind
    assert set(narrow.entities["entity_id"]) == set(narrow.graph)
    assert "PL-3" not in narrow.graph  # the park's links ended in October
    # the role's withheld count is the scope's, whatever the months
    assert narrow.withheld == scoped.withheld and scoped.withheld > 0
    whole = ex.window_scoped(scoped, "01/2026", "12/2026")
    assert ex.window_links(whole.graph) == len(scoped.links)


def test_time_bar_note_says_the_months_and_the_count():
    note = ex.time_bar_note(("03/2026", "06/2026"), 41, 1380)
    assert note == "time bar 03/2026–06/2026: 41 of 1,380 links"


def test_play_through_steps_a_window_month_by_month_and_ends():
    assert ex.play_start(LABELS, 1) == ("01/2026", "01/2026")
    assert ex.play_start(LABELS, 2) == ("01/2026", "02/2026")
    assert ex.play_start(LABELS, 9) == ("01/2026", "04/2026")
    steps, window = [], ex.play_start(LABELS, 2)
    while window is not None:
        steps.append(window)
        window = ex.play_next(LABELS, window, 2)
    assert steps == [("01/2026", "02/2026"), ("02/2026", "03/2026"), ("03/2026", "04/2026")]
    # a window from another scope starts again; a wider width is kept from then on
    assert ex.play_next(LABELS, ("05/2019", "06/2019"), 1) == ("01/2026", "01/2026")
    assert ex.play_next(LABELS, ("01/2026", "01/2026"), 3) == ("01/2026", "03/2026")
    assert ex.play_next(LABELS, ("04/2026", "04/2026"), 1) is None
