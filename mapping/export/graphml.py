"""GraphML export (yEd, Gephi, Cytoscape desktop, igraph): one node per entity and one edge
per link, with harm flags, grading and dates as typed attributes and the metadata block
(marking, dataset version, date, role, filters) as graph attributes.

Text is passed through :func:`xml_text`, so a control character in a label can never make
the file unreadable. The file is valid against the GraphML 1.1 XSD (tests check it).
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx

from mapping.export.records import entity_rows, is_blank, link_rows
from mapping.graph import ScopedGraph

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/F): removed.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str:
    """``value`` as text XML 1.0 can hold: forbidden characters are removed."""
    return _INVALID_XML.sub("", str(value))


def _xml_value(value):
    if isinstance(value, bool | int | float):
        return value
    return xml_text(value)


def export_multigraph(scoped: ScopedGraph, metadata: dict) -> nx.MultiGraph:
    """A MultiGraph with only XML-safe scalar attributes, ready for GraphML.

    Node attributes are ``records.ENTITY_FIELDS`` (without the id), edge attributes
    ``records.LINK_FIELDS``; blank values are left out rather than written empty.
    """
    graph = nx.MultiGraph()
    graph.graph.update({k: xml_text(v) for k, v in metadata.items() if not is_blank(v)})
    links = link_rows(scoped)
    for row in entity_rows(scoped, links):
        attrs = {k: _xml_value(v) for k, v in row.items() if k != "entity_id" and not is_blank(v)}
        graph.add_node(xml_text(row["entity_id"]), **attrs)
    for row in links:
        attrs = {
            k: _xml_value(v)
            for k, v in row.items()
            if k not in ("source_id", "target_id") and not is_blank(v)
        }
        attrs["link_id"] = attrs.pop("link_id")
        graph.add_edge(
            xml_text(row["source_id"]),
            xml_text(row["target_id"]),
            key=xml_text(row["link_id"]),
            **attrs,
        )
    return graph


def write_graphml(scoped: ScopedGraph, path: Path, metadata: dict) -> None:
    # named_key_ids would give node and edge "first_seen" the same key id (invalid).
    nx.write_graphml(
        export_multigraph(scoped, metadata),
        path,
        encoding="utf-8",
        prettyprint=True,
        named_key_ids=False,
    )
