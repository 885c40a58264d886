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


TOPIC_SUMMARY_CHARS = 240
TOPIC_BODY_MAX_CHARS = 100_000


def topic_document(topic) -> SearchDocument:
    """A forum topic: the question, the accepted answer and the visible replies, as one document.

    The caller decides visibility (hidden topics are removed from the index, not indexed).
    """
    from app.forum.paths import topic_path

    question = next((p for p in topic.posts if p.is_first), None)
    replies = [p for p in topic.posts if not p.is_first and not p.is_hidden]
    accepted = next((p for p in replies if p.id == topic.accepted_post_id), None)
    others = [p for p in replies if p is not accepted]
    question_text = html_to_text(question.body_html) if question is not None else ""
    parts = [question_text]
    if accepted is not None:
        parts.append(html_to_text(accepted.body_html))
    parts.extend(html_to_text(p.body_html) for p in others)
    body = " ".join(part for part in parts if part)[:TOPIC_BODY_MAX_CHARS]
    return SearchDocument(
        doc_id=make_doc_id("topic", topic.id),
        type="topic",
        locale=topic.locale,
        kind="topic",
        category=topic.category.slug,
        title=topic.title,
        summary=question_text[:TOPIC_SUMMARY_CHARS],
        body=body,
        tags=list(topic.tags or ()),
        url=topic_path(topic.locale, topic.id, topic.title),
        solved=topic.is_solved,
        updated=topic.last_activity_at,
        popularity=topic.vote_count,
    )
