"""Fixtures shared by the whole suite."""

import os

import pytest


@pytest.fixture(scope="session")
def pg_url():
    """The throwaway PostgreSQL server scripts/test.sh starts. In CI it must be there: a
    missing server fails the run rather than skipping the PostgreSQL half of the tests."""
    url = os.environ.get("MAPPING_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("MAPPING_TEST_PG_URL is not set: run the suite through scripts/test.sh")
    pytest.skip("no PostgreSQL server: run through scripts/test.sh to include these tests")


@pytest.fixture
def tmp_env(tmp_path, monkeypatch):
    """Point the database and the key at a fresh folder for one test."""
    monkeypatch.setenv("MAPPING_DB", f"sqlite:///{tmp_path / 'map.sqlite'}")
    monkeypatch.setenv("MAPPING_KEY_FILE", str(tmp_path / "pseudonym.key"))
    return tmp_path
