"""Reading the knowledge base for pages: listings, articles, translations, related articles."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from app.extensions import db
from app.kb.models import Article, ArticleRedirect, ArticleStatus, Category
from app.kb.related import LIST_COLUMNS
from app.pagination import paginate

PUBLISHED = ArticleStatus.PUBLISHED.value


@dataclass(frozen=True)
class CategorySummary:
    category: Category
    article_count: int


def _published(locale: str):
    return select(Article).where(Article.locale == locale, Article.status == PUBLISHED)


def categories_with_counts(locale: str) -> list[CategorySummary]:
    """Every category with the number of published articles it has in this locale."""
    counts = (
        select(Article.category_id, func.count(Article.id).label("n"))
        .where(Article.locale == locale, Article.status == PUBLISHED)
        .group_by(Article.category_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Category, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.slug)
    )
    return [CategorySummary(category, count) for category, count in rows]


def popular_articles(locale: str, limit: int = 6) -> list[Article]:
    query = _published(locale).order_by(Article.view_count.desc(), Article.title).limit(limit)
    return list(db.session.scalars(query))


def recently_updated(locale: str, limit: int = 6) -> list[Article]:
    query = _published(locale).order_by(Article.updated_at.desc(), Article.id).limit(limit)
    return list(db.session.scalars(query))


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).filter_by(slug=slug))


def articles_in_category(locale: str, category: Category, page: int, per_page: int) -> Pagination:
    """One page of a category's articles, guides first, in the listing index's order.

    Only what the list shows is loaded: bodies and their JSON columns were most of the page.
    """
    query = (
        _published(locale)
        .where(Article.category_id == category.id)
        .options(LIST_COLUMNS, sa.orm.lazyload(Article.category))
    )
    return paginate(query.order_by(Article.kind.desc(), Article.title), page, per_page)


def published_article(locale: str, slug: str) -> Article | None:
    return db.session.scalar(_published(locale).where(Article.slug == slug))


def published_article_by_id(locale: str, article_id: int) -> Article | None:
    return db.session.scalar(_published(locale).where(Article.id == article_id))


def redirected_article(locale: str, slug: str) -> Article | None:
    """The published article a former URL name (an editor renamed it) now points at."""
    query = (
        select(Article)
        .join(ArticleRedirect, ArticleRedirect.article_id == Article.id)
        .where(ArticleRedirect.locale == locale, ArticleRedirect.slug == slug)
        .where(Article.status == PUBLISHED, Article.locale == locale)
    )
    return db.session.scalar(query)


def versions_elsewhere(locale: str, slug: str) -> list[Article]:
    """Published versions in other languages of the article at (locale, slug), if any exist."""
    keys = select(Article.translation_key).where(Article.slug == slug).scalar_subquery()
    query = (
        select(Article)
        .where(Article.status == PUBLISHED, Article.locale != locale)
        .where(sa.or_(Article.slug == slug, Article.translation_key.in_(keys)))
        .order_by(Article.locale)
    )
    seen: dict[str, Article] = {}
    for article in db.session.scalars(query):
        seen.setdefault(article.locale, article)
    return list(seen.values())


def translations_of(article: Article) -> dict[str, Article]:
    """The published versions of an article, by locale, including itself."""
    query = (
        select(Article)
        .where(Article.translation_key == article.translation_key, Article.status == PUBLISHED)
        .options(sa.orm.load_only(Article.id, Article.locale, Article.slug, Article.status))
        .options(sa.orm.lazyload(Article.category))
    )
    return {a.locale: a for a in db.session.scalars(query)}


def published_for_feed(locale: str, limit: int = 50) -> list[Article]:
    return list(
        db.session.scalars(_published(locale).order_by(Article.updated_at.desc()).limit(limit))
    )


def published_count(locale: str) -> int:
    """Published articles in one locale, counted from the listing index."""
    query = select(func.count()).where(Article.locale == locale, Article.status == PUBLISHED)
    return db.session.scalar(query) or 0


def sitemap_query(locale: str, offset: int, limit: int) -> sa.Select:
    """(slug, updated_at, other locale, other slug) for one page of a locale's articles.

    Every article comes once per published translation (itself included), in id order, so a
    sitemap can be written as it is read.
    """
    page = (
        select(Article.id, Article.slug, Article.updated_at, Article.translation_key)
        .where(Article.locale == locale, Article.status == PUBLISHED)
        .order_by(Article.id)
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    other = sa.orm.aliased(Article)
    query = (
        select(page.c.slug, page.c.updated_at, other.locale, other.slug)
        .join(
            other,
            sa.and_(other.translation_key == page.c.translation_key, other.status == PUBLISHED),
        )
        .order_by(page.c.id, other.locale)
    )
    return query
