"""Many documents analyzed at once on every core: a process pool of ``index_row`` for reindexing.

Analysis is most of what a reindex costs (Sudachi, Snowball and the filters
run in Python, one core each), so a bulk write hands its documents to one
worker process per core and gets the ``IndexRow``s back in order, the same
rows ``index_row`` gives; the caller reads and writes the database itself, in
its own transaction. Workers are started fresh (``spawn``: nothing of the
caller's database connections is copied into them) and exit when the
process that started them dies, so a killed reindex leaves none behind.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence

from search.backends.base import IndexRow
from search.documents import SearchDocument
from search.indexing import index_row

CHUNKS_PER_WORKER = 4
"""A batch is cut into this many chunks per worker, so a worker given the slow documents
(Japanese articles cost ten times an English topic) does not hold the others up."""

PARENT_CHECK_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """In a worker: end the process as soon as the one that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _analyze(pairs: list[tuple[SearchDocument, str]]) -> list[IndexRow]:
    return [index_row(doc, locale) for doc, locale in pairs]


class BulkAnalyzer:
    """``index_row`` over many (document, search locale) pairs, on ``workers`` processes.

    With one worker (or one core) it analyzes in the calling process. Use it as
    a context manager: the workers start on the first batch and stop on exit.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self._pool = None

    def rows(self, pairs: Sequence[tuple[SearchDocument, str]]) -> list[IndexRow]:
        """The rows of the documents, in order."""
        pairs = list(pairs)
        if self.workers == 1 or len(pairs) < 2:
            return _analyze(pairs)
        size = max(1, -(-len(pairs) // (self.workers * CHUNKS_PER_WORKER)))
        chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        return [row for chunk in self._started().map(_analyze, chunks) for row in chunk]

    def _started(self):
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(
                self.workers, initializer=_exit_with_parent, initargs=(os.getpid(),)
            )
        return self._pool

    def close(self) -> None:
        """Stop the workers (any batch in flight is dropped)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> BulkAnalyzer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
