"""Roles kept exactly as recorded: a person with several roles in one incident keeps them
all (links, analysis, GraphML, i2 CSV, evidence table); a combined label is read as its
roles; a person alone at a placeless incident is warned about with a count."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from loaders.roles import split_roles
from mapping.analysis.connectors import incident_roles
from mapping.analysis.report import analyse
from mapping.export.anb import write_anb
from mapping.export.graphml import write_graphml
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store
from mapping.views import evidence_table

TODAY = date(2026, 11, 29)
ENTITIES = """entity_id,entity_type,label,district,harms,place_kind
YP-1,young_person,A,North,cce,
YP-2,young_person,B,North,cce,
YP-3,young_person,C,North,cse,
AD-1,adult,D,North,,
PL-1,place,Chicken Palace,North,,takeaway
"""
# AD-1 is recorded twice in INC-1 (victim, then suspect) and as "Victim Suspect" in INC-2.
INCIDENTS = """incident_id,date,place_id,person_id,source_agency,grading,role
INC-1,05/09/2026,PL-1,AD-1,police,2BP,victim
INC-1,05/09/2026,PL-1,AD-1,police,2BP,Suspect
INC-1,05/09/2026,PL-1,YP-1,police,2BP,witness
INC-1,05/09/2026,PL-1,YP-2,police,2BP,
INC-1,05/09/2026,PL-1,YP-3,police,2BP,
INC-2,06/09/2026,PL-1,AD-1,police,2BP,Victim Suspect
INC-2,06/09/2026,PL-1,YP-1,police,2BP,victim/witness
INC-3,07/09/2026,,YP-3,police,2BP,present
"""
KEY = Pseudonymiser(b"roles-test-key-" * 3)


@pytest.mark.parametrize(
    "cell,roles",
    [
        ("Victim Suspect", "victim;person_of_concern"),
        ("suspect / victim", "victim;person_of_concern"),
        ("injured party and witness", "victim;witness"),
        ("Person of concern; Witness", "person_of_concern;witness"),
        ("offender", "person_of_concern"),
        ("", ""),
        ("victim pirate", None),
    ],
)
def test_combined_labels_are_split_into_roles(cell, roles):
    assert split_roles(cell) == roles


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    sources = []
    for name, text in (("entities", ENTITIES), ("incidents", INCIDENTS)):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        sources.append(Source(path, path.name))
    store = Store(f"sqlite:///{folder / 'map.sqlite'}")
    result = import_files(sources, store, KEY, today=TODAY)
    tables = store.read_version()
    scoped = build_scoped_graph(tables, Scope(role="police", today=TODAY), result.version)
    return folder, result, tables, scoped


def ids():
    return KEY.code("AD-1", "AD"), KEY.code("YP-1", "YP")


def test_both_roles_reach_the_links(world):
    _, _, tables, _ = world
    adult, young = ids()
    links = tables.links
    inc1 = links[(links["incident_id"] == "INC-1") & (links["link_type"] == "co_presence")]
    adult_ends = [
        r["source_role"] if r["source_id"] == adult else r["target_role"]
        for r in inc1.to_dict("records")
        if adult in (r["source_id"], r["target_id"])
    ]
    assert adult_ends and set(adult_ends) == {"victim;person_of_concern"}
    # one person, one link per pair: the second row did not make a second set of links
    assert len(inc1) == 6
    inc2 = links[(links["incident_id"] == "INC-2") & (links["link_type"] == "co_presence")]
    row = inc2.iloc[0]
    roles = {row["source_id"]: row["source_role"], row["target_id"]: row["target_role"]}
    assert roles == {adult: "victim;person_of_concern", young: "victim;witness"}


def test_incident_roles_count_incidents_not_links(world):
    _, _, _, scoped = world
    adult, young = ids()
    roles = incident_roles(scoped.links)
    # INC-1 gives AD-1 four links (three people and the place): still one incident.
    assert roles[adult] == {"person_of_concern": 2, "victim": 2}
    assert roles[young] == {"victim": 1, "witness": 2}


def test_both_roles_reach_the_analysis(world):
    _, _, _, scoped = world
    adult, _ = ids()
    report = analyse(scoped)
    connector = next(c for c in report["connectors"] if c["id"] == adult)
    assert connector["incident_roles"] == {"person_of_concern": 2, "victim": 2}


def test_both_roles_reach_graphml_on_the_right_end(world, tmp_path):
    _, _, _, scoped = world
    adult, _ = ids()
    path = tmp_path / "map.graphml"
    write_graphml(scoped, path, {"marking": "OFFICIAL"})
    graph = nx.read_graphml(path)
    ids_of = {n: d.get("entity_id", n) for n, d in graph.nodes(data=True)}
    seen = []
    for u, v, data in graph.edges(data=True):
        if data.get("incident_id") != "INC-1" or data["link_type"] != "co_presence":
            continue
        ends = {ids_of[u]: data.get("source_role"), ids_of[v]: data.get("target_role")}
        if adult in ends:
            seen.append(ends[adult])
    assert seen and set(seen) == {"victim;person_of_concern"}


def test_both_roles_reach_the_i2_csv(world, tmp_path):
    _, _, _, scoped = world
    adult, _ = ids()
    path = tmp_path / "anb.csv"
    write_anb(scoped, path, {"marking": "OFFICIAL"})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "Entity1_Role" in header and "Entity2_Role" in header
    roles = {
        r[f"{end}_Role"]
        for r in body
        if r["Incident_Identity"] == "INC-1"
        for end in ("Entity1", "Entity2")
        if r[f"{end}_Identity"] == adult
    }
    assert roles == {"victim;person_of_concern"}


def test_both_roles_reach_the_evidence_table(world):
    _, _, _, scoped = world
    adult, _ = ids()
    links = scoped.links
    mine = links[(links["source_id"] == adult) | (links["target_id"] == adult)]
    table = evidence_table(scoped, mine["link_id"], use_codes=True)
    inc1 = table[table["incident_id"] == "INC-1"]
    assert len(inc1) == 4
    for row in inc1.to_dict("records"):
        assert "Victim" in row["roles"] and "Person of concern" in row["roles"], row["roles"]


def test_a_lone_person_at_a_placeless_incident_is_counted(world):
    _, result, tables, _ = world
    warned = [p for p in result.warnings if p.kind == "person alone at an incident with no place"]
    assert len(warned) == 1 and "1 people at 1 incidents" in warned[0].message
    assert "INC-3" in set(tables.incidents["incident_id"])  # the evidence is kept


def test_unknown_role_part_is_refused_with_row(tmp_path):
    from loaders.problems import ImportFailed

    bad = INCIDENTS.replace("victim/witness", "victim/pirate")
    paths = []
    for name, text in (("entities", ENTITIES), ("incidents", bad)):
        path = Path(tmp_path / f"{name}.csv")
        path.write_text(text, encoding="utf-8")
        paths.append(Source(path, path.name))
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    with pytest.raises(ImportFailed) as failure:
        import_files(paths, store, KEY, today=TODAY)
    found = [p for p in failure.value.problems if p.kind == "unknown incident role"]
    assert [(p.file, p.row, p.column) for p in found] == [("incidents.csv", 8, "role")]
