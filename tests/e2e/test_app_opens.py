"""The README's promise: the app opens on the fictional sample world with no set-up and draws
the network in headless Chromium, with no request leaving this machine."""

import json
import time

import pytest

from tests.e2e.harness import screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def drawn_node_ids(page) -> list[str]:
    for _ in range(300):  # up to 60 s on a slow CI machine
        frame = next((f for f in page.frames if "network_explorer" in f.url), None)
        if frame is not None and frame.evaluate("document.body.hasAttribute('data-drawn')"):
            return json.loads(
                frame.evaluate("JSON.stringify(window.explorerNetwork.body.data.nodes.getIds())")
            )
        time.sleep(0.2)
    raise AssertionError("the network was never drawn")


def test_demo_app_draws_the_sample_world_offline(app_server, page):
    server = app_server({})  # a fresh data folder: the demo world is imported on first visit
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_text("DEMO MODE").first.wait_for(timeout=60_000)
    ids = drawn_node_ids(page)
    # The fictional world has 300 young people; the whole map (or its collapsed clusters)
    # is drawn, and people appear only as codes.
    assert len(ids) > 20
    assert not [i for i in ids if i.startswith("CS-") or i.startswith("NOM-")]
    assert page.get_by_text("OFFICIAL-SENSITIVE").first.is_visible()
    screenshot(page, "app-opens-demo")
    assert page.external_requests == []
