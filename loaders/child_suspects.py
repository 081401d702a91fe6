"""A young person recorded as a person of concern (suspect, offender) in an incident.

A child can be both victim and suspect in one incident, and both roles are kept; but such a
record shapes how a meeting sees that child, so it is never accepted silently. Each row is
named by file, sheet and row (never by value) and counted; a caller passing ``confirmed=False``
refuses an unconfirmed import; the command line lists them as "not confirmed" warnings unless
``--confirm-child-suspects`` records that they were checked; the upload page asks for a tick.
"""

from __future__ import annotations

import pandas as pd

from loaders.problems import ERROR, WARNING, Problem
from mapping.model import LIST_SEPARATOR
from mapping.pseudonymise import normalise_raw_id

KIND = "young person as suspect"
CONCERN_ROLE = "person_of_concern"


def child_suspects(tables: dict[str, pd.DataFrame], confirmed: bool | None) -> list[Problem]:
    """One problem per incident row naming a young person as a person of concern, then one
    line counting them. ``confirmed`` False makes them errors (the import is refused);
    True or None (a caller that does not ask) keeps them as warnings."""
    entities, incidents = tables.get("entities"), tables.get("incidents")
    if entities is None or incidents is None or incidents.empty or entities.empty:
        return []
    young = set(
        entities.loc[entities["entity_type"] == "young_person", "entity_id"].map(normalise_raw_id)
    )
    concern = incidents["role"].fillna("").map(lambda r: CONCERN_ROLE in r.split(LIST_SEPARATOR))
    rows = incidents[concern & incidents["person_id"].map(normalise_raw_id).isin(young)]
    if rows.empty:
        return []
    severity = ERROR if confirmed is False else WARNING
    advice = (
        "confirmed at import; both roles are kept"
        if confirmed
        else "import again with --confirm-child-suspects (command line) once each row is "
        "checked in the source system"
        if confirmed is False
        else "not confirmed: both roles are kept; check the row in the source system "
        "(--confirm-child-suspects records that it was checked)"
    )
    listed = [
        Problem(
            severity,
            row.in_file,
            row.in_sheet,
            int(row.in_row),
            "role",
            KIND,
            f"a young person is recorded as a person of concern (suspect or offender) in "
            f"this incident; {advice}",
        )
        for row in rows.itertuples()
    ]
    people = rows["person_id"].map(normalise_raw_id).nunique()
    summary = Problem(
        severity,
        ", ".join(sorted(set(rows["in_file"]))),
        "",
        None,
        None,
        KIND,
        f"{len(rows):,} incident row(s) record {people:,} young people as a person of concern; "
        + (
            "the import was refused until this is confirmed: " + advice
            if confirmed is False
            else advice
        ),
    )
    return [summary, *listed]
