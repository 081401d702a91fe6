"""The interactive explorer's drawing: assets for the click-returning network component and
the nodes and edges it draws.

The component (``mapping/components/network/``) is plain JavaScript around the vis-network
build that ships inside pyvis, speaking Streamlit's component protocol directly, so there is
no npm build and nothing is fetched at run time. This module prepares its files and turns an
explorer view into vis-network nodes and edges; it never imports Streamlit (the one
``declare_component`` call lives in the page).
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from mapping.analysis.harms import harm_counts_text
from mapping.explorer_sizes import sized
from mapping.model import MODEL
from mapping.render.network import (
    Positions,
    VisItem,
    harm_tag,
    layout,
    vis_elements,
    vis_network_js,
)

if TYPE_CHECKING:  # the view is only read here
    from mapping.explorer import ExplorerView

COMPONENT_SOURCE = Path(__file__).resolve().parent.parent / "components" / "network"
#: Colour of a collapsed group with no harm flags among its young people.
NO_HARM_COLOUR = "#BBBBBB"
#: Up to this many entities every label is drawn; above it only the key entities' labels
#: (the open person, a path, the best-linked), the rest on hover or when zoomed in.
LABEL_ALL_UP_TO = 40
KEY_LABELS = 25


@lru_cache(maxsize=1)
def component_dir() -> Path:
    """A directory holding the component's page, script and vis-network (copied once)."""
    target = Path(tempfile.mkdtemp(prefix="mapping-explorer-"))
    for name in ("index.html", "explorer.js"):
        shutil.copy(COMPONENT_SOURCE / name, target / name)
    (target / "vis-network.min.js").write_text(vis_network_js(), encoding="utf-8")
    return target


def harm_mix_colour(harms: dict[str, int]) -> str:
    """The colour of the most frequent harm flag in a group (model order breaks ties)."""
    if not harms:
        return NO_HARM_COLOUR
    order = MODEL.harms.keys()
    top = max(harms, key=lambda h: (harms[h], -order.index(h)))
    return MODEL.harms[top].colour or NO_HARM_COLOUR


def group_node(
    group_id: str, title: str, size: int, harms: dict[str, int], position: tuple[float, float]
) -> VisItem:
    """A collapsed cluster drawn as one node: size = members, colour = harm mix."""
    order = MODEL.harms.keys()  # model order
    tag = harm_tag([h for h in order if harms.get(h)])
    mix = harm_counts_text(harms)
    return {
        "id": group_id,
        "label": f"{title}\n{size} members" + (f"\n[{tag}]" if tag else ""),
        "title": f"{title}: {size} members\nHarm flags of young people: {mix or 'none'}\n"
        "Click to open this cluster",
        "shape": "dot",
        "x": position[0],
        "y": position[1],
        "size": 14 + min(60, 4 * math.sqrt(size)),
        "borderWidth": 3,
        "color": {"background": harm_mix_colour(harms), "border": "#333333"},
        "font": {"size": 16, "face": "sans-serif", "bold": True},
    }


def payload(
    view: ExplorerView,
    positions: Positions,
    *,
    use_codes: bool = False,
    sizes: dict[str, float] | None = None,
    size_label: str = "",
) -> dict[str, list[VisItem]]:
    """Nodes and edges for the component from an :class:`mapping.explorer.ExplorerView`;
    ``sizes`` (entity -> value of a measure, :mod:`mapping.explorer_sizes`) rescales them."""
    nodes, edges = vis_elements(
        view.graph, positions, use_codes=use_codes, highlight=view.highlight or None
    )
    if sizes:
        nodes = sized(nodes, sizes, size_label)
    label_key_entities(nodes, view)
    groups = [
        group_node(g.id, g.title, g.size, g.harms, positions.get(g.id, (0.0, 0.0)))
        for g in view.groups
    ]
    for u, v, count in view.group_edges:
        edges.append(
            {
                "id": f"{u}|{v}",
                "from": u,
                "to": v,
                "width": 1 + min(8, math.log1p(count)),
                "title": f"{count} link(s) between these groups",
                "color": {"color": "#777777", "opacity": 0.6},
                "dashes": False,
            }
        )
    return {"nodes": nodes + groups, "edges": edges}


def key_entities(view: ExplorerView, limit: int = KEY_LABELS) -> set[str]:
    """Entities whose label is always drawn: the open person or place, those on a path,
    and the ``limit`` best-linked (most neighbours in the view; codes break ties)."""
    graph = view.graph
    ranked = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))[:limit]
    return {*ranked, *view.highlight, *([view.focus] if view.focus else [])}


def label_key_entities(nodes: list[VisItem], view: ExplorerView) -> None:
    """Keep labels where they fit: above ``LABEL_ALL_UP_TO`` entities, only key entities
    keep theirs; the others' label moves to ``fullLabel`` (shown on hover in the tooltip,
    and drawn when zoomed in). The open person is drawn larger, bold, with a halo."""
    keep = key_entities(view) if len(nodes) > LABEL_ALL_UP_TO else None
    for node in nodes:
        if node["id"] == view.focus:
            node["size"] = node["size"] + 10
            node["font"] = {**node["font"], "size": 18, "bold": True}
            node["shadow"] = {"enabled": True, "color": "#333333", "size": 18, "x": 0, "y": 0}
            node["label"] = "▶ " + node["label"]
        if keep is not None and node["id"] not in keep:
            node["fullLabel"], node["label"] = node["label"], ""


def data_key(version: object, scope: object, extra: object) -> str:
    """A short stable key: the component redraws only when this changes."""
    return hashlib.sha256(repr((version, scope, extra)).encode()).hexdigest()[:16]


def view_layout(view: ExplorerView, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Seeded positions for a view. Opened clusters are each drawn in their own disc in the
    middle; collapsed groups stand evenly on a ring around them, in the order of the
    directions a spring layout of the groups gives them (linked groups stay neighbours)."""
    if not view.owner and not view.groups:
        return layout(view.graph, seed=seed)
    anchors = nx.Graph()
    anchors.add_nodes_from(g.id for g in view.groups)
    anchors.add_nodes_from(set(view.owner.values()))
    pairs = [(u, v) for u, v, _ in view.group_edges] + list(view.graph.edges)
    anchors.add_edges_from(
        (a, b)
        for a, b in ((view.owner.get(u, u), view.owner.get(v, v)) for u, v in pairs)
        if a != b
    )
    directions = layout(anchors, seed=seed)
    members: dict[str, list[str]] = {}
    for node, group in sorted(view.owner.items()):
        members.setdefault(group, []).append(node)
    radius = {g: 60.0 + 30.0 * math.sqrt(len(m)) for g, m in members.items()}
    width = max(0.0, sum(2 * r + 60.0 for r in radius.values()) - 60.0)
    positions: dict[str, tuple[float, float]] = {}
    left = -width / 2
    for group, nodes in members.items():
        _disc(
            view.graph.subgraph(nodes), (left + radius[group], 0.0), radius[group], seed, positions
        )
        left += 2 * radius[group] + 60.0
    opened = [directions[g] for g in members] or list(directions.values())
    mid = (sum(x for x, _ in opened) / len(opened), sum(y for _, y in opened) / len(opened))
    ring = max(width / 2, *radius.values(), 40.0 * len(view.groups) / math.pi) + 220.0
    around = sorted(
        (math.atan2(directions[g.id][1] - mid[1], directions[g.id][0] - mid[0]), g.id)
        for g in view.groups
    )
    for step, (_, group) in enumerate(around):
        angle = 2 * math.pi * step / max(1, len(around)) + around[0][0]
        positions[group] = (round(ring * math.cos(angle), 1), round(ring * math.sin(angle), 1))
    return positions


def _disc(
    graph: nx.Graph,
    centre: tuple[float, float],
    radius: float,
    seed: int,
    positions: dict[str, tuple[float, float]],
) -> None:
    """Lay ``graph`` out and fit it in a disc of ``radius`` around ``centre``."""
    inner = layout(graph, seed=seed)
    xs, ys = [p[0] for p in inner.values()], [p[1] for p in inner.values()]
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) / 2
    mid = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    for node, (x, y) in inner.items():
        positions[node] = (
            round(centre[0] + (x - mid[0]) / half * radius, 1),
            round(centre[1] + (y - mid[1]) / half * radius, 1),
        )
