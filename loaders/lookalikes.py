"""Look-alike letters: a word mixing scripts (a Cyrillic ``а`` inside a Latin id) shows the
same on screen as its all-Latin twin but is another id, another label. Such cells are
warned at import by row and column, counted, and kept as written; never echoed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import pandas as pd

from loaders.problems import WARNING

if TYPE_CHECKING:
    from loaders.columns import MappedSheet, ProblemCollector

#: Scripts whose capitals and small letters are confusable with each other (UTS #39's
#: commonest cases); a word holding letters of two of them is suspicious.
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
_WORD = re.compile(r"[^\W\d_]+")


def _script(letter: str) -> str | None:
    name = unicodedata.name(letter, "")
    if name.startswith("FULLWIDTH LATIN"):
        return "LATIN"
    first = name.split(" ", 1)[0]
    return first if first in CONFUSABLE_SCRIPTS else None


def mixed_scripts(text: str) -> tuple[str, ...]:
    """The scripts mixed inside one word of ``text``, or () when every word keeps to one.

    >>> mixed_scripts("P\u0430ul"), mixed_scripts("Paul Иван"), mixed_scripts("P001")
    (('CYRILLIC', 'LATIN'), (), ())
    """
    if text.isascii():
        return ()
    for word in _WORD.findall(text):
        scripts = {s for s in map(_script, word) if s}
        if len(scripts) > 1:
            return tuple(sorted(scripts))
    return ()


def check_lookalikes(sheet: MappedSheet, frame: pd.DataFrame, collector: ProblemCollector) -> None:
    """Warn, by row and column, for each cell with a word that mixes scripts."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind not in "OU" and str(values.dtype) != "string":
            continue
        found = {v: mixed_scripts(v) for v in values.dropna().unique() if isinstance(v, str)}
        hits = {v: s for v, s in found.items() if s}
        if not hits:
            continue
        for index, value in values[values.isin(list(hits))].items():
            scripts = " and ".join(s.title() for s in hits[value])
            collector.add(
                sheet,
                WARNING,
                index,
                column,
                "mixed scripts",
                f"a word in this cell mixes {scripts} letters, which look alike (a Cyrillic "
                "a in a Latin id): it was kept as written and will not match the same word "
                "typed in one script; check the cell in the source system",
            )
