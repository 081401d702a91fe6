"""The explorer's pure logic: search, neighbourhoods, paths, collapsed clusters, details."""

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping import explorer as ex
from mapping.analysis.clusters import Cluster, find_clusters
from mapping.analysis.neighbourhood import neighbourhood, paths_between
from mapping.graph import Scope, build_scoped_graph
from mapping.render.explorer import harm_mix_colour, payload
from mapping.store import Store, VersionTables
from tests.explorer_world import RAW_NAMES, TODAY, import_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explorer")
    url = f"sqlite:///{folder / 'map.sqlite'}"
    version = import_world(url, folder / "map.key", folder)
    store = Store(url)
    scoped = build_scoped_graph(store.read_version(version), Scope(today=TODAY), version)
    resolve = ex.raw_id_resolver(store, folder / "map.key", version)
    return scoped, resolve


def code_of(world, raw):
    scoped, resolve = world
    return resolve(raw)


def test_raw_case_id_finds_the_young_person_by_code(world):
    scoped, resolve = world
    hits = ex.search(scoped, " cs-1 ", resolve)
    assert len(hits) == 1
    assert hits[0].matched_by == "case ID" and hits[0].node.startswith("YP-")
    assert hits[0].shown_as == hits[0].node  # a person is shown by code, never by name
    assert "cs-1" not in repr(hits).lower()


def test_code_and_place_name_search(world):
    scoped, resolve = world
    code = code_of(world, "CS-2")
    assert [h.node for h in ex.search(scoped, code, resolve)] == [code]
    assert [(h.node, h.shown_as) for h in ex.search(scoped, "PARK", resolve)] == [
        ("PL-3", "Millfield Park")
    ]
    assert [h.node for h in ex.search(scoped, "raid", resolve)] == ["ON-1"]


def test_name_search_never_matches_people(world):
    scoped, resolve = world
    people = {
        n
        for n, d in scoped.graph.nodes(data=True)
        if d["entity_type"] != "place" and d["entity_type"] != "online_space"
    }
    for word in ("YP-", "AD-", "fictional"):
        assert not [
            h for h in ex.search(scoped, word, None) if h.node in people and h.matched_by == "name"
        ]
    assert ex.search(scoped, "nobody-here", resolve) == []


def test_one_hop_lists_contexts_before_people(world):
    scoped, _ = world
    centre = code_of(world, "CS-1")
    hood = neighbourhood(scoped.graph, centre, hops=1)
    kinds = [scoped.graph.nodes[n]["entity_type"] for n in hood.nodes[1:]]
    assert set(hood.nodes[1:3]) == {"PL-1", "ON-1"}  # contexts first
    assert kinds[2:] and all(k in ("young_person", "adult") for k in kinds[2:])
    assert len(hood.nodes) == 1 + scoped.graph.degree(centre)


def test_two_hops_reach_further_and_are_cut_when_too_big(world):
    scoped, _ = world
    centre = code_of(world, "CS-1")
    one = neighbourhood(scoped.graph, centre, hops=1)
    two = neighbourhood(scoped.graph, centre, hops=2)
    assert set(one.nodes) < set(two.nodes)
    assert code_of(world, "CS-3") not in two.nodes  # three links away
    cut = neighbourhood(scoped.graph, centre, hops=2, max_nodes=4)
    assert len(cut.nodes) == 4 and cut.truncated
    # hop 1: the two adults; hop 2 from the kept PL-1, ON-1, CS-2: CS-5 and the youth club
    assert cut.left_out == 4


def test_paths_between_two_people_carry_their_links(world):
    scoped, _ = world
    a, b = code_of(world, "CS-1"), code_of(world, "CS-3")
    paths = paths_between(scoped.graph, a, b)
    assert paths and paths[0].nodes[0] == a and paths[0].nodes[-1] == b
    assert len(paths[0].nodes) - 1 == nx.shortest_path_length(scoped.graph, a, b)
    links = set(scoped.links["link_id"])
    assert paths[0].links and set(paths[0].links) <= links
    assert paths_between(scoped.graph, a, b, cutoff=1) == []


def test_collapsed_view_keeps_every_entity_once(world):
    scoped, _ = world
    clusters = find_clusters(scoped)
    view = ex.collapsed_view(scoped.graph, clusters)
    assert view.graph.number_of_nodes() == 0
    assert sum(g.size for g in view.groups) == scoped.graph.number_of_nodes()
    opened = ex.collapsed_view(scoped.graph, clusters, {ex.GROUP_PREFIX + clusters[0].id})
    first = next(g for g in view.groups if g.id == ex.GROUP_PREFIX + clusters[0].id)
    assert set(opened.graph.nodes) == set(first.members)
    assert all(g.id != first.id for g in opened.groups)
    assert {n for e in opened.group_edges for n in e[:2]} & set(first.members)


def test_opened_clusters_stay_under_the_drawing_cap():
    """Opening one cluster more than fits leaves it closed, says so, and keeps the others."""
    sizes = {"A": 30, "B": 50, "C": 20}
    graph = nx.Graph()
    clusters = []
    for name, size in sizes.items():
        members = [f"{name}{i}" for i in range(size)]
        graph.add_nodes_from(members, entity_type="young_person")
        nx.add_path(graph, members)
        clusters.append(
            Cluster(
                id=name,
                members=members,
                young_people=members,
                adults=[],
                contexts=[],
                harms={},
                ideologies={},
                multi_harm_young_people=[],
                overlap=False,
                protective={},
            )
        )
    opened = [ex.GROUP_PREFIX + c for c in "ABC"]
    view = ex.collapsed_view(graph, clusters, opened, max_nodes=60)
    assert view.refused == [ex.GROUP_PREFIX + "B"]  # 30 + 50 > 60; C (20) still fits
    assert view.graph.number_of_nodes() == 50 <= 60
    assert [g.id for g in view.groups] == [ex.GROUP_PREFIX + "B"]  # drawn closed, not lost
    assert "Not opened: Cluster B" in view.note and "60" in view.note
    fits = ex.collapsed_view(graph, clusters, opened[:2], max_nodes=80)
    assert fits.refused == [] and fits.graph.number_of_nodes() == 80
    assert "Not opened" not in fits.note
    assert ex.MAX_DRAWN_NODES == 2_000  # the page's cap is the measured one (docs/explorer.md)


def test_group_colour_follows_the_harm_mix():
    assert harm_mix_colour({"cse": 1, "cce": 3}) == "#D55E00"  # CCE's colour in model.yaml
    assert harm_mix_colour({}) == "#BBBBBB"


def test_details_and_evidence_are_in_the_fields_words(world):
    scoped, _ = world
    centre = code_of(world, "CS-1")
    rows = dict(ex.node_details(scoped.graph, centre))
    assert rows["Type"] == "Young person"
    assert rows["Harm flags"] == "Child criminal exploitation (CCE); Radicalisation"
    assert rows["Ideology (if radicalisation)"] == "Mixed, unclear or unstable"
    links = ex.node_links(scoped.graph, centre)
    assert len(links) == 5  # five links in tests/explorer_world.py start at CS-1
    edge = f"{centre}|PL-1" if scoped.graph.has_edge(centre, "PL-1") else None
    assert ex.edge_endpoints(scoped.graph, edge) == (centre, "PL-1")
    assert ex.selection_kind("cluster:C01", scoped.graph) == "group"
    assert ex.selection_kind("nothing", scoped.graph) is None


def test_hiding_protective_contexts_removes_trusted_adult_and_youth_club(world):
    scoped, _ = world
    tables = VersionTables(scoped.entities, scoped.links, pd.DataFrame())
    hidden = build_scoped_graph(tables, Scope(today=TODAY, show_protective=False)).graph
    removed = set(scoped.graph) - set(hidden)
    assert "PL-2" in removed and len(removed) == 2
    assert code_of(world, "Gail Fictional") is None  # names are never ids


def test_drawn_payload_holds_no_raw_names(world):
    scoped, _ = world
    view = ex.collapsed_view(scoped.graph, find_clusters(scoped))
    view.graph = scoped.graph
    drawn = repr(payload(view, {}))
    assert not any(name in drawn for name in RAW_NAMES)
    assert "CS-1" not in drawn


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(0, 10_000), st.integers(1, 3), st.integers(2, 50))
def test_neighbourhood_invariants(n, seed, hops, cap):
    graph = nx.gnp_random_graph(n, 0.15, seed=seed)
    graph = nx.relabel_nodes(graph, {i: f"N{i}" for i in graph})
    for node in graph:
        graph.nodes[node]["entity_type"] = "place" if int(node[1:]) % 3 == 0 else "adult"
    hood = neighbourhood(graph, "N0", hops, max_nodes=cap)
    assert hood.nodes[0] == "N0" and len(hood.nodes) == len(set(hood.nodes)) <= cap
    lengths = nx.single_source_shortest_path_length(graph, "N0", cutoff=hops)
    assert all(lengths[x] == hood.hop[x] for x in hood.nodes)
    if not hood.truncated:
        assert set(hood.nodes) == set(lengths)


def test_opened_cluster_is_drawn_in_its_own_disc(world):
    scoped, _ = world
    from mapping.render.explorer import view_layout

    clusters = find_clusters(scoped)
    opened = ex.GROUP_PREFIX + clusters[0].id
    view = ex.collapsed_view(scoped.graph, clusters, {opened})
    positions = view_layout(view)
    assert set(positions) == set(view.graph) | {g.id for g in view.groups}
    members = [positions[n] for n in view.graph]
    centre = (sum(x for x, _ in members) / len(members), sum(y for _, y in members) / len(members))
    reach = max(((x - centre[0]) ** 2 + (y - centre[1]) ** 2) ** 0.5 for x, y in members)
    for group in view.groups:  # every collapsed group sits outside the opened disc
        gx, gy = positions[group.id]
        assert ((gx - centre[0]) ** 2 + (gy - centre[1]) ** 2) ** 0.5 > reach
    assert view_layout(view) == positions  # seeded: the same picture every time
