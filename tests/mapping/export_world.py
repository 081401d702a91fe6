"""A small hand-made world for the export tests: two young people, an adult of concern, a
park, a private address and a place known only through one handling-code C link.

Built directly as canonical tables (no sample workbook needed), so export tests run in
seconds. The restricted link and the place only it reaches carry distinctive ids the
leakage test searches for in every file.
"""

from __future__ import annotations

from datetime import date

from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import tables_from

TODAY = date(2026, 11, 29)
RESTRICTED_LINK = "LINK-RESTRICTED-C"
RESTRICTED_PLACE = "P-ONLY-VIA-C"
HOME = "AR-HOME-1"
HOME_LAT, HOME_LON = 52.12345, -1.54321
FORMULA_CORPUS = (
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://example.invalid","x")',
)

ENTITIES = [
    dict(
        entity_id="YP-1",
        entity_type="young_person",
        label="YP-1",
        district="North",
        harms="cce;missing",
        vulnerabilities="social_isolation",
        age_band="13-15",
    ),
    dict(
        entity_id="YP-2",
        entity_type="young_person",
        label="YP-2",
        district="North",
        harms="cse;radicalisation",
        ideology="mixed_unclear",
    ),
    dict(entity_id="YP-3", entity_type="young_person", label="YP-3", district="South", harms="cce"),
    dict(entity_id="AD-1", entity_type="adult", label="AD-1", adult_role="person_of_concern"),
    dict(
        entity_id="P-PARK",
        entity_type="place",
        label="Riverside park",
        place_kind="park",
        district="North",
        lat=52.2001,
        lon=-1.6002,
    ),
    dict(
        entity_id=HOME,
        entity_type="place",
        label=HOME,
        place_kind="address",
        district="North",
        lat=HOME_LAT,
        lon=HOME_LON,
    ),
    dict(
        entity_id=RESTRICTED_PLACE,
        entity_type="place",
        label="Lock-up garage",
        place_kind="other",
        district="South",
        lat=52.3,
        lon=-1.7,
    ),
]
LINKS = [
    dict(source_id="YP-1", target_id="YP-2", first_seen="2026-01-10", last_seen="2026-09-01"),
    dict(source_id="YP-1", target_id="P-PARK", link_type="frequents", source_agency="education"),
    dict(
        source_id="YP-2",
        target_id="P-PARK",
        link_type="frequents",
        source_evaluation="1",
        intelligence_assessment="A",
    ),
    dict(source_id="YP-3", target_id="P-PARK", link_type="frequents"),
    dict(source_id="YP-2", target_id=HOME, link_type="frequents"),
    dict(
        source_id="AD-1",
        target_id="YP-1",
        link_type="victim_offender",
        first_seen="2025-12-01",
        last_seen="2026-10-20",
    ),
    dict(
        link_id=RESTRICTED_LINK,
        source_id="YP-3",
        target_id=RESTRICTED_PLACE,
        link_type="frequents",
        handling_code="C",
        intelligence_assessment="C",
    ),
]


def scoped_world(role: str = "analyst", entities=ENTITIES, links=LINKS):
    """The world as ``role`` may see it (version 1, nothing stale)."""
    return build_scoped_graph(tables_from(entities, links), Scope(role=role, today=TODAY), 1)


def formula_world(role: str = "police"):
    """Places, ids, districts and notes made of the formula-injection corpus."""
    entities = [dict(entity_id="YP-1", entity_type="young_person", label="YP-1", harms="cce")]
    links = []
    for number, text in enumerate(FORMULA_CORPUS):
        entities.append(
            dict(
                entity_id=text,
                entity_type="place",
                label=text,
                district=text,
                place_kind="park",
                lat=52.0,
                lon=-1.5,
            )
        )
        links.append(
            dict(
                source_id="YP-1",
                target_id=text,
                link_type="frequents",
                notes=text,
                link_id=f"{text}#{number}",
            )
        )
    return scoped_world(role, entities, links)
