"""The import corpus: every bad or awkward file gives its documented result."""

from datetime import date
from pathlib import Path

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ERROR, ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store
from tests.fixtures.import_corpus import CASES, RAW_NAMES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"
TODAY = date(2026, 11, 29)


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'corpus.sqlite'}")


def run(paths: list[Path], store: Store):
    return import_files(
        [Source(p, p.name) for p in paths], store, Pseudonymiser(b"corpus-key-" * 3), today=TODAY
    )


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_corpus_case(tmp_path, store, name, build, expected):
    folder = tmp_path / "in"
    folder.mkdir()
    paths = build(folder)
    if expected == "ok" or expected.startswith("warn:"):
        result = run(paths, store)
        assert store.latest_version() == result.version == 1
        assert result.links + result.entities > 0
        if expected.startswith("warn:"):
            assert expected[5:] in {p.kind for p in result.warnings}
        return
    with pytest.raises(ImportFailed) as failure:
        run(paths, store)
    errors = [p for p in failure.value.problems if p.severity == ERROR]
    assert errors[0].kind == expected
    assert store.latest_version() is None  # nothing stored
    text = "\n".join(map(str, failure.value.problems))
    assert not any(name in text for name in RAW_NAMES)
    assert "etc/passwd" not in text and "lol" not in text


def test_corpus_is_large_enough_and_documented():
    assert len(CASES) >= 30
    docs = DOCS.read_text(encoding="utf-8")
    missing = [name for name, _, _ in CASES if f"`{name}`" not in docs]
    assert not missing, f"docs/import.md lacks corpus rows for {missing}"
