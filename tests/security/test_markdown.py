"""Markdown-safe rendering (issue 18 item 8): a place label, district or upload file name
``![x](http://host/x.png)`` is never rendered as an image (the browser would fetch the URL:
an offline-promise break and a tracking beacon), and backticks never break a code span.

Every element the app draws that Streamlit reads as Markdown (titles, headers, captions,
alerts, markdown, expander and widget labels) is collected on each page and checked for
the payload unescaped. Tables are plain text and may hold it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mapping.render.markdown import md
from tests.security.conftest import new_app, sign_in
from tests.security.world import import_world

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "![x](http://host/x.png)"
PAGES = [
    "pages/network.py",
    "pages/clusters.py",
    "pages/map.py",
    "pages/meeting.py",
    "pages/summary.py",
    "pages/import.py",
    "pages/admin.py",
]
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
)


def markdown_texts(at) -> list[str]:
    """Every string on screen that Streamlit renders as Markdown."""
    texts = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    texts += [e.label for e in at.expander]
    for kind in ("selectbox", "multiselect", "radio", "checkbox", "text_input", "button"):
        texts += [str(getattr(e, "label", "")) for e in getattr(at, kind)]
    return texts


@pytest.fixture
def hostile_env(tmp_path, monkeypatch, users_file):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    import_world(url, tmp_path / "k.key", tmp_path / "in", payload=IMAGE, file_prefix=IMAGE)
    monkeypatch.setenv("MAPPING_USERS_FILE", str(users_file))
    monkeypatch.setenv("MAPPING_DB", url)
    monkeypatch.setenv("MAPPING_KEY_FILE", str(tmp_path / "k.key"))
    monkeypatch.setenv("MAPPING_DATA_DIR", str(tmp_path))
    return tmp_path


def test_md_escapes_images_links_code_and_colour():
    for text in (IMAGE, "`x` and ``y``", ":red[alarm]", "[a](http://h)", "<b>x</b>"):
        escaped = md(text)
        assert all(
            c == "\\" or escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c in "![]()`:<>"
        )
    assert md("Kebab Stop\nNorth") == "Kebab Stop North"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_a_data_value_as_markdown(hostile_env, page):
    at = sign_in(new_app().run(), "cho" if page == "pages/meeting.py" else "pc")
    at.switch_page(page).run()
    assert not at.exception, at.exception
    if page == "pages/meeting.py":  # set up a meeting so the agenda (district titles) shows
        setup = [b for b in at.button if b.key == "m_setup"]
        assert setup, "the chair is offered the meeting set-up"
        setup[0].click().run()
        assert not at.exception, at.exception
        assert at.header, "the agenda shows an item"
        for _ in range(3):  # step into the district items
            forward = [b for b in at.button if b.key == "m_next" and not b.disabled]
            if forward:
                forward[0].click().run()
                offenders = [t for t in markdown_texts(at) if IMAGE in t or "](http" in t]
                assert offenders == []
    if page == "pages/network.py":  # open the place whose label holds the payload
        at.text_input(key="ex_search").input("Kebab").run()
        buttons = [b for b in at.button if b.label == "Open network"]
        if buttons:
            buttons[0].click().run()
    offenders = [t for t in markdown_texts(at) if IMAGE in t or "](http" in t]
    assert offenders == []


MARKDOWN_CALLS = {
    "markdown",
    "write",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "expander",
    "selectbox",
    "multiselect",
    "radio",
    "checkbox",
    "button",
    "metric",
    "toast",
}
#: Words that mark an expression as data (names, labels, file names, headers).
DATA_WORDS = (
    "shown_as",
    ".name",
    "label",
    "title",
    "district",
    "line",
    "header",
    "sheet",
    "describe_mapped",
    "['term']",
)
#: Reviewed: these hold fixed text or numbers only.
REVIEWED = {
    "clusters.py: title",  # cluster id and counts
    "import_steps.py: raw.header_row + start",  # a row number
    "meeting.py: made['label']",  # pack_label: meeting date, version, role label, time
    "meeting.py: label",  # the metric labels are fixed words
    "import.py: label",  # built with md() around the unknown term
    "network.py: title",  # a cluster id (C3) or "Not in a cluster"
}


def _data_without_md(node: ast.AST) -> list[str]:
    """Interpolated data in a Markdown argument that is not wrapped in md(...)."""
    found: list[str] = []
    if isinstance(node, ast.BinOp):
        return _data_without_md(node.left) + _data_without_md(node.right)
    if isinstance(node, ast.BoolOp):
        return [t for value in node.values for t in _data_without_md(value)]
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "join" and node.args:
        generator = node.args[0]
        if isinstance(generator, ast.GeneratorExp):
            return _data_without_md(generator.elt)
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    for part in parts:
        expression = getattr(part, "value", part) if isinstance(part, ast.FormattedValue) else part
        if isinstance(expression, ast.Constant):
            continue
        if isinstance(expression, ast.JoinedStr):
            found += _data_without_md(expression)
            continue
        if isinstance(expression, ast.Call) and getattr(expression.func, "id", "") == "md":
            continue
        text = ast.unparse(expression)
        if text.startswith(("MODEL.", "len(")) or text.isupper():
            continue  # the model's own vocabulary labels and module constants are fixed text
        if any(word in text for word in DATA_WORDS):
            found.append(text)
    return found


def test_pages_wrap_data_in_md_wherever_streamlit_reads_markdown():
    offenders = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in MARKDOWN_CALLS or not node.args:
                continue
            offenders += [
                f"{path.name}:{node.lineno}: {t}"
                for t in _data_without_md(node.args[0])
                if f"{path.name}: {t}" not in REVIEWED
            ]
    assert offenders == []


def test_the_md_rule_catches_an_unwrapped_label():
    bad = ast.parse('st.subheader(f"Evidence: {ex.shown_as(g, n)}")').body[0].value
    good = ast.parse('st.subheader(f"Evidence: {md(ex.shown_as(g, n))}")').body[0].value
    assert _data_without_md(bad.args[0]) and not _data_without_md(good.args[0])
