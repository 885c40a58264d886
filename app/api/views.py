"""JSON endpoints: search, suggest and the OpenAPI document."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from app.extensions import csrf, db, limiter
from app.site_search import services
from app.site_search.params import SearchParamError, search_request
from app.site_search.views import category_names

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only GET endpoints; nothing here changes state on behalf of a session
OPENAPI_PATH = Path(__file__).with_name("openapi.json")


def bad_request(message: str):
    return jsonify(error={"status": 400, "title": _("Bad request"), "message": message}), 400


def requested_locale() -> str | None:
    locale = request.args.get("locale") or current_app.config["DEFAULT_LOCALE"]
    return locale if locale in current_app.config["LOCALES"] else None


@bp.get("/search")
def search():
    locale = requested_locale()
    if locale is None:
        return bad_request(_("Unknown locale."))
    try:
        # The category names are a query: read them only to check a category that was given.
        categories = set(category_names(locale)) if request.args.get("category") else set()
        query = search_request(request.args, locale, categories, strict=True)
    except SearchParamError as error:
        return bad_request(str(error))
    if not query.text:
        return bad_request(_("The query 'q' is empty."))
    results = services.run_search(query)
    services.record_search(query, results.total, "api")
    db.session.commit()
    return jsonify(
        total=results.total,
        page=results.page,
        pages=results.pages,
        results=[
            {
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
            for hit in results.hits
        ],
        facets=results.facets,
        did_you_mean=results.did_you_mean,
    )


@bp.get("/suggest")
def suggest():
    """Titles for as-you-type; a pure read (the settled query is recorded by ``instant_search``)."""
    locale = requested_locale()
    if locale is None:
        return bad_request(_("Unknown locale."))
    text = " ".join(request.args.get("q", "").split())[:200]
    if not text:
        return jsonify(suggestions=[])
    return jsonify(
        suggestions=[
            {"type": s.type, "title": s.title, "url": s.url, "kind": s.kind}
            for s in services.suggest(text, locale)
        ]
    )


@bp.get("/csrf-token")
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
@limiter.limit(instant_search_limit)
def instant_search():
    """Record the query the header box settled on (typing paused or a suggestion chosen).

    Kept off the as-you-type path: counting a query's true results costs more
    than suggesting titles, and only the settled query is worth storing.
    Answers with the event id, which the box puts on the click-through link.
    """
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # the blueprint is exempt from the automatic check: its GETs are reads
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LOCALES"]:
        return bad_request(_("Unknown locale."))
    query = search_request(request.form, locale, set(), strict=False)
    if not query.text:
        return bad_request(_("The query 'q' is empty."))
    event, total = services.record_instant_search(query)
    db.session.commit()
    return jsonify(event_id=event.id, results=total), 201


@cache
def _openapi_document() -> dict:
    return json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(_openapi_document())
