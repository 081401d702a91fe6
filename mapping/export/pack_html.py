"""The meeting pack as one offline interactive page: a tab per agenda item, and each
district's tab draws that district's own network (codes only).

One copy of vis-network serves every tab; a tab's network is drawn the first time the tab
is opened (a hidden container has no size to draw into). Every piece of data text is
escaped: titles and tables with ``html.escape``, the networks as JSON with ``<``, ``>`` and
``&`` escaped, and a Content-Security-Policy forbids any request leaving the file.
"""

from __future__ import annotations

import html

import networkx as nx

from mapping.export.pack import Slide, agenda_html
from mapping.meeting import Agenda, AgendaItem
from mapping.model import MARKING
from mapping.render.network import (
    ASSOCIATION_BANNER,
    PAGE_HEAD,
    layout,
    legend_html,
    safe_json,
    vis_elements,
    vis_network_js,
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head>{head}
<title>{title}</title>
<style>
.meta {{ font-size:13px; }}
nav {{ display:flex; flex-wrap:wrap; gap:4px; padding:6px 10px; border-bottom:2px solid #444; }}
nav button {{ font-size:15px; padding:6px 10px; border:1px solid #888; background:#f4f4f4; cursor:pointer; }}
nav button[aria-selected="true"] {{ background:#222; color:#fff; }}
.agenda {{ padding:0 12px; font-size:15px; }}
.agenda table {{ border-collapse:collapse; }}
.agenda td, .agenda th {{ border:1px solid #999; padding:2px 6px; }}
.wrap {{ display:flex; }}
.network {{ flex:1; height:560px; border-top:1px solid #ccc; }}
.legend {{ height:560px; }}
</style></head><body>
<div class="marking">{marking}</div>
<div class="banner">{banner}</div>
<div class="meta">{meta}</div>
<nav role="tablist">{tabs}</nav>
{sections}
<div class="marking">{marking}</div>
<script>{vis_js}</script>
<script>
(function() {{
  var networks = {networks};
  var drawn = {{}};
  function show(index) {{
    document.querySelectorAll("section.item").forEach(function(s) {{
      s.hidden = s.getAttribute("data-item") !== String(index); }});
    document.querySelectorAll("nav button").forEach(function(b) {{
      b.setAttribute("aria-selected", b.getAttribute("data-item") === String(index)); }});
    var data = networks[index];
    if (data && !drawn[index]) {{
      var container = document.getElementById("network-" + index);
      var nodes = new vis.DataSet(data.nodes);
      drawn[index] = new vis.Network(container, {{nodes: nodes, edges: new vis.DataSet(data.edges)}}, {{
        physics: false, interaction: {{hover: true, tooltipDelay: 150}},
        nodes: {{shapeProperties: {{interpolation: false}}}}, edges: {{smooth: false}}
      }});
      drawn[index].once("afterDrawing", function() {{ container.setAttribute("data-drawn", nodes.length); }});
    }}
  }}
  document.querySelectorAll("nav button").forEach(function(b) {{
    b.addEventListener("click", function() {{ show(b.getAttribute("data-item")); }}); }});
  show("0");
}})();
</script></body></html>"""


def group_slides(slides: list[Slide]) -> list[list[Slide]]:
    """Consecutive slides of one agenda item (same ``section``) together, in order."""
    groups: list[list[Slide]] = []
    for slide in slides:
        if groups and groups[-1][0].section == slide.section:
            groups[-1].append(slide)
        else:
            groups.append([slide])
    return groups


def meeting_page(
    agenda: Agenda, slides: list[Slide], whole_graph: nx.Graph, marking: str = MARKING
) -> str:
    """The page: the opening, one tab per district with its own network, the actions;
    ``marking`` (mapping.marking.marking_line: with the copy's recipient and review-by
    date when known) in the bands top and bottom, escaped."""
    meeting = agenda.meeting
    districts: dict[str | None, AgendaItem] = {
        item.district: item for item in agenda.items if item.district
    }
    tabs: list[str] = []
    sections: list[str] = []
    networks: dict[str, dict[str, object]] = {}
    for index, group in enumerate(group_slides(slides)):
        label = group[0].section or group[0].title
        tabs.append(
            f'<button role="tab" data-item="{index}" aria-selected="false">'
            f"{html.escape(label)}</button>"
        )
        body = agenda_html(group)
        item = districts.get(group[0].section)
        if item is not None:  # headline counts, then the district's network, then its tables
            sub = whole_graph.subgraph(item.nodes)
            nodes, edges = vis_elements(sub, layout(sub), use_codes=True)
            networks[str(index)] = {"nodes": nodes, "edges": edges}
            body = (
                agenda_html(group[:1]) + f'<div class="wrap"><div class="network" '
                f'id="network-{index}" data-testid="network"></div>{legend_html()}</div>'
                + agenda_html(group[1:])
            )
        sections.append(f'<section class="item" data-item="{index}" hidden>{body}</section>')
    return PAGE.format(
        head=PAGE_HEAD,
        title=html.escape(f"MACE meeting {meeting['meeting_date']}"),
        marking=html.escape(marking),
        banner=html.escape(ASSOCIATION_BANNER),
        meta=html.escape(
            f"Meeting {meeting['meeting_date']} · dataset version "
            f"{meeting['dataset_version']} · role {agenda.role}"
        ),
        tabs="".join(tabs),
        sections="".join(sections),
        networks=safe_json(networks),
        vis_js=vis_network_js(),
    )
