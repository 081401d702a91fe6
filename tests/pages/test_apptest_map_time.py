"""AppTest: the map page's time bar narrows what the map draws and says so; Full range puts
every month back; Play through starts from the first month."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def map_caption(at) -> str:
    return next(c.value for c in at.caption if "places drawn" in c.value)


def places_on_page(at) -> int:
    """Places drawn plus those listed as not located (the tiny world has no coordinates)."""
    drawn = int(re.match(r"(\d+) places drawn", map_caption(at)).group(1))
    unlocated = [d.value for d in at.dataframe if list(d.value.columns) == ["place"]]
    return drawn + sum(len(frame) for frame in unlocated)


def test_map_time_bar_narrows_the_map_and_full_range_restores_it(world_env):
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    assert "time bar" not in map_caption(at)
    whole = places_on_page(at)
    labels = at.select_slider(key="map_time").options
    assert labels[0] == "01/2026" and labels[-1] == "11/2026"
    at.select_slider(key="map_time").set_range("11/2026", "11/2026").run()
    assert not at.exception, at.exception
    caption = map_caption(at)
    found = re.search(r"time bar 11/2026–11/2026: (\d+) of (\d+) links", caption)
    assert found, caption
    assert int(found.group(1)) < int(found.group(2))
    assert places_on_page(at) < whole  # the park's and takeaway's links ended in October
    at.button(key="map_full").click().run()
    assert "time bar" not in map_caption(at)
    assert places_on_page(at) == whole


def test_play_through_starts_at_the_first_month_and_stops(world_env):
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("pages/map.py").run()
    at.button(key="map_play").click().run()
    assert not at.exception, at.exception
    assert at.session_state["map_playing"] is True
    assert "time bar 01/2026–01/2026" in map_caption(at)
    at.button(key="map_stop").click().run()
    assert at.session_state["map_playing"] is False
    assert "time bar 01/2026–01/2026" in map_caption(at)  # Stop keeps the range shown


def test_network_play_through_is_one_undo_step(world_env):
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, at.exception
    note = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    assert "time bar" not in note
    at.number_input(key="ex_play_width").set_value(2).run()
    at.button(key="ex_play").click().run()
    assert not at.exception, at.exception
    assert at.session_state["ex_playing"] is True
    note = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    assert "time bar 01/2026–02/2026" in note
    at.button(key="ex_stop").click().run()
    at.button(key="ex_undo").click().run()
    note = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    assert "time bar" not in note
