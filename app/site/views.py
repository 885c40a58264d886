"""Pages that belong to no area: `/`, `/healthz`, `/readyz`, `/sitemap.xml`, `/robots.txt`."""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, redirect, render_template, url_for

from app.kb import services
from app.locales import negotiated_locale
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
    articles = services.all_published()
    by_key: dict[str, dict[str, object]] = {}
    for article in articles:
        by_key.setdefault(article.translation_key, {})[article.locale] = article
    response = make_response(render_template("site/sitemap.xml", groups=by_key.values()))
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
def robots():
    body = f"User-agent: *\nAllow: /\nSitemap: {url_for('site.sitemap', _external=True)}\n"
    response = make_response(body)
    response.mimetype = "text/plain"
    return response
