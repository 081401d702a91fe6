"""The explorer's logic: search, what to draw, and what a click opens.

A practitioner types a young person's case ID: it is hashed with the workspace key (through
``mapping.lookup``) and compared with stored codes; the raw ID is never kept. An analyst
finds a place or online space by name. The view is the whole scoped graph, one entity's
neighbourhood, or (for large graphs) clusters collapsed into single nodes that open on
click. This module is pure: it never touches Streamlit, files or raw identifiers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from mapping.analysis.harms import short_label
from mapping.analysis.neighbourhood import neighbourhood
from mapping.graph import ScopedGraph
from mapping.model import MODEL

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from mapping.analysis.clusters import Cluster
    from mapping.store import Store

#: Above this many entities the view starts from clusters collapsed into single nodes.
#: (benchmarks/browser_draw_bench.py: 1,500 entities pan at 35 ms a frame, at most 70.)
COLLAPSE_ABOVE_NODES = 1_500
#: The largest number of entities drawn individually at once (expanded clusters included).
#: 2,000 pan at 45 ms a frame, at most 93; 2,500 at 64-94 ms, up to 191 (docs/explorer.md).
MAX_DRAWN_NODES = 2_000
GROUP_PREFIX = "cluster:"
OTHERS = GROUP_PREFIX + "others"


@dataclass
class Hit:
    """One search result: the stored id, what to call it on screen, and how it matched."""

    node: str
    shown_as: str
    kind: str
    matched_by: str


@dataclass
class Group:
    """A cluster drawn as one node: ``size`` members, ``harms`` the mix of harm flags."""

    id: str
    title: str
    size: int
    harms: dict[str, int]
    members: list[str]


@dataclass
class ExplorerView:
    """What the explorer draws: entities one by one, plus any collapsed groups."""

    graph: nx.Graph
    groups: list[Group] = field(default_factory=list)
    group_edges: list[tuple[str, str, int]] = field(default_factory=list)
    highlight: set[str] = field(default_factory=set)
    note: str = ""
    #: For entities of opened clusters: the group they belong to (drawn around its place).
    owner: dict[str, str] = field(default_factory=dict)
    #: Groups asked to open but left closed: opening them would draw too many entities.
    refused: list[str] = field(default_factory=list)
    #: The person or place whose network is open (always labelled, drawn larger).
    focus: str | None = None


def is_named_context(data: dict[str, Any]) -> bool:
    """Entities searchable by name: contexts and groups, never people or private addresses."""
    kind = data.get("entity_type", "")
    if MODEL.is_person(kind):
        return False
    return not MODEL.is_private_place(kind, data.get("place_kind"))


def shown_as(graph: nx.Graph, node: str) -> str:
    data = graph.nodes[node]
    return str(data.get("label") or node) if is_named_context(data) else node


def normalise(text: object) -> str:
    """Text as search compares it: case-folded, runs of spaces (and tabs, non-breaking
    spaces) collapsed to one, ends trimmed."""
    return " ".join(str(text or "").replace("\u00a0", " ").split()).casefold()


def attribute_words(data: dict[str, Any]) -> set[str]:
    """What an entity can be found by besides its code: type, district, case status, harm
    flags, kind of place, adult role, age band, platform (labels, keys and short tags)."""
    words = {MODEL.entity_types.label(data["entity_type"]), data["entity_type"]}
    for key, vocabulary in (
        ("case_status", MODEL.case_statuses),
        ("place_kind", MODEL.place_kinds),
        ("adult_role", MODEL.adult_roles),
        ("ideology", MODEL.ideologies),
    ):
        value = data.get(key)
        if value:
            words |= {value, vocabulary.label(value) if value in vocabulary else value}
    for harm in data.get("harms") or ():
        if harm in MODEL.harms:
            words |= {harm, MODEL.harms.label(harm), short_label(harm)}
    for key in ("district", "age_band", "platform"):
        if data.get(key):
            words.add(str(data[key]))
    return {normalise(w) for w in words if w}


def search_by_attributes(graph: nx.Graph, terms: list[str], limit: int) -> list[str] | None:
    """Entities carrying every one of ``terms`` (e.g. "Child Protection, CSE, Castleton"),
    or None when a term is no attribute anywhere in the graph (then it is not such a search)."""
    wanted = [normalise(t) for t in terms if normalise(t)]
    if not wanted:
        return None
    words = {n: attribute_words(d) for n, d in graph.nodes(data=True)}
    known = set().union(*words.values()) if words else set()
    if not all(term in known for term in wanted):
        return None
    return [n for n in sorted(graph) if all(t in words[n] for t in wanted)][:limit]


def search(
    scoped: ScopedGraph,
    query: str,
    resolve_raw: Callable[[str], str | None] | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Entities matching ``query``: a raw case ID (via ``resolve_raw``), a code, a name, or
    attributes separated by commas ("Child Protection, CSE, Castleton").

    ``resolve_raw`` maps a raw ID to a stored id (``mapping.lookup.lookup`` bound to the
    store and key) or None; the raw text goes no further than that call. Spaces are
    normalised (a double space inside a name still finds it); people are found by code,
    case ID or attributes, never by name.
    """
    text = " ".join((query or "").split())
    graph = scoped.graph
    if not text:
        return []
    hits: dict[str, Hit] = {}

    def add(node: str, how: str) -> None:
        if node in graph and node not in hits:
            kind = MODEL.entity_types.label(graph.nodes[node]["entity_type"])
            hits[node] = Hit(node, shown_as(graph, node), kind, how)

    if resolve_raw is not None:
        found = resolve_raw(text)
        if found:
            add(found, "case ID")
    add(text, "code")
    add(text.upper(), "code")
    needle = normalise(text)
    for node, data in sorted(graph.nodes(data=True)):
        if len(hits) >= limit:
            break
        if is_named_context(data) and needle in normalise(data.get("label")):
            add(node, "name")
    if not hits:
        for node in search_by_attributes(graph, text.split(","), limit) or ():
            add(node, "attributes")
    return list(hits.values())


def focus_view(graph: nx.Graph, centre: str, hops: int) -> tuple[ExplorerView, object]:
    """One entity's neighbourhood at ``hops`` links, contexts first."""
    hood = neighbourhood(graph, centre, hops)
    note = f"{len(hood.nodes)} entities within {hops} link(s)" + (
        f"; {hood.left_out} more left out (narrow the filters)" if hood.truncated else ""
    )
    return ExplorerView(graph.subgraph(hood.nodes), highlight=set(), note=note, focus=centre), hood


def should_collapse(graph: nx.Graph) -> bool:
    return bool(graph.number_of_nodes() > COLLAPSE_ABOVE_NODES)


def partition(graph: nx.Graph, clusters: Sequence[Cluster]) -> dict[str, str]:
    """Each entity's group: its cluster, or 'others' for entities in no cluster."""
    owner: dict[str, str] = {}
    for cluster in clusters:
        for node in cluster.members:
            owner.setdefault(node, GROUP_PREFIX + cluster.id)
    for cluster in clusters:  # a context shared by clusters goes to the strongest one
        for node in cluster.contexts:
            owner.setdefault(node, GROUP_PREFIX + cluster.id)
    return {n: owner.get(n, OTHERS) for n in graph.nodes}


def _groups(graph: nx.Graph, owner: dict[str, str], expanded: set[str]) -> list[Group]:
    members: dict[str, list[str]] = {}
    for node, group in owner.items():
        members.setdefault(group, []).append(node)
    groups = []
    for group, nodes in sorted(members.items()):
        if group in expanded:
            continue
        harms: Counter[str] = Counter()
        for node in nodes:
            if graph.nodes[node]["entity_type"] == "young_person":
                harms.update(graph.nodes[node].get("harms") or ())
        title = (
            "Not in a cluster" if group == OTHERS else "Cluster " + group.removeprefix(GROUP_PREFIX)
        )
        harm_order = MODEL.harms.keys()  # model order, not alphabetical
        ordered = {h: harms[h] for h in harm_order if harms[h]}
        groups.append(Group(group, title, len(nodes), ordered, sorted(nodes)))
    return groups


def openable(
    owner: dict[str, str],
    expanded: Iterable[str],
    max_nodes: int = MAX_DRAWN_NODES,
) -> tuple[set[str], list[str]]:
    """The groups of ``expanded`` (in the order they were opened) that fit under
    ``max_nodes`` entities drawn one by one, and those refused (left closed).

    A group that would take the drawing over the cap stays closed rather than closing one
    the user is already looking at; a later, smaller group may still fit.
    """
    sizes = Counter(owner.values())
    opened: set[str] = set()
    refused: list[str] = []
    drawn = 0
    for group in dict.fromkeys(expanded):
        if drawn + sizes[group] > max_nodes:
            refused.append(group)
        else:
            opened.add(group)
            drawn += sizes[group]
    return opened, refused


def collapsed_view(
    graph: nx.Graph,
    clusters: Sequence[Cluster],
    expanded: Iterable[str] = (),
    max_nodes: int = MAX_DRAWN_NODES,
) -> ExplorerView:
    """Clusters as single nodes; clusters in ``expanded`` drawn entity by entity, as many as
    fit under ``max_nodes`` entities (the rest are listed in ``refused`` and the note)."""
    owner = partition(graph, clusters)
    opened, refused = openable(owner, expanded, max_nodes)
    shown = {n for n, g in owner.items() if g in opened}
    between: Counter[tuple[str, str]] = Counter()
    for u, v, data in graph.edges(data=True):
        a = u if u in shown else owner[u]
        b = v if v in shown else owner[v]
        if a != b and not (u in shown and v in shown):
            first, second = sorted((a, b))
            between[(first, second)] += len(data.get("links", ())) or 1
    view = ExplorerView(
        graph.subgraph(shown),
        _groups(graph, owner, opened),
        [(a, b, n) for (a, b), n in sorted(between.items())],
        owner={n: owner[n] for n in shown},
    )
    view.note = (
        f"{len(view.groups)} collapsed group(s), {len(shown)} entities shown one by "
        "one. Click a group to open it."
    )
    if refused:
        titles = ", ".join(g.title for g in view.groups if g.id in refused)
        view.refused = refused
        view.note += (
            f" Not opened: {titles}; that would draw more than {max_nodes:,} "
            "entities, which stalls a browser; go back to the whole map and open fewer."
        )
    return view


def node_details(graph: nx.Graph, node: str) -> list[tuple[str, str]]:
    """What the side panel lists about one entity, in the field's words."""
    data = graph.nodes[node]
    rows = [
        ("Shown as", shown_as(graph, node)),
        ("Code", node),
        ("Type", MODEL.entity_types.label(data["entity_type"])),
    ]
    for key, vocabulary, label in (
        ("adult_role", MODEL.adult_roles, "Adult's role"),
        ("place_kind", MODEL.place_kinds, "Kind of place"),
        ("case_status", MODEL.case_statuses, "Case status"),
        ("ideology", MODEL.ideologies, "Ideology (if radicalisation)"),
    ):
        if data.get(key) and data[key] in vocabulary:
            rows.append((label, vocabulary.label(data[key])))
    for key, label in (
        ("district", "District"),
        ("age_band", "Age band"),
        ("platform", "Platform"),
    ):
        if data.get(key):
            rows.append((label, str(data[key])))
    for key, vocabulary, label in (
        ("harms", MODEL.harms, "Harm flags"),
        ("vulnerabilities", MODEL.vulnerabilities, "Vulnerabilities"),
        ("protective_factors", MODEL.protective_factors, "Protective factors"),
    ):
        values = [vocabulary.label(v) for v in data.get(key) or () if v in vocabulary]
        if values:
            rows.append((label, "; ".join(values)))
    rows.append(("Linked to", f"{graph.degree(node)} entities in this scope"))
    return rows


def node_links(graph: nx.Graph, node: str) -> list[str]:
    """Every link id behind an entity's connections in scope."""
    return sorted({link for _, _, d in graph.edges(node, data=True) for link in d["links"]})


def edge_endpoints(graph: nx.Graph, edge_id: str) -> tuple[str, str] | None:
    """The two entities of a drawn edge id (``from|to``), or None if not in the graph."""
    for cut in range(len(edge_id)):
        if edge_id[cut] == "|":
            u, v = edge_id[:cut], edge_id[cut + 1 :]
            if graph.has_edge(u, v):
                return u, v
    return None


def selection_kind(selected: str | None, graph: nx.Graph) -> str | None:
    """'group', 'node', 'edge' or None for what a click selected."""
    if not selected:
        return None
    if selected.startswith(GROUP_PREFIX):
        return "group"
    if selected in graph:
        return "node"
    return "edge" if edge_endpoints(graph, selected) else None


def raw_id_resolver(
    store: Store, key_file: Path, version: int | None
) -> Callable[[str], str | None]:
    """A function from a typed case ID to its stored id (or None), using the workspace key.

    The key is read when the function is made and lives only in the returned closure.
    """
    from mapping.lookup import lookup
    from mapping.pseudonymise import Pseudonymiser

    pseudonymiser = Pseudonymiser.from_file(key_file) if key_file.exists() else None
    return lambda raw: lookup(store, raw, pseudonymiser, version)


def neighbours_groups(graph: nx.Graph, clusters: Sequence[Cluster], node: str) -> set[str]:
    """The groups holding ``node``'s neighbours (what "expand neighbours" opens)."""
    owner = partition(graph, clusters)
    return {owner[n] for n in graph.neighbors(node)} | {owner[node]}


def withheld_note(scoped: ScopedGraph, nodes: Iterable[str] | None = None) -> str | None:
    """ "N links withheld for your role" (and why), for the whole scope or for links touching
    ``nodes``; None when the role removed nothing there. Counts only, never the links."""
    count = scoped.withheld if nodes is None else scoped.withheld_touching(nodes)
    if not count:
        return None
    role = MODEL.role(scoped.scope.role)
    why = []
    if not role.sees_handling_c:
        why.append("handling code C is for designated roles only")
    if not role.sees_person_links_to_adults:
        why.append("links between people and adults are not shared with it")
    where = "" if nodes is None else " here"
    return (
        f"{count:,} link(s) withheld for your role ({role.label}){where}: "
        + "; ".join(why)
        + "; not drawn, analysed or exported."
    )


def _link_spans(links: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each link's first and last seen as month numbers (year * 12 + month - 1), or None."""
    import pandas as pd

    first = pd.to_datetime(links["first_seen"].fillna(links["last_seen"]), errors="coerce")
    last = pd.to_datetime(links["last_seen"].fillna(links["first_seen"]), errors="coerce")
    return first.dt.year * 12 + first.dt.month - 1, last.dt.year * 12 + last.dt.month - 1


def month_label(month: int) -> str:
    return f"{month % 12 + 1:02d}/{month // 12}"


def link_histogram(links: pd.DataFrame) -> list[tuple[str, int]]:
    """For each month from the first to the last link date: how many links were seen in it
    (a link counts in every month between its first and last seen). Undated links are left
    out; ``undated_links`` counts them."""
    start, end = _link_spans(links)
    dated = start.notna() & end.notna()
    if not dated.any():
        return []
    start, end = start[dated].astype(int).to_numpy(), end[dated].astype(int).to_numpy()
    low, high = int(start.min()), int(end.max())
    return [(month_label(m), int(((start <= m) & (end >= m)).sum())) for m in range(low, high + 1)]


def undated_links(links: pd.DataFrame) -> int:
    start, end = _link_spans(links)
    return int((start.isna() | end.isna()).sum())


def parse_month(label: str) -> int:
    month, year = label.split("/")
    return int(year) * 12 + int(month) - 1


def within_window(
    graph: nx.Graph, links: pd.DataFrame, first: str, last: str, keep: Iterable[str] = ()
) -> nx.Graph:
    """The part of ``graph`` whose links were seen between months ``first`` and ``last``
    (``mm/yyyy``, inclusive): edges with at least one such link, their entities, and the
    entities in ``keep`` (the person whose network is open). Undated links are kept: a
    time bar cannot place them, and dropping them would hide evidence without saying so."""
    start, end = _link_spans(links)
    low, high = parse_month(first), parse_month(last)
    inside = (start.isna() | end.isna()) | ((start <= high) & (end >= low))
    kept = set(links.loc[inside, "link_id"])
    narrowed = nx.Graph()
    narrowed.add_nodes_from((n, graph.nodes[n]) for n in keep if n in graph)
    for u, v, data in graph.edges(data=True):
        ids = [link for link in data.get("links", ()) if link in kept]
        if ids:
            narrowed.add_node(u, **graph.nodes[u])
            narrowed.add_node(v, **graph.nodes[v])
            narrowed.add_edge(u, v, **{**data, "links": ids})
    return narrowed


def view_scoped(scoped: ScopedGraph, view: ExplorerView) -> ScopedGraph:
    """Exactly what a view draws, as a scoped graph for the exports: its entities, and the
    links behind its drawn connections (a collapsed group is not an entity and is left out)."""
    drawn = nx.Graph(view.graph)
    ids = {link for _, _, d in drawn.edges(data=True) for link in d.get("links", ())}
    links = scoped.links[scoped.links["link_id"].isin(ids)].reset_index(drop=True)
    entities = scoped.entities[scoped.entities["entity_id"].isin(set(drawn))].reset_index(drop=True)
    return ScopedGraph(
        drawn,
        links,
        entities,
        scoped.scope,
        scoped.version,
        withheld=scoped.withheld_touching(drawn.nodes),
    )


def window_links(graph: nx.Graph) -> int:
    """How many links a (narrowed) graph's connections hold."""
    return sum(len(d.get("links", ())) for _, _, d in graph.edges(data=True))


def time_bar_note(window: tuple[str, str], shown: int, total: int) -> str:
    """What a narrowed time bar says, on the network and the map pages alike."""
    return f"time bar {window[0]}–{window[1]}: {shown:,} of {total:,} links"


def window_scoped(scoped: ScopedGraph, first: str, last: str) -> ScopedGraph:
    """``scoped`` narrowed to links seen between months ``first`` and ``last`` (see
    :func:`within_window`): its graph, links and entities, for pages that draw a whole
    scoped graph (the map). The withheld count stays the scope's: narrowing the time bar
    does not make the role see more or less."""
    graph = within_window(scoped.graph, scoped.links, first, last)
    ids = {link for _, _, d in graph.edges(data=True) for link in d.get("links", ())}
    return ScopedGraph(
        graph,
        scoped.links[scoped.links["link_id"].isin(ids)].reset_index(drop=True),
        scoped.entities[scoped.entities["entity_id"].isin(set(graph))].reset_index(drop=True),
        scoped.scope,
        scoped.version,
        withheld=scoped.withheld,
        withheld_pairs=scoped.withheld_pairs,
        stale=scoped.stale,
    )


def play_start(labels: list[str], width: int) -> tuple[str, str]:
    """The first window a play-through shows: the first ``width`` months (all if fewer)."""
    width = max(1, min(width, len(labels)))
    return labels[0], labels[width - 1]


def play_next(
    labels: list[str], window: Sequence[str] | None, width: int
) -> tuple[str, str] | None:
    """The window after ``window`` in a play-through: ``width`` months ending one month
    later, or None when ``window`` already reaches the last month (the play-through ends).
    A window not on ``labels`` (another scope) starts again from the beginning."""
    width = max(1, min(width, len(labels)))
    if not window or window[1] not in labels:
        return play_start(labels, width)
    end = labels.index(window[1]) + 1
    if end >= len(labels):
        return None
    end = max(end, width - 1)
    return labels[end - width + 1], labels[end]


#: At most this many pinned entities are kept (a pin is a drag; more is not a person's work).
MAX_PINS = 500


def clean_pins(pins: object, graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """The pins the component sent back (entity -> [x, y] where it was dropped), kept only
    for entities of ``graph`` with two finite numbers; anything else is dropped."""
    import math

    kept: dict[str, tuple[float, float]] = {}
    if not isinstance(pins, dict):
        return kept
    for node, at in pins.items():
        if len(kept) >= MAX_PINS:
            break
        if not isinstance(node, str) or node not in graph:
            continue
        if not isinstance(at, list | tuple) or len(at) != 2:
            continue
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in at):
            continue
        kept[node] = (float(at[0]), float(at[1]))
    return kept
