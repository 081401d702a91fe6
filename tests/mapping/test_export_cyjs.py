"""Cytoscape.js JSON export, loaded headlessly by the npm ``cytoscape`` package in Node
(pinned in tests/node/package-lock.json; ``npm ci`` runs here if node_modules is missing)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mapping.export.cyjs import write_cyjs
from mapping.render.network import layout
from tests.mapping.export_world import ENTITIES, LINKS, scoped_world

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
META = {"marking": "OFFICIAL-SENSITIVE", "dataset_version": 3, "role": "police"}


@pytest.fixture(scope="module")
def node_ready():
    assert shutil.which("node") and shutil.which("npm"), "Node 20 and npm are required"
    if not (NODE_DIR / "node_modules" / "cytoscape").is_dir():
        subprocess.run(
            ["npm", "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return NODE_DIR / "load_cyjs.mjs"


def load_in_node(script: Path, path: Path) -> tuple[int, dict | str]:
    done = subprocess.run(
        ["node", str(script), str(path)], capture_output=True, text=True, timeout=60
    )
    try:
        return done.returncode, json.loads(done.stdout)
    except json.JSONDecodeError:
        return done.returncode, done.stderr


def test_cytoscape_loads_every_element_with_positions(node_ready, tmp_path):
    scoped = scoped_world("police")
    path = tmp_path / "map.cyjs"
    write_cyjs(scoped, path, META)
    code, loaded = load_in_node(node_ready, path)
    assert code == 0, loaded
    assert loaded["version"] == "3.30.4"
    assert (loaded["nodes"], loaded["edges"]) == (len(ENTITIES), len(LINKS))
    assert loaded["warnings"] == []
    expected = layout(scoped.graph, seed=0)["YP-2"]
    assert (loaded["positions"]["YP-2"]["x"], loaded["positions"]["YP-2"]["y"]) == expected
    assert loaded["node_data"]["YP-2"]["harm_cse"] is True
    restricted = loaded["edge_data"]["LINK-RESTRICTED-C"]
    assert (restricted["source"], restricted["target"]) == ("YP-3", "P-ONLY-VIA-C")
    assert restricted["data"]["grading"] == "2CC"
    assert loaded["metadata"]["marking"] == "OFFICIAL-SENSITIVE"


def test_the_node_check_refuses_a_broken_file(node_ready, tmp_path):
    """The Node check can fail: an edge to a missing node is refused."""
    path = tmp_path / "broken.cyjs"
    path.write_text(
        json.dumps(
            {
                "elements": {
                    "nodes": [{"data": {"id": "a"}}],
                    "edges": [{"data": {"id": "e", "source": "a", "target": "missing"}}],
                }
            }
        ),
        encoding="utf-8",
    )
    code, _ = load_in_node(node_ready, path)
    assert code != 0
