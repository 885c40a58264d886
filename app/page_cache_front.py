"""The page cache's front door: a kept page is answered before Flask builds a request.

On a hit of the page cache (app/page_cache.py), Flask's own machinery (request context,
session, URL matching, every before and after hook) cost about twice what the lookup did.
Here a GET with no session or remember-me cookie and no X-Proxy-Refusal whose address
(scheme, host, path and query) is kept for the current content version is answered at the
WSGI layer, with
the headers the app adds to every response (security headers, X-Request-ID) and the same
conditional answers (304 for a matching ETag or Last-Modified). Anything else goes on to
Flask, whose `serve_from_cache` hook answers the hits this door leaves to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app, has_app_context
from werkzeug.exceptions import SecurityError
from werkzeug.http import http_date

from app.page_cache import STORE_KEY, carries_session_cookie, kept_entry, page_key
from app.request_ids import HEADER as REQUEST_ID_HEADER
from app.request_ids import request_id_for
from app.security import SECURITY_HEADERS, add_security_headers

# Headers that can make a kept page's answer differ from a plain 200 (make_conditional).
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)


def answer_kept_page(app: Flask, environ: dict, start_response: Callable) -> Iterable[bytes] | None:
    """Answer with the kept page this request asks for, as the app would; else None."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_X_PROXY_REFUSAL" in environ:
        return None
    store = app.extensions.get(STORE_KEY)
    if not store or not store[1]:
        return None
    request = app.request_class(environ)
    if app.config["TRUSTED_HOSTS"] is not None:  # as Flask checks it
        request.trusted_hosts = app.config["TRUSTED_HOSTS"]
    if carries_session_cookie(request.cookies, app.config):
        return None
    try:
        request.host  # noqa: B018 (Flask answers an untrusted host itself)
    except SecurityError:
        return None
    if has_app_context() and current_app._get_current_object() is app:
        entry = kept_entry(page_key(request))
    else:
        with app.app_context():
            entry = kept_entry(page_key(request))
    if entry is None:
        return None
    body, status, headers = entry
    request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""), app.config["PROXY_HOPS"])
    if status == 200 and not any(name in environ for name in CONDITIONAL_HEADERS):
        start_response(
            "200 OK",
            [
                *headers,
                *_security_headers(headers),
                ("Content-Length", str(len(body))),
                ("Date", http_date()),
                (REQUEST_ID_HEADER, request_id),
            ],
        )
        return [body]
    response = app.response_class(body, status, headers)
    add_security_headers(response)
    response.headers[REQUEST_ID_HEADER] = request_id
    return response.make_conditional(request)(environ, start_response)


def _security_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What add_security_headers adds to a response with these headers."""
    present = {name.lower() for name, _ in headers}
    return [(k, v) for k, v in SECURITY_HEADERS.items() if k.lower() not in present]


def init_page_cache_front(app: Flask) -> None:
    """Put the front door before the app (inside any proxy fix applied later)."""
    inner = app.wsgi_app

    def wsgi_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        answered = answer_kept_page(app, environ, start_response)
        return inner(environ, start_response) if answered is None else answered

    app.wsgi_app = wsgi_app
