"""Running searches for pages and the API, with synonyms, and recording each as an event."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, session
from sqlalchemy import event, select

from app.events import PENDING, Event, buffer_linked_event, record_event
from app.extensions import db
from app.pii import scrub
from app.site_search.engine import search_store
from app.site_search.models import Synonym
from search.analysis import normalize_query_text
from search.query import SearchQuery
from search.results import SearchHit, SearchResults, Suggestion

KINDS = ("faq", "guide", "topic")
SOURCES = ("search_page", "instant", "api", "ask")
STORED_QUERY_MAX = 200
INSTANT_SETTLE_SECONDS = 5
INSTANT_TO_PAGE_SECONDS = 60  # an instant search followed by Enter on the same query is one search
INSTANT_SESSION_FIELD = "instant_search"


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: text, language, filters and page."""

    text: str
    locale: str
    kind: str | None = None
    category: str | None = None
    page: int = 1
    per_page: int = 10


SYNONYM_CACHE_SECONDS = 10.0
"""How long a process reuses the synonyms it read; its own edits apply at once."""
SYNONYM_CACHE_KEY = "touchpoint_synonyms"
_synonym_edits = [0]  # bumped by every Synonym insert/update/delete in this process


def _synonyms_edited(*_args) -> None:
    _synonym_edits[0] += 1


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(Synonym, _event, _synonyms_edited)


def synonym_edits() -> int:
    """How many synonym edits this process has made (a cache of results keys on it)."""
    return _synonym_edits[0]


def synonyms_for(locale: str) -> dict[str, list[str]]:
    """Synonym groups as a symmetric map, read at most every SYNONYM_CACHE_SECONDS.

    Reading them was a database query per search (a sixth of the API's own
    time). An edit in this process applies to the next search; another
    process's edit within SYNONYM_CACHE_SECONDS.
    """
    cache = current_app.extensions.setdefault(SYNONYM_CACHE_KEY, {})
    cached = cache.get(locale)
    now = time.monotonic()
    if (
        cached is not None
        and cached[0] == _synonym_edits[0]
        and now - cached[1] < SYNONYM_CACHE_SECONDS
    ):
        return cached[2]
    value = _read_synonyms(locale)
    cache[locale] = (_synonym_edits[0], now, value)
    return value


def _read_synonyms(locale: str) -> dict[str, list[str]]:
    """Synonym groups as a symmetric map: every word of a group points at the others."""
    groups: dict[str, set[str]] = {}
    for row in db.session.scalars(select(Synonym).filter_by(locale=locale)):
        group = {row.term.strip().lower(), *(s.strip().lower() for s in row.synonyms)} - {""}
        for word in group:
            groups.setdefault(word, set()).update(group - {word})
    return {word: sorted(others) for word, others in groups.items() if others}


def _engine_query(request: SearchRequest) -> SearchQuery:
    return SearchQuery(
        text=request.text,
        locale=request.locale,
        kind=request.kind,
        category=request.category,
        page=request.page,
        per_page=request.per_page,
        synonyms=synonyms_for(request.locale),
    )


def run_search(request: SearchRequest) -> SearchResults:
    return search_store().search(db.session.connection(), _engine_query(request))


def related_results(text: str, locale: str, limit: int) -> list[SearchHit]:
    """The best results for a title, ranked only (no facets, snippets or spelling)."""
    connection = db.session.connection()
    return search_store().related(connection, text, locale, limit, synonyms_for(locale))


def count_results(request: SearchRequest) -> int:
    """The total ``run_search`` would report, without ranking or snippets (for recording)."""
    return search_store().count(db.session.connection(), _engine_query(request))


def suggest(text: str, locale: str, limit: int = 6) -> list[Suggestion]:
    return search_store().suggest(db.session.connection(), text, locale, limit=limit)


def stored_query(text: str) -> str:
    return scrub(" ".join(text.split()))[:STORED_QUERY_MAX]


def record_search(
    request: SearchRequest, total: int, source: str, session_key: str | None = None
) -> Event:
    """Store the search as a first-party event; the caller commits.

    `session_key` defaults to the session's (app.events.anonymous_session_key).
    """
    return record_event(
        "search",
        locale=request.locale,
        session_key=session_key,
        **_search_data(request, total, source),
    )


def page_search_data(request: SearchRequest, total: int) -> dict:
    """What a results page's search event holds: the same for every reader of one query."""
    return _search_data(request, total, "search_page")


def buffer_page_search(request: SearchRequest, data: dict) -> tuple[int, str]:
    """Record a results-page search of a reader without a session: the event's id and key.

    What record_page_search records for such a reader (nothing in a session to merge
    with), off the page's path: the row is reserved ahead with a one-off session key and
    its content written with the next batch (app.events.buffer_linked_event).
    """
    return buffer_linked_event("search", locale=request.locale, **data)


def _search_data(request: SearchRequest, total: int, source: str) -> dict:
    stored = stored_query(request.text)
    return {
        "query": stored,
        "normalized": normalize_query_text(stored, request.locale),
        "results": total,
        "source": source,
        "kind": request.kind,
        "category": request.category,
        "page": request.page,
    }


def record_page_search(request: SearchRequest, total: int, session_key: str | None = None) -> Event:
    """Record a results-page search; one the header box just recorded becomes this one.

    A visitor who pauses in the box (recorded as instant) and then presses
    Enter searched once, not twice.
    """
    last = session.get(INSTANT_SESSION_FIELD) or {}
    if (
        last
        and request.page == 1
        and last.get("query") == stored_query(request.text)
        and time.time() - last.get("at", 0) <= INSTANT_TO_PAGE_SECONDS
    ):
        previous = db.session.get(Event, last.get("event_id", 0))
        if previous is not None and previous.data.get("source") == "instant":
            session.pop(INSTANT_SESSION_FIELD, None)
            previous.data = {
                **previous.data,
                "source": "search_page",
                "results": total,
                "kind": request.kind,
                "category": request.category,
            }
            return previous
    return record_search(request, total, "search_page", session_key)


def settle_search(
    last: dict | None, request: SearchRequest, total: int, source: str, now: float, **extra
) -> Event:
    """Record a search typed as you go, keeping only the query the visitor settles on.

    `last` is the previous settled search of this session (`event_id`, `query`, `at`): a
    query that extends (or trims) it within INSTANT_SETTLE_SECONDS updates that event
    instead of adding one. `extra` goes into the event's data. The caller commits.
    """
    last = last or {}
    stored = stored_query(request.text)
    previous = db.session.get(Event, last.get("event_id", 0)) if last else None
    old = last.get("query", "")
    if (
        previous is not None
        and previous.name == "search"
        and previous.data.get("source") == source
        and now - last.get("at", 0) <= INSTANT_SETTLE_SECONDS
        and (stored.startswith(old) or old.startswith(stored))
    ):
        previous.data = {
            **previous.data,
            "query": stored,
            "normalized": normalize_query_text(stored, request.locale),
            "results": total,
            **extra,
        }
        return previous
    event = record_search(request, total, source)
    if extra:
        event.data = {**event.data, **extra}
    db.session.flush()
    return event


def record_instant_search(request: SearchRequest) -> tuple[Event, int]:
    """Record the query an as-you-type user settled on, with its true result count.

    The header box calls this once typing pauses or a suggestion is chosen, never per
    keystroke (see settle_search).
    """
    total = count_results(request)
    now = time.time()
    last = session.get(INSTANT_SESSION_FIELD)
    event = settle_search(last, request, total, "instant", now)
    session[INSTANT_SESSION_FIELD] = {
        "event_id": event.id,
        "query": stored_query(request.text),
        "at": now,
    }
    return event, total


def record_click(event_id: int, position: int, target: str, locale: str) -> None:
    """A click on a result of the search event `event_id`, at 1-based `position`."""
    search_event = db.session.get(Event, event_id)
    # PENDING: a results page's search whose content waits in its worker's buffer
    if search_event is None or search_event.name not in ("search", PENDING):
        return
    record_event(
        "search_click", locale=locale, search_event=event_id, position=position, url=target
    )
