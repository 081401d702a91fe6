"""Computed once, read by many: the analysis of a (dataset version, scope), kept for every
session and every app process that asks for it.

A MACE meeting is 20-25 partners opening the same page at the same time; without this each
session recomputed the same answer. Two layers:

- ``SHARED``, process-wide memory: a small LRU of version tables, scoped graphs and other
  results keyed by (epoch, dataset version, scope, ...), computed once per key even when
  many sessions ask in the same second (the others wait for the first);
- the ``stored_analyses`` table: the analysis report as JSON per (version, scope,
  settings), so a second app process on the same PostgreSQL serves what the first computed.

Keys carry the store's epoch (``store_settings.analysis_epoch``), which every import, purge,
rekey and version deletion changes in its own transaction (``Store.forget_analyses``), so a
stale answer is never served, in this process or another. A key always holds the scope, and
the scope holds the viewer's role: a value holds only what every viewer of that scope may
see, never anything per user, and is as safe as the database it came from. Reads are
audited by the pages per user, as before; this module never sees who is reading.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pandas as pd
from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from mapping.graph import Scope, ScopedGraph
from mapping.store import ANALYSIS_EPOCH, Store, now_iso, store_settings, stored_analyses

if TYPE_CHECKING:
    from mapping.analysis.clusters import Cluster

T = TypeVar("T")
#: A cache key: (epoch, store url, kind, ...), every part hashable.
Key = tuple[Hashable, ...]

#: Entries kept in process memory, least recently used out first. One (version, scope) that
#: sessions are reading holds about a dozen (tables, scoped graph, report, layout, drawing,
#: tables of the pages, ...), and an import stores one report per role: 12 entries made the
#: pages' own results push each other out, so every session re-laid the same drawing
#: (0.5 s each, benchmarks/load_test.py). Memory is bounded by ``MAX_LINKS_HELD`` below.
MAX_ENTRIES = 256
#: And at most this many links (or table rows) held in tables, scoped graphs and page tables
#: together (a scoped graph of 1M links is about 2 GB), so a big dataset keeps one or two, the
#: sample world dozens.
MAX_LINKS_HELD = 3_000_000


def _links_held(value: object) -> int:
    """How many links (or rows) ``value`` holds: a version's tables or a scoped graph by its
    links, a table by its rows, a list or tuple of tables by theirs."""
    if isinstance(value, list | tuple):
        return sum(len(part) for part in value if isinstance(part, pd.DataFrame))
    if isinstance(value, pd.DataFrame):
        return len(value)
    links = getattr(value, "links", None)
    return len(links) if links is not None and hasattr(links, "__len__") else 0


class SharedResults:
    """A bounded, thread-safe LRU where each key is computed once at a time."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_links: int = MAX_LINKS_HELD) -> None:
        self.max_entries = max_entries
        self.max_links = max_links
        self._lock = threading.Lock()
        self._values: OrderedDict[Key, object] = OrderedDict()
        self._pending: dict[Key, threading.Event] = {}
        self.computed = 0  # how many times ``compute`` ran (for tests and benchmarks)

    def get(self, key: Key, compute: Callable[[], T]) -> T:
        """The value for ``key``, running ``compute()`` only if no one has (or is)."""
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return cast(T, self._values[key])  # stored by compute() for this key
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
            if waiting is None:
                break
            waiting.wait()  # another session is computing it; then read (or retry on error)
        try:
            value = compute()
            with self._lock:
                self._values[key] = value
                self.computed += 1
                while len(self._values) > 1 and (
                    len(self._values) > self.max_entries
                    or sum(map(_links_held, self._values.values())) > self.max_links
                ):
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()

    def peek(self, key: Key) -> object:
        """The value held for ``key``, or None; never computes."""
        with self._lock:
            return self._values.get(key)

    def keep_epoch(self, epoch: str) -> None:
        """Drop everything computed under another epoch (after an import, purge or rekey)."""
        with self._lock:
            for key in [k for k in self._values if k and k[0] != epoch]:
                del self._values[key]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


SHARED = SharedResults()


_STORES: dict[str | None, Store] = {}
_STORES_LOCK = threading.Lock()


def store_for(url: str | None) -> Store:
    """One ``Store`` per database URL for the whole process (as ``Store`` is meant to be
    used): opening one creates and reflects the schema, which every new session paid for.
    A Store holds only its URL and engine (thread-safe); who reads is passed per call."""
    with _STORES_LOCK:
        if url not in _STORES:
            _STORES[url] = Store(url)
        return _STORES[url]


def epoch(store: Store) -> str:
    """The token that changes with every import, purge, rekey and version deletion."""
    return store.setting(ANALYSIS_EPOCH) or "0"


def shared(store: Store, key: Key, compute: Callable[[], T]) -> T:
    """``compute()`` once per process for ``key`` under the store's current epoch. A scope
    in ``key`` counts with its day fixed (``effective``): the stale horizon moves daily."""
    current = epoch(store)
    SHARED.keep_epoch(current)
    fixed = tuple(effective(part) if isinstance(part, Scope) else part for part in key)
    return SHARED.get((current, store.url, *fixed), compute)


def is_shared(store: Store, scoped: ScopedGraph) -> bool:
    """Whether ``scoped`` is the process-wide scoped graph of its version and scope (what
    ``scoped_graph`` returns), rather than another graph built for the same scope (an
    agenda's, a view's): only then may results derived from it be shared under that key."""
    key = (epoch(store), store.url, "scoped", scoped.version, effective(scoped.scope))
    return SHARED.peek(key) is scoped


def scoped_graph(store: Store, version: int, scope: Scope) -> ScopedGraph:
    """The scoped graph of ``version`` as ``scope`` allows, built once per process."""
    from mapping.graph import build_scoped_graph

    tables = shared(store, ("tables", version), lambda: store.read_version(version))

    def build() -> ScopedGraph:
        scoped = build_scoped_graph(tables, scope, version)
        gc.freeze()  # millions of long-lived objects: keep them out of every later collection
        return scoped

    return shared(store, ("scoped", version, effective(scope)), build)


def effective(scope: Scope) -> Scope:
    """``scope`` with its day fixed (None means today), so tomorrow's stale horizon is
    another key rather than yesterday's answer."""
    return dataclasses.replace(scope, today=scope.today or date.today())


def scope_key(scope: Scope, settings: dict[str, Any]) -> str:
    """A stable key for (scope, analysis settings): SHA-256 of their JSON."""
    fixed = dataclasses.asdict(effective(scope))
    text = json.dumps({"scope": fixed, "settings": settings}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


DEFAULT_SETTINGS = {"resolution": 1.0, "seed": 0, "engine": "auto", "connector_limit": 50}


def stored_report(store: Store, scoped: ScopedGraph, **settings: object) -> dict[str, Any]:
    """The analysis report of ``scoped`` (``report.analyse`` with ``settings``), computed
    once and stored: read from ``stored_analyses`` when any process has computed it under the
    current epoch, otherwise computed here, stored and returned. Plain JSON data."""
    chosen = {**DEFAULT_SETTINGS, **settings}
    key = scope_key(scoped.scope, chosen)
    return shared(
        store,
        ("report", scoped.version, key),
        lambda: _read_or_compute(store, scoped, key, chosen),
    )


def _read_or_compute(
    store: Store, scoped: ScopedGraph, key: str, settings: dict[str, Any]
) -> dict[str, Any]:
    current = epoch(store)
    found = read_stored(store, scoped.version, key, current)
    if found is not None:
        return found
    from mapping.analysis.report import analyse

    info = store.version_info(scoped.version) if scoped.version is not None else None
    report = analyse(scoped, info=info, **settings)
    # the same shape as when read back
    plain: dict[str, Any] = json.loads(json.dumps(report, default=str))
    _store(store, scoped, key, current, plain)
    return plain


def read_stored(store: Store, version: int | None, key: str, current: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        text = conn.execute(
            select(stored_analyses.c.report).where(
                stored_analyses.c.version_id == version,
                stored_analyses.c.scope_key == key,
                stored_analyses.c.epoch == current,
            )
        ).scalar()
    return json.loads(text) if text is not None else None


def _store(
    store: Store, scoped: ScopedGraph, key: str, current: str, report: dict[str, Any]
) -> None:
    try:
        with store.engine.begin() as conn:
            _insert(conn, scoped, key, current, report)
    except IntegrityError:
        pass  # another process stored the same answer a moment ago


def _insert(
    conn: Connection, scoped: ScopedGraph, key: str, current: str, report: dict[str, Any]
) -> None:
    stored_epoch = conn.execute(
        select(store_settings.c.value).where(store_settings.c.name == ANALYSIS_EPOCH)
    ).scalar()
    if (stored_epoch or "0") != current:
        return  # an import, purge or rekey happened meanwhile: this answer is stale
    conn.execute(
        delete(stored_analyses).where(
            stored_analyses.c.version_id == scoped.version,
            stored_analyses.c.scope_key == key,
        )
    )
    conn.execute(
        insert(stored_analyses).values(
            version_id=scoped.version,
            scope_key=key,
            epoch=current,
            created_at=now_iso(),
            scope=json.dumps(scoped.scope.describe()),
            report=json.dumps(report, ensure_ascii=False),
        )
    )


def stored_clusters(store: Store, scoped: ScopedGraph) -> list[Cluster]:
    """The clusters of ``scoped`` (as ``find_clusters`` with default settings gives them),
    read from its stored report."""
    from mapping.analysis.clusters import Cluster

    return [Cluster(**item) for item in stored_report(store, scoped)["clusters"]]


def default_scopes() -> list[Scope]:
    """The scope each role sees when it opens a page without touching the filters."""
    from mapping.model import MODEL

    return [Scope(role=role) for role in MODEL.roles]


def warm(store: Store, version: int, progress: Callable[[int, int], object] | None = None) -> int:
    """Compute and store the analysis of ``version`` in every default scope (one per role),
    so the first meeting attendee does not wait for it. ``progress(done, total)`` after
    each. Returns the number of scopes analysed."""
    from mapping.graph import build_scoped_graph

    scopes = default_scopes()
    tables = store.read_version(version)  # once, and not kept: the import's process may end
    for number, scope in enumerate(scopes, start=1):
        stored_report(store, build_scoped_graph(tables, effective(scope), version))
        if progress:
            progress(number, len(scopes))
    return len(scopes)
