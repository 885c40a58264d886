"""The app's one SearchIndex, opened lazily from SEARCH_INDEX_DIR."""

from __future__ import annotations

from flask import current_app

from search.index import SearchIndex

EXTENSION_KEY = "touchpoint_search_index"


def search_index() -> SearchIndex:
    app = current_app._get_current_object()
    index = app.extensions.get(EXTENSION_KEY)
    if index is None:
        index = SearchIndex(app.config["SEARCH_INDEX_DIR"], locales=tuple(app.config["LOCALES"]))
        app.extensions[EXTENSION_KEY] = index
    return index
