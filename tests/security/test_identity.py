"""Identity safety (issue 18 item 11) and no echoed values (item 10): id variants are one
id, refused with a clear row instead of an IntegrityError traceback or a self-loop; a code
collision is refused; no problem message repeats a cell's value, whatever the column."""

from __future__ import annotations

import pytest

from loaders.importer import Source, import_files
from loaders.problems import ImportFailed
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store
from tests.security.world import TODAY

ENTITY_HEAD = "entity_id,entity_type,district\n"
LINK_HEAD = "source_id,target_id,link_type,first_seen,source_agency,grading\n"


def run_import(tmp_path, entities: str, links: str, pseudonymiser=None):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "entities.csv").write_text(ENTITY_HEAD + entities, encoding="utf-8")
    (folder / "links.csv").write_text(LINK_HEAD + links, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    key = pseudonymiser or Pseudonymiser.from_file(tmp_path / "k.key")
    sources = [Source(folder / n, n) for n in ("entities.csv", "links.csv")]
    return store, import_files(sources, store, key, today=TODAY)


def refused(tmp_path, entities: str, links: str, pseudonymiser=None) -> list:
    with pytest.raises(ImportFailed) as failure:
        run_import(tmp_path, entities, links, pseudonymiser)
    assert Store(f"sqlite:///{tmp_path / 'db.sqlite'}").latest_version() is None
    return failure.value.problems


def test_case_variants_of_one_id_are_a_duplicate_row_not_a_traceback(tmp_path):
    problems = refused(
        tmp_path,
        "P001,young_person,North\np001,young_person,North\nP002,young_person,North\n",
        "P001,P002,peer,2026-01-01,police,2BP\n",
    )
    [dupe] = [p for p in problems if p.kind == "duplicate id"]
    assert (dupe.file, dupe.row) == ("entities.csv", 3)
    assert "P001 and p001 are one id" in dupe.message


def test_a_full_width_variant_is_a_link_to_itself_not_a_self_loop(tmp_path):
    problems = refused(
        tmp_path,
        "P001,young_person,North\nP002,young_person,North\n",
        "P001,\uff30\uff10\uff10\uff11,peer,2026-01-01,police,2BP\nP001,P002,peer,2026-01-01,police,2BP\n",
    )
    [loop] = [p for p in problems if p.kind == "link to itself"]
    assert (loop.file, loop.row) == ("links.csv", 2)


def test_variants_in_links_reach_the_one_entity(tmp_path):
    store, result = run_import(
        tmp_path,
        "P001,young_person,North\nP002,young_person,North\n",
        "p001,\uff30\uff10\uff10\uff12,peer,2026-01-01,police,2BP\n",
    )
    tables = store.read_version(result.version)
    assert len(tables.entities) == 2
    [link] = tables.links.to_dict("records")
    assert {link["source_id"], link["target_id"]} == set(tables.entities["entity_id"])


class Colliding(Pseudonymiser):
    """Gives every id the same code: what a collision would do."""

    def code(self, raw, prefix):
        return f"{prefix}-AAAAAAAAAAAA"


def test_a_code_collision_is_refused(tmp_path):
    problems = refused(
        tmp_path,
        "P001,young_person,North\nP002,young_person,North\n",
        "P001,P002,peer,2026-01-01,police,2BP\n",
        Colliding(b"B" * 52),
    )
    assert [p.kind for p in problems] == ["code collision"]
    assert "P001" not in problems[0].message and "P002" not in problems[0].message


NAME = "Tamsin Invented"


@pytest.mark.parametrize(
    "entity_extra,link",
    [
        ("", f"P001,P002,peer,{NAME},police,2BP\n"),  # a name as a date
        ("", f"P001,P002,peer,2026-01-01,police,{NAME}\n"),  # as a grading
        ("", f"P001,P002,peer,2026-01-01,{NAME},2BP\n"),  # as an agency
        ("", f"P001,P002,{NAME},2026-01-01,police,2BP\n"),  # as a link type
    ],
)
def test_no_problem_message_repeats_a_value(tmp_path, entity_extra, link):
    problems = refused(tmp_path, "P001,young_person,North\nP002,young_person,North\n", link)
    assert problems
    assert not [p for p in problems if "Tamsin" in p.message or "Invented" in p.message]
