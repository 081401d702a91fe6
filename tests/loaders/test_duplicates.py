"""Duplicates and updates are reported: a reversed duplicate link is warned like a
same-direction one, and ``import --add`` never moves a link's last-seen date (and so its
review-by and purge dates) earlier without saying so."""

from __future__ import annotations

from datetime import date

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.store import Store

TODAY = date(2026, 11, 29)
KEY = Pseudonymiser(b"duplicates-test-key-" * 2)
ENTITIES = "entity_id,entity_type\nA,young_person\nB,young_person\nC,young_person\n"
HEADER = "source_id,target_id,link_type,first_seen,last_seen,source_agency,grading,weight\n"


def sources(folder, links: str, entities: str = ENTITIES) -> list[Source]:
    folder.mkdir(exist_ok=True)
    out = []
    for name, text in (("entities", entities), ("links", HEADER + links)):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        out.append(Source(path, path.name))
    return out


def duplicates(result):
    return [(p.row, p.message) for p in result.warnings if p.kind == "duplicate link"]


def test_a_reversed_duplicate_is_warned_like_a_same_direction_one(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    links = (
        "A,B,peer,2026-01-01,2026-10-01,police,2BP,9\n"
        "B,A,peer,2026-01-01,2026-10-01,police,2BP,1\n"
        "A,C,peer,2026-01-01,2026-10-01,police,2BP,1\n"
        "A,C,peer,2026-01-01,2026-10-01,police,2BP,1\n"
        "C,B,peer,2026-02-01,2026-10-01,police,2BP,1\n"  # a different date: not a duplicate
        "B,C,peer,2026-01-01,2026-10-01,police,2BP,1\n"
    )
    result = import_files(sources(tmp_path / "in", links), store, KEY, today=TODAY)
    found = duplicates(result)
    assert sorted(row for row, _ in found) == [3, 5]
    reversed_row = dict(found)[3]
    assert "other way round" in reversed_row and "weights add up" in reversed_row


def test_import_add_keeps_the_later_last_seen_date_and_says_so(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    first = (
        "A,B,peer,2026-01-01,2026-10-01,police,2BP,1\nA,C,peer,2026-01-01,2026-03-01,police,2BP,1\n"
    )
    import_files(sources(tmp_path / "v1", first), store, KEY, today=TODAY)
    before = store.read_version(1).links.set_index("link_id")
    # the same two links again: A-B with an earlier last-seen date, A-C later and regraded
    again = (
        "A,B,peer,2026-01-01,2026-05-01,police,2BP,1\nA,C,peer,2026-01-01,2026-09-01,police,1AP,1\n"
    )
    result = import_files(
        sources(tmp_path / "v2", again), store, KEY, add_to_latest=True, today=TODAY
    )
    after = store.read_version(result.version).links.set_index("link_id")
    assert set(after.index) == set(before.index)  # the same links, not new ones
    ab = before.index[before["last_seen"] == "2026-10-01"][0]
    ac = before.index[before["last_seen"] == "2026-03-01"][0]
    assert after.loc[ab, "last_seen"] == "2026-10-01"
    assert after.loc[ab, "review_by"] == before.loc[ab, "review_by"]
    assert after.loc[ac, "last_seen"] == "2026-09-01" and after.loc[ac, "source_evaluation"] == "1"
    kinds = {p.kind: p.message for p in result.warnings}
    assert kinds["link given again with an earlier date"].startswith("1 links")
    assert kinds["link given again with other values"].startswith("1 links")
