"""The uniqueness (small-cell) check on partner exports (issue 18 item 15).

Before a partner export is written, young people in groups smaller than k (model.yaml
``disclosure:``) on degree band, district, age band and sex have sex, then age band, then
district withheld; the file's notice, its metadata, the audit row and the command line say
how many. Analysts' exports are not checked and not changed. The figures are re-counted
here from the written files (GraphML read back with networkx), not from the module.
"""

from __future__ import annotations

import json
from collections import Counter

import networkx as nx
import pytest

from mapping.audit import list_audit
from mapping.cli import main
from mapping.export.disclosure import apply_check, check_export, check_graph
from mapping.export.run import run_export
from mapping.graph import Scope, build_scoped_graph
from mapping.model import MODEL, DisclosureRule
from mapping.store import Store
from tests.mapping.conftest import TODAY, tables_from
from tests.mapping.realdata import ndrangheta

K = MODEL.disclosure.k


def band(degree: int) -> str:
    """The shipped degree bands, written out by hand: 0, 1, 2, 3-4, 5-8, 9+."""
    return {0: "0", 1: "1", 2: "2", 3: "3-4", 4: "3-4"}.get(degree, "5-8" if degree <= 8 else "9+")


def hub_world():
    """Six young people around one park, all in North: four alike (13-15, female), one male,
    one 16-17. Everyone has degree 1 (the park), so the two odd ones are unique."""
    people = [
        ("YP-A", "North", "13-15", "female"),
        ("YP-B", "North", "13-15", "female"),
        ("YP-C", "North", "13-15", "female"),
        ("YP-D", "North", "13-15", "female"),
        ("YP-E", "North", "13-15", "male"),
        ("YP-F", "North", "16-17", "female"),
    ]
    entities = [
        dict(entity_id=i, entity_type="young_person", district=d, age_band=a, sex=s, harms="cce")
        for i, d, a, s in people
    ] + [dict(entity_id="P-PARK", entity_type="place", place_kind="park", label="Park")]
    links = [dict(source_id=i, target_id="P-PARK", link_type="frequents") for i, *_ in people]
    return tables_from(entities, links)


def scoped(tables, role="partner"):
    return build_scoped_graph(tables, Scope(role=role, today=TODAY), 1)


def test_the_rule_is_declared_in_the_model_for_partners_only():
    assert MODEL.disclosure.roles == ("partner",) and MODEL.disclosure.k == 3
    assert check_export(scoped(hub_world(), "analyst")) is None


def test_unique_young_people_are_counted_and_coarsened_step_by_step():
    check = check_export(scoped(hub_world()))
    assert check is not None
    assert check.considered == ("degree", "district", "age_band", "sex")
    assert (check.young_people, check.unique_before, check.below_k_before) == (6, 2, 2)
    # E and F lose sex, age band, district in turn: then each matches only the other (2), so
    # the others in their degree band (all six have one link) lose sex (E now matches A-D)
    # and age band (F too); A-D keep their district, as nobody needs it withheld
    four = ("sex", "age_band")
    assert check.withheld == {
        **{p: four for p in ("YP-A", "YP-B", "YP-C", "YP-D")},
        "YP-E": ("sex", "age_band", "district"),
        "YP-F": ("sex", "age_band", "district"),
    }
    assert check.withheld_counts == {"sex": 6, "age_band": 6, "district": 2}
    assert check.band_wide == 8
    assert (check.unique_after, check.below_k_after) == (0, 0)
    said = check.message()
    assert "2 were unique and 2 in groups smaller than 3" in said
    assert "withheld: sex for 6, age band for 6, district for 2 (8 of these" in said
    assert "none is below 3" in said


def test_a_crowd_that_reaches_k_stops_the_coarsening():
    tables = hub_world()
    check = check_graph(scoped(tables).graph, DisclosureRule(roles=("partner",), k=2), "p")
    # with k=2, E and F pair up once their own three values are withheld: nobody else loses one
    assert check.below_k_after == 0 and check.band_wide == 0
    assert set(check.withheld) == {"YP-E", "YP-F"}
    wider = check_graph(scoped(tables).graph, DisclosureRule(roles=("partner",), k=5), "p")
    assert wider.below_k_before == 6  # a group of 4 is below 5 too
    assert wider.withheld_counts["sex"] == 6 and wider.below_k_after == 0


def test_apply_blanks_only_the_withheld_values_and_leaves_the_scoped_graph():
    before = scoped(hub_world())
    check = check_export(before)
    after = apply_check(before, check)
    assert (
        after.graph.nodes["YP-E"]["sex"] is None and after.graph.nodes["YP-E"]["district"] is None
    )
    assert after.graph.nodes["YP-A"]["district"] == "North"
    assert before.graph.nodes["YP-E"]["sex"] == "male"  # the caller's copy is not changed
    assert after.graph.number_of_edges() == before.graph.number_of_edges()


ATTRIBUTES = ("district", "age_band", "sex")


def shown_values(graph):
    """Young person -> (degree band, district, age band, sex) as ``graph`` shows them; the
    degree is the number of links (a GraphML edge per link, read as a multigraph)."""
    return {
        n: (band(graph.degree(n)), *(str(d.get(a) or "") for a in ATTRIBUTES))
        for n, d in graph.nodes(data=True)
        if d.get("entity_type") == "young_person"
    }


def regroup(path, true=None):
    """How many records of a written GraphML each young person matches, pair by pair: a
    record matches when each shown value is blank or the person's own (from ``true``, the
    values before the check; default: the file's own)."""
    graph = nx.read_graphml(path)
    shown = shown_values(graph)
    true = true or shown
    sizes = {
        person: sum(
            all(s == "" or s == t for s, t in zip(record, true[person], strict=True))
            for record in shown.values()
        )
        for person in shown
    }
    return graph, sizes


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('unique') / 'map.sqlite'}"
    Store(url).write_version(hub_world(), created_by="test", sources=[])
    return url


def test_partner_export_says_it_and_the_file_shows_the_withheld_values_blank(database, tmp_path):
    store = Store(database)
    out = tmp_path / "partner.graphml"
    before = tmp_path / "before.graphml"
    run_export(store, scoped(hub_world(), "analyst"), "graphml", before, user="t")
    true = shown_values(nx.read_graphml(before))
    detail = run_export(store, scoped(hub_world()), "graphml", out, user="t")
    check = detail["uniqueness_check"]
    assert check["unique_before"] == 2 and check["withheld"]["sex"] == 6
    text = out.read_text(encoding="utf-8")
    assert check["message"] in text  # in the file's notice
    graph, sizes = regroup(out, true)
    assert graph.nodes["YP-E"].get("sex") in (None, "")
    assert graph.nodes["YP-A"].get("sex") in (None, "")
    assert graph.nodes["YP-A"]["district"] == "North"  # only what the check chose is gone
    assert min(sizes.values()) >= K  # counted from the file itself
    rows = [json.loads(d) for d in list_audit(store, action="export")["detail"]]
    recorded = next(r for r in rows if r["file"] == "partner.graphml")
    assert recorded["uniqueness_check"]["below_k_before"] == 2


def test_analyst_export_is_unchanged(database, tmp_path):
    out = tmp_path / "analyst.graphml"
    detail = run_export(Store(database), scoped(hub_world(), "analyst"), "graphml", out, user="t")
    assert "uniqueness_check" not in detail
    assert nx.read_graphml(out).nodes["YP-E"]["sex"] == "male"
    assert "Uniqueness check" not in out.read_text(encoding="utf-8")


def test_command_line_prints_the_counted_message(database, tmp_path, capsys):
    out = tmp_path / "p.geojson"
    args = ["export", "--format", "geojson", "--out", str(out), "--db", database]
    assert main([*args, "--role", "partner", "--include-stale"]) == 0
    printed = capsys.readouterr().out
    assert "Uniqueness check (k=3" in printed and "2 were unique" in printed
    metadata = json.loads(out.read_text(encoding="utf-8"))["metadata"]
    assert "withheld: sex for 6" in metadata["uniqueness_check"]
    assert "withheld: sex for 6" in metadata["notice"]


def test_sample_world_partner_export_leaves_nobody_below_k(sample_world, tmp_path):
    store, _, _ = sample_world
    tables = store.read_version(store.latest_version())
    partner = build_scoped_graph(tables, Scope(role="partner", today=TODAY), 1)
    out = tmp_path / "sample.graphml"
    # the same young people and links as the partner sees them, before the check
    unchecked = tmp_path / "unchecked.graphml"
    from mapping.export.graphml import write_graphml

    write_graphml(partner, unchecked, {"marking": MODEL.marking})
    true = shown_values(nx.read_graphml(unchecked))
    _, before = regroup(unchecked)
    detail = run_export(store, partner, "graphml", out, user="t")["uniqueness_check"]
    _, sizes = regroup(out, true)
    # re-counted from the written files, pair by pair, with the bands written out here
    assert detail["unique_before"] == sum(1 for s in before.values() if s == 1) > 0
    assert detail["below_k_before"] == sum(1 for s in before.values() if s < K)
    assert min(sizes.values()) >= K
    assert detail["below_k_after"] == 0
    assert detail["young_people"] == len(sizes) > 100


def karate_tables():
    karate = nx.karate_club_graph()
    entities = [
        dict(entity_id=f"K{n:02d}", entity_type="young_person", district=d["club"])
        for n, d in karate.nodes(data=True)
    ]
    links = [
        dict(source_id=f"K{u:02d}", target_id=f"K{v:02d}", link_type="peer_association")
        for u, v in karate.edges
    ]
    return karate, tables_from(entities, links)


def test_karate_hubs_stay_below_k_on_degree_alone_and_are_said(tmp_path):
    karate, tables = karate_tables()
    check = check_export(scoped(tables))
    assert check.considered == ("degree", "district")  # no age band or sex in the data
    by_band = Counter(band(d) for _, d in karate.degree())
    small = sum(c for c in by_band.values() if c < K)  # bands too small whatever is withheld
    assert check.below_k_after == small > 0
    assert f"{small} remain{'s' if small == 1 else ''} below 3" in check.message()
    assert "their number of links is the export itself" in check.message()


def test_ndrangheta_summits_real_network_ends_with_nobody_below_k():
    ids, pairs, meta = ndrangheta()
    entities = [
        dict(entity_id=i, entity_type="young_person", district=meta[i]["locale"]) for i in ids
    ]
    links = [dict(source_id=a, target_id=b, link_type="peer_association") for a, b in pairs]
    check = check_export(scoped(tables_from(entities, links)))
    graph = nx.Graph(list(pairs))
    graph.add_nodes_from(ids)
    keys = Counter((band(graph.degree(i)), meta[i]["locale"]) for i in ids)
    assert check.unique_before == sum(1 for c in keys.values() if c == 1) > 0
    assert check.below_k_before == sum(c for c in keys.values() if c < K)
    assert check.below_k_after == 0


def file_text(path) -> str:
    """Every text a written export holds: a folder's files, an XLSX's cells, else the file."""
    if path.is_dir():
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return "\n".join(
            str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
        )
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "fmt", ["graphml", "gexf", "cyjs", "anb", "csv", "xlsx", "geojson", "kml", "html", "map"]
)
def test_every_partner_format_carries_the_counted_message(database, tmp_path, fmt):
    from mapping.export.formats import out_name

    out = tmp_path / out_name(fmt, "partner")
    detail = run_export(Store(database), scoped(hub_world()), fmt, out, user="t")
    said = detail["uniqueness_check"]["message"]
    text = file_text(out)
    assert said in text  # the same counted sentence, whatever the format


def test_the_summary_counts_are_not_changed_by_the_check(database, tmp_path):
    partner = run_export(
        Store(database), scoped(hub_world()), "summary", tmp_path / "p.csv", user="t"
    )
    analyst = run_export(
        Store(database), scoped(hub_world(), "analyst"), "summary", tmp_path / "a.csv", user="t"
    )
    assert "uniqueness_check" not in partner
    rows = [(tmp_path / n).read_text(encoding="utf-8").splitlines()[2:] for n in ("p.csv", "a.csv")]
    assert rows[0] == rows[1]  # the same suppressed counts for both roles
    assert any(",North," in r and ",6," in r for r in rows[0])  # all six, E and F included
    assert "uniqueness_check" not in analyst
