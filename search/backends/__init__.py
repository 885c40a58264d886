"""Search backends, chosen by the database URL's dialect: SQLite FTS5 or PostgreSQL full-text."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from search.backends.base import SearchBackend
from search.backends.postgres import PostgresBackend
from search.backends.sqlite import SQLiteBackend

BACKENDS: dict[str, type[SearchBackend]] = {"sqlite": SQLiteBackend, "postgresql": PostgresBackend}
"""Database dialect name → backend class."""


def has_backend(engine: Engine) -> bool:
    """Whether the engine's database has a search backend."""
    return engine.dialect.name in BACKENDS


def backend_for(engine: Engine) -> SearchBackend:
    """The backend for the engine's database; ValueError for a database without one."""
    backend = BACKENDS.get(engine.dialect.name)
    if backend is None:
        raise ValueError(
            f"no search backend for {engine.dialect.name!r} databases; have {', '.join(BACKENDS)}"
        )
    return backend()
