"""The projector presentation: one screen per agenda item, marked top and bottom, only the
raised entities labelled on each district's network, keys that a clicker sends handled, and
data text escaped."""

from __future__ import annotations

import json
import re
from datetime import date

from mapping import meeting as mt
from mapping.render.presentation import presentation_html


def test_one_screen_per_item_and_only_raised_entities_labelled(sample_world):
    store, _p, _truth = sample_world
    meeting = mt.default_meeting(store, date(2026, 11, 1))
    agenda = mt.build_agenda(store, meeting, "chair")
    text = presentation_html(agenda, {}, start=1)
    screens = re.findall(r'<section class="item" data-item="(\d+)"', text)
    assert screens == [str(i) for i in range(len(agenda.items))]
    assert text.count('<div class="marking">') == 2
    networks = json.loads(re.search(r"var networks = (\{.*?\}), drawn", text).group(1))
    assert len(networks) == len(agenda.districts)
    for index, item in enumerate(agenda.items):
        if item.district is None:
            continue
        labelled = {n["id"] for n in networks[str(index)]["nodes"] if n["label"]}
        assert labelled == set(item.highlight) & set(item.nodes)
        assert len(networks[str(index)]["nodes"]) == len(item.nodes)
    for key in ('"PageDown"', '"PageUp"', '"ArrowRight"', '"ArrowLeft"', '" "'):
        assert key in text
    assert "show(1);" in text


def test_data_text_is_escaped():
    evil = '<img src=x onerror="alert(1)">'
    item = mt.AgendaItem(
        key="opening",
        title=evil,
        district=None,
        sections={"outstanding_actions": [{"against": evil, "district": evil}]},
    )
    agenda = mt.Agenda({"meeting_date": "2026-11-01"}, "chair", [item], None)
    text = presentation_html(agenda, {})
    assert evil not in text and "&lt;img src=x" in text
