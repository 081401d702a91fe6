"""Scoped graphs: the one place where a dataset version becomes a networkx graph.

Every view, analysis and export starts from a :class:`ScopedGraph`, so the filters and the
viewer's redactions (handling code C, a partner's view of adults of concern) are applied
once, here, and nothing downstream can forget them.
"""

from __future__ import annotations

import gc
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mapping.adult_roles import infer_adult_roles
from mapping.config import stale_after_days
from mapping.model import LIST_COLUMNS, LIST_SEPARATOR, MODEL, generalise_coordinate, parse_minimum
from mapping.store import VersionTables

NODE_ATTRIBUTES = (
    "entity_type",
    "label",
    "district",
    "age_band",
    "sex",
    "ideology",
    "case_status",
    "place_kind",
    "postcode",
    "lat",
    "lon",
    "platform",
    "adult_role",
    "adult_role_inferred",
    "private_place",
    "coordinates_generalised",
)
LIST_ATTRIBUTES = tuple(LIST_COLUMNS)


@dataclass(frozen=True)
class Scope:
    """What a viewer asked to see, and who they are."""

    role: str = MODEL.default_role
    since: date | None = None
    until: date | None = None
    districts: tuple[str, ...] = ()
    link_types: tuple[str, ...] = ()
    harms: tuple[str, ...] = ()
    min_grading: str | None = None
    include_stale: bool = False
    stale_days: int = field(default_factory=stale_after_days)
    today: date | None = None
    #: False leaves out protective contexts (trusted adults, protective places and protective
    #: link types), for analyses and exports as much as for the drawing.
    show_protective: bool = True
    #: Links recorded by these agencies only (empty: every agency).
    agencies: tuple[str, ...] = ()
    #: Young people with these case statuses only, as districts do (empty: every status).
    case_statuses: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        """The filters as plain data, for export headers and the audit log."""
        return {
            "role": self.role,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "districts": list(self.districts),
            "link_types": list(self.link_types),
            "harms": list(self.harms),
            "min_grading": self.min_grading,
            "include_stale": self.include_stale,
            "stale_days": self.stale_days,
            "show_protective": self.show_protective,
            "agencies": list(self.agencies),
            "case_statuses": list(self.case_statuses),
        }


@dataclass
class ScopedGraph:
    """A graph of one dataset version as one viewer may see it.

    ``graph`` has one edge per pair of entities, with ``weight`` (sum of link weights),
    ``links`` (the link ids behind it) and ``link_types``. ``links`` and ``entities`` hold
    the full records that remain in scope, for evidence panels and exports.
    """

    graph: nx.Graph
    links: pd.DataFrame
    entities: pd.DataFrame
    scope: Scope
    version: int | None = None
    #: How many links the viewer's role removed (handling code C, partners' adults): a
    #: count only, never the links, so every page can say "N links withheld for your role".
    withheld: int = 0
    #: Withheld links counted per pair of entity codes; read through withheld_touching().
    withheld_pairs: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    #: How many links the viewer may see were left out as stale (last seen over
    #: ``scope.stale_days`` ago, whatever the other filters); 0 when stale links are
    #: included. A count for explanations (``mapping.analysis.explain``).
    stale: int = 0

    def withheld_touching(self, nodes: Iterable[str]) -> int:
        """How many withheld links touch any of ``nodes`` (a count, never the links)."""
        wanted = set(nodes)
        return sum(n for (u, v), n in self.withheld_pairs.items() if u in wanted or v in wanted)

    def young_people(self) -> list[str]:
        return [n for n, d in self.graph.nodes(data=True) if d["entity_type"] == "young_person"]

    def link_records(self, link_ids: Iterable[str]) -> pd.DataFrame:
        return self.links[self.links["link_id"].isin(list(link_ids))]


def _isin(values: pd.Series, wanted: Iterable[object]) -> pd.Series:
    """``values.isin(wanted)`` for many wanted ids: pandas' isin on arrow strings boxes
    every wanted value in Python one by one (seconds for 245,000 ids at 1M links); as plain
    objects it is one hash-table pass. The same answer, missing values never wanted."""
    if isinstance(wanted, (set, frozenset)):
        wanted = list(wanted)
    return values.astype(object).isin(wanted)


def split_list(value: object) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ()
    return tuple(p for p in str(value).split(LIST_SEPARATOR) if p)


def _redact(links: pd.DataFrame, entities: pd.DataFrame, role_key: str) -> pd.DataFrame:
    role = MODEL.role(role_key)
    if not role.sees_handling_c:
        links = links[links["handling_code"].fillna("P") != "C"]
    if not role.sees_person_links_to_adults:
        adults = entities.loc[
            (entities["entity_type"] == "adult")
            & ~entities["adult_role"].isin(MODEL.adult_roles.with_flag("protective")),
            "entity_id",
        ]
        links = links[~_isin(links["source_id"], adults) & ~_isin(links["target_id"], adults)]
    if not role.sees_notes and "notes" in links:
        links = links.assign(notes=None)  # free text never reaches this role's outputs
    return links


def _filter_links(links: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    today = scope.today or date.today()
    last = links["last_seen"].fillna(links["first_seen"])
    first = links["first_seen"].fillna(links["last_seen"])
    keep = pd.Series(True, index=links.index)
    if scope.since:
        keep &= last.isna() | (last >= scope.since.isoformat())
    if scope.until:
        keep &= first.isna() | (first <= scope.until.isoformat())
    if not scope.include_stale:
        horizon = (today - timedelta(days=scope.stale_days)).isoformat()
        keep &= last.isna() | (last >= horizon)
    if scope.link_types:
        keep &= links["link_type"].isin(scope.link_types)
    if scope.agencies:
        keep &= links["source_agency"].isin(scope.agencies)
    if not scope.show_protective:
        keep &= ~links["link_type"].isin(list(MODEL.link_types.with_flag("protective")))
    if scope.min_grading:
        floor = parse_minimum(scope.min_grading)
        keep &= (links["source_evaluation"].fillna("9") <= floor.source_evaluation) & (
            links["intelligence_assessment"].fillna("Z") <= floor.intelligence_assessment
        )
    return links[keep]


def stale_count(links: pd.DataFrame, scope: Scope) -> int:
    """Links that ``scope`` hides as stale (0 when it includes stale links)."""
    if scope.include_stale:
        return 0
    today = scope.today or date.today()
    horizon = (today - timedelta(days=scope.stale_days)).isoformat()
    last = links["last_seen"].fillna(links["first_seen"])
    return int((last.notna() & (last < horizon)).sum())


def _excluded_young_people(entities: pd.DataFrame, scope: Scope) -> set[str]:
    young = entities[entities["entity_type"] == "young_person"]
    drop = pd.Series(False, index=young.index)
    if scope.districts:
        drop |= ~young["district"].isin(scope.districts)
    if scope.case_statuses:
        drop |= ~young["case_status"].isin(scope.case_statuses)
    if scope.harms:
        wanted = set(scope.harms)
        drop |= ~young["harms"].map(lambda h: bool(wanted & set(split_list(h))))
    return set(young.loc[drop, "entity_id"])


_PAUSES = {"depth": 0}
_PAUSE_LOCK = threading.Lock()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small containers are built.

    The graph holds no reference cycles worth collecting mid-build, and at 1M links the
    collector's repeated full passes cost several times the build itself (measured 51 s vs
    10 s). Reference counting still frees memory; nested and concurrent uses are counted.
    """
    with _PAUSE_LOCK:
        _PAUSES["depth"] += 1
        if _PAUSES["depth"] == 1:
            _PAUSES["was_enabled"] = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSES["depth"] -= 1
            if _PAUSES["depth"] == 0 and _PAUSES.get("was_enabled"):
                if not gc.get_freeze_count():
                    # What the pause built is long-lived: moved to the oldest generation
                    # (freeze, then unfreeze), so the first young collection after it does
                    # not walk all of it (8 s of a 1M-link build); a full collection still
                    # reaches it. Skipped when objects are frozen already (the app freezes
                    # its cached graphs): unfreezing would thaw those too.
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def build_scoped_graph(
    tables: VersionTables, scope: Scope | None = None, version: int | None = None
) -> ScopedGraph:
    """Build the graph of ``tables`` that ``scope`` allows; isolated entities are left out."""
    with gc_paused():
        return _build(tables, scope or Scope(), version)


def _build(tables: VersionTables, scope: Scope, version: int | None) -> ScopedGraph:
    entities = tables.entities
    redacted = _redact(tables.links, entities, scope.role)
    withheld = len(tables.links) - len(redacted)
    removed = tables.links.loc[~tables.links.index.isin(redacted.index), ["source_id", "target_id"]]
    pairs = Counter(
        (u, v) if u <= v else (v, u)
        for u, v in zip(removed["source_id"], removed["target_id"], strict=True)
    )
    # Blank adult roles read from the evidence this role may see (marked inferred).
    entities = infer_adult_roles(entities, redacted)
    links = _filter_links(redacted, scope)
    stale = stale_count(redacted, scope)
    excluded = _excluded_young_people(entities, scope)
    if not scope.show_protective:
        excluded |= _protective_contexts(entities)
    if scope.districts:
        # Other districts' unknown people are not shown either.
        excluded |= set(entities.loc[entities["entity_type"] == "unknown", "entity_id"])
    links = links[~_isin(links["source_id"], excluded) & ~_isin(links["target_id"], excluded)]
    if scope.districts:
        links = _within_reach(links, entities, scope.districts)
    graph = nx.Graph()
    used = pd.unique(pd.concat([links["source_id"], links["target_id"]]))
    kept = _generalise_addresses(entities[_isin(entities["entity_id"], used)], scope.role)
    _fill(graph, _node_records(kept), links)
    return ScopedGraph(
        graph,
        links.reset_index(drop=True),
        kept.reset_index(drop=True),
        scope,
        version,
        withheld=withheld,
        withheld_pairs=dict(pairs),
        stale=stale,
    )


def _node_records(kept: pd.DataFrame) -> Iterator[tuple[str, dict[str, object]]]:
    """(entity id, attributes) per entity, read column by column (``to_dict("records")``
    cost 15 s of a 45 s build at 245,000 entities)."""
    size = len(kept)
    columns: dict[str, list[object]] = {}
    for key in NODE_ATTRIBUTES:
        values = kept[key].astype(object) if key in kept else pd.Series([None] * size)
        columns[key] = [_clean(v) for v in values.tolist()]
    for key in LIST_ATTRIBUTES:
        values = kept[key].astype(object).tolist() if key in kept else [None] * size
        columns[key] = [split_list(v) for v in values]
    names = list(columns)
    rows = zip(*columns.values(), strict=True)
    for entity_id, row in zip(kept["entity_id"].tolist(), rows, strict=True):
        yield entity_id, dict(zip(names, row, strict=True))


def _generalise_addresses(kept: pd.DataFrame, role: str) -> pd.DataFrame:
    """Mark private places (``private_place``) and, for a role without true addresses,
    round their coordinates (``coordinates_generalised``). The one place this happens:
    maps, exports and packs read these attributes and never ask the role again."""
    places = (kept["entity_type"] == "place").to_numpy()  # only places can be private
    private = np.zeros(len(kept), dtype=bool)
    private[places] = [
        MODEL.is_private_place("place", kind, entity_id)
        for kind, entity_id in zip(
            kept["place_kind"].to_numpy()[places], kept["entity_id"].to_numpy()[places], strict=True
        )
    ]
    kept = kept.assign(private_place=private, coordinates_generalised=False)
    if MODEL.role(role).sees_true_addresses or not private.any():
        return kept
    mask = kept["private_place"]
    for axis in ("lat", "lon"):
        kept.loc[mask, axis] = [
            v if _clean(v) is None else generalise_coordinate(v) for v in kept.loc[mask, axis]
        ]
    kept.loc[mask, "coordinates_generalised"] = True
    return kept


def _fill(
    graph: nx.Graph, nodes: Iterable[tuple[str, dict[str, object]]], links: pd.DataFrame
) -> None:
    """Fill the empty ``graph`` with ``nodes`` and one edge per pair of entities in
    ``links``: summed weight, the link ids and link types behind it.

    The graph ``add_nodes_from(nodes)`` then ``add_edges_from`` of the merged pairs would
    build (the same nodes, neighbours and attributes, in the same insertion order; an end
    with no entity row is added bare, as networkx adds it), written straight into the plain
    ``nx.Graph``'s own dicts: networkx copies every attribute dict it is handed and checks
    every end again, and merging the pairs in a dict of their own first cost another 1M
    tuple keys (together about a third of a 1M-link build). The adjacency itself is the
    dict that merges the pairs. Pinned networkx; tests/mapping/test_graph.py checks it
    against networkx's own build.
    """
    if type(graph) is not nx.Graph or len(graph):
        raise ValueError("_fill fills an empty plain nx.Graph")
    node, adj = graph._node, graph._adj
    for n, attributes in nodes:
        node[n] = attributes
        adj[n] = {}
    columns = [
        links[c].to_numpy(dtype=object) for c in ("source_id", "target_id", "link_id", "link_type")
    ]
    weights = links["weight"].fillna(1.0).to_numpy(dtype=float).tolist()
    for source, target, link_id, link_type, weight in zip(*columns, weights, strict=True):
        if source <= target:
            u, v = source, target
        else:
            u, v = target, source
        neighbours = adj.get(u)
        if neighbours is None:
            node[u] = {}
            neighbours = adj[u] = {}
        data = neighbours.get(v)
        if data is None:
            if v not in adj:
                node[v] = {}
                adj[v] = {}
            data = neighbours[v] = {"weight": weight, "links": [link_id], "link_types": {link_type}}
            adj[v][u] = data
        else:
            data["weight"] += weight
            data["links"].append(link_id)
            data["link_types"].add(link_type)


def _protective_contexts(entities: pd.DataFrame) -> set[str]:
    """Trusted adults and places of a protective kind (youth clubs, sports clubs)."""
    places = list(MODEL.place_kinds.with_flag("protective"))
    adults = list(MODEL.adult_roles.with_flag("protective"))
    protective = ((entities["entity_type"] == "place") & entities["place_kind"].isin(places)) | (
        (entities["entity_type"] == "adult") & entities["adult_role"].isin(adults)
    )
    return set(entities.loc[protective, "entity_id"])


def _within_reach(
    links: pd.DataFrame, entities: pd.DataFrame, districts: Iterable[str]
) -> pd.DataFrame:
    """Keep links that touch a young person of the chosen districts, or stay among the
    contexts and adults those young people reach (so a district view shows its contexts)."""
    young = set(
        entities.loc[
            (entities["entity_type"] == "young_person") & entities["district"].isin(districts),
            "entity_id",
        ]
    )
    touches = _isin(links["source_id"], young) | _isin(links["target_id"], young)
    reached = set(links.loc[touches, "source_id"]) | set(links.loc[touches, "target_id"])
    others = set(entities.loc[entities["entity_type"] == "young_person", "entity_id"]) - young
    among = _isin(links["source_id"], reached) & _isin(links["target_id"], reached)
    no_other = ~_isin(links["source_id"], others) & ~_isin(links["target_id"], others)
    return links[touches | (among & no_other)]


def _clean(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value
