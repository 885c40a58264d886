"""SearchIndex: the search engine's whole boundary — write documents, search, suggest.

One Whoosh index per locale (``<root>/<locale>/``), because each language
has its own analyzer and a query only ever needs its own language.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import EmptyIndexError, Index
from whoosh.util import random_name
from whoosh.writing import CLEAR, IndexWriter

from search.analysis import analyzer_for
from search.documents import SearchDocument
from search.locking import IndexBusyError, LockPolicy, acquire_writer, clear_owner, write_owner
from search.query import SearchQuery
from search.results import SearchResults, Suggestion
from search.schema import SCHEMA_VERSION, document_fields, schema_for, unstemmed
from search.searching import Analyzers, run_count, run_search, run_suggest
from search.state import SearcherState, SegmentArrays

INDEX_NAME = f"touchpoint_v{SCHEMA_VERSION}"
"""Whoosh index name; a schema change gets a fresh, empty index beside the old one."""

DEFAULT_LOCALES = ("en", "ja", "ar")
REBUILD_PROGRESS_EVERY = 1000
WRITER_LIMIT_MB = 256


class _Locale:
    """One locale's index, its analyzers and its in-process write lock."""

    def __init__(self, name: str, ix: Index) -> None:
        self.name = name
        self.ix = ix
        self.write_lock = threading.Lock()
        self.segment_arrays = SegmentArrays()
        plain = analyzer_for(name)
        self.analyzers = Analyzers(
            query=ix.schema["content"].analyzer, highlight=plain, plain=unstemmed(plain)
        )


class SearchIndex:
    """Full-text search over articles and forum topics, one Whoosh index per locale.

    Thread-safe: each thread keeps its own searchers; writes to one locale are
    serialized in-process by a lock and across processes by Whoosh's file
    lock (see :mod:`search.locking`).
    """

    def __init__(
        self,
        root_dir: str | os.PathLike,
        locales: Iterable[str] = DEFAULT_LOCALES,
        *,
        lock_policy: LockPolicy | None = None,
        cache_size: int = 512,
    ) -> None:
        root = Path(root_dir)
        storages = {}
        for locale in locales:
            folder = root / locale
            folder.mkdir(parents=True, exist_ok=True)
            storages[locale] = FileStorage(str(folder))
        self._setup(storages, lock_policy, cache_size)

    @classmethod
    def in_memory(
        cls,
        locales: Iterable[str] = DEFAULT_LOCALES,
        *,
        lock_policy: LockPolicy | None = None,
        cache_size: int = 512,
    ) -> SearchIndex:
        """An index in RAM (Whoosh RamStorage), for tests."""
        self = cls.__new__(cls)
        self._setup({locale: _RamStorage() for locale in locales}, lock_policy, cache_size)
        return self

    def _setup(self, storages: dict[str, Storage], lock_policy, cache_size: int) -> None:
        if not storages:
            raise ValueError("SearchIndex needs at least one locale")
        self._locales = {
            name: _Locale(name, _open_or_create(s, name)) for name, s in storages.items()
        }
        self._policy = lock_policy or LockPolicy()
        self._local = threading.local()
        self._cache: OrderedDict[tuple, SearchResults | int] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales this index serves."""
        return tuple(self._locales)

    # ---- writing

    def add_or_update(self, doc: SearchDocument) -> None:
        """Index one document, replacing any with the same doc_id in its locale."""
        self.add_or_update_many([doc])

    def add_or_update_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index documents; one commit per locale touched."""
        by_locale: dict[str, list[SearchDocument]] = defaultdict(list)
        for doc in docs:
            by_locale[self._resolve(doc.locale).name].append(doc)
        for name, group in by_locale.items():
            with self._writing(self._locales[name]) as writer:
                for doc in group:
                    writer.update_document(**document_fields(doc))

    def remove(self, doc_id: str, locale: str) -> None:
        """Remove a document; removing one that isn't there is fine."""
        with self._writing(self._resolve(locale)) as writer:
            writer.delete_by_term("doc_id", doc_id)

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Replace every locale's contents with ``docs``; returns how many were indexed.

        Each locale's new contents are written as a new segment and swapped in
        at commit (``mergetype=CLEAR``), so searches see the old index until
        then, and a failure leaves the old index as it was. Writes from others
        wait (and may time out with IndexBusyError) while a rebuild runs.
        """
        count = 0
        with ExitStack() as stack:
            writers = {
                name: stack.enter_context(self._writing(loc, mergetype=CLEAR, optimize=True))
                for name, loc in self._locales.items()
            }
            for doc in docs:
                name = self._resolve(doc.locale).name
                writers[name].add_document(**document_fields(doc))
                count += 1
                if count % REBUILD_PROGRESS_EVERY == 0:
                    for loc in self._locales.values():
                        write_owner(loc.ix)  # heartbeat: this lock is alive
                    if progress:
                        progress(count)
        if progress:
            progress(count)
        return count

    def optimize(self) -> None:
        """Merge each locale's segments into one (faster searches after many small writes)."""
        for loc in self._locales.values():
            with self._writing(loc, optimize=True):
                pass

    @contextmanager
    def _writing(self, loc: _Locale, **commit_args) -> Iterator[IndexWriter]:
        if not loc.write_lock.acquire(timeout=self._policy.timeout):
            raise IndexBusyError(f"search index for {loc.name!r} is busy in this process")
        try:
            # compound=False: Whoosh opens a compound segment by copying each of its
            # files out of the mmap into a BytesIO, on every new searcher (80 ms and
            # the segment's size in RAM for 55k documents); plain files are just opened.
            writer = acquire_writer(loc.ix, self._policy, limitmb=WRITER_LIMIT_MB, compound=False)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            else:
                writer.commit(**commit_args)
            finally:
                clear_owner(loc.ix)
        finally:
            loc.write_lock.release()

    # ---- reading

    @property
    def generation(self) -> str:
        """Changes after every write to any locale; an opaque cache key ("en:4,ja:2,ar:2")."""
        return ",".join(
            f"{name}:{loc.ix.latest_generation()}" for name, loc in self._locales.items()
        )

    def doc_count(self, locale: str | None = None) -> int:
        """Documents in one locale, or in all."""
        names = [self._resolve(locale).name] if locale else list(self._locales)
        return sum(self._state(name).searcher.doc_count() for name in names)

    def doc_ids(self, locale: str) -> set[str]:
        """Every doc_id indexed in a locale (for reconciling with the database)."""
        state = self._state(self._resolve(locale).name)
        reader = state.searcher.reader()
        ids = state.column("doc_id")
        return {ids[d] for d in reader.all_doc_ids()}

    def search(self, q: SearchQuery) -> SearchResults:
        """One page of results; never raises on what the user typed."""
        loc = self._resolve(q.locale)
        state = self._state(loc.name)
        key = (loc.name, state.generation, q.cache_key())
        cached = self._cache_get(key)
        if cached is None:
            cached = run_search(state, loc.analyzers, q)
            self._cache_put(key, cached)
        return replace(
            cached, hits=list(cached.hits), facets={k: dict(v) for k, v in cached.facets.items()}
        )

    def count(self, q: SearchQuery) -> int:
        """How many results ``search(q)`` has in all (``total``), at a fraction of its cost."""
        loc = self._resolve(q.locale)
        state = self._state(loc.name)
        key = (loc.name, state.generation, q.cache_key())
        cached = self._cache_get(key)
        if cached is not None:
            return cached.total
        count_key = (*key, "count")
        total = self._cache_get(count_key)
        if total is None:
            total = run_count(state, loc.analyzers, q)
            self._cache_put(count_key, total)
        return total

    def suggest(self, text: str, locale: str, limit: int = 6) -> list[Suggestion]:
        """As-you-type suggestions: titles whose words start with the words typed."""
        loc = self._resolve(locale)
        return run_suggest(self._state(loc.name), loc.analyzers.plain, text, limit)

    def close(self) -> None:
        """Close this thread's searchers (others close when their threads' state is collected)."""
        states = getattr(self._local, "states", {})
        for state in states.values():
            state.close()
        states.clear()

    def _state(self, name: str) -> SearcherState:
        states = getattr(self._local, "states", None)
        if states is None:
            states = self._local.states = {}
        state = states.get(name)
        if state is not None and state.searcher.up_to_date():
            return state
        if state is not None:
            # Not Searcher.refresh(): in whoosh-reloaded 2.7.5 reusing the old
            # reader brings back segments the new generation merged away.
            state.close()
        loc = self._locales[name]
        state = states[name] = SearcherState(loc.ix.searcher(), loc.segment_arrays)
        return state

    def _resolve(self, locale: str | None) -> _Locale:
        if locale in self._locales:
            return self._locales[locale]
        language = (locale or "").replace("_", "-").split("-")[0].lower()
        if language in self._locales:
            return self._locales[language]
        raise ValueError(f"no search index for locale {locale!r}; have {', '.join(self._locales)}")

    # ---- result cache

    def _cache_get(self, key: tuple):
        if not self._cache_size:
            return None
        with self._cache_lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
            return value

    def _cache_put(self, key: tuple, value) -> None:
        if not self._cache_size:
            return
        with self._cache_lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


class _RamStorage(RamStorage):
    """RamStorage whose writers' scratch folders are unique.

    Whoosh names a writer's scratch folder after the index, in the system temp
    directory: two in-memory indexes (or two test processes) would share one.
    """

    def temp_storage(self, name: str | None = None) -> FileStorage:
        return super().temp_storage(f"{name or 'scratch'}-{random_name()}")


def _open_or_create(storage: Storage, locale: str) -> Index:
    """The locale's index in ``storage``, created empty if it isn't there yet."""
    try:
        return storage.open_index(INDEX_NAME)
    except EmptyIndexError:
        return storage.create_index(schema_for(locale), indexname=INDEX_NAME)
