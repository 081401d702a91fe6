"""Scoped graphs: every filter and redaction applied once, where the graph is built."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import tables_from

TODAY = date(2026, 11, 29)
ENTITIES = [
    {"entity_id": "YP-1", "entity_type": "young_person", "district": "North", "harms": "cce"},
    {"entity_id": "YP-2", "entity_type": "young_person", "district": "North", "harms": "cse"},
    {"entity_id": "YP-3", "entity_type": "young_person", "district": "South"},
    {"entity_id": "AD-1", "entity_type": "adult", "adult_role": "person_of_concern"},
    {"entity_id": "AD-2", "entity_type": "adult", "adult_role": "trusted_adult"},
    {"entity_id": "PL-1", "entity_type": "place", "place_kind": "park"},
]
LINKS = [
    {"source_id": "YP-1", "target_id": "YP-2"},  # L00000
    {
        "source_id": "YP-1",
        "target_id": "AD-1",
        "link_type": "victim_offender",
        "handling_code": "C",
        "source_evaluation": "1",
        "intelligence_assessment": "A",
    },  # L00001
    {"source_id": "YP-2", "target_id": "AD-2", "link_type": "trusted_relationship"},  # L00002
    {"source_id": "YP-3", "target_id": "PL-1", "link_type": "frequents"},  # L00003
    {
        "source_id": "YP-2",
        "target_id": "PL-1",
        "link_type": "frequents",
        "first_seen": "2020-01-01",
        "last_seen": "2021-01-01",
    },  # L00004 stale
    {
        "source_id": "YP-1",
        "target_id": "PL-1",
        "link_type": "frequents",
        "source_evaluation": "3",
        "intelligence_assessment": "D",
    },  # L00005
]


def scoped_links(**scope) -> set[str]:
    scope.setdefault("today", TODAY)
    return set(build_scoped_graph(tables_from(ENTITIES, LINKS), Scope(**scope)).links["link_id"])


def test_stale_links_are_hidden_by_default_and_can_be_shown():
    assert "L00004" not in scoped_links()
    assert "L00004" in scoped_links(include_stale=True)


def test_handling_code_c_only_for_roles_cleared_for_it():
    assert "L00001" not in scoped_links(role="analyst")
    assert "L00001" in scoped_links(role="police")


def test_partner_view_hides_adults_of_concern_but_keeps_trusted_adults():
    links = scoped_links(role="partner")
    assert "L00002" in links and "L00001" not in links


def test_date_window_keeps_links_whose_seen_dates_overlap_it():
    assert "L00004" in scoped_links(
        since=date(2020, 6, 1), until=date(2020, 12, 1), include_stale=True
    )
    assert scoped_links(since=date(2020, 6, 1), until=date(2020, 12, 1), include_stale=True) == {
        "L00004"
    }


@pytest.mark.parametrize(
    ("minimum", "kept", "dropped"), [("2B", "L00000", "L00005"), ("1A", "L00001", "L00000")]
)
def test_minimum_grading(minimum, kept, dropped):
    links = scoped_links(role="police", min_grading=minimum)
    assert kept in links and dropped not in links


def test_district_link_type_and_harm_filters():
    assert scoped_links(districts=("South",)) == {"L00003"}
    assert scoped_links(link_types=("frequents",)) == {"L00003", "L00005"}
    north_cse = build_scoped_graph(tables_from(ENTITIES, LINKS), Scope(harms=("cse",), today=TODAY))
    assert set(north_cse.young_people()) == {"YP-2"}


def test_hiding_protective_contexts_drops_them_for_every_analysis_and_export():
    entities = [
        *ENTITIES,
        {"entity_id": "PL-2", "entity_type": "place", "place_kind": "youth_club"},
        {"entity_id": "AD-3", "entity_type": "adult"},
    ]
    links = [
        *LINKS,
        {"source_id": "YP-3", "target_id": "PL-2", "link_type": "frequents"},  # L00006
        {"source_id": "YP-1", "target_id": "AD-3", "link_type": "trusted_relationship"},
    ]  # L00007
    tables = tables_from(entities, links)
    shown = build_scoped_graph(tables, Scope(today=TODAY))
    hidden = build_scoped_graph(tables, Scope(today=TODAY, show_protective=False))
    assert {"L00002", "L00006", "L00007"} <= set(shown.links["link_id"])
    assert set(shown.links["link_id"]) - set(hidden.links["link_id"]) == {
        "L00002",
        "L00006",
        "L00007",
    }  # trusted adult, youth club, protective link type
    assert {"AD-2", "PL-2"} <= set(shown.graph) and not {"AD-2", "PL-2"} & set(hidden.graph)
    assert set(hidden.entities["entity_id"]).isdisjoint({"AD-2", "PL-2"})
    assert hidden.scope.describe()["show_protective"] is False


def _networkx_build(scoped_links, kept_nodes):
    """The graph networkx's own public calls build from the same nodes and links."""

    graph = nx.Graph()
    graph.add_nodes_from(kept_nodes)
    edges: dict = {}
    for row in scoped_links.itertuples(index=False):
        key = tuple(sorted((row.source_id, row.target_id)))
        weight = 1.0 if row.weight != row.weight else row.weight  # NaN counts as 1
        data = edges.setdefault(key, {"weight": 0.0, "links": [], "link_types": set()})
        data["weight"] += weight
        data["links"].append(row.link_id)
        data["link_types"].add(row.link_type)
    graph.add_edges_from((u, v, data) for (u, v), data in edges.items())
    return graph


def _layout(graph):
    """Everything a reader of the graph can observe, insertion order included."""
    return (
        list(graph.nodes(data=True)),
        [(u, list(graph.adj[u].items())) for u in graph],
        graph.number_of_edges(),
    )


def test_the_graph_is_the_one_networkx_would_build_merged_pairs_self_loops_included(
    sample_world,
):
    store, _pseudonymiser, _truth = sample_world
    tables = store.read_version()
    # A pair linked twice (both directions) and a self-loop beside the sample world's links.
    peers = tables.links[tables.links["link_type"] == "peer_association"]  # every role's
    extra = peers.iloc[:2].copy()
    extra["link_id"] = ["X-1", "X-2"]
    extra["source_id"], extra["target_id"] = extra["target_id"].copy(), extra["source_id"].copy()
    loop = peers.iloc[2:3].copy()
    loop["link_id"], loop["target_id"] = "X-3", loop["source_id"]
    import pandas as pd

    from mapping.store import VersionTables

    tables = VersionTables(
        tables.entities, pd.concat([tables.links, extra, loop], ignore_index=True), tables.incidents
    )
    for role in ("analyst", "partner"):
        scoped = build_scoped_graph(tables, Scope(role=role, include_stale=True, today=TODAY))
        kept = [(n, dict(d)) for n, d in scoped.graph.nodes(data=True) if d]
        reference = _networkx_build(scoped.links, kept)
        assert _layout(scoped.graph) == _layout(reference)
        assert nx.number_of_selfloops(scoped.graph) == 1
        assert any(len(d["links"]) > 1 for _u, _v, d in scoped.graph.edges(data=True))


def test_a_link_to_an_entity_without_a_row_still_gives_a_bare_node_as_networkx_does():
    links = [*LINKS, {"source_id": "YP-1", "target_id": "GHOST-1"}]
    scoped = build_scoped_graph(tables_from(ENTITIES, links), Scope(today=TODAY))
    assert scoped.graph.nodes["GHOST-1"] == {}
    assert "GHOST-1" in scoped.graph.adj["YP-1"]
    assert scoped.graph.adj["GHOST-1"]["YP-1"]["links"] == ["L00006"]
