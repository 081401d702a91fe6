"""End to end, in headless Chromium at 1366x768 and 1920x1080 on the tiny explorer world:
sizing entities by a measure changes their drawn sizes and the legend; a dragged entity is
pinned (it stays where dropped across a redraw and while physics runs) until Release pins;
the drawing takes the keyboard (Tab to it, arrows pan, = and - zoom); Play through moves the
time bar on by itself and Stop holds it.
Screenshots: artifacts/screenshots/explorer-tools-*.png (copies in docs/screenshots/)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import wait_for_app
from tests.e2e.test_explorer import choose, explorer_frame, shoot
from tests.explorer_world import import_world

pytestmark = pytest.mark.e2e
VIEWPORTS = [(1366, 768), (1920, 1080)]
NOTE = re.compile(r"time bar (\d\d/\d{4})–(\d\d/\d{4}): [\d,]+ of [\d,]+ links")


@pytest.fixture(scope="module")
def tools_server(app_server, tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-tools")
    (data / "demo").mkdir()
    import_world(f"sqlite:///{data / 'demo' / 'demo.sqlite'}", data / "demo" / "demo.key", data)
    return app_server({"MAPPING_DATA_DIR": str(data)}).url


def sizes(frame) -> dict:
    return frame.evaluate(
        "() => Object.fromEntries(window.explorerNetwork.body.data.nodes.get()"
        ".map(n => [n.id, n.size]))"
    )


def wait_for(frame, script: str, arg=None, tries: int = 300):
    for _ in range(tries):
        value = frame.evaluate(script, arg)
        if value:
            return value
        frame.page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


def position(frame, node: str) -> dict:
    return frame.evaluate("(id) => window.explorerNetwork.getPositions([id])[id]", node)


@pytest.mark.parametrize("size", VIEWPORTS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_size_by_measure_pin_and_keyboard(tools_server, new_page, size):
    page = new_page(width=size[0], height=size[1])
    page.set_default_timeout(60_000)
    page.goto(tools_server)
    frame = explorer_frame(page)
    wait_for_app(page)

    # Size by degree: sizes change, the best-linked is drawn largest, the legend says so.
    before = sizes(frame)
    choose(
        page,
        page.get_by_test_id("stSelectbox").filter(has_text="Size entities by"),
        "Degree: entities linked",
    )
    wait_for_app(page)
    after = wait_for(
        frame,
        "(old) => { const now = Object.fromEntries(window.explorerNetwork.body.data.nodes.get()"
        ".map(n => [n.id, n.size])); return JSON.stringify(now) !== JSON.stringify(old) && now; }",
        before,
    )
    assert set(after) == set(before)
    degree = frame.evaluate(
        "() => Object.fromEntries(window.explorerNetwork.body.data.nodes.getIds()"
        ".map(id => [id, window.explorerNetwork.getConnectedNodes(id).length]))"
    )
    top = max(degree.values())
    assert {n for n, s in after.items() if s == 40} == {n for n, d in degree.items() if d == top}
    assert page.get_by_text("Size: degree").first.is_visible()
    shoot(page, "tools-size-degree", size)

    # Drag an entity: it is pinned where dropped.
    node = min(degree, key=lambda n: (degree[n], n))
    page.locator("iframe[title*='network_explorer']").scroll_into_view_if_needed()
    box = page.locator("iframe[title*='network_explorer']").bounding_box()
    start = frame.evaluate(
        """(id) => { const n = window.explorerNetwork; n.fit({animation: false});
        const d = n.canvasToDOM(n.getPosition(id));
        const r = document.getElementById('network').getBoundingClientRect();
        return {x: d.x + r.left, y: d.y + r.top}; }""",
        node,
    )
    home = position(frame, node)
    page.mouse.move(box["x"] + start["x"], box["y"] + start["y"])
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + start["x"] + 6 * step, box["y"] + start["y"] + 4 * step)
    page.mouse.up()
    wait_for(frame, "() => document.body.getAttribute('data-pins') === '1'")
    dropped = position(frame, node)
    assert abs(dropped["x"] - home["x"]) > 5 and abs(dropped["y"] - home["y"]) > 5
    shoot(page, "tools-pinned", size)  # as dropped, "Release pins (1)" over the drawing
    wait_for_app(page)

    # A redraw (back to the standard size) keeps it there, and so does physics.
    choose(
        page,
        page.get_by_test_id("stSelectbox").filter(has_text="Size entities by"),
        "No measure (standard size)",
    )
    wait_for_app(page)
    wait_for(
        frame,
        "(old) => JSON.stringify(Object.fromEntries(window.explorerNetwork.body"
        ".data.nodes.get().map(n => [n.id, n.size]))) !== JSON.stringify(old)",
        after,
    )
    assert frame.evaluate("() => document.body.getAttribute('data-pins')") == "1"
    kept = position(frame, node)
    assert abs(kept["x"] - dropped["x"]) < 1 and abs(kept["y"] - dropped["y"]) < 1
    others = [n for n in degree if n != node]
    moved = frame.evaluate(
        """(ids) => new Promise((done) => { const n = window.explorerNetwork;
        const was = n.getPositions(ids);
        n.once('stabilizationIterationsDone', () => {
          const now = n.getPositions(ids); n.setOptions({physics: false});
          done(ids.filter(id => Math.abs(now[id].x - was[id].x) > 1).length); });
        n.setOptions({physics: {enabled: true, solver: 'repulsion'}}); n.stabilize(200); })""",
        others,
    )
    assert moved > 0  # physics did run and moved the entities that are not pinned
    after_physics = position(frame, node)
    assert abs(after_physics["x"] - dropped["x"]) < 1 and abs(after_physics["y"] - dropped["y"]) < 1

    # Release pins puts it back where the layout drew it.
    frame.locator("[data-testid='explorer-release-pins']").click()
    wait_for(frame, "() => document.body.getAttribute('data-pins') === '0'")
    back = position(frame, node)
    assert abs(back["x"] - home["x"]) < 1 and abs(back["y"] - home["y"]) < 1
    wait_for_app(page)

    # Keyboard: Tab from Save picture lands on the drawing; arrows pan, = and - zoom.
    frame.locator("[data-testid='explorer-save-png']").focus()
    page.keyboard.press("Tab")
    assert frame.evaluate("() => document.activeElement.getAttribute('data-testid')") == (
        "explorer-canvas"
    )
    view = frame.evaluate("() => window.explorerNetwork.getViewPosition()")
    scale = frame.evaluate("() => window.explorerNetwork.getScale()")
    page.keyboard.down("ArrowRight")
    page.wait_for_timeout(300)
    page.keyboard.up("ArrowRight")
    panned = frame.evaluate("() => window.explorerNetwork.getViewPosition()")
    assert abs(panned["x"] - view["x"]) > 1
    page.keyboard.down("Equal")
    page.wait_for_timeout(300)
    page.keyboard.up("Equal")
    zoomed = frame.evaluate("() => window.explorerNetwork.getScale()")
    assert zoomed > scale
    page.keyboard.down("Minus")
    page.wait_for_timeout(600)
    page.keyboard.up("Minus")
    assert frame.evaluate("() => window.explorerNetwork.getScale()") < zoomed
    assert page.get_by_text("arrow keys pan").first.is_visible()

    # Play through on this page too: the drawing's note moves on by itself; Stop holds it.
    page.get_by_role("button", name="Play through").click()
    seen = set()
    for _ in range(150):
        found = NOTE.search(page.get_by_text("Dataset version").first.inner_text())
        if found:
            seen.add(found.group(1))
        if len(seen) >= 2:
            break
        page.wait_for_timeout(200)
    assert len(seen) >= 2, seen  # at least two months shown, one after the other
    page.get_by_role("button", name="Stop").click()
    wait_for_app(page, settle=2_500)
    held = NOTE.search(page.get_by_text("Dataset version").first.inner_text()).group(1)
    page.wait_for_timeout(4_500)
    assert NOTE.search(page.get_by_text("Dataset version").first.inner_text()).group(1) == held
    assert page.external_requests == []
