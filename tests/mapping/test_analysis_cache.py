"""Computed once, read by many: the stored analysis is shared by sessions and processes and
never served after an import, a purge or a rekey (mapping/analysis/cache.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import fields
from datetime import date

import pytest

from loaders.importer import Source, import_files
from loaders.pseudonymise import Pseudonymiser
from mapping.analysis import cache
from mapping.analysis.clusters import find_clusters
from mapping.graph import Scope, build_scoped_graph
from mapping.store import Store
from tests.mapping.conftest import ROOT, SAMPLE, TEST_KEY, TODAY

SCOPE = Scope(role="analyst", today=TODAY)

# A separate process: the stored report of version N for SCOPE, computing only if allowed.
CHILD = """
import json, sys
from datetime import date
from mapping.analysis import cache, report
from mapping.graph import Scope
from mapping.store import Store
url, version, may_compute = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes"
if not may_compute:
    def refuse(*args, **kwargs):
        raise SystemExit("asked to compute the analysis: nothing stored for this epoch")
    report.analyse = refuse
store = Store(url)
scoped = cache.scoped_graph(store, version, Scope(role="analyst", today=date(2026, 11, 29)))
found = cache.stored_report(store, scoped)
print(json.dumps({"clusters": [c["id"] for c in found["clusters"]],
                  "evidence": sum(len(c["evidence"]) for c in found["clusters"])}))
"""


def _import(store: Store) -> int:
    workbook = SAMPLE / "sample_world.xlsx"
    result = import_files(
        [Source(workbook, workbook.name)], store, Pseudonymiser(TEST_KEY), today=TODAY
    )
    return result.version


def _child(url: str, version: int, may_compute: bool) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", CHILD, url, str(version), "yes" if may_compute else "no"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def _two_processes_share_then_an_import_invalidates(url: str) -> None:
    store = Store(url)
    version = _import(store)
    first = _child(url, version, may_compute=True)
    assert first.returncode == 0, first.stderr
    computed = json.loads(first.stdout)
    assert computed["clusters"] and computed["evidence"]
    second = _child(url, version, may_compute=False)  # another process, same database
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == computed
    _import(store)  # a new import: nothing stored before it may be served
    refused = _child(url, version, may_compute=False)
    assert refused.returncode != 0 and "nothing stored for this epoch" in refused.stderr
    again = _child(url, version, may_compute=True)
    assert again.returncode == 0 and json.loads(again.stdout) == computed


def test_two_processes_on_one_sqlite_file_share_the_stored_analysis(tmp_path):
    _two_processes_share_then_an_import_invalidates(f"sqlite:///{tmp_path / 'shared.sqlite'}")


def test_two_processes_on_one_postgresql_share_the_stored_analysis(pg_url):
    _two_processes_share_then_an_import_invalidates(pg_url)


@pytest.fixture
def fresh_store(tmp_path):
    cache.SHARED.clear()
    store = Store(f"sqlite:///{tmp_path / 'map.sqlite'}")
    return store, _import(store)


def test_stored_clusters_are_the_clusters_find_clusters_gives(fresh_store):
    store, version = fresh_store
    scoped = cache.scoped_graph(store, version, SCOPE)
    direct = find_clusters(build_scoped_graph(store.read_version(version), SCOPE, version))
    stored = cache.stored_clusters(store, scoped)
    assert direct and len(stored) == len(direct)
    for a, b in zip(stored, direct, strict=True):
        for f in fields(a):
            assert getattr(a, f.name) == getattr(b, f.name), f.name


def test_many_sessions_at_once_compute_once(fresh_store):
    store, version = fresh_store
    before = cache.SHARED.computed
    results, calls = [], []

    def slow_compute():
        calls.append(1)
        time.sleep(0.3)
        return object()

    def session():
        results.append(cache.shared(store, ("slow", version, SCOPE), slow_compute))

    threads = [threading.Thread(target=session) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and cache.SHARED.computed == before + 1
    assert len(results) == 25 and all(r is results[0] for r in results)


def test_only_the_shared_scoped_graph_counts_as_shared(fresh_store):
    """A graph built for the same scope (an agenda's, a view's) may hold other links: what
    is derived from it must not be served under the scope's key."""
    store, version = fresh_store
    scoped = cache.scoped_graph(store, version, SCOPE)
    again = build_scoped_graph(store.read_version(version), SCOPE, version)
    assert cache.is_shared(store, scoped)
    assert not cache.is_shared(store, again)
    cache.SHARED.clear()
    assert not cache.is_shared(store, scoped)


def test_a_scope_without_a_day_is_keyed_by_today(fresh_store):
    """The stale horizon moves daily: a scope with no day set shares an entry with the same
    scope fixed to today, never with another day's."""
    store, version = fresh_store
    open_scope = Scope(role="analyst")
    first = cache.shared(store, ("probe", open_scope), object)
    assert (
        cache.shared(store, ("probe", Scope(role="analyst", today=date.today())), object) is first
    )
    assert cache.shared(store, ("probe", SCOPE), object) is not first


def test_one_store_per_database_for_the_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'one.sqlite'}"
    store = cache.store_for(url)
    assert cache.store_for(url) is store
    assert cache.store_for(f"sqlite:///{tmp_path / 'two.sqlite'}") is not store
    assert store.latest_version() is None  # the schema was created on first use


@pytest.mark.parametrize("event", ["purge", "rekey", "delete_version"])
def test_purge_rekey_and_deletion_forget_stored_analyses(fresh_store, event, tmp_path):
    from sqlalchemy import func, select

    from mapping.store import stored_analyses

    store, version = fresh_store
    cache.stored_report(store, cache.scoped_graph(store, version, SCOPE))
    before = cache.epoch(store)

    def stored_rows():
        with store.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(stored_analyses)).scalar()

    assert stored_rows() == 1
    if event == "purge":
        from mapping.retention import purge

        result = purge(store, today=date(2100, 1, 1))  # everything is past review-by then
        assert result.links
    elif event == "rekey":
        from loaders.rekey import rekey_database

        new_key = tmp_path / "new.key"
        rekey_database(store, Pseudonymiser(TEST_KEY), Pseudonymiser(b"n" * 32), new_key)
    else:
        store.delete_version(version)
    assert stored_rows() == 0 and cache.epoch(store) != before


def test_a_purge_that_removes_nothing_keeps_stored_analyses(fresh_store):
    from mapping.retention import purge

    store, version = fresh_store
    cache.stored_report(store, cache.scoped_graph(store, version, SCOPE))
    before = cache.epoch(store)
    assert not purge(store, today=date(2000, 1, 1)).links
    assert cache.epoch(store) == before


def test_warm_stores_every_roles_default_view(fresh_store):
    from sqlalchemy import select

    from mapping.model import MODEL
    from mapping.store import stored_analyses

    store, version = fresh_store
    assert cache.warm(store, version) == len(MODEL.roles)
    with store.engine.connect() as conn:
        scopes = [json.loads(s) for s in conn.execute(select(stored_analyses.c.scope)).scalars()]
    assert sorted(s["role"] for s in scopes) == sorted(MODEL.roles)
    cache.SHARED.clear()  # a fresh app process: it reads, it does not compute
    from mapping.analysis import report

    original = report.analyse
    report.analyse = lambda *a, **k: pytest.fail("the warmed analysis was computed again")
    try:
        for role in MODEL.roles:
            cache.stored_report(store, cache.scoped_graph(store, version, Scope(role=role)))
    finally:
        report.analyse = original


def test_the_results_of_one_busy_scope_do_not_push_each_other_out():
    """An import stores a report per role, and each page keeps a dozen results per scope
    (layout, drawing, tables): with room for only twelve they evicted each other and every
    session recomputed the drawing. The number of small entries kept is not the bound."""
    held = cache.SharedResults()
    runs: list[str] = []
    names = [f"result {n}" for n in range(40)]
    for _ in range(2):
        for name in names:
            held.get(("epoch", name), lambda name=name: runs.append(name) or name)
    assert runs == names  # each computed once, the second pass read them all


def test_held_tables_count_their_rows_toward_the_bound():
    import pandas as pd

    held = cache.SharedResults(max_links=10)
    held.get(("epoch", "table"), lambda: pd.DataFrame({"link_id": range(6)}))
    held.get(("epoch", "tables"), lambda: [pd.DataFrame({"link_id": range(3)})] * 2)
    assert held.peek(("epoch", "table")) is None  # 6 + 6 rows > 10: the older one left
    assert held.peek(("epoch", "tables")) is not None
