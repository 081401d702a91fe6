"""Incident roles as recorded: one cell may name several roles ("Victim Suspect",
"victim/offender", "victim; witness"), and one person may have several rows in one incident.

Roles are kept as a ``;``-separated list of model keys in model order, so a person recorded
as both victim and person of concern keeps both (the distinction the ICO found missing in
the Gangs Matrix). Nothing here turns one role into another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from loaders.problems import ERROR
from mapping.model import LIST_SEPARATOR, MODEL

if TYPE_CHECKING:
    from loaders.columns import MappedSheet, ProblemCollector


#: Separators between roles written in one cell: ; , / & + | and the word "and".
_SEPARATORS = re.compile(r"\s*(?:[;,/&+|]|\band\b)\s*", re.IGNORECASE)


def role_order(roles: Iterable[str]) -> str:
    """Roles (keys) as one ``;``-joined value in model order, each once."""
    wanted = set(roles)
    return LIST_SEPARATOR.join(k for k in MODEL.incident_roles.keys() if k in wanted)


def _words(words: list[str]) -> list[str] | None:
    """Read a run of words as consecutive role names ("person of concern victim")."""

    @cache
    def best(start: int) -> tuple[str, ...] | None:
        if start == len(words):
            return ()
        for end in range(len(words), start, -1):
            key = MODEL.incident_roles.normalise(" ".join(words[start:end]))
            rest = best(end) if key else None
            if key and rest is not None:
                return (key, *rest)
        return None

    found = best(0)
    return list(found) if found is not None else None


def split_roles(value: object) -> str | None:
    """The roles a cell names, ``;``-joined in model order; "" for blank, None when a part is
    not a known role."""
    text = str(value or "").strip()
    if not text:
        return ""
    whole = MODEL.incident_roles.normalise(text)
    if whole:
        return whole
    keys: list[str] = []
    for part in (p for p in _SEPARATORS.split(text) if p.strip()):
        key = MODEL.incident_roles.normalise(part)
        found = [key] if key else _words(part.split())
        if not found:
            return None
        keys += found
    return role_order(keys) or None


def check_roles(sheet: MappedSheet, frame: pd.DataFrame, collector: ProblemCollector) -> pd.Series:
    """The incidents' ``role`` column as role lists; unknown parts are errors (no row is
    half-read). Blank means ``present``."""
    column = "role"
    uniques = {v: split_roles(v) for v in frame[column].unique()}
    roles = (
        frame[column].map(uniques).astype(object)
    )  # None for unknown: arrow strings refuse fillna
    for index in frame.index[roles.isna()]:
        collector.add(
            sheet,
            ERROR,
            index,
            column,
            "unknown incident role",
            f"'{str(frame.at[index, column])[:40]}' is not a known incident role; use one or "
            f"more of: {', '.join(MODEL.incident_roles.keys())} (several roles may be given "
            f"in one cell, separated by '{LIST_SEPARATOR}' or '/')",
        )
    return roles.fillna("").replace("", "present")


def merge_roles(values: Iterable[object]) -> str:
    """One person's roles over several rows of one incident, each kept."""
    return role_order(r for value in values if value for r in str(value).split(LIST_SEPARATOR))
