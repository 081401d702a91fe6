"""AppTest: the MACE meeting and strategic summary pages run in demo mode on the fictional
sample world; the agenda has one item per district (seven) and the summary table never
shows a count from 1 to 4."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapping.render.markdown import md

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DISTRICTS = sorted(
    f["properties"]["name"]
    for f in json.loads((ROOT / "sample_data" / "districts.geojson").read_text(encoding="utf-8"))[
        "features"
    ]
)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """Demo mode on a fresh data folder, shared by this module's tests (the sample world is
    generated once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MAPPING_DATA_DIR", str(tmp_path_factory.mktemp("meeting-apptest")))
        patch.delenv("MAPPING_USERS_FILE", raising=False)
        yield


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_meeting_agenda_has_every_district_and_steps_through(demo_env):
    at = open_page("pages/meeting.py")
    assert at.title[0].value == "MACE meeting"
    at.date_input(key="m_day").set_value(date(2026, 10, 1)).run()
    # the period follows the meeting date: the year to it
    assert at.date_input(key="m_period").value == (date(2025, 10, 1), date(2026, 10, 1))
    at.button(key="m_setup").click().run()
    assert not at.exception, at.exception
    where = next(m.value for m in at.markdown if m.value.startswith("**Item "))
    total = int(re.search(r"of (\d+)", where).group(1))
    assert total == 1 + len(DISTRICTS) + 1 == 9  # the opening, seven districts, online spaces
    titles = [at.header[0].value]
    for step in range(total - 1):
        at.button(key="m_next").click().run()
        assert not at.exception, at.exception
        titles.append(at.header[0].value)
        if step == total - 3:  # the last district
            # Codes: the district's metrics are counts, its tables hold codes (a public
            # place's name may stand beside its code), never a person's label.
            assert [m.label for m in at.metric][:2] == ["Young people", "Locations of concern"]
            hotspots = at.dataframe[0].value
            assert hotspots.empty or hotspots["code"].str.match(r"^[A-Z]{2}-").all()
    assert titles == [  # a title is data, escaped for Markdown (mapping.render.markdown)
        md("Opening: actions to review"),
        *(md(f"District: {d}") for d in DISTRICTS),
        md("Online spaces across districts"),
    ]
    assert at.button(key="m_next").disabled


def test_presentation_view_marks_the_screen(demo_env):
    at = open_page("pages/meeting.py")
    at.button(key="m_setup").click().run()
    at.toggle(key="m_present").set_value(True).run()
    assert not at.exception, at.exception
    # The presentation is one full-screen frame (tests/e2e/test_meeting.py looks inside it);
    # the page's own controls are not drawn under it.
    assert not at.tabs and not [b for b in at.button if b.key == "m_next"]


def test_summary_suppresses_small_counts(demo_env):
    at = open_page("pages/summary.py")
    assert at.title[0].value == "Strategic summary"
    shown_small = False
    for period in at.selectbox(key="s_period").options[:6]:
        at.selectbox(key="s_period").set_value(period).run()
        assert not at.exception, at.exception
        table = at.dataframe[0].value
        cells = table.drop(columns=["district"]).astype(str).to_numpy().ravel()
        assert len(table) == len(DISTRICTS) + 1  # the districts, then All districts
        assert not any(c in {"1", "2", "3", "4"} or c.startswith("~") for c in cells), period
        shown_small |= "<5" in cells
    assert shown_small  # the sample world has small counts, so suppression really ran


def test_making_the_pack_is_audited_with_scope_and_recipient(demo_env):
    from mapping.audit import list_audit
    from mapping.store import Store

    at = open_page("pages/meeting.py")
    at.date_input(key="m_day").set_value(date(2026, 10, 1)).run()
    at.button(key="m_setup").click().run()
    store = Store(at.session_state.workspace.database_url)
    before = len(list_audit(store, action="build_pack"))
    at.button(key="m_pack_build").click().run()
    assert not at.exception, at.exception
    rows = list_audit(store, action="build_pack").to_dict("records")
    assert len(rows) == before + 1
    detail = json.loads(rows[0]["detail"])  # newest first
    assert detail["meeting"].startswith("2026-10-01")
    assert detail["scope"]["role"] == detail["role"] and detail["recipient"]


def test_the_pack_made_on_the_page_is_marked_for_whoever_made_it(demo_env):
    """Every band of the pack names the person who built it and its review-by date (the
    demo's identity is 'demo'), the same date as the build_pack audit row."""
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    from mapping.audit import list_audit
    from mapping.model import MARKING
    from mapping.store import Store

    at = open_page("pages/meeting.py")
    at.date_input(key="m_day").set_value(date(2026, 10, 1)).run()
    at.button(key="m_setup").click().run()
    at.button(key="m_pack_build").click().run()
    assert not at.exception, at.exception
    store = Store(at.session_state.workspace.database_url)
    detail = json.loads(list_audit(store, action="build_pack").iloc[0]["detail"])
    line = f"{MARKING} · for demo · review by {detail['review_by']}"
    assert date.fromisoformat(detail["review_by"]) > date.today()
    files = at.session_state.m_pack["files"]
    for number, page in enumerate(PdfReader(io.BytesIO(files["pdf"])).pages, start=1):
        assert f"{line} · page {number}" in page.extract_text()
    for slide in Presentation(io.BytesIO(files["pptx"])).slides:
        assert [s.text_frame.text for s in slide.shapes if s.has_text_frame].count(line) == 2
    assert files["html"].decode("utf-8").count(line) == 2
