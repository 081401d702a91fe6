"""Labels only where they fit: on a crowded drawing (Zachary's karate club, 34 people, plus
contexts) only the key entities keep their label; the open person is always labelled and
drawn larger; every label hidden is kept for hover and zoom."""

import networkx as nx

from mapping import explorer as ex
from mapping.render.explorer import KEY_LABELS, LABEL_ALL_UP_TO, key_entities, payload
from mapping.render.network import layout


def karate_view(extra_places: int = 20) -> ex.ExplorerView:
    graph = nx.relabel_nodes(nx.karate_club_graph(), lambda n: f"YP-{n:02d}")
    nx.set_node_attributes(graph, "young_person", "entity_type")
    for number in range(extra_places):  # places each linked to two members
        place = f"PL-{number:02d}"
        graph.add_node(place, entity_type="place", label=f"Place {number}")
        graph.add_edge(place, f"YP-{number:02d}", links=[f"L{number}a"])
        graph.add_edge(place, f"YP-{number + 1:02d}", links=[f"L{number}b"])
    for u, v in graph.edges:
        graph.edges[u, v].setdefault("links", [f"{u}-{v}"])
    return ex.ExplorerView(graph, focus="YP-33")


def test_a_crowded_view_labels_only_its_key_entities():
    view = karate_view()
    assert view.graph.number_of_nodes() > LABEL_ALL_UP_TO
    drawn = payload(view, layout(view.graph))["nodes"]
    labelled = {n["id"] for n in drawn if n["label"]}
    assert labelled == key_entities(view)
    assert len(labelled) <= KEY_LABELS + 1
    # the best-linked members of the club (0 and 33, its two leaders) are labelled
    assert {"YP-00", "YP-33"} <= labelled
    hidden = [n for n in drawn if not n["label"]]
    assert hidden and all(n["fullLabel"] for n in hidden)
    assert all(n["title"] for n in hidden)  # still readable on hover


def test_the_open_person_stands_out():
    view = karate_view()
    drawn = {n["id"]: n for n in payload(view, layout(view.graph))["nodes"]}
    focus, other = drawn["YP-33"], drawn["YP-00"]
    assert focus["label"].startswith("▶ ")
    assert focus["font"]["bold"] and focus["shadow"]["enabled"]
    assert focus["size"] > other["size"]


def test_a_small_view_keeps_every_label():
    view = karate_view(extra_places=0)
    small = ex.ExplorerView(view.graph.subgraph([f"YP-{n:02d}" for n in range(10)]))
    drawn = payload(small, layout(small.graph))["nodes"]
    assert all(n["label"] for n in drawn) and not any("fullLabel" in n for n in drawn)
