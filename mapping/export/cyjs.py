"""Cytoscape.js JSON export: ``{"data": metadata, "elements": {"nodes": [...], "edges": [...]}}``
with each node's ``position`` from :func:`mapping.render.network.layout` (same seed, same
picture as the app), so Cytoscape desktop, cytoscape.js pages and other JSON tools open the
map as drawn at the meeting. Loaded headlessly by the npm ``cytoscape`` package in the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapping.export.options import Metadata
from mapping.export.records import entity_rows, is_blank, link_rows
from mapping.graph import ScopedGraph
from mapping.render.network import layout


def cytoscape_document(scoped: ScopedGraph, metadata: Metadata, seed: int = 0) -> dict[str, object]:
    """The Cytoscape.js document: node ``data`` holds ENTITY_FIELDS (``id`` = entity id),
    edge ``data`` holds LINK_FIELDS (``id`` = link id, ``source``/``target`` = entity ids)."""
    links = link_rows(scoped)
    positions = layout(scoped.graph, seed=seed)
    nodes: list[dict[str, object]] = []
    node_ids: set[str] = set()
    for row in entity_rows(scoped, links):
        data = {k: v for k, v in row.items() if k != "entity_id" and not is_blank(v)}
        data["id"] = row["entity_id"]
        node_ids.add(row["entity_id"])
        x, y = positions.get(row["entity_id"], (0.0, 0.0))
        nodes.append({"group": "nodes", "data": data, "position": {"x": x, "y": y}})
    edges: list[dict[str, object]] = []
    for row in links:
        data = {
            k: v for k, v in row.items() if k not in ("source_id", "target_id") and not is_blank(v)
        }
        # Cytoscape wants one id space for nodes and edges.
        data["id"] = row["link_id"] if row["link_id"] not in node_ids else f"link:{row['link_id']}"
        data["source"], data["target"] = row["source_id"], row["target_id"]
        edges.append({"group": "edges", "data": data})
    return {
        "format_version": "1.0",
        "generated_by": "contextual-safeguarding-network-map",
        "target_cytoscapejs_version": "~3.30",
        "data": {k: v for k, v in metadata.items() if not is_blank(v)},
        "elements": {"nodes": nodes, "edges": edges},
    }


def write_cyjs(scoped: ScopedGraph, path: Path, metadata: Metadata) -> None:
    path.write_text(
        json.dumps(cytoscape_document(scoped, metadata), ensure_ascii=False, indent=1, default=str),
        encoding="utf-8",
    )
