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
    assert (
        main(
            [
                "analyse",
                "--json",
                "--db",
                store.url,
                "--district",
                district,
                "--since",
                "2025-01-01",
                "--until",
                "2026-11-29",
                "--role",
                "police",
                "--compare-date",
                "2026-09-01",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert REQUIRED["dataset"] <= set(report["dataset"])
    for key in ("clusters", "hotspots", "connectors"):
        assert report[key], f"no {key} in the {district} view"
        for item in report[key]:
            assert REQUIRED[key] <= set(item)
    assert report["scope"]["districts"] == [district] and report["scope"]["role"] == "police"
    assert {"new_links", "ended_links", "merged", "split"} <= set(report["changes"])
    assert {"overlaps_by_context", "protective", "summary"} <= set(report)


def test_every_key_of_the_report_is_documented(sample_world):
    from pathlib import Path

    from mapping.analysis.report import analyse
    from mapping.graph import Scope, build_scoped_graph

    store, _, _ = sample_world
    docs = (Path(__file__).resolve().parents[2] / "docs" / "analysis.md").read_text("utf-8")
    report = analyse(build_scoped_graph(store.read_version(), Scope(role="police"), 1))
    keys = set(report)
    for value in report.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                keys |= set(item)
    keys -= set(report["hotspots_by_harm"])  # harm flags: documented in model.yaml
    missing = sorted(k for k in keys if f"`{k}`" not in docs and f"`{k}[]`" not in docs)
    assert not missing, f"undocumented report keys: {missing}"
