"""Knowledge capture: a solved forum topic, or a content gap, becomes a prefilled draft."""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.editor.audit import record_action
from app.editor.drafts import DraftInput, build_fields, one_line
from app.editor.errors import EditorError
from app.editor.revisions import create_article
from app.editor.slugs import slugify, unique_slug
from app.extensions import db
from app.forum.models import Post, Topic
from app.kb.content_files import SUMMARY_MAX, TITLE_MAX
from app.kb.models import Article, ArticleKind, ArticleStatus, Category

MARKUP = re.compile(r"[`*_>#\[\]()!|~-]+")


def plain_summary(markdown_text: str) -> str:
    """A one-line summary from Markdown: the first sentence-ish, markup stripped."""
    text = one_line(MARKUP.sub(" ", markdown_text))
    if len(text) <= SUMMARY_MAX:
        return text
    return text[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"


def default_category() -> Category | None:
    return db.session.scalar(select(Category).order_by(Category.position, Category.slug))


def capture_topic(topic: Topic, user_id: int, category: Category | None = None) -> Article:
    """A new FAQ draft from a solved topic's question and accepted answer, linked both ways."""
    if topic.article_id is not None:
        existing = db.session.get(Article, topic.article_id)
        if existing is not None:
            raise EditorError(_("This topic already became an article."), status=409)
    if topic.accepted_post_id is None:
        raise EditorError(_("Only a solved topic (with an accepted answer) can become an FAQ."))
    question = db.session.scalar(select(Post).filter_by(topic_id=topic.id, is_first=True))
    answer = db.session.get(Post, topic.accepted_post_id)
    if question is None or answer is None or answer.topic_id != topic.id:
        raise EditorError(_("The topic's question or accepted answer is missing."))
    category = category or default_category()
    if category is None:
        raise EditorError(_("Create a knowledge-base category first."))
    with force_locale(topic.locale):
        heading_question, heading_answer = _("Question"), _("Answer")
    body = (
        f"## {heading_question}\n\n{question.body_markdown.strip()}\n\n"
        f"## {heading_answer}\n\n{answer.body_markdown.strip()}"
    )
    title = one_line(topic.title)[:TITLE_MAX]
    slug = unique_slug(topic.locale, slugify(title, f"topic-{topic.id}", topic.locale))
    fields = build_fields(
        DraftInput(
            locale=topic.locale,
            slug=slug,
            title=title,
            summary=plain_summary(question.body_markdown) or title,
            kind=ArticleKind.FAQ.value,
            body=body,
            tags=", ".join(topic.tags or []),
        ),
        category.slug,
        ArticleStatus.DRAFT.value,
    )
    article = create_article(fields, category, author_id=user_id)
    db.session.flush()
    topic.article_id = article.id
    record_action(user_id, "capture_topic", article=article, topic=topic.id)
    return article


def topic_for_article(article: Article) -> Topic | None:
    """The forum topic an article was captured from (the link back)."""
    return db.session.scalar(select(Topic).filter_by(article_id=article.id))


def gap_prefill(title: str | None, keywords: str | None) -> dict[str, str]:
    """A content gap (a search nobody could answer) as new-article form values."""
    title = one_line(title)[:TITLE_MAX]
    words = [w for w in (one_line(k) for k in (keywords or "").split(",")) if w][:20]
    prefill = {"title": title, "tags": ", ".join(w[:40] for w in words)}
    if title:
        prefill["slug"] = slugify(title, "")
    return {k: v for k, v in prefill.items() if v}
