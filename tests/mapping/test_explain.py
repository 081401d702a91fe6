"""Explanations: every partial answer says why, with a count, in one sentence shared by the
CLI, the JSON, the pages and the exports."""

from __future__ import annotations

from mapping.analysis.connectors import find_connectors
from mapping.analysis.explain import explanations
from mapping.analysis.report import analyse
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, tables_from

ENTITIES = [
    dict(entity_id="YP-1", entity_type="young_person", harms="cce"),
    dict(entity_id="YP-2", entity_type="young_person", harms="cce"),
    dict(entity_id="AD-1", entity_type="adult"),
    dict(entity_id="UN-1", entity_type="unknown"),
    dict(entity_id="PL-1", entity_type="place", place_kind="park"),
    dict(entity_id="PL-2", entity_type="place", place_kind="shop", lat=52.1, lon=-1.2),
]
LINKS = [
    dict(source_id="YP-1", target_id="AD-1", link_type="contact"),
    dict(source_id="AD-1", target_id="YP-2", link_type="contact"),
    dict(source_id="YP-1", target_id="PL-1", link_type="frequents", handling_code="C"),
    dict(source_id="YP-2", target_id="PL-2", link_type="frequents"),
    dict(source_id="UN-1", target_id="PL-2", link_type="frequents"),
    dict(source_id="YP-1", target_id="YP-2", first_seen="2019-01-01", last_seen="2019-02-01"),
]


def scoped(role="analyst", **scope):
    return build_scoped_graph(
        tables_from(ENTITIES, LINKS), Scope(role=role, today=TODAY, **scope), 1
    )


def by_code(items):
    return {e["code"]: e for e in items}


def test_each_explanation_has_code_message_and_count():
    found = by_code(analyse(scoped())["explanations"])
    assert found["stale_links_hidden"]["count"] == 1
    assert found["links_withheld"]["count"] == 1  # the handling-code C link, for an analyst
    assert "Analyst" in found["links_withheld"]["message"]
    assert found["unknown_entities"]["count"] == 1
    assert "places_not_located" not in found  # PL-1 is reached only by the withheld link
    for item in found.values():
        assert set(item) == {"code", "message", "count"} and item["message"].endswith(".")


def test_police_see_the_c_link_and_stale_links_on_request():
    found = by_code(explanations(scoped("police", include_stale=True)))
    assert "links_withheld" not in found and "stale_links_hidden" not in found
    # PL-1 is reached only by the C link: the police see it, and it has no location
    assert found["places_not_located"]["count"] == 1


def test_people_in_no_cluster_are_counted():
    report = analyse(scoped("police", include_stale=True))
    clustered = {m for c in report["clusters"] for m in c["members"]}
    people = {"YP-1", "YP-2", "AD-1", "UN-1"}
    found = by_code(report["explanations"])
    expected = len(people - clustered)
    if expected:
        assert found["people_in_no_cluster"]["count"] == expected
    else:
        assert "people_in_no_cluster" not in found


def test_an_adult_joining_two_young_people_is_a_connector_without_clusters():
    graph = scoped("police")
    connectors = find_connectors(graph, {})
    # AD-1 alone joins the two young people (their own link is stale); PL-2 alone reaches UN-1
    assert sorted(c["id"] for c in connectors) == ["AD-1", "PL-2"]


def test_an_empty_district_view_says_why():
    entities = [dict(entity_id="AD-1", entity_type="adult", district="North")]
    entities += [dict(entity_id="AD-2", entity_type="adult", district="North")]
    tables = tables_from(entities, [dict(source_id="AD-1", target_id="AD-2")])
    empty = build_scoped_graph(tables, Scope(role="police", today=TODAY, districts=("North",)), 1)
    found = by_code(explanations(empty))
    assert "adults only" in found["nothing_in_scope"]["message"]
    whole = build_scoped_graph(tables, Scope(role="police", today=TODAY), 1)
    assert "nothing_in_scope" not in by_code(explanations(whole))
