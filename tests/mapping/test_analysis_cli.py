"""`python -m mapping analyse --json`: one JSON object with the documented keys."""

from __future__ import annotations

import json

from mapping.cli import main

REQUIRED = {
    "dataset": {"version", "entities", "links"},
    "clusters": {"id", "members", "harms", "overlap", "contexts", "evidence"},
    "hotspots": {"id", "kind", "district", "harms", "young_people", "evidence"},
    "connectors": {"id", "kind", "young_people", "clusters_bridged", "evidence"},
}


def test_analyse_prints_one_object_with_the_required_keys(sample_world, capsys):
    store, _, truth = sample_world
    district = truth["cse_group"]["district"]
    assert main(["analyse", "--json", "--db", store.url, "--district", district,
                 "--since", "2025-01-01", "--until", "2026-11-29", "--role", "police",
                 "--compare-date", "2026-09-01"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert REQUIRED["dataset"] <= set(report["dataset"])
    for key in ("clusters", "hotspots", "connectors"):
        assert report[key], f"no {key} in the {district} view"
        for item in report[key]:
            assert REQUIRED[key] <= set(item)
    assert report["scope"]["districts"] == [district] and report["scope"]["role"] == "police"
    assert {"new_links", "ended_links", "merged", "split"} <= set(report["changes"])
    assert {"overlaps_by_context", "protective", "summary"} <= set(report)
