"""The e2e harness itself, on a throwaway Streamlit script (not the app): the server
factory passes its environment, wait_for_app waits for reruns, screenshots are written,
and a request to another host is aborted and recorded rather than sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import ROOT, is_local, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

SCRIPT = '''
import os

import streamlit as st

st.title("Harness check")
st.write("marker:", os.environ.get("HARNESS_MARKER", "missing"))
st.write("data dir:", os.environ.get("MAPPING_DATA_DIR", "missing"))
if st.button("Press me"):
    st.write("Pressed")
PROBE = """
  fetch("https://example.org/harness-probe")
    .then(() => { document.body.dataset.fetch = "sent"; })
    .catch(() => { document.body.dataset.fetch = "blocked"; });
  const socket = new WebSocket("wss://example.org/harness-socket");
  socket.onclose = () => { document.body.dataset.socket = "closed"; };
""" if st.query_params.get("probe") == "1" else ""
st.iframe("""
<canvas id="c" width="200" height="80"></canvas>
<script>
  const ctx = document.getElementById("c").getContext("2d");
  ctx.fillStyle = "rgb(200, 0, 0)";
  ctx.fillRect(0, 0, 200, 80);
  document.body.dataset.drawn = "yes";
""" + PROBE + """
</script>
""", height=100, alt="harness canvas")
'''


@pytest.fixture(scope="module")
def server(app_server, tmp_path_factory):
    script = tmp_path_factory.mktemp("harness") / "harness_app.py"
    script.write_text(SCRIPT, encoding="utf-8")
    server = app_server({"HARNESS_MARKER": "m-4711"}, script=script)
    yield server
    server.stop()


def test_is_local():
    assert is_local("http://127.0.0.1:8501/_stcore/stream")
    assert is_local("ws://localhost:8501/_stcore/stream")
    assert is_local("data:image/png;base64,AAAA")
    assert not is_local("https://example.org/")
    assert not is_local("https://127.0.0.1.example.org/")
    assert not is_local("https://tile.openstreetmap.org/1/1/1.png")


def test_server_environment_and_wait_for_app(server, page):
    page.goto(server.url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Harness check")).to_be_visible()
    expect(page.get_by_text("m-4711")).to_be_visible()
    # The app's data folder is a temporary one, never data/ in the checkout.
    assert not server.env["MAPPING_DATA_DIR"].startswith(str(ROOT))
    expect(page.get_by_text(server.env["MAPPING_DATA_DIR"])).to_be_visible()

    page.get_by_role("button", name="Press me").click()
    wait_for_app(page)
    expect(page.get_by_text("Pressed")).to_be_visible()
    assert page.console_errors == []
    assert page.external_requests == []


def test_external_request_is_aborted_and_recorded(server, page):
    page.goto(server.url + "/?probe=1")
    wait_for_app(page)
    frame = page.frame_locator("iframe[title='harness canvas']")
    expect(frame.locator("body")).to_have_attribute("data-drawn", "yes")
    expect(frame.locator("body")).to_have_attribute("data-fetch", "blocked")
    red = frame.locator("#c").evaluate(
        "c => Array.from(c.getContext('2d').getImageData(100, 40, 1, 1).data)"
    )
    assert red == [200, 0, 0, 255]
    expect(frame.locator("body")).to_have_attribute("data-socket", "closed")
    assert sorted(page.external_requests) == [
        "https://example.org/harness-probe",
        "wss://example.org/harness-socket",
    ]
    page.external_requests.clear()  # provoked on purpose: the fixture fails on any left


def test_screenshot_is_written(server, page):
    page.goto(server.url)
    wait_for_app(page)
    path = screenshot(page, "e2e harness/check")
    assert path == ROOT / "artifacts" / "screenshots" / "e2e-harness-check.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    path.unlink()
    assert page.external_requests == []
