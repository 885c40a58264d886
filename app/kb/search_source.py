"""Articles as search documents: published articles are found, others are not.

Registered with the search registry at app start (`app/site_search/sources.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.kb.models import Article, ArticleStatus, Category, GuideStep
from app.markdown import html_to_text
from search.documents import IndexChanges, SearchDocument, make_doc_id


def article_path(locale: str, slug: str) -> str:
    """The article's URL path; built by hand because the CLI has no request to build from."""
    return f"/{locale}/articles/{slug}"


def article_document(article: Article, category_slug: str | None = None) -> SearchDocument:
    """One article: title, summary, tags, body and guide steps."""
    steps = " ".join(f"{step.title} {html_to_text(step.body_html)}" for step in article.steps)
    return SearchDocument(
        doc_id=make_doc_id("article", article.id),
        type="article",
        locale=article.locale,
        kind=article.kind,
        category=category_slug if category_slug is not None else article.category.slug,
        title=article.title,
        summary=article.summary,
        body=f"{html_to_text(article.body_html)} {steps}".strip(),
        tags=list(article.tags or ()),
        url=article_path(article.locale, article.slug),
        updated=article.updated_at,
        popularity=article.view_count,
    )


def _published():
    return Article.status == ArticleStatus.PUBLISHED.value


class ArticleSource:
    """Knowledge-base articles (with their guide steps)."""

    name = "article"
    models = (Article, GuideStep)

    def changes(self, session: Session, new: list, dirty: list, deleted: list) -> IndexChanges:
        changes = IndexChanges()
        gone = {a.id for a in deleted if isinstance(a, Article)}
        touched: dict[int, Article | None] = {}
        for obj in [*new, *dirty, *deleted]:
            if isinstance(obj, Article):
                if obj.id not in gone:
                    touched[obj.id] = obj
            elif obj.article_id is not None and obj.article_id not in gone:
                touched.setdefault(obj.article_id, None)
        changes.remove_groups.extend(make_doc_id("article", pk) for pk in sorted(gone))
        for pk, article in touched.items():
            article = article or session.get(Article, pk)
            if article is None or not article.is_published:
                changes.remove_groups.append(make_doc_id("article", pk))
                continue
            category = session.get(Category, article.category_id)
            changes.write.append(article_document(article, category.slug if category else ""))
        return changes

    def keys(self, session: Session) -> list[int]:
        return list(session.scalars(sa.select(Article.id).where(_published()).order_by(Article.id)))

    def documents(self, session: Session, keys: Sequence[int]) -> list[SearchDocument]:
        articles = session.scalars(
            sa.select(Article)
            .where(Article.id.in_(keys), _published())
            .options(selectinload(Article.steps))
            .order_by(Article.id)
        )
        return [article_document(a) for a in articles]

    def category_names(self, session: Session, locale: str) -> dict[str, str]:
        return {c.slug: c.name_in(locale) for c in session.scalars(sa.select(Category))}

    def counts(self, session: Session) -> dict[str, int]:
        return dict(
            session.execute(
                sa.select(Article.locale, sa.func.count())
                .where(_published())
                .group_by(Article.locale)
            ).all()
        )
