"""A tiny fictional world for the explorer's tests: two clusters joined by one link.

North: young people CS-1 (CCE and radicalisation), CS-2 (CCE), CS-5 (CSE), an adult of
concern, a takeaway, an online space and a trusted adult at a youth club. South: CS-3 (CSE)
and CS-4 at a park. CS-5 and CS-3 were seen together once. One link is stale (2019).
All names are invented.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store

TODAY = date(2026, 11, 29)
ENTITIES = """entity_id,entity_type,label,district,age_band,harms,ideology,place_kind,adult_role
CS-1,young_person,Ada Fictional,North,13-15,cce;radicalisation,mixed,,
CS-2,young_person,Ben Fictional,North,16-17,cce,,,
CS-5,young_person,Cal Fictional,North,13-15,cse,,,
CS-3,young_person,Dee Fictional,South,16-17,cse,,,
CS-4,young_person,Eli Fictional,South,13-15,,,,
AD-1,adult,Fred Fictional,North,25+,,,,person_of_concern
AD-2,adult,Gail Fictional,North,25+,,,,trusted_adult
PL-1,place,Chicken Palace,North,,,,takeaway,
PL-2,place,Riverside Youth Club,North,,,,youth_club,
PL-3,place,Millfield Park,South,,,,park,
ON-1,online_space,Raid Server,,,,,,
"""
LINKS = """source_id,target_id,link_type,first_seen,last_seen,source_agency,grading,weight
CS-1,CS-2,peer,2026-01-10,2026-10-01,police,2BP,3
CS-1,AD-1,victim_offender,2026-02-01,2026-09-01,police,1AP,1
CS-2,AD-1,contact,2026-03-01,2026-09-15,police,3DP,1
CS-1,PL-1,frequents,2026-01-01,2026-10-01,police,2BP,2
CS-2,PL-1,frequents,2026-01-01,2026-10-01,youth justice,2CP,1
CS-5,PL-1,frequents,2026-04-01,2026-10-01,social care,2BP,1
CS-1,ON-1,member_of,2026-05-01,2026-10-20,prevent,2BP,1
CS-5,ON-1,member_of,2026-05-01,2026-10-20,prevent,2BP,1
CS-5,CS-2,peer,2026-05-01,2026-08-01,education,2BP,1
CS-1,AD-2,trusted_relationship,2026-01-01,2026-11-01,voluntary sector,1AP,1
AD-2,PL-2,frequents,2026-01-01,2026-11-01,voluntary sector,1AP,1
CS-2,PL-2,frequents,2026-01-01,2026-11-01,voluntary sector,1AP,1
CS-3,CS-4,peer,2026-02-01,2026-10-01,education,2BP,2
CS-3,PL-3,frequents,2026-02-01,2026-10-01,police,2BP,1
CS-4,PL-3,frequents,2026-02-01,2026-10-01,police,2BP,1
CS-5,CS-3,seen_together,2026-06-01,2026-06-01,police,3DP,1
CS-4,AD-1,contact,2019-01-01,2019-03-01,police,2BP,1
"""
RAW_NAMES = ["Ada Fictional", "Ben Fictional", "Fred Fictional", "Gail Fictional"]


#: One more link only designated roles see (handling code C), for the "withheld" tests.
HANDLING_C_LINK = "CS-4,AD-1,contact,2026-07-01,2026-08-01,police,2BC,1\n"


def import_world(database_url: str, key_file: Path, folder: Path, links: str = LINKS) -> int:
    """Import the tiny world into ``database_url`` with the key at ``key_file``."""
    sources = []
    for name, text in (("entities", ENTITIES), ("links", links)):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        sources.append(Source(path, path.name))
    result = import_files(
        sources, Store(database_url), Pseudonymiser.from_file(key_file), today=TODAY
    )
    return result.version
