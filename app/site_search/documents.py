"""Turning database rows into the plain documents the search engine indexes."""

from __future__ import annotations

import re
from html import unescape

from app.kb.models import Article
from search.documents import SearchDocument, make_doc_id

TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """Plain text from our own sanitized HTML (never user-supplied raw HTML)."""
    return " ".join(unescape(TAG.sub(" ", html)).split())


def article_path(locale: str, slug: str) -> str:
    """The article's URL path; built by hand because the CLI has no request to build from."""
    return f"/{locale}/articles/{slug}"


def article_document(article: Article) -> SearchDocument:
    steps = " ".join(f"{step.title} {html_to_text(step.body_html)}" for step in article.steps)
    return SearchDocument(
        doc_id=make_doc_id("article", article.id),
        type="article",
        locale=article.locale,
        kind=article.kind,
        category=article.category.slug,
        title=article.title,
        summary=article.summary,
        body=f"{html_to_text(article.body_html)} {steps}".strip(),
        tags=list(article.tags or ()),
        url=article_path(article.locale, article.slug),
        updated=article.updated_at,
        popularity=article.view_count,
    )
