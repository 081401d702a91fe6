"""The canonical model, read once from ``model.yaml``.

Every vocabulary the tool knows (entity types, link types, harm flags, gradings, roles...)
comes from here; loaders, validation, legends, filters, analyses and exports ask this module
rather than spelling a vocabulary themselves. It never touches data or Streamlit.

>>> MODEL.harms.normalise("County lines")
'cce'
>>> parse_grading("2 b p")
Grading(source_evaluation='2', intelligence_assessment='B', handling_code='P')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

MODEL_FILE = Path(__file__).with_name("model.yaml")

#: Separator for list-valued cells (harms, vulnerabilities...) in the template.
LIST_SEPARATOR = ";"


def _squash(text: str) -> str:
    """Compare vocabulary words ignoring case, spaces, hyphens and underscores."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s_\-]+", "", text)


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary, with its label, colour and any extra attributes."""

    key: str
    label: str
    colour: str | None = None
    synonyms: tuple[str, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def flag(self, name: str) -> bool:
        return bool(self.attrs.get(name, False))


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms that can normalise what analysts type."""

    name: str
    terms: tuple[Term, ...]

    def keys(self) -> list[str]:
        return [t.key for t in self.terms]

    def __contains__(self, key: object) -> bool:
        return any(t.key == key for t in self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __getitem__(self, key: str) -> Term:
        for term in self.terms:
            if term.key == key:
                return term
        raise KeyError(f"{key!r} is not a known {self.name}")

    @cached_property
    def _lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for term in self.terms:
            for word in (term.key, term.label, *term.synonyms):
                table.setdefault(_squash(word), term.key)
        return table

    def normalise(self, value: object) -> str | None:
        """The key that ``value`` names (key, label or synonym), or None."""
        if value is None:
            return None
        return self._lookup.get(_squash(str(value)))

    def label(self, key: str) -> str:
        return self[key].label

    def with_flag(self, name: str) -> list[str]:
        return [t.key for t in self.terms if t.flag(name)]


@dataclass(frozen=True)
class Grading:
    """A 3x5x2 grading: source evaluation 1-3, assessment A-E, handling code P/C."""

    source_evaluation: str
    intelligence_assessment: str
    handling_code: str

    def __str__(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"

    def at_least(self, minimum: Grading | str | None) -> bool:
        """True when this grading is as strong as ``minimum`` on both evaluation scales."""
        if minimum is None or minimum == "":
            return True
        floor = minimum if isinstance(minimum, Grading) else parse_minimum(str(minimum))
        return (
            self.source_evaluation <= floor.source_evaluation
            and self.intelligence_assessment <= floor.intelligence_assessment
        )


#: The grading's parts in order, declared once by ``Grading``: the column names the store,
#: loaders, analyses, views and exports use (``model.yaml`` ``grading:`` lists the same keys).
GRADING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Grading))


_GRADING = re.compile(r"^\s*([1-3])\s*[/\-., ]?\s*([A-Ea-e])\s*[/\-., ]?\s*([PCpc])\s*$")
_MINIMUM = re.compile(r"^\s*([1-3])\s*[/\-., ]?\s*([A-Ea-e])\s*(?:[/\-., ]?\s*[PCpc])?\s*$")


def parse_grading(text: object) -> Grading | None:
    """Read a grading written like ``2BP``, ``2/B/P`` or ``2 b p``; None if it is not one."""
    match = _GRADING.match(str(text)) if text is not None else None
    if not match:
        return None
    evaluation, assessment, handling = match.groups()
    return Grading(evaluation, assessment.upper(), handling.upper())


def parse_minimum(text: str) -> Grading:
    """A minimum grading for filters, e.g. ``2B`` (handling code optional and ignored)."""
    match = _MINIMUM.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a grading such as 2B or 2/B/P")
    return Grading(match.group(1), match.group(2).upper(), "P")


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    sees_handling_c: bool
    sees_person_links_to_adults: bool
    sees_true_addresses: bool
    #: Free-text notes on links (kept only with --keep-notes): partners never receive them.
    sees_notes: bool = True
    #: A home address is drawn as its generalised grid cell (an area, never a point marker)
    #: in every map and geo export this role gets (:func:`generalised_cell`).
    home_addresses_as_areas: bool = False


@dataclass(frozen=True)
class DisclosureRule:
    """The uniqueness (small-cell) check on exports to some roles (model.yaml
    ``disclosure:``; ``mapping.export.disclosure``, docs/security.md "Uniqueness check").

    Before an export to one of ``roles`` is written, young people are grouped by their
    quasi-identifiers (degree band in the export's graph, district, age band, sex: those
    present); anyone in a group smaller than ``k`` has the ``withhold`` attributes withheld
    one at a time, in that order, until their group reaches ``k`` or none is left.
    ``degree_bands`` are the lower bounds of the degree bands (``0, 1, 2, 3, 5, 9``:
    0, 1, 2, 3-4, 5-8, 9+).
    """

    roles: tuple[str, ...] = ()
    k: int = 3
    degree_bands: tuple[int, ...] = (0, 1, 2, 3, 5, 9)
    withhold: tuple[str, ...] = ("sex", "age_band", "district")


#: Columns of the import template, sheet by sheet (contract: README "Import template").
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": (
        "entity_id",
        "entity_type",
        "label",
        "district",
        "age_band",
        "sex",
        "harms",
        "ideology",
        "vulnerabilities",
        "protective_factors",
        "case_status",
        "place_kind",
        "postcode",
        "lat",
        "lon",
        "platform",
        "adult_role",
    ),
    "links": (
        "source_id",
        "target_id",
        "link_type",
        "first_seen",
        "last_seen",
        "source_agency",
        "grading",
        "weight",
        "notes",
    ),
    "incidents": (
        "incident_id",
        "date",
        "place_id",
        "person_id",
        "source_agency",
        "grading",
        "role",
    ),
}
#: Columns an import must have on each sheet; the others are optional.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": ("entity_id", "entity_type"),
    "links": ("source_id", "target_id", "link_type"),
    "incidents": ("incident_id", "date", "person_id"),
}
#: Entity columns holding ``;``-separated lists, and the vocabulary each draws on.
LIST_COLUMNS = {
    "harms": "harms",
    "vulnerabilities": "vulnerabilities",
    "protective_factors": "protective_factors",
}


@dataclass(frozen=True)
class Model:
    entity_types: Vocabulary
    adult_roles: Vocabulary
    place_kinds: Vocabulary
    link_types: Vocabulary
    harms: Vocabulary
    ideologies: Vocabulary
    vulnerabilities: Vocabulary
    protective_factors: Vocabulary
    case_statuses: Vocabulary
    source_agencies: Vocabulary
    incident_roles: Vocabulary
    source_evaluations: Vocabulary
    intelligence_assessments: Vocabulary
    handling_codes: Vocabulary
    roles: dict[str, Role]
    age_bands: tuple[str, ...]
    sexes: tuple[str, ...]
    #: Which roles may do each write action (model.yaml ``permissions:``; mapping.permissions).
    permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The role used when none is given (model.yaml ``default_role:``).
    default_role: str = ""
    #: The protective marking on every page, picture and export (model.yaml ``marking:``).
    marking: str = ""
    #: Notices shown beside the data (model.yaml ``notices:``), e.g. ``association``.
    notices: dict[str, str] = field(default_factory=dict)
    #: The uniqueness check on exports to some roles (model.yaml ``disclosure:``).
    disclosure: DisclosureRule = field(default_factory=DisclosureRule)

    def is_person(self, entity_type: str) -> bool:
        return entity_type in self.entity_types and self.entity_types[entity_type].flag("person")

    def is_context(self, entity_type: str) -> bool:
        return entity_type in self.entity_types and self.entity_types[entity_type].flag("context")

    def is_private_place(
        self, entity_type: object, place_kind: object = None, entity_id: object = None
    ) -> bool:
        """A private place (a home address): a place of a ``private`` kind, or a place whose
        stored id is an address code (``AR-``). The one definition of "private address".

        >>> MODEL.is_private_place("place", "address"), MODEL.is_private_place("place", "park")
        (True, False)
        >>> MODEL.is_private_place("place", None, "AR-Q2ZJ6F3XK7PA")
        True
        """
        if entity_type != "place":
            return False
        private = isinstance(place_kind, str) and place_kind in self.place_kinds.with_flag(
            "private"
        )
        return private or str(entity_id).startswith(self.code_prefix("place") + "-")

    def is_pseudonymised(self, entity_type: str, place_kind: str | None = None) -> bool:
        """People, unknowns and private addresses are stored only as codes."""
        return self.is_person(entity_type) or self.is_private_place(entity_type, place_kind)

    def code_prefix(self, entity_type: str) -> str:
        if entity_type == "place":
            return "AR"  # only private addresses are coded
        return str(self.entity_types[entity_type].attrs.get("code_prefix", "UN"))

    def role(self, key: str) -> Role:
        try:
            return self.roles[key]
        except KeyError:
            raise ValueError(f"unknown role {key!r}; roles are {', '.join(self.roles)}") from None


#: A private address is shown to roles without ``sees_true_addresses`` with its coordinates
#: rounded to this many decimal places (0.01 degrees: about 1.1 km north-south and 0.65 km
#: east-west in England), in the app's map and in every export.
GENERALISED_DECIMALS = 2


def generalise_coordinate(value: float) -> float:
    """A private address's latitude or longitude as roles without true addresses see it.

    >>> generalise_coordinate(54.12345), generalise_coordinate(-1.6051)
    (54.12, -1.61)
    """
    return round(float(value), GENERALISED_DECIMALS)


#: What a home address drawn as an area says about itself (GeoJSON/KML ``shown_as``, the
#: map's tooltip, the pack picture's legend).
AREA_NOT_ADDRESS = "area, not the address"


def generalised_cell(lat: float, lon: float) -> tuple[float, float, float, float]:
    """The grid cell a generalised home address stands for: (south, west, north, east).

    :func:`generalise_coordinate` rounds to the nearest 0.01 degrees, so the true address
    lies within half a step of the rounded point: this is that square, drawn as an area
    for roles with ``home_addresses_as_areas``.

    >>> generalised_cell(54.12, -1.61)
    (54.115, -1.615, 54.125, -1.605)
    """
    half, digits = 0.5 * 10**-GENERALISED_DECIMALS, GENERALISED_DECIMALS + 1
    lat, lon = float(lat), float(lon)
    return (
        round(lat - half, digits),
        round(lon - half, digits),
        round(lat + half, digits),
        round(lon + half, digits),
    )


def _vocabulary(name: str, raw: dict[str, Any]) -> Vocabulary:
    terms = []
    for key, spec in raw.items():
        spec = dict(spec or {})
        terms.append(
            Term(
                key=str(key),
                label=str(spec.pop("label", key)),
                colour=spec.pop("colour", None),
                synonyms=tuple(str(s) for s in spec.pop("synonyms", []) or []),
                attrs=spec,
            )
        )
    return Vocabulary(name, tuple(terms))


#: Each vocabulary section of model.yaml and what one of its values is called in messages.
_SINGULAR = {
    "entity_types": "entity type",
    "adult_roles": "adult role",
    "place_kinds": "place kind",
    "link_types": "link type",
    "harms": "harm flag",
    "ideologies": "ideology",
    "vulnerabilities": "vulnerability",
    "protective_factors": "protective factor",
    "case_statuses": "case status",
    "source_agencies": "source agency",
    "incident_roles": "incident role",
}


def load_model(path: Path = MODEL_FILE) -> Model:
    """Read and check a model declaration (the shipped one unless told otherwise)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    grading = raw["grading"]
    vocab = {name: _vocabulary(singular, raw[name]) for name, singular in _SINGULAR.items()}
    return Model(
        **vocab,
        source_evaluations=_vocabulary("source evaluation", grading["source_evaluation"]),
        intelligence_assessments=_vocabulary(
            "intelligence assessment", grading["intelligence_assessment"]
        ),
        handling_codes=_vocabulary("handling code", grading["handling_code"]),
        roles={k: Role(key=k, **v) for k, v in raw["roles"].items()},
        age_bands=tuple(raw["age_bands"]),
        sexes=tuple(raw["sexes"]),
        permissions={
            str(action): tuple(str(r) for r in roles or ())
            for action, roles in (raw.get("permissions") or {}).items()
        },
        default_role=str(raw["default_role"]),
        marking=str(raw["marking"]),
        notices={str(k): str(v) for k, v in raw["notices"].items()},
        disclosure=_disclosure(raw.get("disclosure") or {}),
    )


def _disclosure(raw: dict[str, Any]) -> DisclosureRule:
    default = DisclosureRule()
    rule = DisclosureRule(
        roles=tuple(str(r) for r in raw.get("roles") or ()),
        k=int(raw.get("k", default.k)),
        degree_bands=tuple(int(b) for b in raw.get("degree_bands") or default.degree_bands),
        withhold=tuple(str(a) for a in raw.get("withhold") or default.withhold),
    )
    if rule.k < 2 or list(rule.degree_bands) != sorted(set(rule.degree_bands)):
        raise ValueError("disclosure: k must be 2 or more and degree_bands rising")
    unknown = set(rule.withhold) - {"sex", "age_band", "district"}
    if unknown:
        raise ValueError(f"disclosure: cannot withhold {', '.join(sorted(unknown))}")
    return rule


MODEL = load_model()
#: The protective marking (``OFFICIAL-SENSITIVE``), declared once in model.yaml.
MARKING = MODEL.marking
#: The association notice ("Links show association, ..."), declared once in model.yaml.
ASSOCIATION_NOTICE = MODEL.notices["association"]
