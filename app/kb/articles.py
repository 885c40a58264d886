"""Writing articles: apply fields, render Markdown once, keep every change as a revision."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.kb.content_files import ArticleFields, StepFields
from app.kb.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    Category,
    GuideStep,
    RevisionState,
    utcnow,
)
from app.markdown import render_markdown

# The fields a translator translates: a change to one of them can make translations outdated.
CONTENT_FIELDS = {"title", "summary", "body", "steps"}
TRACKED_FIELDS = ("title", "summary", "tags", "kind", "status", "category", "translation_key",
                  "body", "steps")  # fmt: skip


def fields_of(article: Article) -> ArticleFields:
    """The article as content-file fields, for comparison and export."""
    return ArticleFields(
        locale=article.locale,
        slug=article.slug,
        category=article.category.slug,
        title=article.title,
        translation_key=article.translation_key,
        kind=article.kind,
        summary=article.summary,
        body=article.body_markdown,
        tags=tuple(article.tags or ()),
        status=article.status,
        steps=tuple(StepFields(s.key, s.title, s.body_markdown) for s in article.steps),
    )


def snapshot_of(fields: ArticleFields) -> dict:
    """What a revision stores: every tracked field (the slug and locale are kept beside it)."""
    return {
        "title": fields.title,
        "summary": fields.summary,
        "tags": list(fields.tags),
        "kind": fields.kind,
        "status": fields.status,
        "category": fields.category,
        "translation_key": fields.translation_key,
        "body": fields.body,
        "steps": [{"key": s.key, "title": s.title, "body": s.body} for s in fields.steps],
    }


def _sync_steps(article: Article, steps: tuple[StepFields, ...], locale: str) -> None:
    """Update steps in place by key so stored reader progress keeps pointing at them."""
    existing = {step.key: step for step in article.steps}
    kept: list[GuideStep] = []
    for position, fields in enumerate(steps, start=1):
        step = existing.pop(fields.key, None) or GuideStep(key=fields.key)
        step.position = position
        step.title = fields.title
        step.body_markdown = fields.body
        step.body_html = render_markdown(fields.body, locale=locale).html
        kept.append(step)
    article.steps = kept


def next_revision_number(article: Article) -> int:
    return max((r.number for r in article.revisions), default=0) + 1 if article.id else 1


def save_article(
    article: Article | None,
    fields: ArticleFields,
    category: Category,
    *,
    source: str,
    author_id: int | None = None,
    revision: ArticleRevision | None = None,
) -> tuple[Article, bool]:
    """Create or update an article from fields; returns (article, changed). The caller commits.

    `revision` is a pending revision being published: it becomes the record of this change
    instead of a new one being appended.
    """
    before = snapshot_of(fields_of(article)) if article is not None else None
    after = snapshot_of(fields)
    if before == after and revision is None:
        return article, False
    if article is None:
        article = Article(locale=fields.locale, slug=fields.slug)
        db.session.add(article)
    article.translation_key = fields.translation_key
    article.title = fields.title
    article.summary = fields.summary
    article.tags = list(fields.tags)
    article.kind = fields.kind
    article.category = category
    rendered = render_markdown(fields.body, locale=fields.locale)
    article.body_markdown = fields.body
    article.body_html = rendered.html
    article.toc = [
        {"level": h.level, "anchor": h.anchor, "text": h.text} for h in rendered.headings
    ]
    _sync_steps(article, fields.steps, fields.locale)
    now = utcnow()
    if fields.status == ArticleStatus.PUBLISHED.value and article.status != fields.status:
        article.published_at = now
    article.status = fields.status
    article.updated_at = now
    changed = sorted(k for k in after if before is None or before[k] != after[k])
    if revision is not None:
        revision.state = RevisionState.APPLIED.value
        revision.snapshot = after
        revision.changed_fields = changed
        revision.slug = article.slug
        return article, before != after
    article.revisions.append(
        ArticleRevision(
            number=next_revision_number(article),
            source=source,
            author_id=author_id,
            changed_fields=changed,
            snapshot=after,
            created_at=now,
            slug=article.slug,
        )
    )
    return article, True


def find_article(locale: str, slug: str) -> Article | None:
    return db.session.scalar(select(Article).filter_by(locale=locale, slug=slug))


def content_revision(article: Article) -> int:
    """Number of the last applied revision that changed what a translator translates."""
    numbers = [
        r.number
        for r in article.revisions
        if r.state == RevisionState.APPLIED.value and CONTENT_FIELDS & set(r.changed_fields or ())
    ]
    return max(numbers, default=0)
