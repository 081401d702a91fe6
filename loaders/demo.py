"""The demo world: the fictional sample workbook imported into the demo database once.

Lives with the loaders (it is an import) so that ``mapping/`` never imports ``loaders/``
below the command line; the app's pages call it when a demo session opens.
"""

from __future__ import annotations

import fcntl

from loaders.importer import Source, import_files
from mapping.analysis import cache
from mapping.pseudonymise import Pseudonymiser
from mapping.settings import SAMPLE_DATA
from mapping.store import Store
from mapping.workspace import Workspace

SAMPLE_WORKBOOK = SAMPLE_DATA / "sample_world.xlsx"


def ensure_demo_data(workspace: Workspace) -> int:
    """Import the fictional sample workbook into the demo database once; return its version."""
    store = Store(workspace.database_url)
    version = store.latest_version()
    if version is not None:
        return version
    lock_path = workspace.key_file.parent / ".demo.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two first sessions must not import twice
        version = store.latest_version()
        if version is None:
            result = import_files(
                [Source(SAMPLE_WORKBOOK, SAMPLE_WORKBOOK.name)],
                store,
                Pseudonymiser.from_file(workspace.key_file),
                created_by="demo",
                note="fictional sample world",
            )
            version = result.version
            cache.warm(store, version)  # the first sessions then read the stored analysis
    return version
