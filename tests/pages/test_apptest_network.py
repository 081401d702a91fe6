"""AppTest: the network explorer page runs, shows clusters, and its filters change counts."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.explorer_world import RAW_NAMES

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def entity_count(at) -> int:
    text = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    return int(re.search(r"([\d,]+) entities and", text).group(1).replace(",", ""))


def open_network(at):
    assert not at.exception, at.exception
    return at


def test_network_page_shows_clusters_and_filters_change_counts(world_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    assert at.title[0].value == "Network map"
    clusters = at.dataframe[-1].value
    assert list(clusters["cluster"]) == ["C01", "C02"]
    before = entity_count(at)
    assert before == 11  # the stale 2019 link is hidden, every entity still has a link
    at.sidebar.multiselect(key="f_districts").select("South").run()
    assert not at.exception
    assert entity_count(at) < before
    at.sidebar.multiselect(key="f_districts").unselect("South").run()
    at.sidebar.checkbox(key="f_protective").uncheck().run()
    assert entity_count(at) == before - 2  # the trusted adult and the youth club


def test_search_by_raw_case_id_opens_network_and_forgets_the_id(world_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    at.text_input(key="ex_search").input("cs-2").run()
    assert not at.exception
    assert at.text_input(key="ex_search").value == ""
    assert "cs-2" not in repr(at.session_state).lower()
    hits = at.session_state["ex_hits"]
    assert len(hits) == 1 and hits[0]["node"].startswith("YP-")
    at.button(key="ex_open").click().run()
    assert at.session_state["ex_focus"] == hits[0]["node"]
    shown = " ".join(m.value for m in at.markdown)
    assert not any(name in shown for name in RAW_NAMES)


def test_search_finds_a_place_by_part_of_its_name(world_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    at.text_input(key="ex_search").input("palace").run()
    assert [h["node"] for h in at.session_state["ex_hits"]] == ["PL-1"]


def test_period_and_grading_filters(world_env):
    from datetime import date

    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    before = entity_count(at)
    at.sidebar.date_input(key="f_period").set_value((date(2026, 9, 20), date(2026, 11, 1)))
    at.run()
    # the adult of concern's links were last seen on 1 and 15 September: he drops out
    assert entity_count(at) == before - 1
    at.sidebar.date_input(key="f_period").set_value((date(2019, 1, 1), date(2026, 11, 1)))
    at.sidebar.selectbox(key="f_grading").select("1A").run()
    assert entity_count(at) == 5  # the four 1A links join CS-1, CS-2, two adults, youth club


def test_saved_view_and_undo_bring_a_view_back(world_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    at.text_input(key="ex_search").input("palace").run()
    at.button(key="ex_open").click().run()
    assert at.session_state["ex_focus"] == "PL-1"
    at.button(key="ex_save").click().run()
    (name,) = at.session_state["ex_saved"]
    assert name.startswith("View 1: PL-1 · ") and "Chicken" not in name
    at.text_input(key="ex_search").input("park").run()
    at.button(key="ex_open").click().run()
    assert at.session_state["ex_focus"] == "PL-3"
    at.button(key="ex_undo").click().run()  # one step back: the palace again
    assert at.session_state["ex_focus"] == "PL-1"
    at.button(key="ex_open").click().run()  # the park once more
    at.selectbox(key="ex_saved_pick").select(name).run()
    at.button(key="ex_open_saved").click().run()
    assert at.session_state["ex_focus"] == "PL-1"
    assert not at.exception


def test_network_page_shows_the_explanations_of_its_result(world_env):
    """The page says why it shows less than the data holds, in explain's own sentences."""
    from mapping.analysis.explain import explanations
    from mapping.analysis.report import analyse
    from mapping.graph import Scope, build_scoped_graph
    from mapping.model import MODEL
    from mapping.store import Store

    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    store = Store(f"sqlite:///{world_env / 'demo' / 'demo.sqlite'}")
    version = store.latest_version()
    scoped = build_scoped_graph(
        store.read_version(version), Scope(role=MODEL.default_role), version
    )
    expected = explanations(scoped, analyse(scoped))
    codes = {e["code"] for e in expected}
    assert "stale_links_hidden" in codes  # the world's 2019 link
    shown = {t.value for t in at.text}
    for item in expected:
        if item["code"] != "links_withheld":  # that count has its own notice
            assert item["message"] in shown, item["code"]
    # ticking "Show stale links" brings the link back and its sentence goes
    at.sidebar.checkbox(key="f_stale").check().run()
    assert not at.exception
    stale = next(e["message"] for e in expected if e["code"] == "stale_links_hidden")
    assert stale not in {t.value for t in at.text}


def test_partner_view_export_says_what_the_uniqueness_check_withheld(world_env):
    """The page's export button shows the check's counted message for a partner, and
    nothing of the kind for an analyst (issue 18 item 15: no silent change)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_network(at)
    at.button(key="ex_prepare").click().run()
    assert not at.exception
    assert not any("Uniqueness check" in i.value for i in at.info)
    at.sidebar.selectbox(key="role").select("partner").run()
    at.button(key="ex_prepare").click().run()
    assert not at.exception
    said = [i.value for i in at.info if "Uniqueness check" in i.value]
    assert len(said) == 1 and "young people" in said[0]
    name, data = at.session_state["ex_export"]
    assert said[0] in data.decode("utf-8")  # the same sentence is in the file
