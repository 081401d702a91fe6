"""Import progress: the stages an import reports, and a text bar for the command line.

``import_files(progress=...)`` calls ``progress(stage, fraction, rows)`` with a stage name
for people ("reading", "validating", "pseudonymising", "storing", "done", or "refused" at 1.0
when the check found errors), the fraction of
the whole import done (0.0 to 1.0) and the number of data rows being imported. The app
shows it with ``st.progress``; the CLI uses :class:`TextProgress`. No data values pass here.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

#: Imports with fewer data rows than this finish too fast to need a bar on the CLI.
BAR_MIN_ROWS = 5_000


class Progress(Protocol):
    def __call__(self, stage: str, fraction: float, rows: int) -> None: ...


class TextProgress:
    """A one-line progress bar on stderr, drawn only for imports of ``BAR_MIN_ROWS`` or more."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, min_rows: int = BAR_MIN_ROWS):
        self.stream = stream or sys.stderr
        self.width = width
        self.min_rows = min_rows
        self._last = ""

    def __call__(self, stage: str, fraction: float, rows: int) -> None:
        if rows < self.min_rows:
            return
        filled = round(max(0.0, min(1.0, fraction)) * self.width)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {stage}"
        if line != self._last:
            self.stream.write("\r" + line.ljust(60))
            if stage in ("done", "refused"):
                self.stream.write("\n")
            self.stream.flush()
            self._last = line
