"""Data nobody here wrote: 146 suspected members of a criminal organisation and the summits
they attended together in 2007-2009 (../shared/realdata/, see its README), imported with
everyone an adult and no adult_role.

An adults-only network must not give an empty analysis: its clusters match the published
grouping (``Locale``) as well as plain networkx Louvain does, and its top connectors are
mostly the known bosses. As historic data it analyses with --include-stale, and without it
says why it shows nothing.
"""

from __future__ import annotations

import json

import networkx as nx
import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.cli import main
from mapping.store import Store
from tests.mapping.conftest import TODAY
from tests.mapping.realdata import NDRANGHETA, ndrangheta, nmi, write_ndrangheta

KEY = Pseudonymiser(b"ndrangheta-test-key-" * 2)
pytestmark = pytest.mark.skipif(not NDRANGHETA.is_file(), reason="needs ../shared/realdata")


@pytest.fixture(scope="module")
def historic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ndrangheta")
    paths = write_ndrangheta(folder, first_seen="2007-01-01", last_seen="2009-12-31")
    store = Store(f"sqlite:///{folder / 'map.sqlite'}")
    result = import_files([Source(p, p.name) for p in paths], store, KEY, today=TODAY)
    ids, pairs, meta = ndrangheta()
    return store, result, {KEY.code(i, "AD"): i for i in ids}, pairs, meta


def run_analyse(store, capsys, *extra) -> tuple[dict, str]:
    assert main(["analyse", "--json", "--db", store.url, "--role", "police", *extra]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_import_warns_that_every_link_is_past_review(historic):
    _, result, _, pairs, _ = historic
    warned = [p for p in result.warnings if p.kind == "every link past review-by"]
    assert [p.file for p in warned] == ["summits.csv"]
    assert f"all {len(pairs)} links" in warned[0].message


def test_without_include_stale_it_explains_the_stale_links(historic, capsys):
    store, _, _, pairs, _ = historic
    report, err = run_analyse(store, capsys)
    assert report["dataset"]["entities"] == 0 and not report["clusters"]
    stale = [e for e in report["explanations"] if e["code"] == "stale_links_hidden"]
    assert stale and stale[0]["count"] == len(pairs)
    assert "stale" in stale[0]["message"] and "--include-stale" in stale[0]["message"]
    assert stale[0]["message"] in err  # the CLI prints the same sentence


@pytest.fixture(scope="module")
def analysed(historic):
    from mapping.analysis.report import analyse
    from mapping.graph import Scope, build_scoped_graph

    store = historic[0]
    scoped = build_scoped_graph(
        store.read_version(), Scope(role="police", include_stale=True, today=TODAY), 1
    )
    return analyse(scoped)


def test_include_stale_analyses_the_historic_network(historic, capsys):
    store, _, _, pairs, _ = historic
    report, _ = run_analyse(store, capsys, "--include-stale")
    assert report["dataset"]["links"] == len(pairs) and report["clusters"]
    assert not [e for e in report["explanations"] if e["code"] == "stale_links_hidden"]


def test_adults_networks_are_reported_with_no_young_people(analysed):
    assert len(analysed["clusters"]) >= 4
    for cluster in analysed["clusters"]:
        assert cluster["network"] == "adults" and cluster["young_people"] == []
    codes = {e["code"] for e in analysed["explanations"]}
    assert "adults_networks" in codes


def test_clusters_match_locale_as_well_as_plain_louvain(historic, analysed):
    _, _, back, pairs, meta = historic
    graph = nx.Graph()
    graph.add_nodes_from(meta)
    graph.add_weighted_edges_from((a, b, n) for (a, b), n in pairs.items())
    plain = nx.community.louvain_communities(graph, weight="weight", seed=42)
    plain_labels = {m: str(k) for k, group in enumerate(plain) for m in group}
    truth = {m: meta[m]["locale"] for m in meta}
    ours = {m: "in no cluster" for m in meta}
    for cluster in analysed["clusters"]:
        for member in cluster["members"]:
            ours[back[member]] = cluster["id"]
    assert abs(nmi(truth, ours) - nmi(truth, plain_labels)) <= 0.05


def test_top_adult_connectors_are_mostly_bosses(historic, analysed):
    _, _, back, _, meta = historic
    adults = [c for c in analysed["connectors"] if c["entity_type"] == "adult"][:10]
    assert len(adults) == 10
    bosses = sum(meta[back[c["id"]]]["role"] == "boss" for c in adults)
    assert bosses >= 7, bosses


def test_an_empty_export_says_why_in_the_file(historic, tmp_path, capsys):
    store = historic[0]
    out = tmp_path / "historic.graphml"
    args = ["export", "--format", "graphml", "--out", str(out), "--db", store.url]
    assert main([*args, "--role", "police"]) == 0
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == 0
    assert "hidden as stale" in graph.graph["notice"] and "--include-stale" in graph.graph["notice"]
    assert "hidden as stale" in capsys.readouterr().err
