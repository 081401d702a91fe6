"""Page tests run the app in demo mode on a data folder of their own."""

import pytest

from tests.explorer_world import import_world


@pytest.fixture
def demo_data(tmp_path, monkeypatch):
    """Demo mode (no sign-in configured) on an empty data folder in tmp_path."""
    monkeypatch.setenv("MAPPING_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MAPPING_USERS_FILE", raising=False)
    monkeypatch.delenv("MAPPING_ALLOW_DEMO_IMPORT", raising=False)
    return tmp_path  # settings are read when used (mapping/settings.py): no reload needed


@pytest.fixture
def world_env(demo_data):
    """Demo mode on the tiny explorer world, pre-imported into the demo database."""
    demo = demo_data / "demo"
    demo.mkdir()
    import_world(f"sqlite:///{demo / 'demo.sqlite'}", demo / "demo.key", demo_data)
    return demo_data
