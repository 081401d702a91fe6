"""Every graph export writes each link's roles on the ends it was stored with, and any id
(spaces, ``&``, quotes) survives GraphML: valid against the XSD, read back intact by
networkx and igraph."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import igraph
import networkx as nx
import pytest
from lxml import etree

from mapping.export.anb import write_anb
from mapping.export.cyjs import write_cyjs
from mapping.export.gexf import write_gexf
from mapping.export.graphml import write_graphml
from mapping.export.tables import build_tables, write_csv
from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import TODAY, tables_from

GRAPHML_XSD = (
    Path(__file__).resolve().parents[3] / "shared" / "schemas" / "graphml-1.1" / "graphml.xsd"
)
META = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 1}
# The adult's id sorts first, so a writer that orders ends by node puts the adult first.
ENTITIES = [
    dict(entity_id="AA-ADULT", entity_type="adult", adult_role="person_of_concern"),
    dict(entity_id="ZZ-CHILD", entity_type="young_person", harms="cce"),
    dict(entity_id="MM-OTHER", entity_type="young_person", harms="cce"),
    dict(entity_id="Park & Ride 2", entity_type="place", place_kind="park"),
    dict(entity_id="St Mary's <School>", entity_type="place", place_kind="school"),
]
LINKS = [
    dict(
        link_id="L-1",
        source_id="ZZ-CHILD",
        target_id="AA-ADULT",
        link_type="co_presence",
        incident_id="INC-1",
        source_role="victim",
        target_role="person_of_concern",
    ),
    dict(
        link_id="L-2",
        source_id="ZZ-CHILD",
        target_id="MM-OTHER",
        link_type="co_presence",
        incident_id="INC-1",
        source_role="victim",
        target_role="victim;witness",
    ),
    dict(link_id="L-3", source_id="ZZ-CHILD", target_id="Park & Ride 2", link_type="frequents"),
    dict(link_id="L-4", source_id="MM-OTHER", target_id="St Mary's <School>", link_type="attends"),
    dict(link_id="L-5", source_id="AA-ADULT", target_id="Park & Ride 2", link_type="frequents"),
]
STORED = {
    link["link_id"]: (
        link["source_id"],
        link["target_id"],
        link.get("source_role"),
        link.get("target_role"),
    )
    for link in LINKS
}


@pytest.fixture(scope="module")
def scoped():
    return build_scoped_graph(tables_from(ENTITIES, LINKS), Scope(role="police", today=TODAY), 1)


def _graph_ends(graph: nx.Graph, id_key: str | None) -> dict:
    ids = {n: (d.get(id_key, n) if id_key else n) for n, d in graph.nodes(data=True)}
    return {
        d.get("link_id", d.get("id")): (ids[u], ids[v], d.get("source_role"), d.get("target_role"))
        for u, v, d in graph.edges(data=True)
    }


def read_graphml(path):
    return _graph_ends(nx.read_graphml(path), "entity_id")


def read_gexf(path):
    return _graph_ends(nx.read_gexf(path, version="1.3"), None)


def read_cyjs(path):
    edges = json.loads(path.read_text(encoding="utf-8"))["elements"]["edges"]
    return {
        e["data"]["link_id"]: (
            e["data"]["source"],
            e["data"]["target"],
            e["data"].get("source_role"),
            e["data"].get("target_role"),
        )
        for e in edges
    }


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def read_anb(path):
    return {
        r["Link_Identity"]: (
            r["Entity1_Identity"],
            r["Entity2_Identity"],
            r["Entity1_Role"] or None,
            r["Entity2_Role"] or None,
        )
        for r in _csv_rows(path)
    }


def read_csv_links(folder):
    return {
        r["link_id"]: (
            r["source_id"],
            r["target_id"],
            r["source_role"] or None,
            r["target_role"] or None,
        )
        for r in _csv_rows(folder / "links.csv")
    }


FORMATS = {
    "graphml": (write_graphml, read_graphml, "map.graphml"),
    "gexf": (write_gexf, read_gexf, "map.gexf"),
    "cyjs": (write_cyjs, read_cyjs, "map.cyjs"),
    "anb": (write_anb, read_anb, "anb.csv"),
    "csv": (write_csv, read_csv_links, "tables"),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_link_keeps_its_roles_on_its_stored_ends(scoped, tmp_path, name):
    write, read, file_name = FORMATS[name]
    out = tmp_path / file_name
    if name == "csv":
        out.mkdir()
    write(build_tables(scoped) if name == "csv" else scoped, out, META)
    assert read(out) == STORED


def test_graphml_with_spaces_and_ampersands_is_valid(scoped, tmp_path):
    path = tmp_path / "map.graphml"
    write_graphml(scoped, path, META)
    schema = etree.XMLSchema(etree.parse(str(GRAPHML_XSD)))
    assert schema.validate(etree.parse(str(path))), schema.error_log


def test_graphml_ids_survive_networkx_and_igraph(scoped, tmp_path):
    path = tmp_path / "map.graphml"
    write_graphml(scoped, path, META)
    wanted = {e["entity_id"] for e in ENTITIES}
    read = nx.read_graphml(path)
    assert {d["entity_id"] for _, d in read.nodes(data=True)} == wanted
    graph = igraph.Graph.Read_GraphML(str(path))
    assert set(graph.vs["entity_id"]) == wanted
    assert sorted(graph.es["link_id"]) == sorted(STORED)
    # an id that already is an NMTOKEN is kept as the GraphML id too
    assert "ZZ-CHILD" in graph.vs["id"] and "ZZ-CHILD" in read


def test_graphml_export_reimports_with_ids_intact(scoped, tmp_path):
    from loaders.importer import Source, import_files
    from loaders.pseudonymise import Pseudonymiser
    from mapping.store import Store

    path = tmp_path / "map.graphml"
    write_graphml(scoped, path, META)
    store = Store(f"sqlite:///{tmp_path / 'again.sqlite'}")
    import_files([Source(path, path.name)], store, Pseudonymiser(b"reimport-key-" * 3), today=TODAY)
    places = store.read_version().entities.query("entity_type == 'place'")
    assert set(places["entity_id"]) == {"Park & Ride 2", "St Mary's <School>"}
