"""What a person reads about evidence: plain headings, UK dates, the grading explained, paths
step by step, and how many links their role withheld (a count, never the links)."""

import pandas as pd
import pytest

from mapping import explorer as ex
from mapping.analysis.neighbourhood import path_steps, paths_between
from mapping.graph import Scope, build_scoped_graph
from mapping.render.evidence import evidence_html, path_html, scroll_script
from mapping.store import Store
from mapping.views import evidence_for_reading, evidence_table, grading_meaning, uk_date
from tests.explorer_world import HANDLING_C_LINK, LINKS, TODAY, import_world


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evidence")
    url = f"sqlite:///{folder / 'map.sqlite'}"
    version = import_world(url, folder / "map.key", folder, links=LINKS + HANDLING_C_LINK)
    return Store(url).read_version(version), version


def scoped_as(tables, role):
    data, version = tables
    return build_scoped_graph(data, Scope(role=role, today=TODAY), version)


def test_dates_read_day_first_and_grading_in_words():
    assert uk_date("2026-01-10") == "10/01/2026"
    assert uk_date(None) == "" and uk_date(float("nan")) == ""
    meaning = grading_meaning("2BP")
    assert meaning.startswith("2: source untested; B: known indirectly but corroborated")
    assert "lawful sharing" in meaning
    assert grading_meaning("") == "Not graded"


def test_evidence_table_for_reading_has_plain_headings(tables):
    scoped = scoped_as(tables, "police")
    place = "PL-1"
    frame = evidence_for_reading(evidence_table(scoped, ex.node_links(scoped.graph, place)))
    for heading in ("Agency", "Grading", "First seen", "Last seen", "Incident", "Link type"):
        assert heading in frame.columns
    assert "source_agency" not in frame.columns
    assert all(len(d) == 10 and d[2] == "/" for d in frame["First seen"])


def test_evidence_html_escapes_and_explains_the_grading():
    frame = pd.DataFrame(
        [
            {
                "link_type": "<b>x</b>",
                "from": "a&b",
                "to": "c",
                "source_agency": "Police",
                "grading": "1AP",
                "first_seen": "2026-02-01",
                "last_seen": "2026-03-04",
                "incident_id": "",
                "roles": "",
                "link_id": "L1",
            }
        ]
    )
    text = evidence_html(frame)
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text
    assert "a&amp;b" in text
    assert "01/02/2026" in text and "04/03/2026" in text
    assert 'title="1: source reliable; A: known directly' in text
    assert ">Agency<" in text and "Grading 3x5x2" in text


def test_path_listed_step_by_step_with_each_steps_evidence(tables):
    scoped = scoped_as(tables, "police")
    young = sorted(scoped.young_people())
    source, target = young[0], young[-1]
    paths = paths_between(scoped.graph, source, target)
    assert paths, "the two clusters are joined"
    steps = [path_steps(scoped, p) for p in paths]
    text = path_html(steps, lambda n: n)
    first = steps[0]
    assert text.count('data-testid="path-step"') == sum(len(s) for s in steps)
    assert f"{first[0]['from']} → {first[0]['to']}" in text
    assert "Agency" in text and "First seen" in text


def test_withheld_count_for_a_role_that_may_not_see_handling_code_c(tables):
    police = scoped_as(tables, "police")
    practitioner = scoped_as(tables, "practitioner")
    assert police.withheld == 0 and ex.withheld_note(police) is None
    assert practitioner.withheld == 1
    note = ex.withheld_note(practitioner)
    assert note.startswith("1 link(s) withheld for your role (Practitioner)")
    assert "handling code C" in note
    # the link touches the adult and one young person: a view of the park does not
    adult = next(
        n
        for n, d in police.graph.nodes(data=True)
        if d["entity_type"] == "adult" and d.get("adult_role") == "person_of_concern"
    )
    assert practitioner.withheld_touching([adult]) == 1
    assert practitioner.withheld_touching(["PL-3"]) == 0
    assert ex.withheld_note(practitioner, ["PL-3"]) is None
    # the count never brings the link itself back
    assert len(practitioner.links) == len(police.links) - 1


def test_path_html_and_scroll_script_escape_what_they_are_given():
    hostile = "<img src=x onerror=alert(1)>"
    step = {
        "from": hostile,
        "to": "b",
        "links": [{"link_type": "contact", "source_agency": "police", "first_seen": hostile}],
    }
    text = path_html([[step]], lambda n: n)
    assert hostile not in text and "&lt;img" in text
    script = scroll_script("*/ alert(1) /*")
    assert "alert" not in script


def test_histogram_counts_a_link_in_every_month_it_was_seen(tables):
    scoped = scoped_as(tables, "police")
    bars = dict(ex.link_histogram(scoped.links))
    assert list(bars)[0] == "01/2026" and list(bars)[-1] == "11/2026"
    # 01/2026: links whose first..last seen covers January (counted from the world's text)
    january = sum(
        1
        for line in (LINKS + HANDLING_C_LINK).strip().splitlines()[1:]
        if line.split(",")[3] <= "2026-01-31" and line.split(",")[4] >= "2026-01-01"
    )
    assert bars["01/2026"] == january
    assert ex.undated_links(scoped.links) == 0


def test_time_window_keeps_links_seen_in_it_and_the_open_person(tables):
    scoped = scoped_as(tables, "police")
    narrowed = ex.within_window(scoped.graph, scoped.links, "11/2026", "11/2026")
    kept = {link for _, _, d in narrowed.edges(data=True) for link in d["links"]}
    seen = scoped.links.set_index("link_id")
    assert kept and all(seen.loc[k, "last_seen"] >= "2026-11-01" for k in kept)
    assert narrowed.number_of_edges() < scoped.graph.number_of_edges()
    lonely = "PL-3"  # the park's links ended in October
    assert lonely not in narrowed
    assert lonely in ex.within_window(scoped.graph, scoped.links, "11/2026", "11/2026", [lonely])


def test_view_export_holds_exactly_the_view(tables):
    scoped = scoped_as(tables, "practitioner")
    view, _ = ex.focus_view(scoped.graph, "PL-3", 1)
    drawn = ex.view_scoped(scoped, view)
    assert set(drawn.graph) == set(view.graph)
    assert set(drawn.entities["entity_id"]) == set(view.graph)
    behind = {link for _, _, d in view.graph.edges(data=True) for link in d["links"]}
    assert set(drawn.links["link_id"]) == behind
    assert drawn.withheld == scoped.withheld_touching(view.graph.nodes)


def test_search_normalises_spaces_and_finds_by_attributes(tables):
    scoped = scoped_as(tables, "police")
    assert [h.node for h in ex.search(scoped, "chicken  palace")] == ["PL-1"]
    assert [h.node for h in ex.search(scoped, "\u00a0Millfield\tPark ")] == ["PL-3"]
    found = ex.search(scoped, "CSE, North")
    assert found and {h.matched_by for h in found} == {"attributes"}
    for hit in found:
        data = scoped.graph.nodes[hit.node]
        assert "cse" in data["harms"] and data["district"] == "North"
        assert hit.shown_as == hit.node  # a person by code, never by name
    young_cse = {
        n
        for n, d in scoped.graph.nodes(data=True)
        if "cse" in (d.get("harms") or ()) and d.get("district") == "North"
    }
    assert {h.node for h in found} == young_cse
    assert ex.search(scoped, "CSE, Atlantis") == []  # an unknown word is not an attribute
    assert {h.node for h in ex.search(scoped, "adult of concern")} == {
        n for n, d in scoped.graph.nodes(data=True) if d.get("adult_role") == "person_of_concern"
    }
