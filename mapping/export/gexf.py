"""GEXF 1.3 export for Gephi, with each entity and link alive from its first to its last
seen date (``mode="dynamic"``, ``timeformat="date"``), so Gephi's timeline can replay how a
network grew between meetings.

Written with lxml rather than networkx, whose GEXF writer puts attributes the 1.3 schema
refuses. The metadata block goes in ``<meta>``: the marking in ``keywords``, the dataset
version, export date, role and filters in ``description``. Valid against the GEXF 1.3 XSD.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from lxml import etree

from mapping.export.graphml import xml_text
from mapping.export.options import Metadata
from mapping.export.records import Row, entity_rows, is_blank, link_rows
from mapping.graph import ScopedGraph

NAMESPACE = "http://gexf.net/1.3"
#: Columns that become the element's own attributes, not attvalues.
_OWN = {
    "entity_id",
    "label",
    "link_id",
    "source_id",
    "target_id",
    "weight",
    "first_seen",
    "last_seen",
}


def _type_of(values: list[object]) -> str:
    present = [v for v in values if not is_blank(v)]
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double" if any(isinstance(v, float) for v in present) else "integer"
    return "string"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(value)


def _declare(
    graph_el: etree._Element, klass: str, rows: list[Row], fields: Iterable[str]
) -> list[str]:
    names = [f for f in fields if f not in _OWN]
    declared = etree.SubElement(
        graph_el, f"{{{NAMESPACE}}}attributes", {"class": klass, "mode": "static"}
    )
    for name in names:
        etree.SubElement(
            declared,
            f"{{{NAMESPACE}}}attribute",
            {"id": name, "title": name, "type": _type_of([r.get(name) for r in rows])},
        )
    return names


def _element(
    parent: etree._Element, tag: str, own: Mapping[str, object], row: Row, names: list[str]
) -> None:
    element = etree.SubElement(
        parent, f"{{{NAMESPACE}}}{tag}", {k: _text(v) for k, v in own.items() if not is_blank(v)}
    )
    values = etree.SubElement(element, f"{{{NAMESPACE}}}attvalues")
    for name in names:
        if not is_blank(row.get(name)):
            etree.SubElement(
                values, f"{{{NAMESPACE}}}attvalue", {"for": name, "value": _text(row[name])}
            )


def gexf_tree(scoped: ScopedGraph, metadata: Metadata) -> etree._ElementTree:
    """The GEXF document of ``scoped``: nodes and edges with start/end from seen dates."""
    links = link_rows(scoped)
    entities = entity_rows(scoped, links)
    root = etree.Element(f"{{{NAMESPACE}}}gexf", nsmap={None: NAMESPACE}, version="1.3")
    meta = etree.SubElement(root, f"{{{NAMESPACE}}}meta", lastmodifieddate=date.today().isoformat())
    etree.SubElement(meta, f"{{{NAMESPACE}}}creator").text = "Contextual safeguarding network map"
    etree.SubElement(meta, f"{{{NAMESPACE}}}keywords").text = xml_text(metadata.get("marking", ""))
    etree.SubElement(meta, f"{{{NAMESPACE}}}description").text = xml_text(
        json.dumps(metadata, sort_keys=True, default=str)
    )
    graph_el = etree.SubElement(
        root,
        f"{{{NAMESPACE}}}graph",
        mode="dynamic",
        defaultedgetype="directed",  # each link as stored: roles stay on their ends
        timeformat="date",
        timerepresentation="interval",
    )
    node_names = _declare(graph_el, "node", entities, entities[0].keys() if entities else ())
    edge_names = _declare(graph_el, "edge", links, links[0].keys() if links else ())
    nodes = etree.SubElement(graph_el, f"{{{NAMESPACE}}}nodes", count=str(len(entities)))
    for row in entities:
        _element(
            nodes,
            "node",
            {
                "id": row["entity_id"],
                "label": row["label"],
                "start": row["first_seen"],
                "end": row["last_seen"],
            },
            row,
            node_names,
        )
    edges = etree.SubElement(graph_el, f"{{{NAMESPACE}}}edges", count=str(len(links)))
    for row in links:
        _element(
            edges,
            "edge",
            {
                "id": row["link_id"],
                "source": row["source_id"],
                "target": row["target_id"],
                "label": row["link_type"],
                "weight": row["weight"],
                "start": row["first_seen"],
                "end": row["last_seen"],
            },
            row,
            edge_names,
        )
    return etree.ElementTree(root)


def write_gexf(scoped: ScopedGraph, path: Path, metadata: Metadata) -> None:
    gexf_tree(scoped, metadata).write(
        str(path), encoding="utf-8", xml_declaration=True, pretty_print=True
    )
