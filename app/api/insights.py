"""/api/v1/insights/...: every export table as JSON, for a personal token or a staff session."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.api import contract
from app.api.contract import Operation, Param, ParamError, Reply, checked_args, operation
from app.api.limits import limit_requests
from app.clock import utcnow
from app.errors import json_error
from app.extensions import csrf
from app.insights import exports
from app.insights.filters import MAX_DAYS, FilterError, parse_filters
from app.insights.metrics.help import HELP
from app.insights.tokens import user_for_token
from app.insights.views import PRODUCT_ROLES, category_slugs

bp = Blueprint("insights_api", __name__, url_prefix="/api/v1/insights")
csrf.exempt(bp)  # GET only; authenticated by a bearer token or the session
limit_requests(bp)

STAFF = (("bearerToken",), ("sessionCookie",))
AUTH_REPLIES = (
    Reply(401, "No token, or a wrong or revoked one.", headers=("WWW-Authenticate",)),
    Reply(403, "The token's or session's user is not product or CS staff."),
)
DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
RANGE_HELP = (
    f"The range must run forwards, lie between 2000-01-01 and today and span at most {MAX_DAYS} "
    "days; otherwise 400 with error.code 'invalid_range'."
)

INDEX = Operation(
    "listInsightsTables",
    "The tables, their filters and the definition of every figure",
    tag="insights",
    replies=(Reply(200, "What can be asked for.", "InsightsIndex"), *AUTH_REPLIES),
    security=STAFF,
    links={
        200: {
            "firstTable": {
                "operationId": "getInsightsTable",
                "parameters": {"name": "$response.body#/tables/0"},
            }
        }
    },
)

TABLE = Operation(
    "getInsightsTable",
    "One export table as JSON, for a date range and optional locale and category",
    "The same rows as the CSV and JSON exports of the insights pages. " + RANGE_HELP,
    tag="insights",
    params=(
        Param(
            "name",
            lambda: {"type": "string", "enum": sorted(exports.TABLES)},
            where="path",
            required=True,
            example="summary",
        ),
        Param(
            "start",
            DATE,
            description="First day (default: 27 days before end).",
            example="2026-03-01",
        ),
        Param(
            "end", DATE, description="Last day, inclusive (default: today).", example="2026-03-28"
        ),
        Param(
            "locale",
            lambda: {"type": "string", "enum": list(current_app.config["LOCALES"])},
            description="Only this language.",
        ),
        Param(
            "category",
            lambda: {"type": "string", "enum": sorted(category_slugs()) or [""]},
            description="Only this knowledge-base category (a slug).",
        ),
    ),
    replies=(
        Reply(200, "The table: its columns and rows.", "InsightsTable"),
        Reply(400, "A filter is outside its schema, or the range is not allowed."),
        *AUTH_REPLIES,
        Reply(404, "No such table."),
    ),
    security=STAFF,
)


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
    """None when the caller may read insights, else the JSON 401 or 403 to answer with."""
    user, used_token = _caller()
    if user is None:
        message = (
            _("The API token is missing, wrong or revoked.")
            if used_token
            else _("Send a personal API token as 'Authorization: Bearer <token>'.")
        )
        return json_error(401, message, headers={"WWW-Authenticate": 'Bearer realm="insights"'})
    if not user.has_role(*PRODUCT_ROLES):
        return json_error(403, _("Insights are for staff only."))
    return None


@bp.get("/")
@operation("insights_api.index", INDEX)
def index():
    refused = _authorize()
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
@operation("insights_api.table", TABLE)
def table(name: str):
    refused = _authorize()
    if refused:
        return refused
    contract.abort_unless_declared(TABLE, "name", name)
    try:
        args = checked_args(TABLE)
    except ParamError as error:
        return contract.refuse(error)
    now = utcnow()
    given = {key: value for key, value in args.items() if value is not None}
    try:
        filters = parse_filters(
            given, now.date(), current_app.config["LOCALES"], category_slugs().keys()
        )
    except FilterError as error:
        return json_error(400, str(error), code="invalid_range")
    data = exports.build_table(name, filters, now)
    response = jsonify(table=name, filters=filters.as_args(), columns=data.columns, rows=data.rows)
    response.headers["Cache-Control"] = "private, no-store"
    return response
