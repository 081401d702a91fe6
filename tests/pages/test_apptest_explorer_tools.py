"""AppTest: the explorer's size option reaches the legend under the drawing, with the keys
the drawing takes."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def legend(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Size:"))


def test_size_option_changes_the_legend(world_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert "no measure chosen" in legend(at)
    at.selectbox(key="ex_size").select("betweenness").run()
    assert not at.exception, at.exception
    assert legend(at).startswith("Size: betweenness")
    assert "arrow keys pan" in legend(at)
    at.selectbox(key="ex_size").select("degree").run()
    assert legend(at).startswith("Size: degree")
