"""Readable sizes: a community holding more than MAX_CLUSTER_SHARE of all people is split
at a higher resolution within it (or, when it will not split, explained), so no answer is
one cluster with a third of everyone in it and no word about why."""

from __future__ import annotations

from mapping.analysis.clusters import MAX_CLUSTER_SHARE, find_clusters
from mapping.analysis.report import analyse
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, tables_from


def world(inter: int):
    """Two cliques of 15 joined by ``inter`` links per person (one community at the usual
    resolution), and five separate cliques of 8 each tied to it by one link."""
    a = [f"YP-A{i:02d}" for i in range(15)]
    b = [f"YP-B{i:02d}" for i in range(15)]
    smalls = [[f"YP-S{g}{i}" for i in range(8)] for g in range(5)]
    people = a + b + [p for group in smalls for p in group]
    links = []
    for group in [a, b, *smalls]:
        links += [
            dict(source_id=u, target_id=v) for i, u in enumerate(group) for v in group[i + 1 :]
        ]
    for i, u in enumerate(a):
        links += [dict(source_id=u, target_id=b[(i + k) % 15]) for k in range(inter)]
    links += [dict(source_id=group[0], target_id=a[g]) for g, group in enumerate(smalls)]
    entities = [dict(entity_id=p, entity_type="young_person", harms="cce") for p in people]
    return build_scoped_graph(tables_from(entities, links), Scope(role="police", today=TODAY), 1)


def test_a_cluster_above_the_share_is_split_at_a_higher_resolution():
    scoped = world(inter=5)
    clusters = find_clusters(scoped)
    people = scoped.graph.number_of_nodes()
    assert all(len(c.members) <= MAX_CLUSTER_SHARE * people or c.oversized for c in clusters)
    split = [c for c in clusters if c.split]
    assert len(split) == 2
    assert {len(c.members) for c in split} == {15}
    assert all(0 < c.share <= MAX_CLUSTER_SHARE for c in split)


def test_a_cluster_that_will_not_split_is_explained():
    scoped = world(inter=15)  # every A linked to every B: one clique of 30, nothing to split
    report = analyse(scoped)
    big = [c for c in report["clusters"] if c["oversized"]]
    assert big and big[0]["share"] > MAX_CLUSTER_SHARE
    found = {e["code"]: e for e in report["explanations"]}
    assert found["oversized_clusters"]["count"] == len(big)
    assert "%" in found["oversized_clusters"]["message"]


def test_the_cluster_table_shows_share_and_adults_networks():
    from mapping.views import cluster_table

    table = cluster_table(find_clusters(world(inter=15)))
    big = table[table["share of people"].str.contains("would not split")]
    assert len(big) == 1 and big.iloc[0]["share of people"].startswith("43%")
    assert set(table["network"]) == {"young people"}
