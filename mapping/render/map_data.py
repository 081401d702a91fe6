"""What the map shows, as plain data: places and online spaces with their counts, district
counts, peer-group lines and hotspot weights. ``mapping.render.map`` draws it with folium;
the page lists online spaces and unlocated places from it; tests read it directly.

Built only from a :class:`~mapping.graph.ScopedGraph`, so district, period and grading
filters and the viewer's redactions are already applied. Counts are of young people, never
their names; a home address is placed by :func:`mapping.geo.shown_coordinates` (about 1 km
grid) for every role that does not see true addresses, and drawn as that grid cell (an
area, not the address) for partners (:func:`mapping.geo.shown_area`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

import geopandas as gpd
import networkx as nx
import pandas as pd

from mapping import geo
from mapping.analysis.clusters import Cluster, membership
from mapping.analysis.harms import HARM_KEYS, harm_counts_text, harm_profile
from mapping.analysis.hotspots import flagged_neighbours
from mapping.analysis.overlap import context_kind
from mapping.graph import ScopedGraph
from mapping.model import AREA_NOT_ADDRESS, MODEL

#: What a place's ``evidence`` counts, in the popup, the panel and the online spaces table
#: alike: the links between the place and the young people linked to it (flagged or not).
YOUNG_PEOPLE_LINKS = "Links to young people"

#: One peer-group line: two located places one cluster's young people share (see
#: :func:`peer_lines`); a dict, as the map's layer script and the tests read it.
PeerLine = TypedDict(
    "PeerLine",
    {
        "cluster": str,
        "overlap": bool,
        "from": str,
        "to": str,
        "young_people": int,
        "points": list[list[float]],
        "evidence": list[str],
    },
)


@dataclass
class ContextOnMap:
    """One place or online space, with what a MACE meeting asks of it."""

    id: str
    label: str
    kind: str
    entity_type: str
    district: str | None
    flagged_young_people: int
    young_people: int
    harms: dict[str, int]
    overlap: bool
    clusters: list[str]
    evidence: list[str]
    lat: float | None = None
    lon: float | None = None
    located_by: str = "not located"
    generalised: bool = False
    #: (south, west, north, east) when drawn as an area (a partner's view of a home
    #: address, ``mapping.geo.shown_area``), else None: drawn as a point.
    area: tuple[float, float, float, float] | None = None


@dataclass
class MapData:
    """Everything drawn on the map and listed beside it.

    ``places`` are located places (drawn); ``online_spaces`` have no location (listed);
    ``not_located`` are places with neither coordinates nor a known postcode; ``outside`` are
    places inside no district boundary; ``districts`` maps a district name to its counts;
    ``peer_lines`` join places one cluster's young people use; ``heat`` is [lat, lon, weight].
    """

    places: list[ContextOnMap]
    online_spaces: list[ContextOnMap]
    not_located: list[ContextOnMap]
    districts: dict[str, dict[str, int]]
    peer_lines: list[PeerLine]
    heat: list[list[float]]
    outside: list[str] = field(default_factory=list)
    assigned: dict[str, str] = field(default_factory=dict)
    role: str = MODEL.default_role


def context_summary(scoped: ScopedGraph, node: str, clusters_of: dict[str, str]) -> ContextOnMap:
    """Counts for one context: flagged young people linked, their harm flags, the clusters
    they belong to and the link ids behind it all."""
    graph = scoped.graph
    data = graph.nodes[node]
    flagged = flagged_neighbours(graph, node)
    young = [n for n in graph.neighbors(node) if graph.nodes[n]["entity_type"] == "young_person"]
    profile = harm_profile(graph, flagged)
    evidence = sorted({link for n in young for link in graph.edges[node, n]["links"]})
    return ContextOnMap(
        id=node,
        label=str(data.get("label") or node),
        kind=context_kind(data),
        entity_type=data["entity_type"],
        district=data.get("district"),
        flagged_young_people=len(flagged),
        young_people=len(young),
        harms={h: profile["harms"][h] for h in HARM_KEYS if profile["harms"].get(h)},
        overlap=bool(profile["overlap"]),
        clusters=sorted({clusters_of[p] for p in flagged if p in clusters_of}),
        evidence=evidence,
    )


def build_map_data(
    scoped: ScopedGraph,
    clusters: list[Cluster],
    *,
    postcodes: geo.PostcodeTable | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> MapData:
    """The map of ``scoped``: contexts located, districts counted, peer lines, heat.

    ``boundaries`` (a GeoDataFrame from :func:`mapping.geo.read_boundaries`) fills blank
    districts by spatial join and reports places outside every boundary.
    """
    graph = scoped.graph
    clusters_of = membership(clusters)
    contexts = [n for n, d in graph.nodes(data=True) if MODEL.is_context(d["entity_type"])]
    summaries = {n: context_summary(scoped, n, clusters_of) for n in sorted(contexts)}
    place_ids = [n for n in summaries if summaries[n].entity_type == "place"]
    located = geo.locate_places(_place_frame(graph, place_ids), postcodes)
    join = None
    if boundaries is not None and len(located):
        join = geo.assign_districts(located, boundaries)
    for row in located.to_dict("records"):
        summary = summaries[row["entity_id"]]
        if join is not None and join.districts.get(summary.id):
            summary.district = join.districts[summary.id]
        if row["located_by"] == "not located":
            continue
        summary.lat, summary.lon, summary.generalised = geo.shown_coordinates(
            summary.id,
            graph.nodes[summary.id],
            float(row["lat"]),
            float(row["lon"]),
            scoped.scope.role,
        )
        summary.area = geo.shown_area(
            summary.lat, summary.lon, summary.generalised, scoped.scope.role
        )
        summary.located_by = row["located_by"]
    places = [summaries[p] for p in place_ids if summaries[p].lat is not None]
    return MapData(
        places=places,
        online_spaces=[s for s in summaries.values() if s.entity_type != "place"],
        not_located=[summaries[p] for p in place_ids if summaries[p].lat is None],
        districts=district_counts(graph, summaries.values()),
        peer_lines=peer_lines(graph, clusters, {p.id: p for p in places}),
        heat=[[*lat_lon(p), float(len(p.evidence))] for p in places if p.flagged_young_people],
        outside=join.outside if join else [],
        assigned=join.assigned if join else {},
        role=scoped.scope.role,
    )


def _place_frame(graph: nx.Graph, place_ids: list[str]) -> pd.DataFrame:
    rows = [
        {
            "entity_id": p,
            **{k: graph.nodes[p].get(k) for k in ("district", "postcode", "lat", "lon")},
        }
        for p in place_ids
    ]
    return pd.DataFrame(rows, columns=["entity_id", "district", "postcode", "lat", "lon"])


def district_counts(graph: nx.Graph, contexts: Iterable[ContextOnMap]) -> dict[str, dict[str, int]]:
    """Per district: young people in scope, those with a harm flag, and places."""
    counts: dict[str, Counter[str]] = {}
    for _, data in graph.nodes(data=True):
        if data["entity_type"] == "young_person" and data.get("district"):
            row = counts.setdefault(data["district"], Counter())
            row["young_people"] += 1
            row["flagged_young_people"] += bool(data.get("harms"))
    for context in contexts:
        if context.entity_type == "place" and context.district:
            counts.setdefault(context.district, Counter())["places"] += 1
    return {
        d: {k: c.get(k, 0) for k in ("young_people", "flagged_young_people", "places")}
        for d, c in sorted(counts.items())
    }


def peer_lines(
    graph: nx.Graph, clusters: list[Cluster], places: dict[str, ContextOnMap]
) -> list[PeerLine]:
    """Lines joining the located places each cluster's young people share (two or more
    members linked), as the shortest tree through them: the peer group's "territory"."""
    lines: list[PeerLine] = []
    for cluster in clusters:
        young = set(cluster.young_people)
        used: dict[str, list[str]] = {}
        for place in cluster.contexts:
            if place not in places or place not in graph:
                continue
            members = [n for n in graph.neighbors(place) if n in young]
            if len(members) >= 2:
                used[place] = members
        if len(used) < 2:
            continue
        tree = nx.minimum_spanning_tree(_distances(places, sorted(used)))
        for a, b in sorted(tuple(sorted(e)) for e in tree.edges):
            evidence = sorted(
                {link for p in (a, b) for n in used[p] for link in graph.edges[p, n]["links"]}
            )
            lines.append(
                {
                    "cluster": cluster.id,
                    "overlap": cluster.overlap,
                    "from": a,
                    "to": b,
                    "young_people": len(set(used[a]) | set(used[b])),
                    "points": [list(lat_lon(places[a])), list(lat_lon(places[b]))],
                    "evidence": evidence,
                }
            )
    return lines


def lat_lon(place: ContextOnMap) -> tuple[float, float]:
    """``place``'s (lat, lon); only for places already known to be on the map."""
    assert place.lat is not None and place.lon is not None, "place is not located"
    return place.lat, place.lon


def _distances(places: dict[str, ContextOnMap], ids: list[str]) -> nx.Graph:
    graph = nx.Graph()
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            (lat_a, lon_a), (lat_b, lon_b) = lat_lon(places[a]), lat_lon(places[b])
            dy = lat_a - lat_b
            dx = (lon_a - lon_b) * math.cos(math.radians(lat_a))
            graph.add_edge(a, b, weight=math.hypot(dx, dy))
    return graph


def online_space_rows(data: MapData) -> pd.DataFrame:
    """Online spaces with the same counts as the places on the map, most flagged first."""
    rows = [
        {
            "online space": s.label,
            "district": s.district or "",
            "young people with harm flags": s.flagged_young_people,
            "young people linked": s.young_people,
            "harm flags": harm_text(s.harms),
            "clusters": ", ".join(s.clusters),
            YOUNG_PEOPLE_LINKS.lower(): len(s.evidence),
            "id": s.id,
        }
        for s in data.online_spaces
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "online space",
            "district",
            "young people with harm flags",
            "young people linked",
            "harm flags",
            "clusters",
            YOUNG_PEOPLE_LINKS.lower(),
            "id",
        ],
    )
    return frame.sort_values(
        ["young people with harm flags", "online space"], ascending=[False, True]
    ).reset_index(drop=True)


def kind_label(kind: str) -> str:
    """``Takeaway``, ``Address (private)``, ``Online space``: the model's words for a kind."""
    if kind in MODEL.place_kinds:
        return MODEL.place_kinds.label(kind)
    return MODEL.entity_types.label(kind) if kind in MODEL.entity_types else kind


def harm_text(harms: dict[str, int]) -> str:
    """``CCE 3, CSE 1``: short harm labels with the number of young people flagged."""
    return harm_counts_text(harms)


def find_context(data: MapData, node: str | None) -> ContextOnMap | None:
    for context in (*data.places, *data.online_spaces, *data.not_located):
        if context.id == node:
            return context
    return None


def clicked_place(
    data: MapData, returned: Mapping[str, Any] | None, tolerance: float = 1e-4
) -> str | None:
    """The place a map click chose, from what st_folium returns: the clicked marker's
    ``place_id`` property, else the place drawn at the clicked point; None otherwise."""
    if not returned:
        return None
    drawing = returned.get("last_active_drawing") or {}
    place = (drawing.get("properties") or {}).get("place_id")
    if isinstance(place, str) and place and find_context(data, place) is not None:
        return place
    point = returned.get("last_object_clicked") or {}
    lat, lon = point.get("lat"), point.get("lng")
    if lat is None or lon is None:
        return None
    near = [p for p in data.places if abs(p.lat - lat) < tolerance and abs(p.lon - lon) < tolerance]
    return near[0].id if len(near) == 1 else None


def context_rows(context: ContextOnMap) -> list[tuple[str, str]]:
    """The evidence panel's summary of one place or online space (counts, never names)."""
    return [
        ("Kind", kind_label(context.kind)),
        ("District", context.district or "not recorded"),
        ("Young people with harm flags", str(context.flagged_young_people)),
        ("Young people linked", str(context.young_people)),
        ("Harm flags", harm_text(context.harms) or "none"),
        ("Harm types overlap", "yes" if context.overlap else "no"),
        ("Clusters", ", ".join(context.clusters) or "none"),
        (YOUNG_PEOPLE_LINKS, str(len(context.evidence))),
        (
            "Located by",
            context.located_by + located_note(context),
        ),
    ]


def located_note(context: ContextOnMap) -> str:
    """What "Located by" adds for a generalised home address: the grid, and whether it is
    drawn as an area (not the address) or a rounded point."""
    if context.area is not None:
        return f" (home address: ~1 km grid cell, {AREA_NOT_ADDRESS})"
    return " (home address: ~1 km grid)" if context.generalised else ""


def all_links_caption(context: ContextOnMap, all_links: list[str]) -> str:
    """The caption over the panel's evidence table, which lists every link of the place:
    it says how that differs from the popup's count (links to young people only)."""
    others = len(set(all_links) - set(context.evidence))
    return (
        f"All {len(all_links)} link(s) behind this place's connections: "
        f"{len(context.evidence)} to young people, {others} to adults and other places"
    )


def outside_note(data: MapData) -> str | None:
    """Why located places sit outside every district boundary, or None when none do."""
    outside, located = len(data.outside), len(data.places)
    if not outside:
        return None
    if outside >= located:
        return (
            f"None of the {located:,} located places is inside a district of the boundaries "
            "file: the file probably covers another area (the sample's districts are "
            "fictional). Upload your authority's boundaries under “District boundaries”, or "
            "set MAPPING_BOUNDARIES_FILE. The places are drawn, with no district."
        )
    return (
        f"{outside:,} of {located:,} located places are outside every district boundary: they "
        "may lie beyond the area the boundaries file covers (a neighbouring authority), or "
        "their coordinates or postcodes may be wrong. They are drawn, with no district."
    )
