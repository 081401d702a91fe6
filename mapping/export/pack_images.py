"""Static pictures for the meeting pack and the presentation: a network and a map per item.

Drawn with matplotlib (Agg, no display, no network), sized and lettered for a projector:
codes only (never labels), colours and shapes from the model, a legend on every picture.
Never sees raw identifiers; private addresses are left off the map for roles that may not
see true addresses (the scoped graph's ``coordinates_generalised``), except for roles that
draw them as areas (partners: ``mapping.geo.shown_area``), which get the grid cell as a
hatched square, "area, not the address", never a marker.
"""

from __future__ import annotations

import io
import math
from collections.abc import Container, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
import networkx as nx  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from mapping import geo  # noqa: E402
from mapping.analysis.harms import short_label  # noqa: E402
from mapping.model import AREA_NOT_ADDRESS, MODEL  # noqa: E402
from mapping.render.network import layout  # noqa: E402

if TYPE_CHECKING:
    from geopandas import GeoDataFrame

MARKERS = {"dot": "o", "square": "s", "triangle": "^", "diamond": "D", "hexagon": "h"}
HIGHLIGHT = "#B00020"
FONT = 15
#: Codes are drawn beside at most this many highlighted entities, so they stay legible.
MAX_LABELS = 12


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def network_png(
    graph: nx.Graph,
    highlight: Iterable[str] = (),
    *,
    size: tuple[float, float] = (8.0, 6.0),
    seed: int = 0,
) -> bytes:
    """The item's network: entity colour and shape from the model, highlighted entities
    (hotspots, adults of concern) ringed in red and named by code."""
    figure, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "Nothing in scope", ha="center", va="center", fontsize=FONT + 4)
        return _png(figure)
    graph = drawn_part(graph, highlight)
    positions = layout(graph, seed=seed)
    nx.draw_networkx_edges(graph, positions, ax=ax, edge_color="#9a9a9a", width=0.8, alpha=0.6)
    kinds: dict[str, list[str]] = {}
    for node, kind in graph.nodes(data="entity_type"):
        kinds.setdefault(kind, []).append(node)
    harms_seen: set[str] = set()
    for kind, nodes in kinds.items():
        term = MODEL.entity_types[kind]
        # A young person's border is the colour of their first harm flag, as in the explorer.
        borders = [_harm_colour(graph.nodes[n], harms_seen) or term.colour for n in nodes]
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=nodes,
            ax=ax,
            node_size=70,
            node_color=term.colour,
            edgecolors=borders,
            linewidths=2.2,
            node_shape=MARKERS.get(term.attrs.get("shape", ""), "o"),
        )
    marked = [n for n in highlight if n in graph][:MAX_LABELS]
    if marked:
        nx.draw_networkx_nodes(
            graph,
            positions,
            nodelist=marked,
            ax=ax,
            node_size=260,
            node_color="none",
            edgecolors=HIGHLIGHT,
            linewidths=2.5,
        )
        place_labels(ax, [(n, *positions[n]) for n in marked])
    ax.legend(
        handles=_legend_handles(kinds, harms_seen),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=4,
        fontsize=FONT - 2,
        frameon=False,
    )
    return _png(figure)


#: Where a code may go around its point (offset points, nearest first): twelve directions,
#: further out each ring; beyond the first ring a thin leader line joins code and point.
LABEL_SPOTS = [
    (round(r * math.sin(a), 1), round(r * math.cos(a), 1))
    for r in (10, 22, 36, 52, 70, 90, 115, 140, 170)
    for a in (math.radians(d) for d in (0, 180, 90, 270, 45, 315, 135, 225, 30, 330, 150, 210))
]


def place_labels(
    ax: Axes,
    points: Sequence[tuple[str, float, float]],
    *,
    avoid: Iterable[Text] = (),
    size: int = FONT - 3,
) -> None:
    """Write each code near its point where it overlaps no code already written (nor the
    ``avoid`` texts), moving further out with a leader line when it must; a code with no
    free spot goes where it overlaps least. Greedy and deterministic: the same picture
    every time."""
    ax.figure.canvas.draw()  # fix the axes' limits so that text extents are final
    # Agg's canvas (the backend chosen above) has get_renderer; the base class does not say so
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    taken = [t.get_window_extent(renderer) for t in avoid]
    for code, x, y in points:
        best = None
        for dx, dy in LABEL_SPOTS:
            text = ax.annotate(
                code,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=size,
                fontweight="bold",
                ha="center" if abs(dx) < 1 else ("left" if dx > 0 else "right"),
                va="center" if abs(dy) < 1 else ("bottom" if dy > 0 else "top"),
                zorder=5,
                bbox={"facecolor": "white", "alpha": 0.85, "pad": 1, "edgecolor": "none"},
                arrowprops={"arrowstyle": "-", "color": "#333333", "lw": 0.8}
                if math.hypot(dx, dy) > 12
                else None,
            )
            text.update_positions(renderer)
            box = Text.get_window_extent(text, renderer)  # the words, not the leader line
            clash = sum(_overlap(box, other) for other in taken)
            if best is None or clash < best[0]:
                if best is not None:
                    best[1].remove()
                best = (clash, text, box)
            else:
                text.remove()
            if clash == 0:
                break
        assert best is not None  # LABEL_SPOTS is never empty
        taken.append(best[2])


def _overlap(one: Bbox, other: Bbox) -> float:
    width = min(one.x1, other.x1) - max(one.x0, other.x0)
    height = min(one.y1, other.y1) - max(one.y0, other.y0)
    return float(max(0.0, width) * max(0.0, height))


def drawn_part(graph: nx.Graph, highlight: Iterable[str] = ()) -> nx.Graph:
    """The connected parts holding a highlighted entity (else the largest part): small
    separate groups would squeeze the picture into a corner on a projector."""
    marked = set(highlight)
    parts = [p for p in nx.connected_components(graph) if p & marked]
    if not parts:
        parts = [max(nx.connected_components(graph), key=len)]
    return graph.subgraph(set().union(*parts))


def _harm_colour(data: Mapping[str, Any], seen: set[str]) -> str | None:
    harms = [h for h in data.get("harms") or () if h in MODEL.harms]
    if data.get("entity_type") != "young_person" or not harms:
        return None
    seen.add(harms[0])
    return MODEL.harms[harms[0]].colour


def _legend_handles(kinds: Container[str], harms: Container[str] = ()) -> list[Line2D]:
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=MARKERS.get(t.attrs.get("shape", ""), "o"),
            markersize=11,
            color=t.colour,
            label=t.label,
        )
        for t in MODEL.entity_types
        if t.key in kinds
    ]
    young = MODEL.entity_types["young_person"].colour
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=11,
            color=young,
            markeredgecolor=t.colour,
            markeredgewidth=2.5,
            label=f"Harm: {short_label(t.key)}",
        )
        for t in MODEL.harms
        if t.key in harms
    ]
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=13,
            color="none",
            markeredgecolor=HIGHLIGHT,
            markeredgewidth=2.5,
            label="Raised at this meeting",
        )
    )
    return handles


@lru_cache(maxsize=4)
def _districts(path: str) -> GeoDataFrame:
    import geopandas

    return geopandas.read_file(path)


def map_png(
    graph: nx.Graph,
    highlight: Iterable[str] = (),
    district: str | None = None,
    *,
    districts_file: Path | None = None,
    size: tuple[float, float] = (6.5, 6.0),
    role: str | None = None,
) -> bytes:
    """Places of the item over the district boundaries of ``districts_file`` (none when
    None: the caller passes ``ExportOptions.boundaries_file``); hotspots in red with their
    codes."""
    figure, ax = plt.subplots(figsize=size)
    ax.set_axis_off()
    district_names: list[Annotation] = []
    if districts_file is not None and districts_file.is_file():
        shapes = _districts(str(districts_file))
        shapes.boundary.plot(ax=ax, color="#555555", linewidth=1)
        if district is not None and "name" in shapes:
            shapes[shapes["name"] == district].plot(ax=ax, color="#FFF4CE", edgecolor="#333333")
        for _, row in shapes.iterrows():
            point = row.geometry.representative_point()
            district_names.append(
                ax.annotate(
                    str(row.get("name", "")),
                    (point.x, point.y),
                    fontsize=FONT - 4,
                    ha="center",
                    color="#444444",
                )
            )
    points: list[tuple[str, float, float]] = []
    marked = set(highlight)
    areas: list[tuple[float, float, float, float]] = []
    for node, data in graph.nodes(data=True):
        if data.get("lat") is None or data.get("lon") is None:
            continue
        if data.get("coordinates_generalised"):
            cell = geo.shown_area(data["lat"], data["lon"], True, role) if role else None
            if cell:  # this role gets the grid cell, never a point
                areas.append(cell)
            continue  # otherwise a private address is never placed on this role's map
        points.append((node, float(data["lon"]), float(data["lat"])))
    for index, (south, west, north, east) in enumerate(areas):
        ax.add_patch(
            Rectangle(
                (west, south),
                east - west,
                north - south,
                facecolor="#009E7333",
                edgecolor="#333333",
                hatch="//",
                linewidth=1,
                linestyle="--",
                label=f"Home address: ~1 km grid cell ({AREA_NOT_ADDRESS})" if not index else None,
            )
        )
    others = [p for p in points if p[0] not in marked]
    hot = [p for p in points if p[0] in marked]
    ax.scatter(
        [p[1] for p in others],
        [p[2] for p in others],
        s=40,
        color="#009E73",
        label="Place linked in this item",
    )
    ax.scatter(
        [p[1] for p in hot],
        [p[2] for p in hot],
        s=160,
        color=HIGHLIGHT,
        marker="^",
        label="Location of concern",
    )
    place_labels(ax, hot[:MAX_LABELS], avoid=district_names)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.02), fontsize=FONT - 2, frameon=False)
    return _png(figure)
