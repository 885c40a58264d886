"""The registry of searchable things: each area registers the source of its own documents.

`app/kb` registers articles and `app/forum` topics and their replies; search
imports neither. A source says which ORM classes it watches, what a flush of
them changes in search (in the writer's transaction, see `writing.py`), and
how to list everything it should have indexed (`flask search reindex` and
`status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from search.documents import IndexChanges, SearchDocument


class SearchSource(Protocol):
    """One area's searchable documents."""

    name: str
    """The doc_id prefix of its results ("article", "topic")."""
    models: tuple[type, ...]
    """ORM classes whose inserts, updates and deletes change its documents."""

    def changes(self, session: Session, new: list, dirty: list, deleted: list) -> IndexChanges: ...

    def keys(self, session: Session) -> list[int]:
        """Primary keys of every result that belongs in search, ascending."""
        ...

    def documents(self, session: Session, keys: Sequence[int]) -> list[SearchDocument]:
        """All documents (a topic's replies included) of those results that belong in search."""
        ...

    def counts(self, session: Session) -> dict[str, int]:
        """Results that belong in search, per locale."""
        ...

    def category_names(self, session: Session, locale: str) -> dict[str, str]:
        """Slug → name in `locale` of every category its results can have."""
        ...


SOURCES: dict[str, SearchSource] = {}
"""name → source, filled by each area at app start."""


def register_source(source: SearchSource) -> None:
    """Add (or replace) an area's source."""
    SOURCES[source.name] = source


def watched_models() -> dict[type, list[SearchSource]]:
    """ORM class → the sources watching it."""
    found: dict[type, list[SearchSource]] = {}
    for source in SOURCES.values():
        for model in source.models:
            found.setdefault(model, []).append(source)
    return found


def category_names(session: Session, locale: str) -> dict[str, str]:
    """Slug → name of every category a result can have; a slug two sources share takes
    the name from the source registered first (articles before topics)."""
    names: dict[str, str] = {}
    for source in reversed(list(SOURCES.values())):
        names.update(source.category_names(session, locale))
    return names
