"""Search rows written in the writer's own transaction, from SQLAlchemy session events.

After each flush, every registered source turns the objects it watches
(new, changed, deleted) into search changes, which the store writes through
``session.connection()``: the search rows commit or roll back with the data,
so there is nothing to queue, lock or recover.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.site_search.engine import search_store
from app.site_search.sources import watched_models
from search.backends import has_backend
from search.documents import IndexChanges


def apply_changes(session: Session, changes: IndexChanges) -> None:
    """Write one set of changes through the session's connection (its transaction)."""
    if not changes:
        return
    store = search_store()
    conn = session.connection()
    if changes.remove_groups:
        store.remove_groups(conn, changes.remove_groups)
    if changes.remove:
        store.remove(conn, changes.remove)
    for group_id, values in changes.update_groups.items():
        store.update_group(conn, group_id, **values)
    if changes.write:
        store.write(conn, changes.write)


def _after_flush(session: Session, flush_context) -> None:
    if not has_backend(session.get_bind()):
        return
    watched = watched_models()
    if not watched:
        return
    touched: dict[int, tuple] = {}
    for slot, objects in enumerate((session.new, session.dirty, session.deleted), 1):
        for obj in objects:
            for source in watched.get(type(obj), ()):
                touched.setdefault(id(source), (source, [], [], []))[slot].append(obj)
    if not touched:
        return
    with session.no_autoflush:
        for source, new, dirty, deleted in touched.values():
            apply_changes(session, source.changes(session, new, dirty, deleted))


def init_search_writes(app: Flask) -> None:
    """Listen to the app's sessions so every searchable change is written with it."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
