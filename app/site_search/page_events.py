"""The results page's search event for a visitor without a session: recorded, no cookie set.

The page records its `search` event while it renders (the result links carry the event's
id, for `search_click`). A visitor with a session (signed in, or who used a form) gets the
session's key as always. A visitor without one is not given a session (no Set-Cookie, so
reading results stays cheap and starts nothing): the event gets a one-off key, and the
page's beacon (`<body data-beacon>`, sent once by static/js/site.js with the browser's
visitor key `k`) re-keys that one event to the visitor key, which article views of the same
browser carry too. The beacon URL is signed, so it re-keys only the event of the page that
holds it, and only from its one-off key; it never adds a row, so the search counts once.
Without JavaScript the event keeps its one-off key (like an article view without JS).
"""

from __future__ import annotations

from flask import current_app, g, request, session, url_for
from itsdangerous import BadSignature, Signer
from sqlalchemy import update

from app.events import SESSION_KEY, VISITOR_KEY, Event, anonymous_session_key, visitor_session_key
from app.extensions import db
from app.page_cache import is_anonymous_reader

SALT = "search-page-event"


def _signer() -> Signer:
    """Signs "<event id>.<one-off key>" (the key is URL-safe base64: no dot). A plain signer:
    a serializer's JSON and zlib were a fifth of a kept results page's CPU time."""
    return Signer(current_app.secret_key, salt=SALT)


def one_off_reader() -> bool:
    """A reader without a session: this page's search event gets a one-off key."""
    return SESSION_KEY not in session and is_anonymous_reader()


def page_session_key() -> tuple[str, bool]:
    """The key for this page's search event, and whether it is a one-off (no session)."""
    if not one_off_reader():  # it has a session already
        return anonymous_session_key(), False
    return visitor_session_key(None), True


def rekey_url(event_id: int, one_off_key: str) -> str:
    """The beacon that hands a one-off keyed event to the browser's visitor key."""
    token = _signer().sign(f"{event_id}.{one_off_key}").decode()  # URL-safe characters only
    return f"{_beacon_path()}?t={token}"


def _beacon_path() -> str:
    """The beacon's path for this request's locale and script root, built once each."""
    paths = current_app.extensions.setdefault("search_beacon_paths", {})
    key = (request.script_root, g.locale)
    path = paths.get(key)
    if path is None:
        path = paths[key] = url_for("site_search.search_seen")
    return path


def rekey(token: str, visitor_key: str | None) -> bool:
    """Re-key the signed event from its one-off key to `visitor_key`; the caller commits."""
    if not visitor_key or not VISITOR_KEY.fullmatch(visitor_key):
        return False
    try:
        event_id, one_off = _signer().unsign(token).decode().split(".", 1)
        event_id = int(event_id)
    except (BadSignature, UnicodeDecodeError, ValueError):
        return False
    result = db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.session_key == one_off)
        .values(session_key=visitor_key),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount == 1
