"""The sitemap index and its sitemaps (at most SITEMAP_MAX_URLS each), written as they are read."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from math import ceil
from urllib.parse import quote
from xml.sax.saxutils import escape

from flask import current_app, url_for

from app.extensions import db
from app.kb import services

URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def sitemap_pages(locale: str, per_sitemap: int) -> int:
    return max(1, ceil(services.published_count(locale) / per_sitemap))


def index_xml(locales: tuple[str, ...], per_sitemap: int) -> str:
    """The sitemap index: a few lines per language, so it is built whole."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
    ]
    for locale in locales:
        for page in range(1, sitemap_pages(locale, per_sitemap) + 1):
            loc = url_for("site.sitemap_page", locale=locale, page=page, _external=True)
            lines.append(f"  <sitemap><loc>{escape(loc)}</loc></sitemap>\n")
    lines.append("</sitemapindex>\n")
    return "".join(lines)


def urlset_xml(locale: str, page: int, per_sitemap: int) -> Iterator[str]:
    """One sitemap: each article with its last change and its translations as alternates.

    URLs and the query are prepared now; rows are read and written on a connection of its
    own while the response streams, outside the request.
    """
    prefixes = {
        code: url_for("kb.article", locale=code, slug="-", _external=True)[:-1]
        for code in current_app.config["LOCALES"]
    }
    query = services.sitemap_query(locale, (page - 1) * per_sitemap, per_sitemap)
    return _write_urlset(db.engine, query, locale, prefixes)


def _write_urlset(engine, query, locale: str, prefixes: dict[str, str]) -> Iterator[str]:
    def url(code: str, slug: str) -> str:
        return escape(prefixes[code] + quote(slug))

    yield URLSET_OPEN
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=1000).execute(query)
        for (slug, updated_at), versions in groupby(rows, key=lambda row: (row[0], row[1])):
            yield _url_entry(url(locale, slug), updated_at, versions, url)
    yield "</urlset>\n"


def _url_entry(loc: str, updated_at, versions, url) -> str:
    parts = [f"  <url>\n    <loc>{loc}</loc>\n"]
    parts.append(f"    <lastmod>{updated_at:%Y-%m-%d}</lastmod>\n")
    for _slug, _updated, other_locale, other_slug in versions:
        parts.append(
            f'    <xhtml:link rel="alternate" hreflang="{other_locale}" '
            f'href="{url(other_locale, other_slug)}"/>\n'
        )
    parts.append("  </url>\n")
    return "".join(parts)
