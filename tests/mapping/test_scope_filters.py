"""The agency and case-status filters narrow the scoped graph as the district filter does,
and are written into what exports and the audit log record of the scope."""

from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, tables_from

ENTITIES = [
    dict(
        entity_id="YP-1", entity_type="young_person", label="YP-1", case_status="child_protection"
    ),
    dict(entity_id="YP-2", entity_type="young_person", label="YP-2", case_status="early_help"),
    dict(entity_id="YP-3", entity_type="young_person", label="YP-3"),
    dict(entity_id="PL-1", entity_type="place", label="Park", place_kind="park"),
]
LINKS = [
    dict(source_id="YP-1", target_id="PL-1", link_type="frequents", source_agency="police"),
    dict(source_id="YP-2", target_id="PL-1", link_type="frequents", source_agency="education"),
    dict(source_id="YP-3", target_id="PL-1", link_type="frequents", source_agency="police"),
    dict(source_id="YP-1", target_id="YP-2", source_agency="social_care"),
]


def scoped(**filters):
    return build_scoped_graph(tables_from(ENTITIES, LINKS), Scope(today=TODAY, **filters))


def test_agency_filter_keeps_only_that_agencys_links():
    police = scoped(agencies=("police",))
    assert set(police.links["source_agency"]) == {"police"}
    assert set(police.graph) == {"YP-1", "YP-3", "PL-1"}
    both = scoped(agencies=("police", "education"))
    assert len(both.links) == 3


def test_case_status_filter_keeps_those_young_people():
    protection = scoped(case_statuses=("child_protection",))
    young = {n for n, d in protection.graph.nodes(data=True) if d["entity_type"] == "young_person"}
    assert young == {"YP-1"}
    assert "PL-1" in protection.graph  # their contexts stay
    assert protection.scope.describe()["case_statuses"] == ["child_protection"]
    assert scoped().scope.describe()["agencies"] == []
