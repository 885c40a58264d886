"""The app's SearchStore: the backend for its database, over the configured locales."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import event

from app.extensions import db
from search.backends import backend_for, has_backend
from search.store import SearchStore

EXTENSION_KEY = "touchpoint_search_store"


def search_store() -> SearchStore:
    """The store for the current app's database (one per app)."""
    app = current_app._get_current_object()
    store = app.extensions.get(EXTENSION_KEY)
    if store is None:
        store = SearchStore(backend_for(db.engine), locales=tuple(app.config["LOCALES"]))
        app.extensions[EXTENSION_KEY] = store
    return store


def _create_search_tables(target, connection, **kw) -> None:
    """db.create_all() also creates the search tables (migrations do it for deployments)."""
    if not has_backend(connection.engine):
        return
    store = SearchStore(backend_for(connection.engine), tuple(current_app.config["LOCALES"]))
    store.create_schema(connection)


def init_search_schema(app: Flask) -> None:
    """Have ``db.create_all()`` create the search tables too."""
    if not event.contains(db.metadata, "after_create", _create_search_tables):
        event.listen(db.metadata, "after_create", _create_search_tables)
