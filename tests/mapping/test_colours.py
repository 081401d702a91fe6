"""No colour means two things on the network, and the meaningful colours stay apart for the
three common colour-vision deficiencies (Machado, Oliveira and Fernandes 2009, severity 1).

Greys and white carry no meaning of their own (shapes, borders and line styles do), so
only chromatic colours and black are checked.
"""

import itertools
import math

from mapping.model import MODEL
from mapping.render.network import PROTECTIVE_COLOUR, legend_items, node_style

#: Machado et al. (2009) simulation matrices at full severity, on linear RGB.
SIMULATIONS = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
    "normal vision": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
}
#: CIE76 difference below which two colours read as one in a small swatch or border.
MIN_DELTA_E = 15.0


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(hex_colour: str, matrix) -> tuple[float, float, float]:
    rgb = [_linear(int(hex_colour.lstrip("#")[i : i + 2], 16) / 255) for i in (0, 2, 4)]
    r, g, b = (
        max(0.0, min(1.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix
    )
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def neutral(colour: str) -> bool:
    """Greys and white (equal channels), but not black, which means concern."""
    c = colour.lstrip("#").upper()
    return c[0:2] == c[2:4] == c[4:6] and c != "000000"


def meanings() -> dict[str, set[str]]:
    """Each colour the network draws, and what it stands for."""
    uses: dict[str, set[str]] = {}

    def add(colour, meaning):
        if colour and not neutral(colour):
            uses.setdefault(colour.upper(), set()).add(meaning)

    for kind in MODEL.entity_types:
        if kind.key != "adult":
            add(node_style({"entity_type": kind.key})["color"]["background"], kind.key)
    for role in MODEL.adult_roles:
        style = node_style({"entity_type": "adult", "adult_role": role.key})
        meaning = "protective" if role.flag("protective") else f"adult role {role.key}"
        if role.key == "person_of_concern":
            meaning = "concern"
        add(style["color"]["background"], meaning)
        add(style["color"]["border"], meaning)
    for harm in MODEL.harms:
        add(harm.colour, f"harm {harm.key}")
    for link in MODEL.link_types:
        if link.flag("protective"):
            meaning = "protective"
        elif link.key == "victim_offender":
            meaning = "concern"
        elif link.flag("context"):
            meaning = "a link to a context"
        else:
            meaning = "a link between people"
        add(link.colour, meaning)
    return uses


def test_no_colour_means_two_things():
    uses = meanings()
    doubled = {c: m for c, m in uses.items() if len(m) > 1}
    assert not doubled, doubled
    assert uses[PROTECTIVE_COLOUR.upper()] == {"protective"}
    # the colours of the issue: adults, CCE and the victim/person of concern link differ
    adult = node_style({"entity_type": "adult", "adult_role": "other"})["color"]["background"]
    assert len({adult, MODEL.harms["cce"].colour, MODEL.link_types["victim_offender"].colour}) == 3


def test_meaningful_colours_stay_apart_for_colour_blind_readers():
    colours = sorted(meanings())
    assert len(colours) >= 9  # young person, five harms, protective, concern, links
    close = []
    for name, matrix in SIMULATIONS.items():
        for a, b in itertools.combinations(colours, 2):
            distance = math.dist(_lab(a, matrix), _lab(b, matrix))
            if distance < MIN_DELTA_E:
                close.append((name, a, b, round(distance, 1)))
    assert not close, close


def test_the_simulation_is_not_blind_to_a_known_confusion():
    # red and green are the classic protan/deutan confusion: the check must see it
    red, green = "#D55E00", "#5E8C00"
    normal = math.dist(
        _lab(red, SIMULATIONS["normal vision"]), _lab(green, SIMULATIONS["normal vision"])
    )
    deutan = math.dist(
        _lab(red, SIMULATIONS["deuteranopia"]), _lab(green, SIMULATIONS["deuteranopia"])
    )
    assert deutan < normal / 2


def test_each_adult_role_looks_different_and_inferred_is_dashed():
    looks = {
        r.key: (
            s["shape"],
            s["color"]["background"],
            s["color"]["border"],
        )
        for r in MODEL.adult_roles
        for s in [node_style({"entity_type": "adult", "adult_role": r.key})]
    }
    assert len(set(looks.values())) == len(looks), looks
    plain = node_style({"entity_type": "adult", "adult_role": "person_of_concern"})
    inferred = node_style(
        {"entity_type": "adult", "adult_role": "person_of_concern", "adult_role_inferred": True}
    )
    assert "shapeProperties" not in plain
    assert inferred["shapeProperties"]["borderDashes"]
    youth_club = node_style({"entity_type": "place", "place_kind": "youth_club"})
    takeaway = node_style({"entity_type": "place", "place_kind": "takeaway"})
    assert youth_club["color"]["border"] == PROTECTIVE_COLOUR != takeaway["color"]["border"]


def test_legend_lists_every_adult_role_and_protective_context():
    items = legend_items()
    adults = [i["label"] for i in items["Adults (square; fill and border by role)"]]
    for role in MODEL.adult_roles:
        assert role.label in adults
    assert any("inferred" in a for a in adults)
    protective = " ".join(i["label"] for i in items["Protective contexts (green border)"])
    for kind in MODEL.place_kinds.with_flag("protective"):
        assert MODEL.place_kinds.label(kind) in protective
