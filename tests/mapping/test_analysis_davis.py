"""Davis' Southern Women (women x social events, 1930s), imported as incidents, splits into
the two groups that Davis, Gardner and Gardner (1941) and later analysts describe."""

from __future__ import annotations

from datetime import date

import networkx as nx

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.analysis.clusters import find_clusters
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store

# The two groups as reported in the literature (Freeman 2003's consensus); Pearl, Ruth,
# Dorothy and Olivia/Flora sit at the edges, so only the cores are asserted exactly.
FIRST_CORE = {
    "Evelyn Jefferson",
    "Laura Mandeville",
    "Theresa Anderson",
    "Brenda Rogers",
    "Charlotte McDowd",
    "Frances Anderson",
    "Eleanor Nye",
}
SECOND_CORE = {
    "Katherina Rogers",
    "Sylvia Avondale",
    "Nora Fayette",
    "Helen Lloyd",
    "Myra Liddel",
    "Verne Sanderson",
}


def _write(folder, davis):
    women = [n for n, d in davis.nodes(data=True) if d["bipartite"] == 0]
    events = [n for n, d in davis.nodes(data=True) if d["bipartite"] == 1]
    entity_rows = ["entity_id,entity_type,district,place_kind"]
    entity_rows += [f"{w},young person,Natchez," for w in women]
    entity_rows += [f"PLACE-{e},place,Natchez,other" for e in events]
    incident_rows = ["incident_id,date,place_id,person_id,source_agency,grading,role"]
    for number, event in enumerate(sorted(events, key=lambda e: int(e[1:]))):
        day = date(2026, 1 + number % 10, 1 + number).isoformat()
        for woman in sorted(davis.neighbors(event)):
            incident_rows.append(f"{event},{day},PLACE-{event},{woman},police,2BP,present")
    paths = {"entities.csv": entity_rows, "incidents.csv": incident_rows}
    for name, rows in paths.items():
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return [Source(folder / name, name) for name in paths]


def test_southern_women_split_into_their_two_groups(tmp_path):
    davis = nx.davis_southern_women_graph()
    store = Store(f"sqlite:///{tmp_path / 'davis.sqlite'}")
    pseudonymiser = Pseudonymiser(b"davis-southern-women-key-" * 2)
    import_files(_write(tmp_path, davis), store, pseudonymiser, today=date(2026, 11, 29))
    scoped = build_scoped_graph(store.read_version(), Scope(include_stale=True), 1)
    assert len(scoped.young_people()) == 18

    clusters = find_clusters(scoped, seed=0)
    code = {pseudonymiser.code(w, "YP"): w for w in FIRST_CORE | SECOND_CORE}
    found = [{code[m] for m in c.young_people if m in code} for c in clusters]
    first = next(g for g in found if "Evelyn Jefferson" in g)
    second = next(g for g in found if "Nora Fayette" in g)
    assert first == FIRST_CORE
    assert second == SECOND_CORE
    for cluster in clusters:  # each group's evidence is the incidents that made it
        links = scoped.link_records(cluster.evidence)
        assert set(links["link_type"]) <= {"co_presence", "present_at"}
        assert links["incident_id"].notna().all()
