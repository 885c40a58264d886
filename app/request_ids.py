"""A request id per request: from the trusted proxy's X-Request-ID, else generated.

It is in every log record of the request (app/log_config.py), in the response's
X-Request-ID header (gunicorn's access log prints it) and on error pages, so an
operator can find the log lines for what a user saw.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    if not has_request_context():
        return "-"
    found = g.get("request_id")
    if found is None:
        found = g.request_id = _incoming_or_new()
    return found


def _incoming_or_new() -> str:
    from flask import current_app

    return request_id_for(request.headers.get(HEADER, ""), current_app.config["PROXY_HOPS"])


def request_id_for(incoming: str, proxy_hops: int) -> str:
    """The proxy's X-Request-ID, else a new id."""
    # Only a trusted proxy (TOUCHPOINT_PROXY_HOPS > 0) may name the request; a client may not.
    if proxy_hops > 0 and ACCEPTED.match(incoming):
        return incoming
    return uuid.uuid4().hex


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        current_request_id()

    @app.after_request
    def _return_request_id(response):
        response.headers[HEADER] = current_request_id()
        return response

    @app.context_processor
    def _request_id_in_templates() -> dict:
        return {"request_id": current_request_id()}
