"""Size limits of API requests, answered by the app as JSON before a proxy answers in HTML.

The chain, from the inside out (tests/api/test_limits.py reads the shipped configs):
the document's longest parameters < MAX_URL_BYTES (the app's 414) < nginx's
large_client_header_buffers (128k) < gunicorn's request line (1 MiB with
limit_request_line = 0); MAX_BODY_BYTES (the app's 413) < nginx's client_max_body_size.
"""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

MAX_URL_BYTES = 126_000
"""Path plus query string, as sent (percent-encoded)."""

MAX_BODY_BYTES = 128 * 1024
"""A form body: the longest query percent-encoded (120,000 bytes) and a token fit."""


def sent_url_length() -> int:
    """Bytes of the request target as the client sent it (gunicorn keeps it in RAW_URI)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return len(raw)
    return (
        len(request.environ.get("PATH_INFO", "")) + len(request.environ.get("QUERY_STRING", "")) + 1
    )


def enforce_limits() -> None:
    if sent_url_length() > MAX_URL_BYTES:
        raise RequestURITooLarge()
    request.max_content_length = MAX_BODY_BYTES
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge()


def limit_requests(bp: Blueprint) -> None:
    """Check every request to ``bp``'s routes against the limits before its view runs."""
    bp.before_request(enforce_limits)
