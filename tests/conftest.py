"""Fixtures shared by the whole suite.

``pg_url``: a SQLAlchemy URL to a fresh, empty PostgreSQL database for one test, on the
throwaway server scripts/test.sh starts (``MAPPING_TEST_PG_URL``); dropped afterwards.
``pg_server_url``: that server's own URL (session), for tests that need the server itself.
Without the server the PostgreSQL tests are skipped locally, but fail in CI (``CI`` set), so
CI can never pass by silently skipping them.

``tmp_env``: MAPPING_DB and MAPPING_KEY_FILE pointed into the test's tmp_path.
"""

import os
import uuid

import pytest


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The throwaway PostgreSQL server scripts/test.sh starts. In CI it must be there: a
    missing server fails the run rather than skipping the PostgreSQL half of the tests."""
    url = os.environ.get("MAPPING_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("MAPPING_TEST_PG_URL is not set: run the suite through scripts/test.sh")
    pytest.skip("no PostgreSQL server: run through scripts/test.sh to include these tests")


@pytest.fixture
def pg_url(pg_server_url):
    """A new empty database on the test server, so PostgreSQL tests cannot see each other's
    rows (as each SQLite test has its own file); dropped when the test ends."""
    from sqlalchemy import create_engine, make_url, text

    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def tmp_env(tmp_path, monkeypatch):
    """Point the database and the key at a fresh folder for one test."""
    monkeypatch.setenv("MAPPING_DB", f"sqlite:///{tmp_path / 'map.sqlite'}")
    monkeypatch.setenv("MAPPING_KEY_FILE", str(tmp_path / "pseudonym.key"))
    return tmp_path
