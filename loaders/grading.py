"""Gradings written in split columns: ``source_evaluation``, ``intelligence_assessment`` and
``handling_code`` (the column names our own exports write), recombined into one 3x5x2
``grading`` before validation.

A graded row never becomes an ungraded link: a row with some parts filled and others
blank, a part that is not a 3x5x2 value, or a ``grading`` column that disagrees with the
split columns is an error naming the row and columns (never echoing the cell's value,
which could be a name typed in the wrong column). Never touches Streamlit or the database.

>>> combine("1", "a", "C", "")
('1AC', None)
>>> combine("", "", "C", "")[1]  # doctest: +ELLIPSIS
'the grading is incomplete: intelligence_assessment and source_evaluation are blank ...
"""

from __future__ import annotations

import re

import pandas as pd

from mapping.model import GRADING_FIELDS, MODEL, parse_grading

#: Headers accepted for each part (compared squashed, as loaders.columns.squash does).
PART_HEADERS: dict[str, tuple[str, ...]] = {
    "source_evaluation": ("source_evaluation", "source evaluation", "evaluation", "source eval"),
    "intelligence_assessment": (
        "intelligence_assessment",
        "intelligence assessment",
        "assessment",
        "intelligence evaluation",
        "information assessment",
    ),
    "handling_code": ("handling_code", "handling code", "handling", "handling condition"),
}

#: Roles whose sheets carry a grading.
GRADED_ROLES = ("links", "incidents")

_VALUES = {
    "source_evaluation": MODEL.source_evaluations.keys(),
    "intelligence_assessment": MODEL.intelligence_assessments.keys(),
    "handling_code": MODEL.handling_codes.keys(),
}


def _squash(header: object) -> str:
    return re.sub(r"[\s_\-./]+", "", str(header).strip().casefold())


_LOOKUP = {_squash(h): part for part, headers in PART_HEADERS.items() for h in headers}


def find_split_columns(headers: list[str], taken: set[int]) -> dict[str, int]:
    """``{part: column position}`` for split grading headers not already mapped (``taken``)."""
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        part = _LOOKUP.get(_squash(header))
        if part and part not in found and position not in taken:
            found[part] = position
    return found


def combine(
    evaluation: str, assessment: str, handling: str, grading: str
) -> tuple[str, str | None]:
    """One row's grading from its split parts and its ``grading`` cell.

    Returns ``(grading text, problem)``; the problem (None when there is none) says what is
    wrong without repeating any cell's value.
    """
    given = dict(
        zip(GRADING_FIELDS, (evaluation.strip(), assessment.strip(), handling.strip()), strict=True)
    )
    filled = [p for p, v in given.items() if v]
    if not filled:
        return grading, None
    blank = sorted(p for p in GRADING_FIELDS if p not in filled)
    if blank:
        return grading, (
            f"the grading is incomplete: {' and '.join(blank)} "
            f"{'is' if len(blank) == 1 else 'are'} blank while {', '.join(filled)} "
            f"{'is' if len(filled) == 1 else 'are'} filled; fill all three parts "
            "(e.g. 2, B, P) or none, so the link keeps its grading"
        )
    wrong = [p for p, v in given.items() if v.upper() not in _VALUES[p]]
    if wrong:
        return grading, (
            f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not a 3x5x2 value: "
            "source_evaluation is 1-3, intelligence_assessment A-E, handling_code P or C"
        )
    combined = "".join(given[p].upper() for p in GRADING_FIELDS)
    if grading.strip():
        written = parse_grading(grading)
        if written is None or str(written) != combined:
            return grading, (
                "the grading column disagrees with source_evaluation, "
                "intelligence_assessment and handling_code; correct one of them"
            )
    return combined, None


def recombine(
    body: pd.DataFrame, positions: dict[str, int], grading: pd.Series
) -> tuple[pd.Series, dict[int, str]]:
    """The ``grading`` column with split parts folded in, and ``{row index: problem}``."""
    blank = pd.Series("", index=body.index, dtype="string")

    def column(part: str) -> pd.Series:
        if part not in positions:
            return blank
        return body.iloc[:, positions[part]].astype("string").fillna("")

    parts = [column(p) for p in GRADING_FIELDS]
    combined, problems = [], {}
    for index, evaluation, assessment, handling, written in zip(
        body.index, *parts, grading.astype("string").fillna(""), strict=True
    ):
        value, problem = combine(evaluation, assessment, handling, written)
        combined.append(value)
        if problem:
            problems[int(index)] = problem
    return pd.Series(combined, index=body.index, dtype="string"), problems
