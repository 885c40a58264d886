"""The editor's article list: filters over locale, category, kind, status and review state."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import db
from app.kb.models import Article, ArticleRevision, ArticleStatus, RevisionState

PAGE_SIZE = 50
STATUS_FILTERS = ("draft", "in_review", "published", "archived", "pending")


@dataclass(frozen=True)
class ArticleFilter:
    locale: str | None = None
    category_id: int | None = None
    kind: str | None = None
    status: str | None = None  # an ArticleStatus, or "pending": published with unpublished edits
    needs_review: bool = False
    missing: str | None = None  # source articles lacking a translation in this locale
    text: str | None = None
    page: int = 1


@dataclass(frozen=True)
class ArticleRow:
    article: Article
    working_state: str  # applied, draft or in_review
    working_number: int

    @property
    def has_pending(self) -> bool:
        return self.working_state != RevisionState.APPLIED.value

    @property
    def workflow_state(self) -> str:
        return self.working_state if self.has_pending else self.article.status


def _working():
    """Per article: the newest revision's number and state."""
    latest = (
        select(ArticleRevision.article_id, func.max(ArticleRevision.number).label("number"))
        .group_by(ArticleRevision.article_id)
        .subquery()
    )
    return (
        select(ArticleRevision.article_id, ArticleRevision.number, ArticleRevision.state)
        .join(
            latest,
            sa.and_(
                latest.c.article_id == ArticleRevision.article_id,
                latest.c.number == ArticleRevision.number,
            ),
        )
        .subquery()
    )


def list_articles(
    chosen: ArticleFilter, source_locale: str = "en"
) -> tuple[list[ArticleRow], bool]:
    """Matching articles, most recently updated first; returns (rows, has_more)."""
    working = _working()
    query = select(Article, working.c.state, working.c.number).outerjoin(
        working, working.c.article_id == Article.id
    )
    if chosen.locale:
        query = query.where(Article.locale == chosen.locale)
    if chosen.category_id:
        query = query.where(Article.category_id == chosen.category_id)
    if chosen.kind:
        query = query.where(Article.kind == chosen.kind)
    pending = working.c.state.in_([RevisionState.DRAFT.value, RevisionState.IN_REVIEW.value])
    if chosen.status == "pending":
        query = query.where(pending)
    elif chosen.status:
        query = query.where(Article.status == chosen.status)
    if chosen.needs_review:
        query = query.where(
            sa.or_(
                Article.status == ArticleStatus.IN_REVIEW.value,
                working.c.state == RevisionState.IN_REVIEW.value,
            )
        )
    if chosen.missing:
        translated = select(Article.translation_key).where(Article.locale == chosen.missing)
        query = query.where(
            Article.locale == source_locale,
            Article.status != ArticleStatus.ARCHIVED.value,
            Article.translation_key.not_in(translated),
        )
    if chosen.text:
        like = f"%{chosen.text.replace('%', '').replace('_', '')}%"
        query = query.where(sa.or_(Article.title.ilike(like), Article.slug.ilike(like)))
    query = query.order_by(Article.updated_at.desc(), Article.id.desc())
    offset = (max(chosen.page, 1) - 1) * PAGE_SIZE
    rows = db.session.execute(query.offset(offset).limit(PAGE_SIZE + 1)).all()
    found = [
        ArticleRow(article, state or RevisionState.APPLIED.value, number or 0)
        for article, state, number in rows[:PAGE_SIZE]
    ]
    return found, len(rows) > PAGE_SIZE
