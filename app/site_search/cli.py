"""`flask search reindex|status|sync`."""

from __future__ import annotations

from itertools import chain

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.forum.models import Topic
from app.kb.models import Article, ArticleStatus
from app.site_search.documents import article_document, topic_document
from app.site_search.engine import search_index
from app.site_search.outbox import drain_outbox, pending_count

search_cli = AppGroup("search", help="Maintain the search index.")


def published_articles():
    return db.session.scalars(
        select(Article).where(Article.status == ArticleStatus.PUBLISHED.value)
    )


def visible_topics():
    """Forum topics that belong in the index (hidden ones never do)."""
    return db.session.scalars(select(Topic).where(Topic.is_hidden.is_(False)))


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the whole index from the database."""
    total = db.session.scalar(
        select(func.count(Article.id)).where(Article.status == ArticleStatus.PUBLISHED.value)
    ) + db.session.scalar(select(func.count(Topic.id)).where(Topic.is_hidden.is_(False)))
    documents = chain(
        (article_document(a) for a in published_articles()),
        (topic_document(t) for t in visible_topics()),
    )
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        search_index().rebuild(documents, progress=lambda n: bar.update(n - bar.pos))
    drain_outbox()  # changes queued meanwhile are already in the rebuild or applied now
    click.echo(f"indexed {search_index().doc_count()} documents")


@search_cli.command("sync")
def sync() -> None:
    """Apply pending outbox rows (after a crash, or if indexing failed)."""
    applied = drain_outbox()
    click.echo(f"applied {applied}, pending {pending_count()}")


@search_cli.command("status")
def status() -> None:
    """Documents in the database (articles + visible topics) vs in the index, and pending rows."""
    index = search_index()
    articles = dict(
        db.session.execute(
            select(Article.locale, func.count(Article.id))
            .where(Article.status == ArticleStatus.PUBLISHED.value)
            .group_by(Article.locale)
        ).all()
    )
    topics = dict(
        db.session.execute(
            select(Topic.locale, func.count(Topic.id))
            .where(Topic.is_hidden.is_(False))
            .group_by(Topic.locale)
        ).all()
    )
    for locale in sorted(set(articles) | set(topics)):
        in_db = articles.get(locale, 0) + topics.get(locale, 0)
        click.echo(
            f"{locale}: database {in_db}, index {index.doc_count(locale)}"
            f" ({articles.get(locale, 0)} articles, {topics.get(locale, 0)} topics)"
        )
    click.echo(f"pending outbox rows: {pending_count()}")
