"""Every docstring example in mapping/ and loaders/ runs (issue 12: three modules had
examples that never ran). A module gains its examples here by having them: it is found by
searching the source for ``>>>``, so none can be forgotten."""

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for folder in ("mapping", "loaders")
    for path in (ROOT / folder).rglob("*.py")
    if ">>> " in path.read_text("utf-8")
)


def test_some_modules_have_examples():
    assert "mapping.model" in MODULES and len(MODULES) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0, result
