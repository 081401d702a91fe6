"""One table read from a file, shared by every reader (spreadsheets, CSV, graph files), so
the readers need not import each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from loaders.problems import Problem


@dataclass
class RawSheet:
    """One table read from a file, all cells text, with where it came from."""

    file: str
    sheet: str
    frame: pd.DataFrame
    header_row: int = 1  # as numbered in Excel
    notes: list[Problem] = field(default_factory=list)
    #: How the file was read (encoding, delimiter), stored with the version's sources.
    read_as: dict[str, str] = field(default_factory=dict)
    #: (row, column) positions in ``frame`` of cells that held a formula (never evaluated).
    formulas: set[tuple[int, int]] = field(default_factory=set)
    #: (row, column) positions of cells stored as numbers and read as typed (XLSX only).
    numbers: set[tuple[int, int]] = field(default_factory=set)
