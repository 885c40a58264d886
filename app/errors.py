"""Friendly, localized error pages (JSON under /api/); never a stack trace."""

from __future__ import annotations

import time

from flask import Flask, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
)

from app.extensions import limiter


def error_messages() -> dict[int, tuple[str, str]]:
    """Title and explanation per status, translated at request time."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("Not allowed"), _("You do not have permission to do that.")),
        404: (
            _("Page not found"),
            _("We could not find that page. It may have moved, or the link may be wrong."),
        ),
        405: (_("Not allowed"), _("That action is not available here.")),
        413: (_("Too large"), _("What you sent is too large. Please shorten it and try again.")),
        414: (
            _("Address too long"),
            _("The address is too long. Please shorten it and try again."),
        ),
        429: (_("Too many requests"), _("You are doing that too often. Please wait a moment.")),
        431: (
            _("Headers too large"),
            _(
                "The request's headers or cookies are too large. "
                "Clear this site's cookies and try again."
            ),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened on our side. Please try again in a moment."),
        ),
        503: (
            _("Busy right now"),
            _(
                "Many people are sending at this moment, so what you sent was not saved. "
                "Please send it again in a few seconds."
            ),
        ),
    }


ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    429: "rate_limited",
    431: "header_too_large",
    500: "server_error",
    503: "busy",
}
"""The machine-readable `code` of a JSON error when nothing more precise is known."""

PASSED_ON_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
"""Headers an HTTP error carries that a client needs (RFC 9110) and that error bodies keep."""


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int,
    message: str | None = None,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: str,
):
    """The one JSON error shape: {"error": {status, code, title, message, ...}}."""
    messages = error_messages()
    title, default = messages.get(status, messages[500 if status >= 500 else 400])
    body = {
        "status": status,
        "code": code or ERROR_CODES.get(status, "server_error" if status >= 500 else "bad_request"),
        "title": title,
        "message": message or default,
        **extra,
    }
    return jsonify(error=body), status, headers or {}


def render_error(code: int, detail: str | None = None, headers: dict[str, str] | None = None):
    if wants_json():
        return json_error(code, detail, headers=headers)
    messages = error_messages()
    title, message = messages.get(code, messages[500 if code >= 500 else 400])
    return (
        render_template("errors/error.html", code=code, title=title, message=detail or message),
        code,
        headers or {},
    )


def retry_after_seconds() -> int:
    """Seconds until the rate limit that refused this request lets the client in again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))  # reset_at is rounded up already


def error_headers(error: HTTPException) -> dict[str, str]:
    """The headers of `error` a client needs, plus Retry-After on every 429."""
    kept = {name: value for name, value in error.get_headers() if name in PASSED_ON_HEADERS}
    if error.code == 429 and "Retry-After" not in kept:
        kept["Retry-After"] = str(retry_after_seconds())
    return kept


def needs_confirmation() -> bool:
    """A form posted from a cached page without JS: the visitor never had a token."""
    return request.method == "POST" and not wants_json() and "csrf_token" not in session


def _form_to_resend() -> dict:
    """The posted form's address and fields to send again, without its token and any
    password (never echoed into a page: such a form is simply sent again without it)."""
    fields = [
        (k, v)
        for k, v in request.form.items(multi=True)
        if k != "csrf_token" and "password" not in k.lower()
    ]
    return {"action": request.full_path.rstrip("?"), "fields": fields}


def render_confirmation() -> str:
    """The same form again, with a token, for the visitor to confirm with one click."""
    return render_template("errors/confirm.html", **_form_to_resend())


def render_busy(headers: dict[str, str]):
    """A form the site was too busy to take (app/write_gate.py): nothing was saved.

    The same form comes back, to send again with one click, unless it carried what a page
    must not hold (a password) or cannot (a file): then the message alone.
    """
    title, message = error_messages()[503]
    form = _form_to_resend()
    resendable = not request.files and not any("password" in k.lower() for k in request.form)
    if not (resendable and form["fields"]):
        form["fields"] = None
    page = render_template("errors/busy.html", code=503, title=title, message=message, **form)
    return page, 503, headers


PROXY_REFUSALS = {
    "400": BadRequest,
    "413": RequestEntityTooLarge,
    "414": RequestURITooLarge,
    "431": RequestHeaderFieldsTooLarge,
}
"""What nginx refused before the app could (deploy/nginx.conf hands the request over with
X-Proxy-Refusal), answered here in the app's shape and the visitor's language."""


def answer_proxy_refusal() -> None:
    refusal = PROXY_REFUSALS.get(request.headers.get("X-Proxy-Refusal", ""))
    if refusal is not None:
        raise refusal()


def init_error_handlers(app: Flask) -> None:
    app.before_request(answer_proxy_refusal)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if needs_confirmation():
            return render_confirmation(), 400
        message = _(
            "Your form expired or was sent from another page. Reload the page and try again."
        )
        if wants_json():  # for an API client the token is a credential: refused, not malformed
            return json_error(403, message, code="csrf_failed")
        return render_error(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code in (301, 302, 303, 307, 308):
            return error
        if code == 503 and request.method == "POST" and not wants_json():
            return render_busy(error_headers(error))
        return render_error(code, headers=error_headers(error))

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        app.logger.error("Unhandled error on %s", request.path, exc_info=error.original_exception)
        return render_error(500)
