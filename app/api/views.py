"""JSON endpoints: search, suggest, the instant-search record and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask_wtf.csrf import generate_csrf

from app.api import contract
from app.api.contract import Operation, Param, ParamError, Reply, checked_args, operation
from app.api.document import build_document
from app.api.limits import limit_requests
from app.api.schemas import Q_MAX_LENGTH
from app.extensions import csrf, db, limiter
from app.site_search import services
from app.site_search.params import MAX_PAGE, search_request
from app.site_search.services import KINDS
from app.site_search.views import category_names

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # GETs are reads; POST /instant-searches checks its token itself (below)
limit_requests(bp)


def locale_schema() -> dict:
    config = current_app.config
    return {"type": "string", "enum": list(config["LOCALES"]), "default": config["DEFAULT_LOCALE"]}


def category_schema() -> dict:
    """Every category slug of every locale; worked out once per request (it was 3 queries × 3)."""
    schema = g.get("api_category_schema")
    if schema is None:
        locales = current_app.config["LOCALES"]
        slugs = sorted({slug for loc in locales for slug in category_names(loc)})
        schema = {"type": "string", "enum": slugs} if slugs else {"type": "string", "maxLength": 0}
        g.api_category_schema = schema
    return schema


QUERY = {"type": "string", "minLength": 1, "maxLength": Q_MAX_LENGTH, "pattern": contract.NOT_BLANK}
QUERY_HELP = (
    'Words and "quoted phrases" (at least one character that is not a space). All words are '
    "required first; if that finds nothing, all words with typo tolerance, then any word. "
    "Characters that cannot be searched (control and format characters) are dropped; a query "
    "of nothing else finds nothing."
)
LOCALE = Param("locale", locale_schema, description="Language of the documents to search.")
INSTANT_LIMIT_HELP = "Rate limited per client (RATELIMIT_INSTANT_SEARCH, by default 60 a minute)."

SEARCH = Operation(
    "search",
    "Full-text search over articles and forum topics",
    "Every search is recorded as a first-party event (the query with personal data "
    "scrubbed, the result count, no IP address).",
    params=(
        Param("q", QUERY, required=True, description=QUERY_HELP, example="reset password"),
        LOCALE,
        Param("kind", {"type": "string", "enum": list(KINDS)}, description="Only this kind."),
        Param("category", category_schema, description="Only this category (a slug)."),
        Param(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            description="Page of ten results.",
        ),
    ),
    replies=(
        Reply(200, "One page of results, best first.", "SearchResults"),
        Reply(400, "A parameter is missing or outside its schema (see error.parameter)."),
    ),
)

SUGGEST = Operation(
    "suggest",
    "A short list of matching titles while the user types",
    "A pure read: nothing is recorded. Only the first 200 characters of q are used; an "
    "empty q suggests nothing.",
    params=(
        Param("q", {"type": "string", "maxLength": Q_MAX_LENGTH}, example="reset pa"),
        LOCALE,
    ),
    replies=(
        Reply(200, "Suggestions, best first.", "Suggestions"),
        Reply(400, "A parameter is outside its schema."),
    ),
)

CSRF_TOKEN = Operation(
    "getCsrfToken",
    "A CSRF token and the session cookie it is bound to",
    "Call this first to record instant searches: the response sets the session cookie "
    "and its body carries the token; send both with POST /instant-searches.",
    replies=(
        Reply(200, "A fresh token (not cacheable); Set-Cookie carries the session.", "CsrfToken"),
    ),
    links={
        200: {
            "recordInstantSearch": {
                "operationId": "recordInstantSearch",
                "description": "Send body.token as the X-CSRFToken header, with the cookie.",
            }
        }
    },
)

INSTANT_SEARCH = Operation(
    "recordInstantSearch",
    "Record the query a visitor settled on in the instant search box",
    "Called once typing pauses or a suggestion is chosen, never per keystroke. Stores "
    "the query (personal data replaced by placeholders) with its true result count as a "
    "'search' event with source 'instant'; a query that extends or trims the same "
    "session's previous one within a few seconds updates that event. Needs the CSRF token "
    "of GET /csrf-token with the session cookie it set (security: csrfToken and "
    "sessionCookie together). " + INSTANT_LIMIT_HELP,
    params=(
        Param("q", QUERY, where="form", required=True, description=QUERY_HELP),
        Param(
            "locale",
            lambda: {"type": "string", "enum": list(current_app.config["LOCALES"])},
            where="form",
            required=True,
        ),
        Param(
            "csrf_token",
            {"type": "string", "maxLength": 200},
            where="form",
            description="The token, if not sent as the X-CSRFToken header.",
        ),
    ),
    replies=(
        Reply(201, "Recorded.", "InstantSearch"),
        Reply(200, "Nothing searchable was left of q: nothing recorded.", "InstantSearch"),
        Reply(400, "A field is missing or outside its schema."),
        Reply(403, "The CSRF token is missing, wrong, expired or not this session's."),
        Reply(429, "Too many records from this client; try again later.", headers=("Retry-After",)),
    ),
    security=(("csrfToken", "sessionCookie"),),
)

OPENAPI = Operation(
    "getOpenApi",
    "This document",
    tag="meta",
    replies=(Reply(200, "The OpenAPI 3.1 document of this API.", {"type": "object"}),),
)


def _hit(hit) -> dict:
    return {
        "type": hit.type,
        "id": int(hit.id),
        "title": hit.title,
        "url": hit.url,
        "snippet": hit.snippet,
        "score": round(hit.score, 4),
        "kind": hit.kind,
        "category": hit.category,
        "solved": hit.solved,
    }


@bp.get("/search")
@operation("api.search", SEARCH)
def search():
    try:
        args = checked_args(SEARCH)
    except ParamError as error:
        return contract.refuse(error)
    categories = {args["category"]} if args["category"] else set()
    query = search_request(request.args, args["locale"], categories, strict=True)
    if not query.text:  # nothing searchable left: nothing to find, nothing to record
        empty = {"kind": {}, "category": {}}
        return jsonify(total=0, page=1, pages=0, results=[], facets=empty, did_you_mean=None)
    results = services.run_search(query)
    services.record_search(query, results.total, "api")
    db.session.commit()
    return jsonify(
        total=results.total,
        page=results.page,
        pages=results.pages,
        results=[_hit(hit) for hit in results.hits],
        facets=results.facets,
        did_you_mean=results.did_you_mean,
    )


@bp.get("/suggest")
@operation("api.suggest", SUGGEST)
def suggest():
    """Titles for as-you-type; a pure read (the settled query is recorded by ``instant_search``)."""
    try:
        args = checked_args(SUGGEST)
    except ParamError as error:
        return contract.refuse(error)
    text = " ".join((args["q"] or "").split())[:200]
    if not text:
        return jsonify(suggestions=[])
    return jsonify(
        suggestions=[
            {"type": s.type, "title": s.title, "url": s.url, "kind": s.kind}
            for s in services.suggest(text, args["locale"])
        ]
    )


@bp.get("/csrf-token")
@operation("api.csrf_token", CSRF_TOKEN)
def csrf_token():
    """A CSRF token (and the session cookie it is bound to), fetched by static JS right
    before a form on a cached page is sent; pages themselves carry none for anonymous readers.
    """
    response = jsonify(token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


def instant_search_limit() -> str:
    return current_app.config["RATELIMIT_INSTANT_SEARCH"]


@bp.post("/instant-searches")
@operation("api.instant_search", INSTANT_SEARCH)
@limiter.limit(instant_search_limit)
def instant_search():
    """Record the query the header box settled on (typing paused or a suggestion chosen).

    Kept off the as-you-type path: counting a query's true results costs more
    than suggesting titles, and only the settled query is worth storing.
    Answers with the event id, which the box puts on the click-through link.
    """
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # the blueprint is exempt from the automatic check: its GETs are reads
    try:
        args = checked_args(INSTANT_SEARCH)
    except ParamError as error:
        return contract.refuse(error)
    query = search_request(request.form, args["locale"], set(), strict=False)
    if not query.text:
        return jsonify(event_id=None, results=0), 200
    event, total = services.record_instant_search(query)
    db.session.commit()
    return jsonify(event_id=event.id, results=total), 201


@bp.get("/openapi.json")
@operation("api.openapi", OPENAPI)
def openapi():
    response = jsonify(build_document())
    response.headers["Cache-Control"] = "no-cache"
    return response
