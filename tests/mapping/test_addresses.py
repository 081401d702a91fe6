"""Private addresses are generalised once, when the scoped graph is built: node attributes
say so (``private_place``, ``coordinates_generalised``) and every reader takes them as given."""

from __future__ import annotations

import pandas as pd
import pytest

from mapping.graph import Scope, build_scoped_graph
from tests.mapping.conftest import tables_from
from tests.mapping.export_world import HOME, HOME_LAT, HOME_LON, TODAY, scoped_world


@pytest.mark.parametrize("role", ["analyst", "chair", "practitioner", "partner"])
def test_roles_without_true_addresses_get_rounded_coordinates(role):
    home = scoped_world(role).graph.nodes[HOME]
    assert home["private_place"] and home["coordinates_generalised"]
    assert (home["lat"], home["lon"]) == (round(HOME_LAT, 2), round(HOME_LON, 2))


def test_police_see_the_stored_point_and_other_places_are_untouched():
    graph = scoped_world("police").graph
    assert graph.nodes[HOME]["private_place"] and not graph.nodes[HOME]["coordinates_generalised"]
    assert (graph.nodes[HOME]["lat"], graph.nodes[HOME]["lon"]) == (HOME_LAT, HOME_LON)
    park = scoped_world("analyst").graph.nodes["P-PARK"]
    assert not park["private_place"] and (park["lat"], park["lon"]) == (52.2001, -1.6002)


def test_missing_place_kinds_of_any_dtype_are_not_private():
    """place_kind read back as a pandas string column holds pd.NA, which ``in`` cannot test."""
    entities = [
        dict(entity_id="YP-1", entity_type="young_person", label="YP-1"),
        dict(entity_id="PL-1", entity_type="place", label="Somewhere", lat=52.0, lon=-1.0),
        dict(entity_id="AR-CODED", entity_type="place", label="AR-CODED", lat=52.123, lon=-1.0),
    ]
    links = [dict(source_id="YP-1", target_id=t) for t in ("PL-1", "AR-CODED")]
    tables = tables_from(entities, links)
    tables.entities["place_kind"] = tables.entities["place_kind"].astype("string")
    assert tables.entities["place_kind"].isna().all()
    graph = build_scoped_graph(tables, Scope(role="analyst", today=TODAY), 1).graph
    assert not graph.nodes["PL-1"]["private_place"] and graph.nodes["PL-1"]["lat"] == 52.0
    assert graph.nodes["AR-CODED"]["coordinates_generalised"]  # an address code is private
    assert graph.nodes["AR-CODED"]["lat"] == 52.12
    assert pd.isna(tables.entities["place_kind"]).all()  # the tables themselves are untouched
