"""Friendly, localized error pages (JSON under /api/); never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


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
        429: (_("Too many requests"), _("You are doing that too often. Please wait a moment.")),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened on our side. Please try again in a moment."),
        ),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):
    messages = error_messages()
    title, message = messages.get(code, messages[500 if code >= 500 else 400])
    if wants_json():
        return jsonify(error={"status": code, "title": title, "message": detail or message}), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def needs_confirmation() -> bool:
    """A form posted from a cached page without JS: the visitor never had a token."""
    return request.method == "POST" and not wants_json() and "csrf_token" not in session


def render_confirmation() -> str:
    """The same form again, with a token, for the visitor to confirm with one click."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    action = request.full_path.rstrip("?")
    return render_template("errors/confirm.html", action=action, fields=fields)


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if needs_confirmation():
            return render_confirmation(), 400
        return render_error(
            400,
            _("Your form expired or was sent from another page. Reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code in (301, 302, 303, 307, 308):
            return error
        return render_error(code)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        app.logger.error("Unhandled error on %s", request.path, exc_info=error.original_exception)
        return render_error(500)
