"""Each rule is declared in one place (issue 12): a second copy is how two of them went wrong.

These read the source of ``mapping/``, ``loaders/``, ``pages/`` and ``app.py``; a failure
names the files that hold another copy.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [*(ROOT / "mapping").rglob("*.py"), *(ROOT / "loaders").rglob("*.py")]
    + [*(ROOT / "pages").rglob("*.py"), ROOT / "app.py"]
)


def holders(pattern: str) -> list[str]:
    found = re.compile(pattern)
    return [str(p.relative_to(ROOT)) for p in SOURCES if found.search(p.read_text("utf-8"))]


def test_private_place_predicate_is_defined_once():
    assert holders(r'with_flag\(\s*"private"\s*\)') == ["mapping/model.py"]
    assert holders(r"def is_private_place\b|def is_home_address\b") == ["mapping/model.py"]


def test_only_the_scoped_graph_generalises_addresses():
    """The rounding rule is called by the scoped graph (and, for a point found later from
    the postcode table, by the map's geo helper); no renderer or exporter rounds itself."""
    assert holders(r"\bgeneralise_coordinate\(") == [
        "mapping/geo.py",
        "mapping/graph.py",
        "mapping/model.py",
    ]
    assert holders(r"\bsees_true_addresses\b") == [
        "mapping/auth.py",  # counts what a role may see, for the sign-in summary
        "mapping/geo.py",
        "mapping/graph.py",
        "mapping/model.py",
        "mapping/render/map.py",  # the legend line only; coordinates come from the graph
    ]


def test_no_page_reads_role_flags():
    pages = [h for h in holders(r"\bsees_\w+|\.private\b") if h.startswith("pages/")]
    assert pages == []


def test_boundaries_path_is_declared_once():
    """The default boundaries file is the setting's default (sample.py only names the file it
    writes when generating the world); everything else asks ``settings``."""
    assert holders(r"districts\.geojson") == ["mapping/sample.py", "mapping/settings.py"]


def test_marking_and_association_notice_are_declared_once():
    model = (ROOT / "mapping" / "model.yaml").read_text("utf-8")
    assert model.count("OFFICIAL-SENSITIVE") == 1
    assert model.count("association, not involvement") == 1
    assert holders(r"[\"']OFFICIAL-SENSITIVE") == []
    assert holders(r"association, not involvement") == []


def test_cli_exports_through_run_export():
    """One export path: the CLI writes and audits through ``export.run.run_export``."""
    assert holders(r"FORMATS\[[^\]]+\]\(") == ["mapping/export/run.py"]


def test_harm_rules_come_from_the_model_not_literals():
    """``has_ideology`` and ``protective`` are model flags: no code names the harm or role."""
    # harms.py names it in its doctests; sample.py writes the fictional world's data
    assert holders(r'"radicalisation"') == ["mapping/analysis/harms.py", "mapping/sample.py"]
    assert holders(r'== "trusted_adult"|!= "trusted_adult"') == []
    assert holders(r"attrs\.get\(.short") == ["mapping/analysis/harms.py"]


def test_one_harm_profile():
    assert holders(r"def harm_profile\b") == ["mapping/analysis/harms.py"]
    assert holders(r"def overlap_harms\b|def short_label\b|def harm_counts_text\b") == [
        "mapping/analysis/harms.py"
    ]


def test_default_role_is_declared_once():
    """model.yaml ``default_role:``; permissions.py names a role only in its examples."""
    assert holders(r'"analyst"') == ["mapping/permissions.py"]


def in_writers(pattern: str, but: tuple[str, ...] = ()) -> list[str]:
    """Modules of mapping/export and mapping/render holding ``pattern``, but for ``but``."""
    writers = ("mapping/export/", "mapping/render/")
    return [h for h in holders(pattern) if h.startswith(writers) and h not in but]


#: The one export path, the caller that prepares what writers draw (it runs the clustering).
PREPARER = ("mapping/export/run.py",)


def test_renderers_draw_and_exporters_write():
    """Writers take computed data and options (``export.options``): none reads the settings,
    takes argparse's namespace or opens a store; the clustering an export draws is run once,
    before its writer, by ``export.run.prepare`` (the tables' rows by ``build_tables``).
    ``export/run.py`` reads no setting either: the review-by period comes in ExportOptions."""
    assert in_writers(r"settings\.current\(|import argparse|\bargs\b|\bStore\(") == []
    assert in_writers(r"\bfind_clusters\(", but=PREPARER) == ["mapping/export/tables.py"]


def test_grading_fields_are_declared_once():
    """The three grading columns are ``model.GRADING_FIELDS`` (the ``Grading`` dataclass's
    fields, the same keys as ``model.yaml`` ``grading:``): no module lists them by hand."""
    import yaml

    from mapping.model import GRADING_FIELDS, MODEL_FILE

    declared = yaml.safe_load(MODEL_FILE.read_text("utf-8"))["grading"]
    assert GRADING_FIELDS == tuple(declared)
    quoted = [rf"[\"']{name}[\"']" for name in GRADING_FIELDS]
    # any two of them side by side in a list, tuple or call, across lines
    side_by_side = "|".join(rf"{a}\s*,\s*{b}" for a in quoted for b in quoted if a != b)
    assert holders(side_by_side) == []
    # a dict spelling each one out as a key, e.g. {"source_evaluation": row["source_evaluation"], ...}
    as_keys = "|".join(rf"{a}\s*:\s*\w+\[{a}\]" for a in quoted)
    assert holders(as_keys) == []


def test_list_columns_are_declared_once():
    """The ``;``-separated entity columns and their vocabularies are ``model.LIST_COLUMNS``:
    the graph's list attributes, validation and value mapping derive from it."""
    assert holders(r"[\"']protective_factors[\"']\s*:\s*[\"']protective_factors[\"']") == [
        "mapping/model.py"
    ]
    by_hand = [
        r"\(\s*[\"']harms[\"'],\s*[\"']vulnerabilities[\"'],\s*[\"']protective",  # a tuple
        r"\(\s*[\"']protective_factors[\"'],\s*[\"']protective_factors[\"']\s*\)",  # pairs
    ]
    assert holders("|".join(by_hand)) == []
