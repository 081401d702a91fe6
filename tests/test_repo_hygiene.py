"""Project hygiene that a newcomer or CI would otherwise trip over."""

import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.\-]*)(\[[\w,\-]+\])?==(?P<version>[\w.]+)$")


def requirement_lines(name: str) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / name).read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-r ")]


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in requirement_lines(name):
        match = PIN.match(line)
        assert match, f"{name}: not pinned with ==: {line}"
        found[re.sub(r"[-_.]+", "-", match["name"]).lower()] = match["version"]
    return found


def test_no_spreadsheets_outside_sample_and_fixtures():
    result = subprocess.run(
        ["bash", "scripts/check-no-data-files.sh"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_data_file_guard_refuses_spreadsheets_elsewhere(tmp_path):
    """The guard itself, on a scratch repository: staged files count, extensions in any
    case, names with non-ASCII characters, and only the two folders exactly as spelled."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "check-no-data-files.sh", tmp_path / "scripts")
    allowed = ["sample_data/world.csv", "tests/fixtures/book.xlsx", "notes.txt"]
    refused = [
        "données.CSV",
        "exports/cases.xlsx",
        "Sample_Data/x.tsv",
        "deep/a b.xlsm",
        "old.xls",
        "calc.ods",
    ]
    for name in allowed + refused:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("fictional\n", encoding="utf-8")
    guard = ["bash", "scripts/check-no-data-files.sh"]
    subprocess.run(["git", "add", *allowed], cwd=tmp_path, check=True)
    assert subprocess.run(guard, cwd=tmp_path, capture_output=True).returncode == 0

    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    result = subprocess.run(guard, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    listed = {line.strip() for line in result.stderr.splitlines()[1:]}
    assert listed == set(refused)

    # Run from a subfolder, as git does with a hook symlinked into .git/hooks.
    hooks = tmp_path / ".git" / "hooks"
    (hooks / "pre-commit").symlink_to(Path("../../scripts/check-no-data-files.sh"))
    result = subprocess.run(
        ["bash", str(hooks / "pre-commit")],
        cwd=tmp_path / "exports",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1


def test_streamlit_config_keeps_statistics_and_tracebacks_in():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)
    # Unset, Streamlit asks an outside service for this machine's IP address at start-up.
    assert config["browser"].get("serverAddress")
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] <= 50


def test_no_secrets_are_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", ".streamlit"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == [".streamlit/config.toml"]
    # Ask git itself, so the check holds whatever way a pattern is spelt (a .venv that is
    # a folder or a link, as in a worktree, must both be ignored).
    for path in (".streamlit/secrets.toml", "pseudonym.key", "data/x.csv", ".venv"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"


def test_requirements_are_pinned():
    runtime = pins("requirements.txt")
    dev = pins("requirements-dev.txt")
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    for needed in (
        "streamlit",
        "pandas",
        "networkx",
        "igraph",
        "sqlalchemy",
        "psycopg",
        "psycopg-binary",
        "openpyxl",
        "defusedxml",
    ):
        assert needed in runtime, needed
    for needed in (
        "pytest",
        "pytest-xdist",
        "pytest-timeout",
        "hypothesis",
        "playwright",
        "ruff",
        "mypy",
    ):
        assert needed in dev, needed
    assert not set(runtime) & set(dev), "a package is pinned in both files"


def test_installed_packages_match_the_pins():
    """The suite runs against exactly the pinned versions (scripts/test.sh reinstalls when a
    requirements file changes); a package upgraded by hand shows up here."""
    wrong = {}
    for name, version in {**pins("requirements.txt"), **pins("requirements-dev.txt")}.items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed != version:
            wrong[name] = f"pinned {version}, installed {installed}"
    assert not wrong


def test_streamlit_at_least_1_54():
    major, minor = (int(x) for x in pins("requirements.txt")["streamlit"].split(".")[:2])
    assert (major, minor) >= (1, 54)


def test_licence_and_ci_entry_exist():
    licence = (ROOT / "LICENSE").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3, 29 June 2007" in licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "GPL-3.0-or-later"
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_scripts_are_executable_in_git():
    modes = subprocess.run(
        ["git", "ls-files", "-s", "scripts", ".ci"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    entries = {line.split("\t")[1]: line.split()[0] for line in modes}
    for path in (
        ".ci/run",
        "scripts/test.sh",
        "scripts/run-app.sh",
        "scripts/check-no-data-files.sh",
    ):
        assert entries.get(path) == "100755", path


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


def test_ruff_is_clean():
    """Lint (including the rule that keeps streamlit out of mapping/ and loaders/) in CI."""
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_format_is_clean():
    """The whole tree is formatted by ``ruff format``; a file left unformatted fails CI."""
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean():
    """``mypy --strict mapping loaders`` passes (issue 12), as CI and the pre-commit hook run it.

    A bare ``# type: ignore`` (no error code) is refused; name the code and give a reason."""
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "mapping", "loaders"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Success: no issues found" in result.stdout, result.stdout[-3000:]
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("mapping", "loaders")
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"#\s*type:\s*ignore(?!\[)", line)
    ]
    assert not bare, f"bare type: ignore (name the error code and give a reason): {bare}"


def strict_flags() -> set[str]:
    """The config names of the flags ``mypy --strict`` turns on, read from ``mypy --help``
    (so a flag a newer mypy adds to --strict is asked for here too)."""
    import sys

    help_text = subprocess.run(
        [sys.executable, "-m", "mypy", "--help"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(
        r"--strict\s+Strict mode; enables the following flags:(.*?)\n  --", help_text, re.S
    )
    assert found, "mypy --help no longer lists what --strict enables"
    flags = re.sub(r"\s+", "", found[1]).rstrip(".").split(",")
    return {flag.removeprefix("--").replace("-", "_") for flag in flags}


def test_every_module_gets_every_strict_flag():
    """Issue 12: ``strict = true`` is global in pyproject.toml [tool.mypy], so a bare ``mypy``
    (the pre-commit hook) checks what ``mypy --strict mapping loaders`` checks; no global
    setting or per-module override turns one of --strict's flags back off."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    wanted = strict_flags()
    assert {"disallow_untyped_defs", "disallow_any_generics", "warn_return_any"} <= wanted
    assert config.get("strict") is True
    assert set(config["packages"]) == {"mapping", "loaders"}
    weakened = sorted(f for f in wanted if config.get(f) is False)
    assert not weakened, f"[tool.mypy] turns off {weakened}"
    for override in config.get("overrides", []):
        off = sorted(f for f in wanted if override.get(f) is False)
        off += ["ignore_errors"] if override.get("ignore_errors") else []
        assert not off, f"an override for {override['module']} weakens {off}"


def test_every_setting_is_documented_in_readme():
    """A MAPPING_* environment variable read by the code must have a row in the README."""
    readme = (ROOT / "README.md").read_text()
    used = set()
    for folder in ("mapping", "loaders", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"MAPPING_[A-Z_]+", path.read_text()))
    used |= set(re.findall(r"MAPPING_[A-Z_]+", (ROOT / "app.py").read_text()))
    missing = sorted(v for v in used if f"`{v}`" not in readme)
    assert not missing, f"settings missing from README: {missing}"
