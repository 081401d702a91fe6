"""Where uploaded files live while the upload page maps, checks and imports them.

An upload holds raw names, so it never sits in the shared temp folder under a guessable
name and never outlives its use (issue 18 item 5: ``upload-*.csv`` files were left in
``/tmp`` 30 minutes after the session ended or the import failed). Each session gets one
private folder (``mkdtemp``: owner-only), removed when the import succeeds or fails, when
the session's state is dropped (the session ended), when the server exits, and by a sweep
of folders older than :data:`STALE_AFTER_SECONDS` for what a killed server left behind.
The person's file name is kept only as text, never used in a path. No Streamlit here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import weakref
from pathlib import Path

PREFIX = "mapping-upload-"
#: A folder untouched this long belongs to no live session (sessions time out sooner).
STALE_AFTER_SECONDS = 2 * 3600


class UploadFolder:
    """One session's private folder of uploads, removed on :meth:`close`, when this object
    is garbage-collected (the session's state was dropped) or when the interpreter exits."""

    def __init__(self, root: Path | None = None):
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
        self._count = 0
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def save(self, data: bytes | memoryview, suffix: str = "") -> Path:
        """Write one upload under a generated name (``upload-N.csv``), owner-only."""
        if not self.path.exists():  # swept or closed: start a fresh private folder
            self.path.mkdir(mode=0o700, parents=True)
        self._count += 1
        target = self.path / f"upload-{self._count}{suffix}"
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.utime(self.path)  # a live folder is never swept
        return target

    def close(self) -> None:
        """Remove the folder and everything in it now."""
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def closed(self) -> bool:
        return not self.path.exists()


def sweep_stale(root: Path | None = None, now: float | None = None) -> int:
    """Remove upload folders (and loose ``upload-*`` files of older versions) untouched for
    :data:`STALE_AFTER_SECONDS`; returns how many were removed."""
    root = Path(root or tempfile.gettempdir())
    cutoff = (now or time.time()) - STALE_AFTER_SECONDS
    removed = 0
    for path in [*root.glob(f"{PREFIX}*"), *root.glob("upload-*")]:
        try:
            info = path.stat()
            if info.st_mtime >= cutoff or info.st_uid != os.getuid():
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
        except OSError:  # gone already, or not ours to read
            continue
    return removed
