"""Sizing the explorer's entities by a measure: the values, the drawn sizes, the legend."""

import networkx as nx
import pytest

from mapping import explorer as ex
from mapping import explorer_sizes as sz
from mapping.analysis.connectors import find_connectors
from mapping.explorer import ExplorerView
from mapping.graph import Scope, build_scoped_graph
from mapping.render.explorer import payload
from mapping.render.network import layout
from mapping.store import Store
from tests.explorer_world import TODAY, import_world


@pytest.fixture(scope="module")
def scoped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sizes")
    url = f"sqlite:///{folder / 'map.sqlite'}"
    version = import_world(url, folder / "map.key", folder)
    return build_scoped_graph(
        Store(url).read_version(version), Scope(role="police", today=TODAY), version
    )


def test_degree_and_links_count_in_the_drawn_graph(scoped):
    graph = scoped.graph
    degree = sz.measure_values(scoped, graph, "degree")
    links = sz.measure_values(scoped, graph, "links")
    assert set(degree) == set(links) == set(graph)
    for node in graph:
        assert degree[node] == len(list(graph.neighbors(node)))
        behind = {link for _, _, d in graph.edges(node, data=True) for link in d["links"]}
        assert links[node] == len(behind)  # one link joins one pair: no double count
    assert sz.measure_values(scoped, graph, "none") == {}
    with pytest.raises(ValueError):
        sz.measure_values(scoped, graph, "age")


def test_betweenness_is_the_analysis_figure(scoped):
    values = sz.measure_values(scoped, scoped.graph, "betweenness")
    connectors = find_connectors(scoped, {}, limit=None, min_young_people=0)
    assert connectors
    for connector in connectors:
        assert values[connector["id"]] == pytest.approx(connector["betweenness"], abs=1e-6)
    assert max(values.values()) > 0


def test_sizes_grow_with_the_value_and_clusters_keep_theirs():
    graph = nx.Graph()
    graph.add_node("A", entity_type="young_person")
    graph.add_node("B", entity_type="young_person")
    graph.add_node("C", entity_type="young_person")
    nodes = [{"id": n, "size": 12, "title": n} for n in "ABC"] + [{"id": "cluster:C01", "size": 50}]
    out = sz.sized(nodes, {"A": 0.0, "B": 1.0, "C": 4.0}, "Degree")
    size = {n["id"]: n["size"] for n in out}
    assert size["A"] == sz.SMALLEST and size["C"] == sz.LARGEST
    assert sz.SMALLEST < size["B"] < sz.LARGEST
    assert size["cluster:C01"] == 50
    assert out[2]["title"].endswith("Degree: 4")
    assert nodes[0]["size"] == 12  # the cached drawing is not changed in place
    assert sz.sized(nodes, {}) == nodes


def test_payload_applies_sizes_and_the_legend_says_what_size_means(scoped):
    view = ExplorerView(scoped.graph)
    positions = layout(scoped.graph)
    plain = {n["id"]: n["size"] for n in payload(view, positions)["nodes"]}
    degree = sz.measure_values(scoped, scoped.graph, "degree")
    drawn = {n["id"]: n["size"] for n in payload(view, positions, sizes=degree)["nodes"]}
    assert drawn != plain
    top = max(degree, key=degree.get)
    assert drawn[top] == sz.LARGEST
    legend = sz.size_legend("degree", degree)
    assert legend.startswith("Size: degree") and f"{max(degree.values()):,.0f}" in legend
    assert "betweenness" in sz.size_legend("betweenness", {"A": 0.25})
    assert "0.250" in sz.size_legend("betweenness", {"A": 0.25})
    assert "no measure" in sz.size_legend("none", {})


def test_pins_kept_only_for_drawn_entities_with_two_finite_numbers(scoped):
    node = next(iter(scoped.graph))
    sent = {
        node: [12.5, -3],
        "YP-NOT-HERE": [1, 2],
        "PL-1": [float("nan"), 2],
        "PL-2": "10,20",
        "PL-3": [1, 2, 3],
    }
    assert ex.clean_pins(sent, scoped.graph) == {node: (12.5, -3.0)}
    assert ex.clean_pins(None, scoped.graph) == {}
    assert ex.clean_pins([[1, 2]], scoped.graph) == {}
