"""The analysis at scale gives the same answers as the plain definitions it replaces."""

from __future__ import annotations

import io
import json

import networkx as nx
import numpy as np
import pytest

from mapping.analysis.clusters import damped_edges, evidence_within, summarise
from mapping.analysis.engine import louvain_edges
from mapping.analysis.report import analyse
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY


def _evidence_by_definition(graph: nx.Graph, members: set, inside: set) -> list[str]:
    """Every edge with both ends inside the cluster and at least one end a member."""
    return sorted(
        {
            link
            for u, v, links in graph.edges(data="links")
            if u in inside and v in inside and (u in members or v in members)
            for link in links
        }
    )


@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_cluster_evidence_is_every_link_inside_the_cluster(sample_world, engine):
    store, _pseudonymiser, _truth = sample_world
    graph = build_scoped_graph(store.read_version(), Scope(today=TODAY), 1).graph
    communities = louvain_edges(list(graph.nodes), damped_edges(graph), engine=engine)
    summarised = 0
    for community in communities:
        cluster = summarise(graph, community)
        if len(cluster.young_people) < 2:
            continue
        inside = set(community) | set(cluster.contexts)
        assert cluster.evidence == _evidence_by_definition(graph, set(community), inside)
        summarised += 1
    assert summarised >= 5


def test_a_context_shared_by_two_clusters_is_evidence_only_towards_members():
    graph = nx.Graph()
    graph.add_edge("YP-1", "YP-2", links=["L1"])
    graph.add_edge("YP-1", "PL-school", links=["L2"])
    graph.add_edge("YP-2", "PL-school", links=["L3"])
    graph.add_edge("YP-3", "PL-school", links=["L4"])  # another cluster's pupil
    graph.add_edge("PL-school", "PL-park", links=["L5"])  # both shared, neither a member
    members = {"YP-1", "YP-2"}
    inside = members | {"PL-school", "PL-park"}
    assert evidence_within(graph, members, inside) == ["L1", "L2", "L3"]


def _analyse_cli(store, capsys, *extra) -> tuple[dict, int]:
    from mapping.cli import main

    assert main(["analyse", "--json", "--db", store.url, "--include-stale", *extra]) == 0
    out = capsys.readouterr().out
    return json.loads(out), len(out.encode("utf-8"))


def test_streamed_json_is_the_report_and_summary_keeps_counts_not_link_ids(sample_world, capsys):
    store, _pseudonymiser, _truth = sample_world
    full, full_size = _analyse_cli(store, capsys)
    summary, summary_size = _analyse_cli(store, capsys, "--summary")
    tables = store.read_version()
    scoped = build_scoped_graph(tables, Scope(include_stale=True), store.latest_version())
    direct = json.loads(json.dumps(analyse(scoped, info=store.version_info(1)), default=str))
    assert full == direct
    assert set(summary) == set(full)
    for key in ("clusters", "hotspots", "connectors", "overlaps_by_context"):
        assert full[key], key
        for whole, lean in zip(full[key], summary[key], strict=True):
            assert "evidence" not in lean and lean["evidence_count"] == len(whole["evidence"])
            assert {k: v for k, v in whole.items() if k != "evidence"} == {
                k: v for k, v in lean.items() if k != "evidence_count"
            }
    assert summary_size < full_size


def test_write_report_is_valid_json_for_empty_and_nested_values():
    from mapping.analysis.output import write_report

    report = {"a": [], "b": [{"evidence": ["L1"], "x": "<&>"}], "c": {"d": [1]}, "e": None}
    handle = io.StringIO()
    write_report(report, handle)
    assert json.loads(handle.getvalue()) == report


@pytest.mark.parametrize("role", ["analyst", "police"])
def test_edge_arrays_from_the_link_table_are_the_graphs_own(sample_world, role):
    from mapping.analysis import engine

    store, _pseudonymiser, _truth = sample_world
    scoped = build_scoped_graph(store.read_version(), Scope(role=role, today=TODAY), 1)
    graph = scoped.graph
    kinds = np.array([graph.nodes[n]["entity_type"] for n in sorted(graph)], dtype=object)
    from_links = engine._arrays_from_links(sorted(graph), kinds, scoped.links, len(graph.edges))
    walked = engine._arrays_from_graph(graph, sorted(graph), kinds)
    assert from_links is not None and len(from_links.low) == graph.number_of_edges()
    for name in ("low", "high", "weight"):
        assert np.array_equal(getattr(from_links, name), getattr(walked, name)), name


@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_all_clusters_summarised_in_one_pass_equal_one_by_one(sample_world, engine):
    from mapping.analysis.clusters import summarise_all

    store, _pseudonymiser, _truth = sample_world
    for role in ("analyst", "partner"):
        graph = build_scoped_graph(store.read_version(), Scope(role=role, today=TODAY), 1).graph
        communities = louvain_edges(list(graph.nodes), damped_edges(graph), engine=engine)
        together = summarise_all(graph, communities)
        assert len(together) == len(communities) > 5
        for community, cluster in zip(communities, together, strict=True):
            assert cluster == summarise(graph, community)


def test_one_pass_summary_keeps_shared_contexts_and_self_links():
    from mapping.analysis.clusters import summarise_all

    graph = nx.Graph()
    people = {"YP-1": "A", "YP-2": "A", "YP-3": "B", "YP-4": "B"}
    for person in people:
        graph.add_node(person, entity_type="young_person", harms=("cce",))
    graph.add_node("PL-school", entity_type="place", harms=())
    graph.add_node("PL-park", entity_type="place", harms=())
    edges = [
        ("YP-1", "YP-2", "L1"),
        ("YP-3", "YP-4", "L2"),
        ("YP-1", "PL-school", "L3"),
        ("YP-2", "PL-school", "L4"),
        ("YP-3", "PL-school", "L5"),
        ("YP-4", "PL-school", "L6"),
        ("PL-school", "PL-park", "L7"),
        ("YP-3", "PL-park", "L8"),
        ("YP-1", "YP-1", "L9"),
    ]
    for u, v, link in edges:
        graph.add_edge(u, v, links=[link], weight=1.0)
    communities = [("YP-1", "YP-2"), ("PL-park", "YP-3", "YP-4")]
    first, second = summarise_all(graph, communities)
    assert first.contexts == ["PL-school"] and first.evidence == ["L1", "L3", "L4", "L9"]
    assert second.contexts == ["PL-park", "PL-school"]
    assert second.evidence == ["L2", "L5", "L6", "L7", "L8"]
    assert [first, second] == [summarise(graph, c) for c in communities]


def test_arrays_cut_for_a_community_are_its_subgraphs_arrays(sample_world):
    from mapping.analysis import engine

    store, _pseudonymiser, _truth = sample_world
    graph = build_scoped_graph(store.read_version(), Scope(today=TODAY), 1).graph
    members = louvain_edges(list(graph.nodes), damped_edges(graph))[0]
    inside = graph.subgraph(members)
    kinds = np.array([graph.nodes[n]["entity_type"] for n in sorted(inside)], dtype=object)
    walked = engine._arrays_from_graph(inside, sorted(inside), kinds)
    cut = engine.sub_arrays(engine.edge_arrays(graph), members)
    assert cut.nodes == walked.nodes and len(cut.low) == inside.number_of_edges() > 10
    for name in ("kinds", "low", "high", "weight"):
        assert np.array_equal(getattr(cut, name), getattr(walked, name)), name
