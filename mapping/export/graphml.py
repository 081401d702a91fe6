"""GraphML export: one node per entity and one edge per link, with harm flags, grading and
dates as typed attributes and a metadata block as graph attributes."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx

from mapping.graph import LIST_ATTRIBUTES, NODE_ATTRIBUTES, ScopedGraph
from mapping.model import LIST_SEPARATOR

# Characters XML 1.0 forbids; replaced so the file always parses.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EDGE_FIELDS = ("link_type", "first_seen", "last_seen", "source_agency", "source_evaluation",
               "intelligence_assessment", "handling_code", "weight", "incident_id",
               "source_role", "target_role", "review_by", "notes")


def xml_text(value) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def export_multigraph(scoped: ScopedGraph, metadata: dict) -> nx.MultiGraph:
    """A MultiGraph with only XML-safe scalar attributes, ready for GraphML or GEXF."""
    graph = nx.MultiGraph()
    graph.graph.update({k: xml_text(v) for k, v in metadata.items()})
    for node, data in scoped.graph.nodes(data=True):
        attrs = {k: xml_text(data[k]) for k in NODE_ATTRIBUTES
                 if data.get(k) is not None and k not in ("lat", "lon")}
        for k in ("lat", "lon"):
            if data.get(k) is not None:
                attrs[k] = float(data[k])
        attrs.update({k: LIST_SEPARATOR.join(data.get(k) or ()) for k in LIST_ATTRIBUTES})
        graph.add_node(xml_text(node), **attrs)
    for record in scoped.links.to_dict("records"):
        attrs = {}
        for field in EDGE_FIELDS:
            value = record.get(field)
            if value is None or value != value:  # None or NaN
                continue
            attrs[field] = float(value) if field == "weight" else xml_text(value)
        graph.add_edge(xml_text(record["source_id"]), xml_text(record["target_id"]),
                       key=record["link_id"], id=record["link_id"], **attrs)
    return graph


def write_graphml(scoped: ScopedGraph, path: Path, metadata: dict) -> None:
    nx.write_graphml(export_multigraph(scoped, metadata), path, encoding="utf-8",
                     prettyprint=True, named_key_ids=True)
