"""Value mapping: an analyst's own words for the model's terms, and suggestions for unknown ones.

A mapping profile's ``values:`` section maps, per template column, the words an export uses
to the model's terms (keys compared case-, space- and punctuation-insensitively)::

    values:
      vulnerabilities: {"school_exclusion": excluded_from_school}
      link_type: {"Associate of": peer_association}

Only vocabulary columns (never person fields) can be mapped, so the terms named here and in
the record of what was mapped are category words, not identifying values.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TypedDict

from mapping.model import LIST_COLUMNS, MODEL, Vocabulary

#: Template columns whose values come from a model vocabulary (the MODEL attribute).
VOCABULARY_COLUMNS: dict[str, str] = {
    "entity_type": "entity_types",
    "place_kind": "place_kinds",
    "ideology": "ideologies",
    "case_status": "case_statuses",
    "adult_role": "adult_roles",
    **LIST_COLUMNS,
    "link_type": "link_types",
    "source_agency": "source_agencies",
    "role": "incident_roles",
}
#: How many close model terms an unknown term is offered.
SUGGESTIONS = 3


def vocabulary_for(column: str) -> Vocabulary:
    vocabulary: Vocabulary = getattr(MODEL, VOCABULARY_COLUMNS[column])
    return vocabulary


def value_key(text: object) -> str:
    """How terms are compared: case-, space- and punctuation-insensitively."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def check_values(where: str, raw: object) -> dict[str, dict[str, str]]:
    """Check a profile's ``values:`` section; return ``{column: {their term: model key}}``.

    Raises ValueError naming the profile, the section and the term for a column that holds
    no vocabulary or a target that is not a term of the column's vocabulary.
    """
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: values: must map a column to {{their term: model term}}")  # noqa: TRY004
    checked: dict[str, dict[str, str]] = {}
    for column, terms in raw.items():
        column = str(column)
        if column not in VOCABULARY_COLUMNS:
            raise ValueError(
                f"{where}: values: '{column}' is not a column with a vocabulary; "
                f"map values of: {', '.join(VOCABULARY_COLUMNS)}"
            )
        if not isinstance(terms, dict):
            raise ValueError(f"{where}: values: {column}: write {{their term: model term}}")  # noqa: TRY004
        vocab = vocabulary_for(column)
        checked[column] = {}
        for theirs, target in terms.items():
            key = vocab.normalise(target) if target is not None else None
            if key is None:
                raise ValueError(
                    f"{where}: values: {column}: '{theirs}' is mapped to '{target}', which is "
                    f"not a known {vocab.name}; use one of: {', '.join(vocab.keys())}"
                )
            checked[column][str(theirs)] = key
    return checked


def suggest(column: str, term: str, n: int = SUGGESTIONS) -> list[str]:
    """The model terms closest to ``term`` (by key, label or synonym), best first."""
    vocab = vocabulary_for(column)
    words: dict[str, str] = {}
    for t in vocab:
        for word in (t.key, t.label, *t.synonyms):
            words.setdefault(value_key(word), t.key)
    wanted = value_key(term)
    ranked = sorted(
        words.items(),
        key=lambda item: -difflib.SequenceMatcher(None, wanted, item[0]).ratio(),
    )
    close = set(difflib.get_close_matches(wanted, list(words), n=len(words), cutoff=0.5))
    # a word that contains the term (or is contained in it) is close too: "exclusion" ~ "excluded"
    close |= {w for w in words if w and wanted and (w in wanted or wanted in w)}
    found: list[str] = []
    for word, key in ranked:
        if word in close and key not in found:
            found.append(key)
    return found[:n]


def term_choices(column: str, term: str) -> list[str]:
    """What an unknown term may be mapped to: the closest model terms first, then the rest."""
    close = suggest(column, term)
    return close + [k for k in vocabulary_for(column).keys() if k not in close]


@dataclass
class UnknownTerm:
    """One term a vocabulary column used that neither the model nor the profile knows."""

    column: str
    term: str
    count: int
    rows: list[tuple[str, str, int]] = field(default_factory=list)  # (file, sheet, row)

    @property
    def suggestions(self) -> list[str]:
        return suggest(self.column, self.term)

    def as_row(self) -> dict[str, object]:
        return {
            "column": self.column,
            "term": self.term,
            "count": self.count,
            "suggestions": self.suggestions,
        }


#: One line of what a profile's ``values:`` mapped (``from`` is a keyword, hence this form).
MappedValue = TypedDict(
    "MappedValue",
    {"file": str, "sheet": str, "column": str, "from": str, "to": str, "cells": int},
)


@dataclass
class ValueMap:
    """A profile's ``values:`` applied during validation, counting what it mapped."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    #: (file, sheet, column, their term, model key) -> cells mapped
    applied: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lookup = {
            column: {value_key(theirs): key for theirs, key in terms.items()}
            for column, terms in self.values.items()
        }

    def lookup(self, column: str, value: object) -> str | None:
        table = self._lookup.get(column)
        return table.get(value_key(value)) if table else None

    def record(self, file: str, sheet: str, column: str, theirs: str, key: str, cells: int) -> None:
        self.applied[(file, sheet, column, theirs, key)] += cells

    def report(self) -> list[MappedValue]:
        """What was mapped to what, with counts (stored with the version, shown to the user)."""
        return [
            {"file": f, "sheet": s, "column": c, "from": theirs, "to": key, "cells": n}
            for (f, s, c, theirs, key), n in sorted(self.applied.items())
        ]


def describe_mapped(row: MappedValue) -> str:
    """One line saying what a value mapping did, for the CLI and the page."""
    where = row["file"] + (f" sheet {row['sheet']}" if row["sheet"] else "")
    return (
        f"{where}, column {row['column']}: '{row['from']}' mapped to {row['to']} "
        f"in {row['cells']} cell(s) by the profile's values:"
    )
