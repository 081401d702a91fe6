"""Project hygiene that a newcomer or CI would otherwise trip over."""

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_spreadsheets_outside_sample_and_fixtures():
    result = subprocess.run(["bash", "scripts/check-no-data-files.sh"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_streamlit_config_keeps_statistics_and_tracebacks_in():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-r")):
                assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==[\w.]+$", line), f"{name}: {line}"


def test_streamlit_at_least_1_54():
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line)
    major, minor = (int(x) for x in pins["streamlit"].split(".")[:2])
    assert (major, minor) >= (1, 54)


def test_licence_and_ci_entry_exist():
    assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text()
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_streamlit_never_imported_outside_app_and_pages():
    offenders = []
    for folder in ("mapping", "loaders"):
        for path in (ROOT / folder).rglob("*.py"):
            if re.search(r"^\s*(import streamlit|from streamlit)", path.read_text(), re.M):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_cli_verbs_are_documented_in_readme():
    from mapping.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    verbs = build_parser()._subparsers._group_actions[0].choices
    missing = [v for v in verbs if f"`{v}" not in readme]
    assert not missing, f"CLI verbs missing from README: {missing}"
