"""The import graph of mapping/ and loaders/ has no cycle, counting imports inside functions
too (issue 12: mapping <-> loaders through the pseudonymiser, loaders.read <->
loaders.graphfile), and below the command line mapping/ never imports loaders/."""

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
#: Entry points that drive the loaders (the CLI's import, rekey and profile verbs).
MAY_IMPORT_LOADERS = {"mapping.cli"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    modules = {
        module_name(p): p
        for folder in ("mapping", "loaders")
        for p in (ROOT / folder).rglob("*.py")
    }
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def test_no_import_cycles():
    cycles = [c for c in nx.strongly_connected_components(import_graph()) if len(c) > 1]
    assert cycles == []


def test_mapping_below_the_cli_never_imports_loaders():
    graph = import_graph()
    crossing = sorted(
        f"{u} -> {v}"
        for u, v in graph.edges
        if u.startswith("mapping") and v.startswith("loaders") and u not in MAY_IMPORT_LOADERS
    )
    assert crossing == []


def test_the_graph_is_read():
    """The test would pass vacuously on an empty graph: check it sees known imports."""
    graph = import_graph()
    assert graph.has_edge("mapping.cli", "loaders.importer")
    assert graph.has_edge("loaders.canonical", "mapping.pseudonymise")


def test_pre_commit_hook_runs_what_ci_checks_first():
    hook = (ROOT / "scripts" / "pre-commit").read_text("utf-8")
    for command in ("check-no-data-files.sh", "ruff check", "ruff format --check", "mypy"):
        assert command in hook, command
    assert "scripts/pre-commit" in (ROOT / ".pre-commit-config.yaml").read_text("utf-8")
