"""The search page and the click-through redirect that records which result was opened."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from app.extensions import db
from app.kb import listing_cache
from app.page_cache import beacon_response, has_session_cookie
from app.request_numbers import whole_number
from app.security import safe_next_url
from app.site_search import page_events, result_cache, services, sources
from app.site_search.params import search_request

bp = Blueprint("site_search", __name__, url_prefix="/<locale:locale>")


def category_names(locale: str) -> dict[str, str]:
    """Slug → name of every category a result can have: forum categories and KB ones."""
    return result_cache.kept(
        ("category_names", locale), lambda: sources.category_names(db.session, locale)
    )


@bp.get("/search")
def search():
    names = category_names(g.locale)
    query = search_request(request.args, g.locale, set(names), strict=False)
    if not query.text:
        return _results_page(query, names)
    if page_events.one_off_reader() and not has_session_cookie():
        # Every reader without a session gets the same page but for its event's id and
        # beacon: rendered once (for a moment), the event recorded each time, in a batch.
        data, html = result_cache.kept(
            ("page", request.host, request.full_path), lambda: _page_with_slots(query, names)
        )
        event_id, key = services.buffer_page_search(query, data)
        return result_cache.fill_slots(html, event_id, page_events.rekey_url(event_id, key))
    key, one_off = page_events.page_session_key()  # no session is started for it
    results = services.run_search(query)
    event_id, event_key = _record(query, results.total, key)
    beacon = page_events.rekey_url(event_id, event_key) if one_off else None
    return _results_page(query, names, results, event_id, beacon)


def _record(query, total: int, key: str) -> tuple[int, str]:
    """Record the page's search event: its id and key (read before the commit expires them)."""
    event = services.record_page_search(query, total, key)
    db.session.flush()
    recorded = event.id, event.session_key
    db.session.commit()
    return recorded


def _page_with_slots(query, names: dict[str, str]) -> tuple[dict, str]:
    """The page with stand-ins for its event's id and beacon, and the event's data."""
    results = services.run_search(query)
    html = _results_page(query, names, results, result_cache.EVENT_SLOT, result_cache.BEACON_SLOT)
    return services.page_search_data(query, results.total), html


def _results_page(query, names, results=None, event_id=None, beacon=None) -> str:
    return render_template(
        "search/results.html",
        query=query,
        results=results,
        event_id=event_id,
        beacon_url=beacon,
        category_names=names,
        popular=listing_cache.popular(g.locale)[:5] if results is None or not results.total else [],
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
