"""Fixtures shared by the whole suite."""

import os
import uuid

import pytest


@pytest.fixture
def pg_url():
    """A fresh database on the throwaway PostgreSQL server scripts/test.sh starts, dropped
    after the test. In CI the server must be there: a missing server fails the run rather
    than skipping the PostgreSQL half of the tests."""
    server = os.environ.get("MAPPING_TEST_PG_URL")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("MAPPING_TEST_PG_URL is not set: run the suite through scripts/test.sh")
        pytest.skip("no PostgreSQL server: run through scripts/test.sh to include these tests")
    from sqlalchemy import create_engine, text

    name = f"mapping_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def tmp_env(tmp_path, monkeypatch):
    """Point the database and the key at a fresh folder for one test."""
    monkeypatch.setenv("MAPPING_DB", f"sqlite:///{tmp_path / 'map.sqlite'}")
    monkeypatch.setenv("MAPPING_KEY_FILE", str(tmp_path / "pseudonym.key"))
    return tmp_path
