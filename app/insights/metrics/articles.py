"""Article metrics: views, helpful %, comments, searches that led to them, last updated."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.insights.facts import day_bounds
from app.insights.metrics import ratio
from app.insights.source import RangeData
from app.kb.models import Article, ArticleFeedback, Category

WORST_MIN_VOTES = 3


@dataclass
class ArticleRow:
    id: int
    title: str
    slug: str
    locale: str
    category: str
    updated_at: datetime
    views: int = 0
    helpful: int = 0
    not_helpful: int = 0
    search_clicks: int = 0
    comments: list = field(default_factory=list)  # (created_at, reason, comment)
    reasons: Counter = field(default_factory=Counter)

    @property
    def votes(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_rate(self) -> float | None:
        return ratio(self.helpful, self.votes)


def article_rows(data: RangeData) -> list[ArticleRow]:
    """Every article matching the filters with activity or not, most viewed first."""
    filters = data.filters
    query = sa.select(Article, Category.slug).join(Category, Article.category_id == Category.id)
    if filters.locale:
        query = query.where(Article.locale == filters.locale)
    if filters.category:
        query = query.where(Category.slug == filters.category)
    rows = {
        article.id: ArticleRow(
            article.id,
            article.title,
            article.slug,
            article.locale,
            slug,
            article.updated_at,
        )
        for article, slug in db.session.execute(query)
    }
    if not rows:
        return []
    for article_id, totals in data.article_totals(set(rows)).items():
        row = rows[article_id]
        row.views, row.helpful = totals.views, totals.helpful
        row.not_helpful, row.search_clicks = totals.not_helpful, totals.search_clicks
    start, _end = day_bounds(filters.start)
    end = day_bounds(filters.end)[1]
    feedback = db.session.execute(
        sa.select(
            ArticleFeedback.article_id,
            ArticleFeedback.created_at,
            ArticleFeedback.reason,
            ArticleFeedback.comment,
        )
        .where(ArticleFeedback.created_at >= start, ArticleFeedback.created_at < end)
        .where(ArticleFeedback.helpful.is_(False))
        .where(ArticleFeedback.article_id.in_(sorted(rows)))
        .order_by(ArticleFeedback.created_at.desc())
    )
    for article_id, created_at, reason, comment in feedback:
        row = rows[article_id]
        if reason:
            row.reasons[reason] += 1
        if comment:
            row.comments.append((created_at, reason, comment))
    return sorted(rows.values(), key=lambda r: (-r.views, r.title))


def worst_articles(rows: list[ArticleRow], limit: int = 10) -> list[ArticleRow]:
    """Lowest helpful % among articles with enough votes; ties: more "no" votes first."""
    rated = [r for r in rows if r.votes >= WORST_MIN_VOTES]
    rated.sort(key=lambda r: (r.helpful_rate, -r.not_helpful, r.title))
    return rated[:limit]


def reasons_by_article(rows: list[ArticleRow]) -> dict[int, Counter]:
    return defaultdict(Counter, {r.id: r.reasons for r in rows})


def stale_cutoff(now: datetime, days: int = 365) -> datetime:
    return now - timedelta(days=days)
