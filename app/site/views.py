"""Pages that belong to no area: `/`, `/healthz`, `/readyz`, `/sitemap.xml`, `/robots.txt`."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    url_for,
)

from app.locales import negotiated_locale
from app.site import sitemaps
from app.site.health import readiness

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    """Send a visitor to the home page in the best language their browser asks for."""
    response = redirect(url_for("kb.home", locale=negotiated_locale()), 302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers (restart it if not). Checks nothing else."""
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz():
    """Readiness: database, search, Redis (when configured) and the job backlog; 503 if not."""
    ready, checks = readiness()
    response = jsonify(status="ok" if ready else "error", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


@bp.get("/sitemap.xml")
def sitemap():
    """A sitemap index: one sitemap per SITEMAP_MAX_URLS articles of each language."""
    body = sitemaps.index_xml(tuple(current_app.config["LOCALES"]), _per_sitemap())
    return _xml_stream(body)


@bp.get("/sitemaps/<locale:locale>-<int:page>.xml")
def sitemap_page(page: int):
    """One language's articles, SITEMAP_MAX_URLS at a time (the locale is in g, from the URL)."""
    if page < 1 or page > sitemaps.sitemap_pages(g.locale, _per_sitemap()):
        abort(404)
    return _xml_stream(sitemaps.urlset_xml(g.locale, page, _per_sitemap()))


def _per_sitemap() -> int:
    return current_app.config["SITEMAP_MAX_URLS"]


def _xml_stream(body) -> Response:
    response = Response(body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/robots.txt")
def robots():
    body = f"User-agent: *\nAllow: /\nSitemap: {url_for('site.sitemap', _external=True)}\n"
    response = make_response(body)
    response.mimetype = "text/plain"
    return response
