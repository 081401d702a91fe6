"""Dates typed on the command line: ISO (2026-12-31) or UK day-first (31/12/2026), as imports
accept them. Never month-first: 12/31/2026 is refused with advice rather than guessed."""

from __future__ import annotations

import argparse
import re
from datetime import date

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (also with ``.`` or ``-``) as a date."""
    text = str(text).strip()
    iso, dmy = _ISO.match(text), _DMY.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if dmy:
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        raise ValueError(f"'{text}' is not a date: the day or month is out of range") from None
    raise ValueError(f"'{text}' is not a date: write DD/MM/YYYY (UK) or YYYY-MM-DD")


def date_option(text: str) -> date:
    """argparse ``type=`` for every date option."""
    try:
        return parse_day(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(str(problem)) from None
