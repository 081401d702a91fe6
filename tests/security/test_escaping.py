"""Hostile text from the data is kept as text by every renderer and export.

Each payload goes into every free-text field of the trust world (place and online-space
labels, district, notes); a separate browser test checks that nothing runs in Chromium.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from mapping.cli import main
from mapping.export.formats import FORMATS
from mapping.graph import Scope, build_scoped_graph
from mapping.render.network import network_html
from mapping.store import Store
from tests.security.conftest import new_app, sign_in
from tests.security.world import import_world

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "</script><script>window.__xss=1</script>",
    "${window.__xss=1}`${7*7}`",
    "'};window.__xss=1;//",
    '{{constructor.constructor("window.__xss=1")()}}',
    "javascript:window.__xss=1",
]
XML_FORMATS = sorted({"graphml", "gexf", "kml"} & set(FORMATS))
JSON_FORMATS = sorted({"cyjs", "geojson"} & set(FORMATS))


@pytest.fixture(scope="module", params=PAYLOADS, ids=range(len(PAYLOADS)))
def hostile(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("xss")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    version = import_world(url, folder / "k.key", folder / "in", payload=request.param)
    return request.param, url, folder, version


def test_html_export_embeds_payload_only_as_json_data(hostile):
    payload, url, _folder, version = hostile
    tables = Store(url).read_version(version)
    page = network_html(build_scoped_graph(tables, Scope(role="police")).graph)
    if "<" in payload:
        assert payload not in page
    clean = network_html(nx.Graph())
    for tag in ("<script", "<img", "<svg"):  # no more tags than a page with no data has
        assert page.count(tag) == clean.count(tag)
    data = re.search(r"new vis\.DataSet\((\[.*?\])\);\n", page).group(1)
    labels = [n["label"] for n in json.loads(data)]
    assert f"Kebab Stop{payload}" in labels  # kept intact, as data


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_xml_exports_hold_payload_as_text(hostile, tmp_path, fmt):
    payload, url, _folder, _version = hostile
    out = tmp_path / f"out.{fmt}"
    assert (
        main(["export", "--db", url, "--format", fmt, "--out", str(out), "--role", "police"]) == 0
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    files = [out] if out.is_file() else sorted(p for p in out.rglob("*.xml"))
    for path in files:
        tree = etree.parse(str(path), parser)
        tags = {etree.QName(e).localname.lower() for e in tree.iter() if isinstance(e.tag, str)}
        assert not tags & {"script", "img", "svg"}
        values = [
            *(e.text or "" for e in tree.iter()),
            *(v for e in tree.iter() for v in e.attrib.values()),
        ]
        if any("Kebab Stop" in v for v in values):
            assert any(f"Kebab Stop{payload}" in v for v in values)


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_json_exports_hold_payload_as_strings(hostile, tmp_path, fmt):
    payload, url, _folder, _version = hostile
    out = tmp_path / f"out.{fmt}"
    assert (
        main(["export", "--db", url, "--format", fmt, "--out", str(out), "--role", "police"]) == 0
    )
    text = out.read_text(encoding="utf-8")
    json.loads(text)
    if "Kebab Stop" in text:
        assert json.dumps(f"Kebab Stop{payload}")[1:-1] in text or "\\u003c" in text


def test_app_pages_never_render_payload_as_html(hostile, monkeypatch, users_file):
    payload, url, folder, _version = hostile
    monkeypatch.setenv("MAPPING_USERS_FILE", str(users_file))
    monkeypatch.setenv("MAPPING_DB", url)
    monkeypatch.setenv("MAPPING_KEY_FILE", str(folder / "k.key"))
    at = sign_in(new_app().run(), "pc")
    for page in ("pages/network.py", "pages/clusters.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        for element in at.markdown:
            assert not (element.proto.allow_html and "Kebab" in element.value)
        for element in at.get("html"):
            assert payload not in element.proto.body


def _python_sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


#: Functions that escape every data value they are given (tested above and in test_browser).
ESCAPING_RENDERERS = {
    "legend_html",
    "network_html",
    "evidence_html",  # tests/mapping/test_explorer_evidence.py
    "path_html",
    "scroll_script",
    "heading_html",
    "presentation_html",  # tests/mapping/test_presentation.py::test_data_text_is_escaped
}


def _fixed_or_escaped(node: ast.AST) -> bool:
    """True when an expression can only hold fixed text or an escaping renderer's output."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()  # a module-level constant such as PRESENTATION_CSS
    if isinstance(node, ast.Call):
        func = node.func
        return getattr(func, "id", getattr(func, "attr", None)) in ESCAPING_RENDERERS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _fixed_or_escaped(node.left) and _fixed_or_escaped(node.right)
    if isinstance(node, ast.JoinedStr):
        return all(_fixed_or_escaped(getattr(v, "value", v)) for v in node.values)
    return False


def _calls(predicate):
    for path in _python_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and predicate(node):
                yield path.name, node


def test_unsafe_html_markdown_only_ever_gets_fixed_text():
    def unsafe(node):
        return any(
            k.arg == "unsafe_allow_html" and getattr(k.value, "value", False) for k in node.keywords
        )

    offenders = [
        f"{name}:{node.lineno}"
        for name, node in _calls(unsafe)
        if not all(_fixed_or_escaped(a) for a in node.args)
    ]
    assert offenders == []


def test_html_elements_only_get_fixed_text_or_escaping_renderers():
    def html_call(node):
        return isinstance(node.func, ast.Attribute) and node.func.attr == "html"

    offenders = [
        f"{name}:{node.lineno}"
        for name, node in _calls(html_call)
        if not all(_fixed_or_escaped(a) for a in node.args)
    ]
    assert offenders == []


def test_the_rule_catches_data_passed_as_html():
    # The checker itself: a label from data must fail, a constant must pass.
    bad = ast.parse("st.markdown(label, unsafe_allow_html=True)").body[0].value
    good = ast.parse('st.html("<b>x</b>" + legend_html())').body[0].value
    assert not _fixed_or_escaped(bad.args[0]) and _fixed_or_escaped(good.args[0])
