"""SQLite FTS5 backend (the embedded default): being written; see search/backends/README.md."""

from __future__ import annotations

from search.backends.base import SearchBackend


class SQLiteBackend(SearchBackend):
    """FTS5 tables of analyzed tokens, one set per locale."""

    dialect = "sqlite"
