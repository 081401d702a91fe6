"""One harm profile: which harm flags and ideologies a set of young people carries, whether
harm types overlap, and what counts as protective, all read from the model.

Clusters, overlaps, hotspots, the meeting's themes, the map and the GIS exports describe a
group of young people the same way by asking here. Flags come from ``model.yaml``
(``overlap: false`` for an indicator such as missing episodes, ``has_ideology`` for the
harm whose ideology is recorded, ``protective`` for trusted adults and protective places),
never from literals such as ``"radicalisation"`` or ``"trusted_adult"``.

Counts of young people only: a profile never scores a child.

>>> carries_ideology(("cce", "radicalisation"), "mixed_unclear"), carries_ideology(("cce",), "x")
(True, False)
>>> sorted(OVERLAP_HARMS) == sorted(h for h in HARM_KEYS if h != "missing")
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from mapping.model import MODEL

#: Harm flags in model order.
HARM_KEYS: tuple[str, ...] = tuple(MODEL.harms.keys())
#: Harm flags that count towards an overlap verdict (``overlap: false`` leaves one out).
OVERLAP_HARMS: frozenset[str] = frozenset(
    t.key for t in MODEL.harms if t.attrs.get("overlap", True)
)
#: Harm flags whose ideology category is recorded (``has_ideology: true``).
IDEOLOGY_HARMS: frozenset[str] = frozenset(MODEL.harms.with_flag("has_ideology"))


def short_label(harm: str) -> str:
    """The harm's short label for tags and tables (``RAD``), or the key when it has none.

    >>> short_label("radicalisation"), short_label("not_a_harm")
    ('RAD', 'not_a_harm')
    """
    return str(MODEL.harms[harm].attrs.get("short", harm)) if harm in MODEL.harms else harm


def harm_counts_text(harms: Mapping[str, int]) -> str:
    """``CCE 3, CSE 1``: short harm labels with the number of young people flagged.

    >>> harm_counts_text({"cce": 3, "cse": 1})
    'CCE 3, CSE 1'
    """
    return ", ".join(f"{short_label(h)} {n}" for h, n in harms.items())


def overlap_harms() -> set[str]:
    """Harm flags that count towards an overlap verdict (see model.yaml)."""
    return set(OVERLAP_HARMS)


def carries_ideology(flags: Iterable[str], ideology: object) -> bool:
    """True when a young person's ``ideology`` counts: recorded, and a flag that has one."""
    return bool(ideology) and not IDEOLOGY_HARMS.isdisjoint(flags)


def is_protective(data: Mapping[str, object]) -> bool:
    """A trusted adult or a protective place (youth club, sports club), shown beside risk."""
    return data.get("adult_role") in MODEL.adult_roles.with_flag("protective") or (
        data.get("place_kind") in MODEL.place_kinds.with_flag("protective")
    )


def harm_profile(graph: nx.Graph, young_people: Iterable[str]) -> dict[str, Any]:
    """Harm flags and ideologies among ``young_people``, as counts of young people.

    Returns ``harms`` {flag: n} in model order, ``ideologies`` {ideology: n} (of those
    carrying a flag with an ideology), ``harm_types`` (flags that count towards overlap, in
    model order), ``multi_harm_young_people`` (sorted) and ``overlap`` (two or more harm
    types meet).
    """
    harms: Counter[str] = Counter()
    ideologies: Counter[str] = Counter()
    multi = []
    for person in sorted(young_people):
        data = graph.nodes[person]
        flags = set(data.get("harms") or ())
        harms.update(flags)
        if carries_ideology(flags, data.get("ideology")):
            ideologies[data["ideology"]] += 1
        if len(flags & OVERLAP_HARMS) >= 2:
            multi.append(person)
    ordered = {h: harms[h] for h in HARM_KEYS if harms[h]}
    types = [h for h in ordered if h in OVERLAP_HARMS]
    return {
        "harms": ordered,
        "ideologies": dict(sorted(ideologies.items())),
        "harm_types": types,
        "multi_harm_young_people": multi,
        "overlap": len(types) >= 2,
    }
