"""The marking line every copy carries: the protective marking, who the copy is for and the
date by which it is to be reviewed or destroyed, declared once for every band and header.

The marking itself is model.yaml's ``marking:`` (:data:`mapping.model.MARKING`); this
module only adds the copy's recipient and review-by date to it, the same way for the
PDF/PPTX pack bands, the saved PNG picture's band, the HTML pack and the first header row
of the CSV tables, the ANB CSV and the summary CSV. The recipient is untrusted text (a
user name, or ``export --recipient``): control, format and bidirectional characters become
spaces, runs of spaces one, and it is cut to :data:`RECIPIENT_MAX` characters, so it can
neither break a row or a line nor reorder the text around it nor overflow a band.

>>> print(marking_line(copy_of({"recipient": "ana.lyst", "review_by": "2027-01-02"})))
OFFICIAL-SENSITIVE · for ana.lyst · review by 2027-01-02
>>> marking_line(None) == MARKING
True
>>> clean_recipient("=HYPERLINK(x)\\n\\u202eevil")
'=HYPERLINK(x) evil'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from mapping.model import MARKING

#: A longer recipient is cut (with "…") so the marking line fits a band at its least size.
RECIPIENT_MAX = 64
#: What a copy made for nobody in particular says it is for.
NOT_NAMED = "not named"
#: Unicode categories dropped from a recipient: controls, format characters (bidirectional
#: controls, zero-width joiners), line and paragraph separators.
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp"})


@dataclass(frozen=True)
class Copy:
    """Who one copy is for and the ISO date by which it is to be reviewed or destroyed."""

    recipient: str
    review_by: str


def clean_recipient(text: object) -> str:
    """``text`` as one safe line: dropped characters as spaces, spaces collapsed, cut to
    :data:`RECIPIENT_MAX` characters; blank becomes :data:`NOT_NAMED`."""
    spaced = "".join(" " if unicodedata.category(c) in _DROPPED else c for c in str(text or ""))
    line = " ".join(spaced.split())
    if len(line) > RECIPIENT_MAX:
        line = line[: RECIPIENT_MAX - 1].rstrip() + "…"
    return line or NOT_NAMED


def copy_for(recipient: str | None, review_days: int, made: date | None = None) -> Copy:
    """The copy made on ``made`` (default today) for ``recipient``, to be reviewed
    ``review_days`` later (the caller reads ``MAPPING_EXPORT_REVIEW_DAYS``)."""
    made = made or date.today()
    return Copy(clean_recipient(recipient), (made + timedelta(days=review_days)).isoformat())


def copy_of(metadata: Mapping[str, object]) -> Copy | None:
    """The copy an export's metadata block describes, or None when it names neither a
    recipient nor a review-by date (a writer called without them draws the bare marking)."""
    recipient, review_by = metadata.get("recipient"), metadata.get("review_by")
    if not recipient and not review_by:
        return None
    return Copy(clean_recipient(recipient), clean_recipient(review_by or "not set"))


def marking_line(copy: Copy | None, marking: str = MARKING) -> str:
    """The marking, then who the copy is for and its review-by date when known."""
    if copy is None:
        return marking
    return f"{marking} · for {copy.recipient} · review by {copy.review_by}"


def metadata_marking(metadata: Mapping[str, object]) -> str:
    """:func:`marking_line` of an export's metadata block (its own ``marking``)."""
    return marking_line(copy_of(metadata), str(metadata.get("marking") or MARKING))
