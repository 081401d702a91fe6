"""GraphML and GEXF exports: valid against the published XSDs, readable by networkx and
igraph with nodes, links, harm flags, grading and dates intact, and never broken by a
control character in the data."""

from __future__ import annotations

from pathlib import Path

import igraph
import networkx as nx
import pytest
from lxml import etree

from mapping.export.gexf import write_gexf
from mapping.export.graphml import write_graphml
from tests.mapping.export_world import ENTITIES, LINKS, scoped_world

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"
GRAPHML_XSD = SCHEMAS / "graphml-1.1" / "graphml.xsd"
GEXF_XSD = SCHEMAS / "gexf-1.3" / "gexf.xsd"
META = {
    "marking": "OFFICIAL-SENSITIVE",
    "dataset_version": 1,
    "exported_at": "2026-11-29",
    "role": "police",
    "filters": "{}",
    "notice": "Links show association",
}


def validate(path: Path, xsd: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log


@pytest.fixture(scope="module")
def police_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xml")
    scoped = scoped_world("police")
    write_graphml(scoped, folder / "map.graphml", META)
    write_gexf(scoped, folder / "map.gexf", META)
    return folder / "map.graphml", folder / "map.gexf"


def test_schemas_are_present():
    assert GRAPHML_XSD.is_file() and GEXF_XSD.is_file(), f"schemas expected in {SCHEMAS}"


def test_graphml_is_valid(police_files):
    validate(police_files[0], GRAPHML_XSD)


def test_gexf_is_valid(police_files):
    validate(police_files[1], GEXF_XSD)


def test_graphml_round_trip_networkx(police_files):
    graph = nx.read_graphml(police_files[0])
    assert set(graph.nodes) == {e["entity_id"] for e in ENTITIES}
    assert graph.number_of_edges() == len(LINKS)
    assert graph.nodes["YP-2"]["harm_cse"] is True and graph.nodes["YP-2"]["harm_cce"] is False
    assert graph.nodes["YP-2"]["ideology"] == "mixed_unclear"
    restricted = [d for _, _, d in graph.edges(data=True) if d["link_id"] == "LINK-RESTRICTED-C"]
    assert restricted[0]["grading"] == "2CC" and restricted[0]["handling_code"] == "C"
    offender = [d for _, _, d in graph.edges(data=True) if d["link_type"] == "victim_offender"]
    assert (offender[0]["first_seen"], offender[0]["last_seen"]) == ("2025-12-01", "2026-10-20")
    assert graph.graph["marking"] == "OFFICIAL-SENSITIVE" and graph.graph["dataset_version"] == "1"


def test_graphml_round_trip_igraph(police_files):
    graph = igraph.Graph.Read_GraphML(str(police_files[0]))
    assert sorted(graph.vs["id"]) == sorted(e["entity_id"] for e in ENTITIES)
    assert graph.ecount() == len(LINKS)
    young = graph.vs.find(id="YP-1")
    assert young["harm_cce"] and young["harm_missing"] and not young["harm_cse"]
    edge = graph.es.find(link_id="LINK-RESTRICTED-C")
    assert edge["source_evaluation"] == "2" and edge["intelligence_assessment"] == "C"
    # Entity seen dates span its links: YP-1 from the adult link (Dec 2025) to Oct 2026.
    assert (young["first_seen"], young["last_seen"]) == ("2025-12-01", "2026-10-20")


def test_gexf_round_trip_networkx_with_timeline(police_files):
    graph = nx.read_gexf(police_files[1], version="1.3")
    assert set(graph.nodes) == {e["entity_id"] for e in ENTITIES}
    assert graph.number_of_edges() == len(LINKS)
    assert graph.nodes["YP-1"]["start"] == "2025-12-01"
    assert graph.nodes["YP-1"]["end"] == "2026-10-20"
    assert graph.nodes["YP-2"]["harm_radicalisation"] is True
    peer = [d for _, _, d in graph.edges(data=True) if d["link_type"] == "peer_association"][0]
    assert (peer["start"], peer["end"]) == ("2026-01-10", "2026-09-01")
    assert peer["grading"] == "2BP" and peer["source_agency"] == "police"


def test_gexf_is_dynamic_with_dates(police_files):
    root = etree.parse(str(police_files[1])).getroot()
    graph = root.find("{http://gexf.net/1.3}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    keywords = root.find("{http://gexf.net/1.3}meta/{http://gexf.net/1.3}keywords")
    assert keywords.text == "OFFICIAL-SENSITIVE"


CONTROL = "bad\x00\x01\x08\x0b\x0c\x1f\ufffe text"


@pytest.mark.parametrize("writer,xsd", [(write_graphml, GRAPHML_XSD), (write_gexf, GEXF_XSD)])
def test_invalid_xml_characters_are_removed(tmp_path, writer, xsd):
    entities = [dict(e) for e in ENTITIES]
    entities[4]["label"] = CONTROL
    links = [dict(k) for k in LINKS]
    links[0]["notes"] = CONTROL
    path = tmp_path / "map.xml"
    writer(scoped_world("police", entities, links), path, {**META, "notice": CONTROL})
    validate(path, xsd)
    text = path.read_text(encoding="utf-8")
    assert "bad text" in text and "\x01" not in text and "\ufffe" not in text
