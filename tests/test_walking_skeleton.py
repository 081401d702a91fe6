"""The spine end to end through the real CLI: import the fictional sample, analyse, look up,
export — as another tool would drive it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from loaders.pseudonymise import Pseudonymiser

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def run(*args, env, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "mapping", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spine")
    env = dict(
        os.environ,
        MAPPING_DB=f"sqlite:///{folder / 'map.sqlite'}",
        MAPPING_KEY_FILE=str(folder / "pseudonym.key"),
    )
    # the sample world records young people as suspects, as real data does: confirmed here
    result = run("import", str(SAMPLE / "sample_world.xlsx"), env=env)
    truth = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))
    key = (folder / "pseudonym.key").read_bytes().strip()
    return env, folder, result, truth, Pseudonymiser(key)


def test_import_reports_a_version(imported):
    _, _, result, _, _ = imported
    assert "imported dataset version 1" in result.stdout


def test_analyse_finds_the_planted_overlap_cluster(imported):
    env, _, _, truth, pseudonymiser = imported
    report = json.loads(run("analyse", "--json", env=env).stdout)
    planted = {pseudonymiser.code(raw, "YP") for raw in truth["overlap_cluster"]["young_people"]}
    assert report["dataset"]["version"] == 1 and report["dataset"]["links"] > 0
    best = max(report["clusters"], key=lambda c: len(planted & set(c["members"])))
    assert len(planted & set(best["members"])) >= 0.75 * len(planted)
    assert best["overlap"] is True
    assert {"cce", "radicalisation"} <= set(best["harms"])
    assert best["evidence"], "an overlap cluster must carry the links behind it"


def test_lookup_prints_code_alone_on_last_line(imported):
    env, _, _, truth, pseudonymiser = imported
    raw = truth["overlap_cluster"]["young_people"][0]
    result = run("lookup", raw, env=env)
    assert result.stdout.strip().splitlines()[-1] == pseudonymiser.code(raw, "YP")
    missing = run("lookup", "NOT-A-REAL-ID-999", env=env, check=False)
    assert missing.returncode != 0


def test_graphml_export_reads_back(imported):
    env, folder, _, truth, pseudonymiser = imported
    out = folder / "map.graphml"
    run("export", "--format", "graphml", "--out", str(out), env=env)
    graph = nx.read_graphml(out)
    code = pseudonymiser.code(truth["overlap_cluster"]["young_people"][0], "YP")
    assert code in graph and graph.nodes[code]["entity_type"] == "young_person"
    assert graph.graph["marking"] == "OFFICIAL-SENSITIVE"


def test_failed_import_stores_nothing_and_exits_non_zero(imported, tmp_path):
    env, _, _, _, _ = imported
    bad = tmp_path / "links.csv"
    bad.write_text("source_id,target_id,link_type\nA-1,A-1,peer\n", encoding="utf-8")
    result = run("import", str(bad), env=env, check=False)
    assert result.returncode != 0
    assert "links.csv" in result.stderr and "row 2" in result.stderr
    versions = json.loads(run("analyse", "--json", env=env).stdout)["dataset"]["version"]
    assert versions == 1


def test_raw_names_absent_from_database(imported):
    _, folder, _, truth, _ = imported
    import openpyxl

    book = openpyxl.load_workbook(SAMPLE / "sample_world.xlsx", read_only=True)
    sheet = book["entities"]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    kind, label = header.index("entity_type"), header.index("label")
    names = [r[label] for r in rows if r[kind] in ("young_person", "adult") and r[label]]
    blob = b"".join(p.read_bytes() for p in folder.glob("map.sqlite*"))
    assert names and not [n for n in names if n.encode("utf-8") in blob]
