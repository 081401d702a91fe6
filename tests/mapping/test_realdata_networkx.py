"""networkx's classic social networks imported as adults only: Zachary's karate club and
Davis' Southern Women. People are people: the analysis finds their groups and their
connectors as plain networkx does, and the events that join most women rank first by
betweenness once an incident's people reach each other through its place."""

from __future__ import annotations

from datetime import date

import networkx as nx

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.analysis.clusters import find_clusters, membership
from mapping.analysis.connectors import find_connectors
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store
from tests.mapping.conftest import TODAY, tables_from
from tests.mapping.realdata import nmi


def karate_scoped():
    karate = nx.karate_club_graph()
    entities = [dict(entity_id=f"K{n:02d}", entity_type="adult") for n in karate]
    links = [
        dict(source_id=f"K{u:02d}", target_id=f"K{v:02d}", link_type="contact")
        for u, v in karate.edges
    ]
    scoped = build_scoped_graph(tables_from(entities, links), Scope(role="police", today=TODAY), 1)
    return karate, scoped


def test_karate_club_as_adults_splits_like_plain_louvain():
    karate, scoped = karate_scoped()
    clusters = find_clusters(scoped)
    assert clusters and all(c.network == "adults" for c in clusters)
    truth = {f"K{n:02d}": d["club"] for n, d in karate.nodes(data=True)}
    ours = {m: "none" for m in truth} | membership(clusters)
    plain = nx.community.louvain_communities(
        nx.relabel_nodes(karate, lambda n: f"K{n:02d}"), seed=42
    )
    plain_labels = {m: str(k) for k, group in enumerate(plain) for m in group}
    assert abs(nmi(truth, ours) - nmi(truth, plain_labels)) <= 0.05


def test_karate_instructor_and_administrator_lead_the_connectors():
    _, scoped = karate_scoped()
    connectors = find_connectors(scoped, membership(find_clusters(scoped)))
    assert {c["id"] for c in connectors[:3]} >= {"K00", "K33"}


def test_davis_events_joining_most_women_rank_first_by_betweenness(tmp_path):
    davis = nx.davis_southern_women_graph()
    women = [n for n, d in davis.nodes(data=True) if d["bipartite"] == 0]
    events = sorted(
        (n for n, d in davis.nodes(data=True) if d["bipartite"] == 1), key=lambda e: int(e[1:])
    )
    entities = ["entity_id,entity_type,place_kind"] + [f"{w},adult," for w in women]
    entities += [f"PLACE-{e},place,other" for e in events]
    incidents = ["incident_id,date,place_id,person_id,source_agency,grading,role"]
    for number, event in enumerate(events):
        day = date(2026, 1 + number % 10, 1 + number).isoformat()
        incidents += [
            f"{event},{day},PLACE-{event},{w},police,2BP,present" for w in sorted(davis[event])
        ]
    sources = []
    for name, rows in (("entities", entities), ("incidents", incidents)):
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        sources.append(Source(path, path.name))
    store = Store(f"sqlite:///{tmp_path / 'davis.sqlite'}")
    import_files(sources, store, Pseudonymiser(b"davis-adults-key-" * 2), today=TODAY)
    scoped = build_scoped_graph(store.read_version(), Scope(role="police", include_stale=True), 1)
    connectors = find_connectors(scoped, membership(find_clusters(scoped)), limit=None)
    places = {c["id"]: c["betweenness"] for c in connectors if c["entity_type"] == "place"}
    bipartite = nx.betweenness_centrality(davis)
    expected = max(events, key=lambda e: bipartite[e])
    assert places[f"PLACE-{expected}"] > 0
    assert max(places, key=places.get) == f"PLACE-{expected}"
