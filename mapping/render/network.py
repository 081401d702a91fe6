"""Draw a scoped graph as a self-contained vis-network page.

We use the vis-network build that ships inside the pyvis package, inlined into the page, and
write the page ourselves rather than through pyvis's template: that template still asks a
CDN for Bootstrap, and switches every tooltip to raw HTML when any title contains "href"
(docs/architecture.md). Here tooltips are plain strings, which vis-network 9 shows with
``innerText``, and all data is embedded as JSON with ``<``, ``>`` and ``&`` escaped, so no
text from data can become markup or script.

Positions are computed server-side with a fixed seed and physics is off, so the same data
looks the same at every meeting.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import networkx as nx

from mapping.analysis.harms import is_protective, short_label
from mapping.model import ASSOCIATION_NOTICE, MODEL
from mapping.model import MARKING as MARKING  # re-exported: pages import it from here

#: One vis-network node or edge, or one legend item: JSON-ready, keyed as vis-network reads it.
VisItem = dict[str, Any]
#: A line's dash pattern as vis-network takes it: False for solid, else on/off lengths.
Dashes = Literal[False] | list[int]
#: Where each entity is drawn: id -> (x, y).
Positions = Mapping[str, tuple[float, float]]

#: Above this many nodes the spring layout is replaced by igraph's faster DrL layout.
#: (networkx's spring layout needs scipy from 500 nodes, which is not a dependency.)
SPRING_LAYOUT_MAX_NODES = 499
CANVAS = 1000.0
ASSOCIATION_BANNER = f"{ASSOCIATION_NOTICE} {MODEL.notices['open_the_evidence']}"
LINE_DASHES: dict[str, Dashes] = {
    "solid": False,
    "dashed": [8, 6],
    "dotted": [2, 5],
    "longdash": [16, 5],
    "dashdot": [10, 4, 2, 4],
}
#: The one colour of protection (trusted adults, protective places and links), from the model.
PROTECTIVE_COLOUR = str(MODEL.adult_roles["trusted_adult"].attrs.get("border", "#009E73"))
#: The border of anything inferred rather than recorded (an adult's role from the evidence).
INFERRED_DASHES = [4, 3]


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    base = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return (base / "vis-network.min.js").read_text(encoding="utf-8")


def safe_json(data: object) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def layout(graph: nx.Graph, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Stable positions for ``graph`` (same graph and seed, same picture)."""
    if graph.number_of_nodes() == 0:
        return {}
    nodes = sorted(graph.nodes)
    if len(nodes) <= SPRING_LAYOUT_MAX_NODES:
        ordered = nx.Graph()
        ordered.add_nodes_from(nodes)
        ordered.add_edges_from(sorted(tuple(sorted(e)) for e in graph.edges))
        k = 1.5 / math.sqrt(len(nodes))
        raw = nx.spring_layout(ordered, seed=seed, k=k, iterations=60)
    else:
        import igraph

        index = {n: i for i, n in enumerate(nodes)}
        ig = igraph.Graph(n=len(nodes), edges=sorted((index[u], index[v]) for u, v in graph.edges))
        import random

        igraph.set_random_number_generator(random.Random(seed))
        try:
            coords = ig.layout_drl().coords
        finally:
            igraph.set_random_number_generator(random)
        raw = {n: coords[i] for i, n in enumerate(nodes)}
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = CANVAS * max(1.0, math.sqrt(len(nodes) / 150)) / span
    return {
        n: (round((p[0] - min(xs)) * scale, 1), round((p[1] - min(ys)) * scale, 1))
        for n, p in raw.items()
    }


def harm_tag(harms: Iterable[str]) -> str:
    return "·".join(short_label(h) for h in harms if h in MODEL.harms)


def node_tooltip(node: str, data: Mapping[str, Any]) -> str:
    kind = MODEL.entity_types[data["entity_type"]].label
    lines = [f"{data.get('label') or node}", kind]
    if data.get("place_kind"):
        lines.append(MODEL.place_kinds.label(data["place_kind"]))
    if data.get("adult_role"):
        inferred = " (inferred from the evidence)" if is_inferred(data) else ""
        lines.append(MODEL.adult_roles.label(data["adult_role"]) + inferred)
    if data.get("district"):
        lines.append(f"District: {data['district']}")
    if data.get("harms"):
        lines.append("Harm flags: " + ", ".join(MODEL.harms.label(h) for h in data["harms"]))
    if data.get("ideology"):
        lines.append(f"Ideology: {MODEL.ideologies.label(data['ideology'])}")
    if data.get("protective_factors"):
        lines.append(
            "Protective: "
            + ", ".join(MODEL.protective_factors.label(p) for p in data["protective_factors"])
        )
    return "\n".join(lines)


def is_inferred(data: Mapping[str, Any]) -> bool:
    """True when the entity's adult role was inferred from the evidence, not recorded."""
    return bool(data.get("adult_role_inferred")) or data.get("adult_role_source") == "inferred"


def node_style(data: Mapping[str, Any]) -> VisItem:
    """Shape, fill and border of one entity: the shape says its type, an adult's fill and
    border its role, a coloured border its first harm flag (green: protective), a dashed
    border that its role was inferred. Each colour means one thing (mapping/model.yaml)."""
    kind = MODEL.entity_types[data["entity_type"]]
    fill, border, width = kind.colour, "#444444", 1
    role = str(data.get("adult_role") or "")
    if data["entity_type"] == "adult" and role in MODEL.adult_roles:
        spec = MODEL.adult_roles[role].attrs
        fill, border, width = spec.get("fill", fill), spec.get("border", border), 2
    if is_protective(data):
        border, width = PROTECTIVE_COLOUR, 4
    harms = data.get("harms") or ()
    if harms and harms[0] in MODEL.harms:
        border, width = MODEL.harms[harms[0]].colour or border, 4
    style: VisItem = {
        "shape": kind.attrs.get("shape", "dot"),
        "borderWidth": width,
        "color": {"background": fill, "border": border},
    }
    if is_inferred(data):
        style["shapeProperties"] = {"borderDashes": INFERRED_DASHES}
        style["borderWidth"] = max(width, 3)
    return style


def vis_elements(
    graph: nx.Graph,
    positions: Positions,
    *,
    use_codes: bool = False,
    highlight: set[str] | None = None,
) -> tuple[list[VisItem], list[VisItem]]:
    """vis-network node and edge dicts. ``use_codes`` shows ids instead of place labels."""
    nodes: list[VisItem] = []
    for node, data in sorted(graph.nodes(data=True)):
        harms = data.get("harms") or ()
        tag = harm_tag(harms)
        label = node if use_codes else str(data.get("label") or node)
        x, y = positions.get(node, (0.0, 0.0))
        nodes.append(
            {
                "id": node,
                "label": f"{label}\n[{tag}]" if tag else label,
                "title": node_tooltip(node, data),
                "x": x,
                "y": y,
                "size": 10 + min(20, 2 * math.sqrt(graph.degree(node))),
                "font": {"size": 14, "face": "sans-serif"},
                "opacity": 1.0 if not highlight or node in highlight else 0.25,
                **node_style(data),
            }
        )
    edges: list[VisItem] = []
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        types = sorted(data.get("link_types") or ())
        first = MODEL.link_types[types[0]] if types else None
        edges.append(
            {
                "id": f"{u}|{v}",
                "from": u,
                "to": v,
                "title": "\n".join(MODEL.link_types.label(t) for t in types)
                + f"\n{len(data.get('links', []))} link(s) of evidence",
                "color": {"color": first.colour if first else "#999999", "opacity": 0.8},
                "dashes": LINE_DASHES[first.attrs.get("line", "solid")] if first else False,
                "width": 1 + min(6, math.log1p(data.get("weight", 1.0))),
            }
        )
    return nodes, edges


def _entity_item(label: str, data: Mapping[str, Any]) -> VisItem:
    style = node_style(data)
    return {
        "label": label,
        "shape": style["shape"],
        "fill": style["color"]["background"],
        "border": style["color"]["border"],
        "border_width": style["borderWidth"],
        "dashes": bool(style.get("shapeProperties")),
    }


def legend_items() -> dict[str, list[VisItem]]:
    """Every shape, fill, border and line style the network uses, from the model."""
    entities = [
        _entity_item(t.label, {"entity_type": t.key})
        for t in MODEL.entity_types
        if t.key != "adult"
    ]
    adults = [
        _entity_item(r.label, {"entity_type": "adult", "adult_role": r.key})
        for r in MODEL.adult_roles
    ] + [
        _entity_item(
            "Role inferred from the evidence (dashed border)",
            {"entity_type": "adult", "adult_role": "other", "adult_role_inferred": True},
        )
    ]
    protective = (
        [
            _entity_item(MODEL.adult_roles.label(r), {"entity_type": "adult", "adult_role": r})
            for r in MODEL.adult_roles.with_flag("protective")
        ]
        + [
            _entity_item(
                f"{MODEL.entity_types.label('place')}: {MODEL.place_kinds.label(k)}",
                {"entity_type": "place", "place_kind": k},
            )
            for k in MODEL.place_kinds.with_flag("protective")
        ]
        + [
            {"label": t.label, "colour": t.colour, "line": t.attrs.get("line", "solid")}
            for t in MODEL.link_types
            if t.flag("protective")
        ]
    )
    harms = [
        _entity_item(
            f"{short_label(t.key)} = {t.label}",
            {"entity_type": "young_person", "harms": (t.key,)},
        )
        for t in MODEL.harms
    ]
    return {
        "Entities (shape)": entities,
        "Adults (square; fill and border by role)": adults,
        "Protective contexts (green border)": protective,
        "Harm flags (border colour; tags in brackets)": harms,
        "Links (colour and line style)": [
            {"label": t.label, "colour": t.colour, "line": t.attrs.get("line", "solid")}
            for t in MODEL.link_types
        ],
    }


#: CSS clip paths for vis-network's shapes that CSS has no border for.
_CLIPS = {
    "triangle": "polygon(50% 0,100% 100%,0 100%)",
    "triangleDown": "polygon(0 0,100% 0,50% 100%)",
    "hexagon": "polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)",
}


def _dash_gradient(colour: str, dashes: Dashes | None) -> str:
    """A repeating gradient drawing a line's dash pattern (on, off, on, off...) in CSS."""
    if not dashes:
        return colour
    stops: list[str] = []
    at = 0.0
    for index, length in enumerate(dashes):
        paint = colour if index % 2 == 0 else "transparent"
        stops.append(f"{paint} {at / 2:g}px {(at + length) / 2:g}px")
        at += length
    return f"repeating-linear-gradient(90deg,{','.join(stops)})"


def swatch(item: Mapping[str, Any]) -> str:
    """A small CSS swatch drawing an entity's shape or a link's line as the network does
    (inline SVG would be stripped by Streamlit's HTML sanitiser)."""
    if "line" in item:
        paint = _dash_gradient(item["colour"] or "#999999", LINE_DASHES.get(item["line"]))
        return (
            '<span class="sw" style="width:28px;height:3px;'
            f'background:{html.escape(paint)}"></span>'
        )
    fill, border = html.escape(item["fill"] or "#999999"), html.escape(item["border"])
    width = max(1, min(3, round(item["border_width"] * 0.75)))
    shape = item["shape"]
    if shape in _CLIPS:
        clip = _CLIPS[shape]
        return (
            f'<span class="sw" style="width:16px;height:14px;background:{border};'
            f'clip-path:{clip};position:relative"><span style="position:absolute;'
            f"inset:{width + 1}px {width}px {width}px {width}px;background:{fill};"
            f'clip-path:{clip}"></span></span>'
        )
    style = "dashed" if item["dashes"] else "solid"
    extra = {"dot": "border-radius:50%;", "diamond": "transform:rotate(45deg) scale(0.8);"}
    return (
        f'<span class="sw" style="width:14px;height:14px;box-sizing:border-box;'
        f'background:{fill};border:{width}px {style} {border};{extra.get(shape, "")}"></span>'
    )


def legend_html() -> str:
    parts: list[str] = []
    for heading, items in legend_items().items():
        rows = "".join(f"<li>{swatch(i)}{html.escape(i['label'])}</li>" for i in items)
        parts.append(f"<h4>{html.escape(heading)}</h4><ul>{rows}</ul>")
    return '<div class="legend">' + "".join(parts) + "</div>"


#: The head every standalone page shares: a policy that forbids any network request, and the
#: marking, banner and legend styles. Pages add their own rules in a second style element.
PAGE_HEAD = """<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>
body { margin:0; font-family: sans-serif; color:#222; }
.marking { background:#b00020; color:#fff; text-align:center; font-weight:bold; padding:4px; }
.banner { background:#fff4ce; padding:6px 10px; font-size:14px; }
.meta { font-size:12px; color:#444; padding:4px 10px; }
.legend { width:260px; font-size:12px; padding:6px; overflow:auto; }
.legend ul { list-style:none; padding:0; margin:0 0 8px 0; }
.legend li { margin:2px 0; }
.sw { display:inline-block; margin-right:6px; vertical-align:middle; }
div.vis-tooltip { white-space: pre-line; position:absolute; background:#fff; border:1px solid #888; padding:6px; font-size:13px; }
</style>"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head>{head}
<title>{title}</title>
<style>
#wrap {{ display:flex; }}
#network {{ flex:1; height:{height}px; border-top:1px solid #ccc; }}
.legend {{ height:{height}px; }}
</style></head><body>
<div class="marking">{marking}</div>
<div class="banner">{banner}</div>
<div class="meta">{meta}</div>
<div id="wrap"><div id="network" data-testid="network"></div>{legend}</div>
<script>{vis_js}</script>
<script>
(function() {{
  var nodes = new vis.DataSet({nodes});
  var edges = new vis.DataSet({edges});
  var container = document.getElementById("network");
  var network = new vis.Network(container, {{nodes: nodes, edges: edges}}, {{
    physics: false, interaction: {{hover: true, tooltipDelay: 150}},
    nodes: {{shapeProperties: {{interpolation: false}}}}, edges: {{smooth: false}}
  }});
  network.once("afterDrawing", function() {{ container.setAttribute("data-drawn", nodes.length); }});
  window.mapNetwork = network;
}})();
</script></body></html>"""


def network_html(
    graph: nx.Graph,
    *,
    positions: Positions | None = None,
    title: str = "Network map",
    meta: str = "",
    use_codes: bool = False,
    height: int = 640,
    legend: bool = True,
    marking: str = MARKING,
) -> str:
    """A standalone page that draws ``graph`` with no network access."""
    positions = positions if positions is not None else layout(graph)
    nodes, edges = vis_elements(graph, positions, use_codes=use_codes)
    return PAGE.format(
        head=PAGE_HEAD,
        title=html.escape(title),
        marking=html.escape(marking),
        banner=html.escape(ASSOCIATION_BANNER),
        meta=html.escape(meta),
        height=height,
        legend=legend_html() if legend else "",
        vis_js=vis_network_js(),
        nodes=safe_json(nodes),
        edges=safe_json(edges),
    )
