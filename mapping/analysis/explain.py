"""Explanations: why an answer is empty or partial, in the same sentences everywhere.

A MACE analyst reads an empty answer as "no structure" and a missing person as a fact, so
every analysis result carries the reasons it shows less than the data holds: links hidden
as stale (and how to show them), links withheld for the viewer's role (a count, never the
links), entities of unknown type, people in no cluster, places not located, adult roles
inferred from the evidence. ``analyse --json`` prints them as ``explanations``; the CLI,
the pages and the exports show the same ``message`` text (call :func:`explanations`).

Pure: a scoped graph (and the report, when there is one) in, plain dicts out; it never
names a person.
"""

from __future__ import annotations

from typing import Any

from mapping.analysis.clusters import MAX_CLUSTER_SHARE
from mapping.graph import ScopedGraph
from mapping.model import MODEL


def _item(code: str, count: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "count": int(count)}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def scope_explanations(scoped: ScopedGraph) -> list[dict[str, Any]]:
    """What the scope left out or could not place: every result built on ``scoped`` says so."""
    found = []
    graph = scoped.graph
    if scoped.stale:
        found.append(
            _item(
                "stale_links_hidden",
                scoped.stale,
                f"{_plural(scoped.stale, 'link was', 'links were')} last seen over "
                f"{scoped.scope.stale_days} days ago and {'is' if scoped.stale == 1 else 'are'} "
                "hidden as stale; analyse or export with --include-stale (on a page, tick "
                "'Show stale links') to include them.",
            )
        )
    if scoped.withheld:
        role = MODEL.role(scoped.scope.role)
        found.append(
            _item(
                "links_withheld",
                scoped.withheld,
                f"{_plural(scoped.withheld, 'link is', 'links are')} withheld for the "
                f"{role.label} role (handling code C, or person-level links a partner may "
                "not see); only the count is shown.",
            )
        )
    if graph.number_of_nodes() == 0:
        district = (
            " A district view starts from the young people of the district and what they "
            "reach, so data with no young person there (e.g. adults only) shows nothing; "
            "leave the district out to see it."
            if scoped.scope.districts
            else ""
        )
        found.append(
            _item(
                "nothing_in_scope",
                0,
                "Nothing is in scope: no link of this dataset version matches these filters "
                "for this role." + district,
            )
        )
    unknown = sum(1 for _, kind in graph.nodes(data="entity_type") if kind == "unknown")
    if unknown:
        found.append(
            _item(
                "unknown_entities",
                unknown,
                f"{_plural(unknown, 'entity is', 'entities are')} of unknown type (only named "
                "in a link); add them to an entities sheet to say who or what they are.",
            )
        )
    unlocated = sum(
        1
        for _, data in graph.nodes(data=True)
        if data["entity_type"] == "place" and (data.get("lat") is None or data.get("lon") is None)
    )
    if unlocated:
        found.append(
            _item(
                "places_not_located",
                unlocated,
                f"{_plural(unlocated, 'place has', 'places have')} no location and "
                f"{'is' if unlocated == 1 else 'are'} not on the map; give lat/lon, "
                "eastings/northings or a postcode.",
            )
        )
    inferred = sum(1 for _, data in graph.nodes(data=True) if data.get("adult_role_inferred"))
    if inferred:
        found.append(
            _item(
                "adult_roles_inferred",
                inferred,
                f"{_plural(inferred, 'adult has a role', 'adults have roles')} inferred from "
                "the evidence (no adult_role was recorded): marked 'inferred' wherever shown.",
            )
        )
    return found


def report_explanations(scoped: ScopedGraph, report: dict[str, Any]) -> list[dict[str, Any]]:
    """Why the analysis shows less than the scope holds (people in no cluster, and so on)."""
    found = []
    graph = scoped.graph
    clustered = {m for c in report.get("clusters", []) for m in c["members"]}
    people = [n for n, kind in graph.nodes(data="entity_type") if MODEL.is_person(kind)]
    outside = sum(1 for n in people if n not in clustered)
    if outside:
        found.append(
            _item(
                "people_in_no_cluster",
                outside,
                f"{_plural(outside, 'person is', 'people are')} in no reported cluster: "
                "their group has fewer than two young people and fewer than three people, "
                "or they are linked to no one else.",
            )
        )
    oversized = [c for c in report.get("clusters", []) if c.get("oversized")]
    if oversized:
        largest = max(c.get("share", 0) for c in oversized)
        found.append(
            _item(
                "oversized_clusters",
                len(oversized),
                f"{_plural(len(oversized), 'cluster holds', 'clusters hold')} more than "
                f"{MAX_CLUSTER_SHARE:.0%} of all people in scope (the largest {largest:.0%}) "
                f"and would not split further: {'its' if len(oversized) == 1 else 'their'} "
                "members are that densely linked; narrow "
                "the scope (district, period, link types) to see its structure.",
            )
        )
    split = sum(1 for c in report.get("clusters", []) if c.get("split"))
    if split:
        found.append(
            _item(
                "large_clusters_split",
                split,
                f"{_plural(split, 'cluster was', 'clusters were')} found by splitting a group "
                f"holding more than {MAX_CLUSTER_SHARE:.0%} of all people (Louvain on its own "
                "links).",
            )
        )
    adults_only = sum(1 for c in report.get("clusters", []) if c.get("network") == "adults")
    if adults_only:
        found.append(
            _item(
                "adults_networks",
                adults_only,
                f"{_plural(adults_only, 'cluster has', 'clusters have')} no young person: "
                f"{'it is an' if adults_only == 1 else 'they are'} adults' network"
                f"{'' if adults_only == 1 else 's'} (young_people is empty).",
            )
        )
    return found


def explanations(scoped: ScopedGraph, report: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every explanation for a result on ``scoped``: ``[{code, message, count}]``.

    Examples
    --------
    >>> from mapping.graph import build_scoped_graph
    >>> from mapping.store import VersionTables
    >>> import pandas as pd
    >>> from mapping.store import ENTITY_COLUMNS, INCIDENT_COLUMNS, LINK_COLUMNS
    >>> empty = VersionTables(*(pd.DataFrame(columns=list(c)) for c in
    ...     (ENTITY_COLUMNS, LINK_COLUMNS, INCIDENT_COLUMNS)))
    >>> [e["code"] for e in explanations(build_scoped_graph(empty))]
    ['nothing_in_scope']
    """
    found = scope_explanations(scoped)
    if report is not None:
        found += report_explanations(scoped, report)
    return found


def export_notice(scoped: ScopedGraph, notice: str) -> str:
    """An export's notice followed by the scope's explanations, so every file (CSV metadata
    row, GraphML/GEXF graph data, GeoJSON metadata, workbook README) says in the same words
    why it holds less than the data, e.g. 0 nodes because every link is stale."""
    return " ".join([notice, *explanation_lines(scope_explanations(scoped))])


def explanation_lines(items: list[dict[str, Any]]) -> list[str]:
    """The sentences alone, for the CLI's stderr and a page's notes."""
    return [item["message"] for item in items]
