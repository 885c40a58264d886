"""/api/v1/insights/...: every export table as JSON, for a personal token or a staff session."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.clock import utcnow
from app.extensions import csrf
from app.insights import exports
from app.insights.filters import FilterError, parse_filters
from app.insights.metrics.help import HELP
from app.insights.tokens import user_for_token
from app.insights.views import PRODUCT_ROLES, category_slugs

bp = Blueprint("insights_api", __name__, url_prefix="/api/v1/insights")
csrf.exempt(bp)  # GET only; authenticated by a bearer token or the session


def _error(status: int, message: str):
    titles = {400: _("Bad request"), 401: _("Sign-in required"), 403: _("Not allowed")}
    body = jsonify(error={"status": status, "title": titles[status], "message": message})
    response = body, status
    if status == 401:
        return body, status, {"WWW-Authenticate": 'Bearer realm="insights"'}
    return response


def _caller():
    """The user behind the request: a bearer token wins; else the signed-in session."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None, True
        return user_for_token(value.strip()), True
    return (current_user if current_user.is_authenticated else None), False


def _authorize():
    user, used_token = _caller()
    if user is None:
        message = (
            _("The API token is missing, wrong or revoked.")
            if used_token
            else _("Send a personal API token as 'Authorization: Bearer <token>'.")
        )
        return None, _error(401, message)
    if not user.has_role(*PRODUCT_ROLES):
        return None, _error(403, _("Insights are for staff only."))
    return user, None


@bp.get("/")
def index():
    _user, refused = _authorize()
    if refused:
        return refused
    return jsonify(
        tables=sorted(exports.TABLES),
        parameters={
            "start": "YYYY-MM-DD",
            "end": "YYYY-MM-DD",
            "locale": list(current_app.config["LOCALES"]),
            "category": sorted(category_slugs()),
        },
        definitions={key: str(text) for key, text in HELP.items()},
    )


@bp.get("/<name>")
def table(name: str):
    _user, refused = _authorize()
    if refused:
        return refused
    if name not in exports.TABLES:
        return _error(
            400, _("Unknown table. Choose one of: %(names)s", names=", ".join(exports.TABLES))
        )
    now = utcnow()
    try:
        filters = parse_filters(
            request.args, now.date(), current_app.config["LOCALES"], category_slugs().keys()
        )
    except FilterError as error:
        return _error(400, str(error))
    data = exports.build_table(name, filters, now)
    response = jsonify(table=name, filters=filters.as_args(), columns=data.columns, rows=data.rows)
    response.headers["Cache-Control"] = "private, no-store"
    return response
