"""GraphML export (yEd, Gephi, Cytoscape desktop, igraph): one node per entity and one edge
per link, with harm flags, grading and dates as typed attributes and the metadata block
(marking, dataset version, date, role, filters) as graph attributes.

Text is passed through :func:`xml_text`, so a control character in a label can never make
the file unreadable. The file is valid against the GraphML 1.1 XSD (tests check it), for any
id: node and edge ids are NMTOKENs (see :func:`graphml_id`) and the stored ids are data
(``entity_id``, ``link_id``). Edges are directed, written as each link was stored.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import networkx as nx

from mapping.export.options import Metadata
from mapping.export.records import entity_rows, is_blank, link_rows
from mapping.graph import ScopedGraph

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/F): removed.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can hold: forbidden characters are removed."""
    return _INVALID_XML.sub("", str(value))


def _xml_value(value: object) -> bool | int | float | str:
    if isinstance(value, bool | int | float):
        return value
    return xml_text(value)


#: A conservative NMTOKEN (the XSD type of GraphML node and edge ids): ASCII name characters.
_NMTOKEN = re.compile(r"^[A-Za-z0-9._:\-]+$")


def graphml_id(stored: str, taken: set[str]) -> str:
    """An NMTOKEN id for a stored id: the id itself when it is one, else ``id-`` and a hash.

    The stored id is always written as data too (``entity_id`` / ``link_id``), so a place
    called ``Park & Ride 2`` keeps its id whatever a reader does with GraphML ids.
    """
    text = xml_text(stored)
    candidate = text
    if not _NMTOKEN.match(text):
        candidate = "id-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    number = 1
    base = candidate
    while candidate in taken:
        number += 1
        candidate = f"{base}.{number}"
    taken.add(candidate)
    return candidate


def export_multigraph(scoped: ScopedGraph, metadata: Metadata) -> nx.MultiDiGraph:
    """A directed MultiGraph with only XML-safe scalar attributes, ready for GraphML.

    Directed, so every edge is written ``source`` -> ``target`` as the link was stored and
    ``source_role`` / ``target_role`` sit on the right ends (an undirected graph would write
    each edge in node order, putting a victim's role on the adult). Node attributes are
    ``records.ENTITY_FIELDS`` (with ``entity_id``), edge attributes ``records.LINK_FIELDS``;
    blank values are left out rather than written empty.
    """
    graph = nx.MultiDiGraph()
    graph.graph.update({k: xml_text(v) for k, v in metadata.items() if not is_blank(v)})
    links = link_rows(scoped)
    taken: set[str] = set()
    node_ids: dict[str, str] = {}
    for row in entity_rows(scoped, links):
        attrs = {k: _xml_value(v) for k, v in row.items() if not is_blank(v)}
        node_ids[row["entity_id"]] = graphml_id(row["entity_id"], taken)
        graph.add_node(node_ids[row["entity_id"]], **attrs)
    edge_ids: set[str] = set()
    for row in links:
        attrs = {
            k: _xml_value(v)
            for k, v in row.items()
            if k not in ("source_id", "target_id") and not is_blank(v)
        }
        attrs["link_id"] = attrs.pop("link_id")
        graph.add_edge(
            node_ids[row["source_id"]],
            node_ids[row["target_id"]],
            key=graphml_id(row["link_id"], edge_ids),
            **attrs,
        )
    return graph


def write_graphml(scoped: ScopedGraph, path: Path, metadata: Metadata) -> None:
    # named_key_ids would give node and edge "first_seen" the same key id (invalid).
    nx.write_graphml(
        export_multigraph(scoped, metadata),
        path,
        encoding="utf-8",
        prettyprint=True,
        named_key_ids=False,
    )
