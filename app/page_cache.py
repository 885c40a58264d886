"""Caching of public pages: what every anonymous reader is shown is rendered once.

A view marked `@public_page` answers an anonymous reader (not signed in, no session state
beyond the analytics key) with `Cache-Control: public, max-age=0, s-maxage=PAGE_CACHE_SECONDS`
(browsers ask again each time, so a publish shows on the next load, and mostly get a 304;
shared caches may keep the page PAGE_CACHE_SECONDS), an ETag of the body (and 304 when it
matches) and `Vary: Cookie`; anyone else gets
`private, no-store` (signed in) or `private, no-cache`. Nothing here writes the session,
so such a page never carries `Set-Cookie`; nginx micro-caches exactly these responses.

Each process also keeps such pages (APP_PAGE_CACHE_ENTRIES, for APP_PAGE_CACHE_SECONDS)
for requests that carry no session cookie, keyed by scheme, host, path and query and the
content version a publish bumps (registered by the knowledge base; rechecked every second).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

from flask import Flask, Request, Response, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

# Session keys that do not change what a page shows (the rotating analytics key).
NEUTRAL_SESSION_KEYS = frozenset({"tp_sk", "tp_sk_born"})


def public_page(view: Callable) -> Callable:
    """Mark a GET view whose page is the same for every anonymous reader."""
    view.public_page = True
    return view


def is_anonymous_reader() -> bool:
    """Nobody signed in and nothing in the session a page could show (votes, flashes, tokens)."""
    if current_user.is_authenticated:
        return False
    return set(session.keys()) <= NEUTRAL_SESSION_KEYS


def form_token() -> str:
    """A CSRF token for a form on a page, or "" on a page a shared cache may keep.

    Static JS fetches a token (`/api/v1/csrf-token`) when such a form is used; without JS
    the post is answered with a page asking to confirm, which carries a token.
    """
    return generate_csrf() if not is_anonymous_reader() else ""


def _is_public_view() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "public_page", False))


def _add_vary(response: Response, *names: str) -> None:
    for name in names:
        response.vary.add(name)


VERSION_KEY = "page_cache_version"  # app.extensions: () -> int, the published content's version
STORE_KEY = "page_cache_store"  # app.extensions: (lock, OrderedDict of key -> (expires, entry))
KEPT_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Vary")


def register_content_version(app: Flask, version: Callable[[], int]) -> None:
    """The area that publishes content tells the cache how to read its version."""
    app.extensions[VERSION_KEY] = version


def _store() -> tuple[threading.Lock, OrderedDict]:
    return current_app.extensions.setdefault(STORE_KEY, (threading.Lock(), OrderedDict()))


def has_session_cookie() -> bool:
    """The request carries a session or remember-me cookie (it may be someone's)."""
    return carries_session_cookie(request.cookies, current_app.config)


def carries_session_cookie(cookies: Mapping[str, str], config: Mapping) -> bool:
    names = (config["SESSION_COOKIE_NAME"], config["REMEMBER_COOKIE_NAME"])
    return any(name in cookies for name in names)


def content_version() -> int:
    """The published content's version (0 until an area registers how to read it)."""
    return current_app.extensions.get(VERSION_KEY, _no_version)()


def _no_version() -> int:
    return 0


def page_key(asked: Request) -> tuple:
    """What a kept page is kept under: the page's whole address (a page names itself in
    links, e.g. its canonical URL, so http and https, or two hosts, are two pages) and
    the content version it was rendered at."""
    return (asked.scheme, asked.host, asked.root_path, asked.full_path, content_version())


def fresh_value(store: tuple[threading.Lock, OrderedDict], key: Hashable):
    """The value kept in `store` (lock, key -> (expires, value), oldest use first) for `key`
    while it is fresh, else None; a hit becomes the newest use."""
    lock, entries = store
    with lock:
        hit = entries.get(key)
        if hit is None or hit[0] <= time.monotonic():
            return None
        entries.move_to_end(key)
    return hit[1]


def keep_value(
    store: tuple[threading.Lock, OrderedDict], key: Hashable, value, seconds: float, limit: int
) -> None:
    """Keep `value` for `key` in `store` for `seconds`, dropping the least used beyond `limit`."""
    lock, entries = store
    with lock:
        entries[key] = (time.monotonic() + seconds, value)
        entries.move_to_end(key)
        while len(entries) > limit:
            entries.popitem(last=False)


def kept_entry(key: tuple) -> tuple | None:
    """(body, status, headers) kept for `key` and still fresh, else None."""
    return fresh_value(_store(), key)


def serve_from_cache() -> Response | None:
    """before_request: an anonymous reader's public page, as rendered for the last one.

    Most hits are answered before Flask builds a request (app/page_cache_front.py); this
    one takes the rest (a request the front door leaves to Flask, e.g. when it is off).
    """
    if request.method != "GET" or not _is_public_view() or has_session_cookie():
        return None
    key = page_key(request)
    entry = kept_entry(key)
    if entry is None:
        g.page_cache_key = key
        return None
    body, status, headers = entry
    response = Response(body, status, headers)
    g.page_cache_hit = True
    return response.make_conditional(request)


def _keep(response: Response) -> None:
    key = g.pop("page_cache_key", None)
    if key is None or response.status_code != 200:
        return
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    entry = (response.get_data(), response.status_code, headers)
    config = current_app.config
    keep_value(
        _store(), key, entry, config["APP_PAGE_CACHE_SECONDS"], config["APP_PAGE_CACHE_ENTRIES"]
    )


def cache_headers(response: Response) -> Response:
    """after_request: Cache-Control, Vary and conditional answers for public pages."""
    if g.get("page_cache_hit") or request.method not in ("GET", "HEAD") or not _is_public_view():
        return response
    _add_vary(response, "Cookie")
    if response.status_code not in (200, 404) or "Cache-Control" in response.headers:
        return response
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
    elif session.modified or not is_anonymous_reader():
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
        if response.status_code == 200 and not response.is_streamed:
            asset_version = current_app.config["ASSET_VERSION"].encode()
            response.set_etag(hashlib.sha256(response.get_data() + asset_version).hexdigest()[:32])
            _keep(response)
            response.make_conditional(request)
    return response


# A transparent 1x1 GIF: what a beacon answers, so the <noscript> image shows nothing.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def beacon_response() -> Response:
    """The answer to a counting request: never cached, sets no cookie."""
    response = Response(PIXEL, mimetype="image/gif")
    response.headers["Cache-Control"] = "no-store"
    return response


def init_page_cache(app: Flask) -> None:
    app.before_request(serve_from_cache)
    app.after_request(cache_headers)
    app.jinja_env.globals["form_token"] = form_token
