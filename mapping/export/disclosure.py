"""The uniqueness (small-cell) check on exports to partners: no young person stands alone.

A partner export holds no names, but a young person with an unusual combination of what it
does hold (how many associates in the network, district, age band, sex) can be picked out
by anyone who knows them. Before an export to a role the model lists (model.yaml
``disclosure:``, :class:`~mapping.model.DisclosureRule`) is written, :func:`check_export`
counts for each young person the records someone who knows those quasi-identifiers could not
tell apart from theirs (:func:`match_counts`; degree counted in bands; only the attributes
present in the data) and finds those matched by fewer than ``k`` (``1``: unique). Each of
them has sex withheld, then age band, then district (the rule's ``withhold`` order),
re-counting after each step; anyone still below ``k`` then gets a crowd: the same
attributes are withheld from everyone in their degree band.
:func:`apply_check` writes the export from a copy of the scoped graph with those values
blanked, and :meth:`DisclosureCheck.message` is the counted sentence the export's notice,
the command line and the export page show. Nothing changes silently: the counts go in the
audit row too. The number of links is the export itself and is never changed; anyone still
below ``k`` on degree band alone is counted and said.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from mapping.graph import ScopedGraph
from mapping.model import MODEL, DisclosureRule

#: The quasi-identifiers, in the order messages name them ("degree" is in the graph).
QUASI_IDENTIFIERS = ("degree", "district", "age_band", "sex")
#: How each is named in messages.
NAMES = {"degree": "degree band", "district": "district", "age_band": "age band", "sex": "sex"}
#: A blank value: not recorded, or withheld. Both are written as blank, so both are grouped
#: together, as one value of their own.
BLANK = ""

Key = tuple[Hashable, ...]


@dataclass(frozen=True)
class DisclosureCheck:
    """What the check found and did for one export (counts only, never who)."""

    role: str
    k: int
    #: The quasi-identifiers counted: degree band, and the attributes present in the data.
    considered: tuple[str, ...]
    young_people: int
    unique_before: int
    below_k_before: int
    #: Attribute -> how many young people it was withheld for, in the order withheld.
    withheld_counts: dict[str, int]
    #: Of those withholdings, how many were from people not themselves below k, in the
    #: degree band of someone who still was after their own values were withheld.
    band_wide: int
    unique_after: int
    below_k_after: int
    #: Young person code -> the attributes withheld for them (used by apply_check only).
    withheld: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def changed(self) -> bool:
        return bool(self.withheld)

    def message(self) -> str:
        """The counted sentence every partner export and its caller show."""
        on = ", ".join(NAMES[q] for q in self.considered)
        head = f"Uniqueness check (k={self.k}, on {on}) of {self.young_people} young people: "
        if not self.below_k_before:
            return head + f"none was in a group smaller than {self.k}; nothing was withheld."
        found = (
            f"{self.unique_before} {_were(self.unique_before)} unique and "
            f"{self.below_k_before} in groups smaller than {self.k}; "
        )
        done = ", ".join(f"{NAMES[a]} for {n}" for a, n in self.withheld_counts.items() if n)
        done = f"withheld: {done}" if done else "nothing could be withheld"
        crowd = (
            f" ({self.band_wide} of these from young people not below {self.k} themselves, "
            "in the degree band of one who still was, to give them a crowd)"
            if self.band_wide
            else ""
        )
        after = (
            f"; after that none is below {self.k}."
            if not self.below_k_after
            else f"; {self.below_k_after} {_remain(self.below_k_after)} below {self.k} "
            f"({self.unique_after} unique) on degree band alone: their number of links is "
            "the export itself and is not changed."
        )
        return head + found + done + crowd + after

    def counts(self) -> dict[str, object]:
        """The figures for the audit row and the caller (JSON-ready)."""
        return {
            "k": self.k,
            "considered": list(self.considered),
            "young_people": self.young_people,
            "unique_before": self.unique_before,
            "below_k_before": self.below_k_before,
            "withheld": dict(self.withheld_counts),
            "band_wide": self.band_wide,
            "unique_after": self.unique_after,
            "below_k_after": self.below_k_after,
        }


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _remain(count: int) -> str:
    return "remains" if count == 1 else "remain"


def degree_band(degree: int, bands: tuple[int, ...]) -> str:
    """The band of ``degree`` among the rule's lower bounds.

    >>> [degree_band(d, (0, 1, 2, 3, 5, 9)) for d in (0, 2, 4, 8, 30)]
    ['0', '2', '3-4', '5-8', '9+']
    """
    lower = max((b for b in bands if b <= degree), default=bands[0])
    index = bands.index(lower)
    if index == len(bands) - 1:
        return f"{lower}+"
    upper = bands[index + 1] - 1
    return str(lower) if upper == lower else f"{lower}-{upper}"


def _value(value: object) -> Hashable:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return BLANK
    return str(value)


def young_people_values(graph: nx.Graph, rule: DisclosureRule) -> dict[str, dict[str, Hashable]]:
    """Each young person's quasi-identifier values in ``graph``: degree is the number of
    links in scope (what every link-level export shows, one edge or row per link), as its
    band."""
    young = {n for n, t in graph.nodes(data="entity_type") if t == "young_person"}
    links: Counter[str] = Counter()
    for a, b, ids in graph.edges(data="links"):
        count = len(ids) if ids else 1
        for end in (a, b):
            if end in young:
                links[end] += count
    values: dict[str, dict[str, Hashable]] = {}
    for node, data in graph.nodes(data=True):
        if node not in young:
            continue
        row: dict[str, Hashable] = {"degree": degree_band(links[node], rule.degree_bands)}
        for attribute in QUASI_IDENTIFIERS[1:]:
            row[attribute] = _value(data.get(attribute))
        values[str(node)] = row
    return values


def match_counts(
    true: Mapping[str, Mapping[str, Hashable]],
    shown: Mapping[str, Mapping[str, Hashable]],
    considered: tuple[str, ...],
) -> dict[str, int]:
    """Young person -> how many young people in the file someone who knows them could not
    tell apart from them: records whose shown value on each of ``considered`` is blank or
    equals the person's own (their own record included). A blank the person has themselves
    (not recorded) matches blanks only, so the count never overstates the crowd.

    Counted per pattern of blanks (at most 2 ** 3 of them), not pair by pair.
    """
    patterns: dict[tuple[str, ...], Counter[Key]] = {}
    for values in shown.values():
        kept = tuple(q for q in considered if values[q] != BLANK)
        patterns.setdefault(kept, Counter())[tuple(values[q] for q in kept)] += 1
    return {
        person: sum(counter[tuple(values[q] for q in kept)] for kept, counter in patterns.items())
        for person, values in true.items()
    }


def check_graph(graph: nx.Graph, rule: DisclosureRule, role: str) -> DisclosureCheck:
    """Count the young people of ``graph`` below ``rule.k`` and decide what to withhold."""
    values = young_people_values(graph, rule)
    present = tuple(
        q for q in QUASI_IDENTIFIERS if q == "degree" or any(v[q] != BLANK for v in values.values())
    )
    sizes = match_counts(values, values, present)
    unique_before = sum(1 for s in sizes.values() if s == 1)
    below_before = sum(1 for s in sizes.values() if s < rule.k)
    shown = {p: dict(v) for p, v in values.items()}
    withheld: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    band_wide = 0
    attributes = [a for a in rule.withhold if a in present]
    # first from those below k only; then, for anyone still below k, from everyone in their
    # degree band (a crowd needs others whose values are withheld too)
    for whole_band in (False, True):
        for attribute in attributes:
            below = [p for p, s in sizes.items() if s < rule.k]
            if not below:
                break
            bands = {values[p]["degree"] for p in below}
            chosen = [
                p
                for p in (
                    (p for p in shown if shown[p]["degree"] in bands) if whole_band else below
                )
                if shown[p][attribute] != BLANK  # only a recorded value is withheld
            ]
            counts[attribute] = counts.get(attribute, 0) + len(chosen)
            band_wide += len(chosen) if whole_band else 0
            for person in chosen:
                shown[person][attribute] = BLANK
                withheld.setdefault(person, []).append(attribute)
            sizes = match_counts(values, shown, present)
    return DisclosureCheck(
        role=role,
        k=rule.k,
        considered=present,
        young_people=len(values),
        unique_before=unique_before,
        below_k_before=below_before,
        withheld_counts=counts,
        band_wide=band_wide,
        unique_after=sum(1 for s in sizes.values() if s == 1),
        below_k_after=sum(1 for s in sizes.values() if s < rule.k),
        withheld={p: tuple(a) for p, a in withheld.items()},
    )


def check_export(scoped: ScopedGraph, rule: DisclosureRule | None = None) -> DisclosureCheck | None:
    """The check for an export of ``scoped``, or None when its role is not checked."""
    rule = rule or MODEL.disclosure
    if scoped.scope.role not in rule.roles:
        return None
    return check_graph(scoped.graph, rule, scoped.scope.role)


def apply_check(scoped: ScopedGraph, check: DisclosureCheck) -> ScopedGraph:
    """A copy of ``scoped`` with the withheld values blanked (node attributes and the entity
    records), for the writers; ``scoped`` itself is not changed."""
    if not check.changed:
        return scoped
    graph = scoped.graph.copy()
    entities = scoped.entities.copy()
    chosen: dict[str, set[str]] = {}
    for person, attributes in check.withheld.items():
        for attribute in attributes:
            graph.nodes[person][attribute] = None
            chosen.setdefault(attribute, set()).add(person)
    if "entity_id" in entities.columns:
        for attribute, people in chosen.items():  # one pass per attribute, not per person
            if attribute in entities.columns:
                entities[attribute] = entities[attribute].astype(object)
                entities.loc[entities["entity_id"].isin(people), attribute] = None
    return dataclasses.replace(scoped, graph=graph, entities=entities)
