"""Which database and key the app works on, and the fictional demo world.

With no sign-in configured the app runs in demo mode: it opens on the fictional sample
world, kept in its own database and key under ``data/demo/`` so it can never mix with real
data, and it refuses imports. This module decides that; it never touches Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapping import config, settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_NOTICE = (
    "DEMO MODE: entirely fictional sample data (the 'Wyvern Vale' world). "
    "Imports of other data are refused until sign-in is configured."
)


@dataclass(frozen=True)
class Workspace:
    mode: str  # "demo" or "signed_in"
    database_url: str
    key_file: Path

    @property
    def is_demo(self) -> bool:
        return self.mode == "demo"


def sign_in_configured(secrets: dict[str, Any] | None = None) -> bool:
    """True when an identity provider or a local users file is configured."""
    if settings.current().users_file:
        return True
    return bool(secrets and secrets.get("auth"))


def current_workspace(secrets: dict[str, Any] | None = None) -> Workspace:
    if sign_in_configured(secrets):
        return Workspace("signed_in", config.database_url(), config.key_file())
    demo_dir = config.data_dir() / "demo"
    return Workspace("demo", f"sqlite:///{demo_dir / 'demo.sqlite'}", demo_dir / "demo.key")
