"""Pages that belong to no area: `/`, `/healthz`, `/sitemap.xml`, `/robots.txt`."""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, redirect, render_template, url_for
from sqlalchemy import text

from app.extensions import db
from app.kb import services
from app.locales import negotiated_locale

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    """Send a visitor to the home page in the best language their browser asks for."""
    response = redirect(url_for("kb.home", locale=negotiated_locale()), 302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy, with no detail leaked
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


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
