"""Stored article HTML follows the renderer: re-render what a newer app/markdown.py changes."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.kb.models import Article
from app.markdown import render_markdown


def rendered_fields(article: Article) -> tuple[str, list[dict], list[str]]:
    """What the current renderer makes of the article: body HTML, contents, step HTML."""
    rendered = render_markdown(article.body_markdown, locale=article.locale)
    toc = [{"level": h.level, "anchor": h.anchor, "text": h.text} for h in rendered.headings]
    steps = [render_markdown(s.body_markdown, locale=article.locale).html for s in article.steps]
    return rendered.html, toc, steps


def rerender_articles() -> list[Article]:
    """Refresh every article whose stored HTML differs from what the renderer makes today.

    The Markdown (and so the revision history) is untouched; only the derived HTML changes.
    The caller commits.
    """
    changed = []
    for article in db.session.scalars(select(Article).order_by(Article.id)):
        html, toc, steps = rendered_fields(article)
        stale_steps = [s.body_html for s in article.steps] != steps
        if article.body_html == html and (article.toc or []) == toc and not stale_steps:
            continue
        article.body_html, article.toc = html, toc
        for step, step_html in zip(article.steps, steps, strict=True):
            step.body_html = step_html
        changed.append(article)
    return changed
