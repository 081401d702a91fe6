"""The meeting's presentation for a projector: one full screen (1920 x 1080 in mind) per
agenda item, in one offline page that the meeting page shows full screen.

A district's screen has its headline counts, its network large (only the entities raised at
the meeting carry their code; a legend beside it), its map, what changed and its locations
of concern in type a room can read. The keyboard and a presenter's clicker move on:
Right, Down, PageDown and Space go forward; Left, Up and PageUp go back; Home and End go to
the first and last item; Escape leaves the presentation (the page's toggle). The marking is
on every screen. Data text is escaped; the networks are JSON with <, > and & escaped; the
page's policy forbids any request.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from typing import Any

from mapping.meeting import Agenda, change_lines, withheld_note
from mapping.model import MARKING
from mapping.render.network import (
    ASSOCIATION_BANNER,
    PAGE_HEAD,
    VisItem,
    layout,
    legend_html,
    safe_json,
    vis_elements,
    vis_network_js,
)

STYLE = """<style>
html, body { height:100%; overflow:hidden; }
body { display:flex; flex-direction:column; font-size:24px; background:#fff; }
.marking { font-size:20px; padding:6px; flex:none; }
main { flex:1; position:relative; min-height:0; }
section.item { position:absolute; inset:0; display:flex; flex-direction:column; padding:8px 24px; }
section.item[hidden] { display:none; }
.head { display:flex; align-items:baseline; gap:32px; flex:none; }
.head h1 { font-size:44px; margin:0; }
.count { margin-left:auto; color:#444; }
.figures { display:flex; gap:40px; flex:none; margin:4px 0 8px 0; }
.figure b { display:block; font-size:56px; line-height:1.05; }
.body { flex:1; display:flex; gap:20px; min-height:0; }
.picture { flex:5; display:flex; min-width:0; border:1px solid #ccc; }
.network { flex:1; min-width:0; }
.legend { width:360px; font-size:14px; line-height:1.25; border-left:1px solid #ddd;
  column-count:2; column-gap:12px; padding:0 6px; overflow-y:auto; }
.legend h4 { margin:6px 0 2px 0; break-after:avoid; }
.legend ul { list-style:none; margin:0; padding:0; }
.legend li { break-inside:avoid; margin:1px 0; }
.side { flex:2; display:flex; flex-direction:column; gap:10px; min-width:0; overflow:hidden; }
.side img { max-width:100%; max-height:46%; object-fit:contain; align-self:flex-start; }
table { border-collapse:collapse; font-size:24px; }
td, th { border:1px solid #999; padding:3px 10px; text-align:left; vertical-align:top; }
th { background:#e8e8e8; }
.changes { font-size:22px; margin:0; padding-left:24px; }
.side table { font-size:22px; }
.note { color:#444; font-size:20px; }
#timer { position:fixed; right:24px; bottom:44px; font-size:28px; background:#fff; }
#exit { position:fixed; right:12px; top:5px; font-size:14px; }
</style>"""

MAX_TABLE_ROWS = 6


def _table(
    rows: list[dict[str, Any]], columns: list[str], empty: str = "None in this period."
) -> str:
    if not rows:
        return f'<p class="note">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in rows[:MAX_TABLE_ROWS]
    )
    more = len(rows) - MAX_TABLE_ROWS
    tail = f'<p class="note">and {more} more</p>' if more > 0 else ""
    return f"<table><tr>{head}</tr>{body}</table>{tail}"


def _figures(pairs: Iterable[tuple[str, object]]) -> str:
    return (
        '<div class="figures">'
        + "".join(
            f'<div class="figure"><b>{html.escape(str(v))}</b>{html.escape(k)}</div>'
            for k, v in pairs
        )
        + "</div>"
    )


def _section(index: int, total: int, title: str, body: str) -> str:
    return (
        f'<section class="item" data-item="{index}" hidden><div class="head">'
        f"<h1>{html.escape(title)}</h1>"
        f'<span class="count">Item {index + 1} of {total}</span></div>{body}</section>'
    )


def presentation_html(
    agenda: Agenda, maps: dict[str, bytes], start: int = 0, minutes: int = 0
) -> str:
    """The whole presentation: ``maps`` are the districts' map pictures (PNG) by district."""
    graph = agenda.scoped.graph if agenda.scoped is not None else None
    total = len(agenda.items)
    sections: list[str] = []
    networks: dict[str, dict[str, list[VisItem]]] = {}
    for index, item in enumerate(agenda.items):
        s = item.sections
        if item.key == "opening":
            review = s["outstanding_actions"]
            note = withheld_note(review)
            body = (
                _figures([("Actions to review", len(review))])
                + (f'<p class="note">{html.escape(note)}</p>' if note else "")
                + _table(
                    review,
                    ["district", "against", "tactic", "owner", "due", "status", "outcome"],
                    "No actions to review.",
                )
            )
        elif item.key == "online":
            body = _table(s["online_spaces"], ["code", "name", "flagged", "reach"])
        else:
            sub = graph.subgraph(item.nodes) if graph is not None else None
            raised = set(item.highlight)
            if sub is not None:
                nodes, edges = vis_elements(sub, layout(sub), use_codes=True)
                for node in nodes:  # only the raised entities carry their code
                    if node["id"] in raised:
                        node["font"] = {"size": 26, "face": "sans-serif", "background": "#ffffff"}
                        node["label"] = node["id"]
                    else:
                        node["label"] = ""
                networks[str(index)] = {"nodes": nodes, "edges": edges}
            picture = maps.get(item.district or "")
            image = (
                f'<img alt="Map of {html.escape(item.district or "")}" '
                f'src="data:image/png;base64,{base64.b64encode(picture).decode()}">'
                if picture
                else ""
            )
            changes = "".join(
                f"<li>{html.escape(line)}</li>" for line in change_lines(s["changes"])[:4]
            )
            body = (
                _figures(
                    [
                        ("Young people", s["young_people"]),
                        ("Locations of concern", len(s["hotspots"])),
                        ("Clusters", len(s["clusters"])),
                        ("Adults of concern", len(s["adults_of_concern"])),
                    ]
                )
                + '<div class="body"><div class="picture">'
                f'<div class="network" id="network-{index}" data-testid="network"></div>'
                f"{legend_html()}</div>"
                f'<div class="side">{image}<ul class="changes">{changes}</ul>'
                + _table(s["hotspots"], ["code", "name", "young_people", "harms"])
                + "</div></div>"
            )
        sections.append(_section(index, total, item.title, body))
    return PAGE.format(
        head=PAGE_HEAD,
        style=STYLE,
        title=html.escape(f"MACE meeting {agenda.meeting['meeting_date']}"),
        marking=html.escape(MARKING),
        banner=html.escape(ASSOCIATION_BANNER),
        sections="".join(sections),
        networks=safe_json(networks),
        start=int(start),
        total=total,
        minutes=int(minutes),
        vis_js=vis_network_js(),
    )


PAGE = """<!DOCTYPE html>
<html lang="en"><head>{head}{style}
<title>{title}</title></head><body tabindex="0">
<div class="marking">{marking}</div>
<main>{sections}</main>
<div class="marking">{marking} · {banner}</div>
<div id="timer" data-testid="timer"></div>
<button id="exit" type="button">Exit (Esc)</button>
<script>{vis_js}</script>
<script>
(function() {{
  var networks = {networks}, drawn = {{}}, current = -1, total = {total};
  var minutes = {minutes}, started = Date.now();
  function show(index) {{
    index = Math.max(0, Math.min(total - 1, index));
    if (index === current) return;
    current = index; started = Date.now();
    document.querySelectorAll("section.item").forEach(function(s) {{
      s.hidden = s.getAttribute("data-item") !== String(index); }});
    document.body.setAttribute("data-item", index);
    var data = networks[index];
    if (data && !drawn[index]) {{
      var container = document.getElementById("network-" + index);
      var nodes = new vis.DataSet(data.nodes);
      var net = new vis.Network(container, {{nodes: nodes, edges: new vis.DataSet(data.edges)}}, {{
        physics: false, interaction: {{hover: true, tooltipDelay: 150, keyboard: false}},
        nodes: {{shapeProperties: {{interpolation: false}}}}, edges: {{smooth: false}}
      }});
      net.once("afterDrawing", function() {{ net.fit(); container.setAttribute("data-drawn", nodes.length); }});
      drawn[index] = net;
    }}
  }}
  var forward = ["ArrowRight", "ArrowDown", "PageDown", " ", "Spacebar", "Enter"];
  var back = ["ArrowLeft", "ArrowUp", "PageUp", "Backspace"];
  function exit() {{
    try {{
      var toggles = window.parent.document.querySelectorAll('[data-testid="stToggle"] input');
      toggles.forEach(function(t) {{ if (t.closest("label") && /Presentation view/.test(t.closest("label").innerText)) t.click(); }});
    }} catch (e) {{}}
  }}
  function key(event) {{
    if (event.target && /INPUT|TEXTAREA|SELECT/.test(event.target.tagName)) return;
    if (forward.indexOf(event.key) >= 0) show(current + 1);
    else if (back.indexOf(event.key) >= 0) show(current - 1);
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(total - 1);
    else if (event.key === "Escape") exit();
    else return;
    event.preventDefault();
  }}
  document.addEventListener("keydown", key);
  try {{  // a clicker's keys reach the page around us too; one handler at a time
    var host = window.parent;
    if (host.__meetingKeys) host.document.removeEventListener("keydown", host.__meetingKeys);
    host.__meetingKeys = key;
    host.document.addEventListener("keydown", key);
  }} catch (e) {{}}
  document.getElementById("exit").addEventListener("click", exit);
  function tick() {{
    if (!minutes) return;
    var spent = Math.floor((Date.now() - started) / 1000);
    var t = document.getElementById("timer");
    t.textContent = Math.floor(spent / 60) + ":" + String(spent % 60).padStart(2, "0") + " of " + minutes + ":00";
    t.style.color = spent > minutes * 60 ? "#b00020" : "#222";
  }}
  setInterval(tick, 1000);
  show({start});
  document.body.focus();
}})();
</script></body></html>"""
