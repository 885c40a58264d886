"""The search page and the click-through redirect that records which result was opened."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from app.extensions import db
from app.kb import services as kb
from app.page_cache import beacon_response
from app.request_numbers import whole_number
from app.security import safe_next_url
from app.site_search import page_events, services, sources
from app.site_search.params import search_request

bp = Blueprint("site_search", __name__, url_prefix="/<locale:locale>")


def category_names(locale: str) -> dict[str, str]:
    """Slug → name of every category a result can have: forum categories and KB ones."""
    return sources.category_names(db.session, locale)


@bp.get("/search")
def search():
    names = category_names(g.locale)
    query = search_request(request.args, g.locale, set(names), strict=False)
    results = event = beacon = None
    if query.text:
        results = services.run_search(query)
        key, one_off = page_events.page_session_key()  # no session is started for it
        event = services.record_page_search(query, results.total, key)
        db.session.commit()
        beacon = page_events.rekey_url(event) if one_off else None
    return render_template(
        "search/results.html",
        query=query,
        results=results,
        event_id=event.id if event else None,
        beacon_url=beacon,
        category_names=names,
        popular=kb.popular_articles(g.locale, 5) if results is None or not results.total else [],
    )


@bp.get("/search/seen")
def search_seen():
    """The results page's beacon: its search event takes the browser's visitor key `k`."""
    if page_events.rekey(request.args.get("t", ""), request.args.get("k")):
        db.session.commit()
    return beacon_response()


@bp.get("/search/click")
def click():
    """Record a click on a search result, then go to it; a plain link, so it works without JS."""
    target = safe_next_url(request.args.get("to"), None)
    if target is None:
        abort(404)
    event_id, position = request.args.get("e", ""), request.args.get("p", "")
    event, rank = whole_number(event_id), whole_number(position, max_digits=3)
    if event is not None and rank is not None:
        services.record_click(event, rank, target, g.locale)
        db.session.commit()
    return redirect(target, 303)


def search_url(**changes) -> str:
    """The current search's URL with some parameters changed (facets, pages)."""
    args = {k: v for k, v in request.args.items() if k in ("q", "kind", "category", "page")}
    args.update(changes)
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return url_for("site_search.search", **args)


bp.add_app_template_global(search_url)
