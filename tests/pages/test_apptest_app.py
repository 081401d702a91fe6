"""AppTest: the app opens on the fictional sample world in demo mode with no set-up."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_app_opens_on_sample_world_in_demo_mode(demo_data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert any("DEMO MODE" in i.value for i in at.info)
    assert any("OFFICIAL-SENSITIVE" in m.value for m in at.markdown)
    assert at.title[0].value == "Network map"
    clusters = at.dataframe[0].value
    assert len(clusters) > 3 and "overlap" in clusters.columns
    assert (clusters["overlap"] == "yes").any()
