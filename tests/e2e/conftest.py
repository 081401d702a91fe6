"""End-to-end harness: the app in a real ``streamlit run`` server, driven by headless
Debian Chromium through Playwright's sync API, with every request that would leave this
machine aborted and recorded.

Fixtures
--------
``app_server`` (session): a factory. ``app_server(env=None, *, script=None, timeout=60)``
    starts ``python -m streamlit run SCRIPT`` (default: the repository's app.py) on a free
    port of 127.0.0.1, from the repository root so .streamlit/config.toml applies, waits
    until ``/_stcore/health`` answers ``ok`` and returns an ``AppServer`` with ``.url``
    (``http://127.0.0.1:PORT``), ``.log()`` (the server's output) and ``.stop()``. The
    server gets this process's environment without any inherited ``MAPPING_*`` (except
    ``MAPPING_TEST_PG_URL``) or ``STREAMLIT_*`` variable, plus ``MAPPING_DATA_DIR`` set to a
    fresh temporary folder, plus ``env`` (which wins). So a test never touches data/ in the
    checkout. Every server still running is stopped at the end of the session; call
    ``.stop()`` sooner, or start it in a module-scoped fixture to share it::

        @pytest.fixture(scope="module")
        def server(app_server, tmp_path_factory):
            data = tmp_path_factory.mktemp("data")
            return app_server({"MAPPING_DB": f"sqlite:///{data / 'map.sqlite'}",
                               "MAPPING_KEY_FILE": str(data / "pseudonym.key")})

``browser`` (module): Chromium from /usr/bin/chromium (or ``MAPPING_TEST_CHROMIUM``),
    headless, no sandbox, background networking off. Module-scoped on purpose: Playwright's
    sync API cannot be started twice at once, and several older test modules call
    ``sync_playwright()`` themselves, so the instance must end with the module. (A module
    that uses these fixtures must not call ``sync_playwright()`` too.)

``page`` (function): a page in a fresh browser context, 1366x768, en-GB, Europe/London,
    service workers blocked (so that every request goes through routing).
    Requests and WebSockets to any host other than 127.0.0.1/localhost/::1 are aborted and
    their URLs appended to ``page.external_requests``; uncaught JavaScript errors are
    appended to ``page.console_errors``. If ``page.external_requests`` is not empty when the
    test ends, the test errors: nothing may leave the machine. A test that provokes an
    external request on purpose asserts on the list and then clears it.

``new_page`` (function): a factory for more pages like ``page``, each in its own context,
    e.g. ``new_page(width=1920, height=1080)`` or a second user's session.

Helpers (``from tests.e2e.harness import screenshot, wait_for_app``)
    ``wait_for_app(page)``: wait until Streamlit is connected and the script has finished
    running; call after ``page.goto`` and after every click/fill/select that reruns.
    ``screenshot(page, name)``: save artifacts/screenshots/NAME.png and return the path.

Example::

    from tests.e2e.harness import screenshot, wait_for_app

    def test_home(server, page):
        page.goto(server.url)
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Network map")).to_be_visible()
        screenshot(page, "home")
        assert page.external_requests == []

Mark e2e modules with ``pytestmark = pytest.mark.e2e`` so ``pytest -m "not e2e"`` skips them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    START_TIMEOUT,
    AppServer,
    is_local,
    start_server,
)

_RUNNING: list[AppServer] = []


def _server_env(extra: dict[str, str] | None, data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STREAMLIT_")
        and (not key.startswith("MAPPING_") or key == "MAPPING_TEST_PG_URL")
    }
    env["MAPPING_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[Callable[..., AppServer]]:
    """Factory: ``app_server(env=None, *, script=None, timeout=60) -> AppServer``."""
    started: list[AppServer] = []

    def start(
        env: dict[str, str] | None = None,
        *,
        script: str | Path | None = None,
        timeout: float = START_TIMEOUT,
    ) -> AppServer:
        folder = tmp_path_factory.mktemp("app-server")
        (folder / "data").mkdir()
        server = start_server(
            Path(script) if script else ROOT / "app.py",
            _server_env(env, folder / "data"),
            folder / "streamlit.log",
            timeout=timeout,
        )
        started.append(server)
        _RUNNING.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        _RUNNING.remove(server)


def _browser_missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        _browser_missing(f"{CHROMIUM} is missing: run the suite through scripts/test.sh")
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Factory: ``new_page(width=1366, height=768) -> Page``, external requests blocked."""
    pages: list[Page] = []

    def make(width: int = 1366, height: int = 768) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="en-GB",
            timezone_id="Europe/London",
            service_workers="block",
        )
        page = context.new_page()
        external: list[str] = []
        errors: list[str] = []

        def route(route) -> None:
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:
                external.append(url)
                route.abort("blockedbyclient")

        def route_socket(socket) -> None:
            external.append(socket.url)
            socket.close()

        context.route("**/*", route)
        context.route_web_socket(lambda url: not is_local(url), route_socket)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.external_requests = external  # type: ignore[attr-defined]
        page.console_errors = errors  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield make
    leaked = []
    for page in pages:
        leaked += page.external_requests  # type: ignore[attr-defined]
        page.context.close()
    if leaked:
        pytest.fail(f"requests tried to leave the machine (aborted): {leaked}")


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A 1366x768 page; see the module docstring."""
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When an e2e test fails, show the end of each running server's log in the report."""
    report = yield
    if report.failed and _RUNNING:
        for server in _RUNNING:
            report.sections.append((f"streamlit server {server.url}", server.log()[-4000:]))
    return report
