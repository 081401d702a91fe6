"""Adult roles from the evidence, when no ``adult_role`` was recorded, always marked inferred.

Many exports have no column saying what an adult is to the young people around them. Left
blank, every adult would be ``other``: no trusted adult counted as protective, no adult of
concern in any hotspot or meeting district. So a blank role is read from the evidence:

* a ``trusted_adult`` protective factor or a ``trusted_relationship`` link -> trusted adult;
* a ``victim_offender`` link or a ``person_of_concern`` incident role -> adult of concern
  (this wins over trusted evidence: the concern is what a meeting must see; both are shown
  as evidence).

A recorded role is never changed. An inferred role is marked ``adult_role_inferred`` in the
data, so panels and exports can say "inferred". Pure: tables in, tables out.
"""

from __future__ import annotations

import pandas as pd

from mapping.model import LIST_SEPARATOR

TRUSTED = "trusted_adult"
CONCERN = "person_of_concern"


def _ends(links: pd.DataFrame, mask: pd.Series) -> set[str]:
    chosen = links[mask]
    return set(chosen["source_id"]) | set(chosen["target_id"])


def _role_ends(links: pd.DataFrame, role: str) -> set[str]:
    found: set[str] = set()
    for end in ("source", "target"):
        roles = links[f"{end}_role"].astype(object).fillna("").astype(str)
        maybe = roles.str.contains(role, regex=False)  # fast pass; then exact keys only
        has = roles[maybe].map(lambda value: role in value.split(LIST_SEPARATOR))
        found |= set(links.loc[has[has].index, f"{end}_id"])
    return found


def evidence_roles(entities: pd.DataFrame, links: pd.DataFrame) -> dict[str, str]:
    """adult id -> role the evidence gives it, for adults with no recorded role."""
    adults = entities[
        (entities["entity_type"] == "adult")
        & (entities["adult_role"].astype(object).fillna("") == "")
    ]
    if adults.empty:
        return {}
    factors = adults["protective_factors"].astype(object).fillna("").astype(str)
    trusted = set(
        adults.loc[factors.map(lambda f: TRUSTED in f.split(LIST_SEPARATOR)), "entity_id"]
    )
    trusted |= _ends(links, links["link_type"] == "trusted_relationship")
    concern = _ends(links, links["link_type"] == "victim_offender") | _role_ends(links, CONCERN)
    roles = {}
    for adult in adults["entity_id"]:
        if adult in concern:
            roles[adult] = CONCERN
        elif adult in trusted:
            roles[adult] = TRUSTED
    return roles


def infer_adult_roles(entities: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """``entities`` with blank adult roles filled from the evidence in ``links`` and an
    ``adult_role_inferred`` column (True where the role was inferred). Input unchanged."""
    roles = evidence_roles(entities, links)
    frame = entities.copy()
    inferred = frame["entity_id"].isin(list(roles))
    frame["adult_role"] = frame["adult_role"].astype(object)
    frame.loc[inferred, "adult_role"] = frame.loc[inferred, "entity_id"].map(roles)
    frame["adult_role_inferred"] = inferred
    return frame


def role_counts(entities: pd.DataFrame, links: pd.DataFrame) -> dict[str, int]:
    """For the import's report: adults with no recorded role, and what the evidence gave."""
    blank = (entities["entity_type"] == "adult") & (
        entities["adult_role"].astype(object).fillna("") == ""
    )
    roles = evidence_roles(entities, links)
    return {
        "no_role": int(blank.sum()),
        TRUSTED: sum(1 for r in roles.values() if r == TRUSTED),
        CONCERN: sum(1 for r in roles.values() if r == CONCERN),
    }
