"""Grading in split columns (issue 18 item 2): ``source_evaluation, intelligence_assessment,
handling_code`` = ``1,A,C`` used to import as ungraded, and the C link then reached the
analyst. Split parts are recombined, or the import is refused naming the row."""

from __future__ import annotations

import networkx as nx
import pytest

from loaders.grading import combine
from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store
from tests.security.world import TODAY, entity_rows, to_csv

HEADER = "source_id,target_id,link_type,first_seen,source_agency"


def import_links(tmp_path, body: str):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "entities.csv").write_text(to_csv(entity_rows()), encoding="utf-8")
    (folder / "links.csv").write_text(body, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = import_files(
        [Source(folder / n, n) for n in ("entities.csv", "links.csv")],
        store,
        Pseudonymiser.from_file(tmp_path / "k.key"),
        today=TODAY,
    )
    return store, result


def test_split_1_a_c_is_kept_as_handling_code_c_and_hidden_from_the_analyst(tmp_path):
    body = (
        f"{HEADER},source_evaluation,intelligence_assessment,handling_code\n"
        "TR-1,TR-C,victim_offender,2026-02-01,police,1,A,C\n"
        "TR-1,TR-2,peer,2026-02-01,police,2,b,p\n"
    )
    store, result = import_links(tmp_path, body)
    links = store.read_version(result.version).links
    assert sorted(links["handling_code"]) == ["C", "P"]
    assert sorted(links["source_evaluation"]) == ["1", "2"]
    tables = store.read_version(result.version)
    analyst = build_scoped_graph(tables, Scope(role="analyst", today=TODAY), result.version)
    police = build_scoped_graph(tables, Scope(role="police", today=TODAY), result.version)
    assert len(police.links) == 2
    assert len(analyst.links) == 1
    assert set(analyst.links["handling_code"]) == {"P"}


@pytest.mark.parametrize(
    "columns,values,words",
    [
        ("handling_code", "C", "incomplete"),  # a lone C must not become ungraded
        ("source_evaluation,intelligence_assessment,handling_code", ",,C", "incomplete"),
        ("source_evaluation,intelligence_assessment,handling_code", "4,A,C", "not a 3x5x2"),
        (
            "grading,source_evaluation,intelligence_assessment,handling_code",
            "2BP,1,A,C",
            "disagrees",
        ),
    ],
)
def test_inconsistent_split_grading_refuses_the_import(tmp_path, columns, values, words):
    body = f"{HEADER},{columns}\nTR-1,TR-C,victim_offender,2026-02-01,police,{values}\n"
    with pytest.raises(ImportFailed) as failed:
        import_links(tmp_path, body)
    problems = [p for p in failed.value.problems if p.kind == "inconsistent grading"]
    assert len(problems) == 1
    assert words in problems[0].message
    assert (problems[0].file, problems[0].column, problems[0].row) == ("links.csv", "grading", 2)
    assert Store(f"sqlite:///{tmp_path / 'db.sqlite'}").latest_version() is None


def test_grading_and_split_columns_that_agree_import(tmp_path):
    body = (
        f"{HEADER},grading,source_evaluation,intelligence_assessment,handling_code\n"
        "TR-1,TR-C,victim_offender,2026-02-01,police,1/A/C,1,A,C\n"
    )
    store, result = import_links(tmp_path, body)
    assert list(store.read_version(result.version).links["handling_code"]) == ["C"]


def test_problem_never_repeats_the_cell_value():
    _, problem = combine("Tamsin Invented", "A", "C", "")
    assert problem is not None and "Tamsin" not in problem


def test_graphml_with_split_parts_keeps_the_c(tmp_path):
    graph = nx.Graph()
    graph.add_node("TR-1", entity_type="young_person")
    graph.add_node("TR-C", entity_type="adult", adult_role="person_of_concern")
    graph.add_edge(
        "TR-1",
        "TR-C",
        link_type="victim_offender",
        first_seen="2026-02-01",
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="C",
    )
    path = tmp_path / "net.graphml"
    nx.write_graphml(graph, path)
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = import_files(
        [Source(path, path.name)], store, Pseudonymiser.from_file(tmp_path / "k.key"), today=TODAY
    )
    assert list(store.read_version(result.version).links["handling_code"]) == ["C"]
