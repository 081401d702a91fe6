"""Read GraphML and GEXF network files into two text tables: ``nodes`` and ``edges``.

Nodes become an entities sheet (the node id is ``entity_id``, attributes are columns) and
edges a links sheet, so they go through the same column mapping and validation as a
spreadsheet. Row numbers in problems count the header as row 1, so node *n* (1-based) is
row *n + 1*. The file is refused unread when it declares a DTD or entities, then parsed
with defusedxml before networkx sees it.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from xml.etree.ElementTree import ParseError

import networkx as nx
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as defused_parse

from loaders.problems import ERROR, ImportFailed, Problem
from loaders.rawsheet import RawSheet
from loaders.xmlsafety import check_xml_file, entity_trick


def _unreadable(name: str, what: str) -> ImportFailed:
    return ImportFailed(
        [
            Problem(
                ERROR,
                name,
                "",
                None,
                None,
                "unreadable network file",
                f"the file could not be read as {what} (broken XML or not a network file); "
                "re-export it from the tool that made it",
            )
        ]
    )


def read_network(path: Path, name: str, kind: str) -> list[RawSheet]:
    """Read a ``graphml`` or ``gexf`` file into ``nodes`` and ``edges`` sheets."""
    check_xml_file(path, name)
    what = "GraphML" if kind == "graphml" else "GEXF"
    try:
        defused_parse(str(path), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        reader = nx.read_graphml if kind == "graphml" else nx.read_gexf
        graph = reader(path)
    except DefusedXmlException:
        raise entity_trick(name) from None
    except (ParseError, nx.NetworkXError, KeyError, ValueError, TypeError, IndexError):
        raise _unreadable(name, what) from None
    return [_table(name, "nodes", _node_rows(graph)), _table(name, "edges", _edge_rows(graph))]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _stored_id(graph: nx.Graph, node: Hashable) -> str:
    """The entity id: our GraphML exports keep it as ``entity_id`` data (the GraphML id of an
    id with spaces or ``&`` is a hash, since GraphML ids must be NMTOKENs)."""
    return _text(graph.nodes[node].get("entity_id") or node)


def _node_rows(graph: nx.Graph) -> list[dict[str, str]]:
    rows = []
    for node, data in graph.nodes(data=True):
        row = {"entity_id": _stored_id(graph, node)}
        row.update({k: _text(v) for k, v in data.items() if k not in ("id", "entity_id")})
        rows.append(row)
    return rows


def _edge_rows(graph: nx.Graph) -> list[dict[str, str]]:
    rows = []
    for source, target, data in graph.edges(data=True):
        row = {"source_id": _stored_id(graph, source), "target_id": _stored_id(graph, target)}
        row.update(
            {
                k: _text(v)
                for k, v in data.items()
                if k not in ("id", "key", "source_id", "target_id")
            }
        )
        # Split grading parts stay columns: loaders.grading recombines them (or refuses).
        rows.append(row)
    return rows


def _table(name: str, sheet: str, rows: list[dict[str, str]]) -> RawSheet:
    """A raw sheet whose first row is the header, as a spreadsheet would have it."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    body = [[row.get(c, "") for c in columns] for row in rows]
    frame = pd.DataFrame([columns, *body], dtype="string").fillna("")
    return RawSheet(name, sheet, frame)
