"""What the search page reads for a reader without a session, kept per process for a moment.

The same query from anonymous readers gives the same results, and ranking a common word
over 10,000 articles per language is most of a results page's cost. Results and category
names are kept per (what was asked, content version, this process's synonym edits) for
APP_PAGE_CACHE_SECONDS, the time the page cache keeps a forum page for the same readers: a
publish shows at once (the version), a new forum post within those seconds. A request with
a session cookie (someone signed in, or who just posted) always reads the database.
Values are shared between threads and never changed after they are kept.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from markupsafe import escape

from app.page_cache import content_version, fresh_value, has_session_cookie, keep_value
from app.site_search.services import synonym_edits

EXTENSION_KEY = "search_result_cache"  # app.extensions: (lock, OrderedDict key -> (expires, v))
MAX_ENTRIES = 500

Value = TypeVar("Value")


def _store() -> tuple[threading.Lock, OrderedDict]:
    store = current_app.extensions.get(EXTENSION_KEY)
    if store is None:  # a lock and a dict made only once, not for every lookup
        store = current_app.extensions.setdefault(EXTENSION_KEY, (threading.Lock(), OrderedDict()))
    return store


def kept(key: Hashable, compute: Callable[[], Value]) -> Value:
    """`compute()`, or what it gave for the same `key` and content version a moment ago."""
    if has_session_cookie():
        return compute()
    full_key = (key, content_version(), synonym_edits())
    hit = fresh_value(_store(), full_key)
    if hit is not None:
        return hit
    value = compute()
    seconds = current_app.config["APP_PAGE_CACHE_SECONDS"]
    keep_value(_store(), full_key, value, seconds, MAX_ENTRIES)
    return value


# Stand-ins for the per-request parts of a kept results page: random per process, so no
# query a reader types can contain them.
EVENT_SLOT = f"e{secrets.token_hex(12)}"
BEACON_SLOT = f"b{secrets.token_hex(12)}"


def fill_slots(html: str, event_id: int, beacon_url: str) -> str:
    """A kept results page with this request's search event and beacon in place."""
    return html.replace(EVENT_SLOT, str(event_id)).replace(BEACON_SLOT, str(escape(beacon_url)))
