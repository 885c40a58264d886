"""Related articles, computed when articles are published and stored, never at page time.

Each published article's tags, category and longer title words are kept as terms in an
indexed table; an article's related articles are those sharing the most weighted terms
(tags count most), ties broken by views. A commit that publishes, edits or withdraws an
article recomputes that article's list and the lists that pointed at it.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.kb.models import Article, ArticleStatus
from app.kb.related_models import ArticleTerm, ContentVersion, RelatedArticle
from app.page_cache import register_content_version

RELATED_LIMIT = 5
# What an article list shows: loading bodies of related articles would be most of the cost.
LIST_COLUMNS = sa.orm.load_only(
    Article.id, Article.locale, Article.slug, Article.title, Article.summary, Article.kind
)
TAG_WEIGHT, CATEGORY_WEIGHT, WORD_WEIGHT = 3, 1, 1
MIN_WORD_LENGTH = 4
STATE_KEY = "kb_content_state"  # app.extensions: (recheck at, (version, changed_at))
BUMPED_KEY = "kb_content_version_bumped"  # session.info: this transaction bumped the version
VERSION_RECHECK_SECONDS = 1.0
CHANGED_KEY = "kb_related_changed"  # session.info: ids of articles changed in this transaction
PUBLISHED = ArticleStatus.PUBLISHED.value
WORD = re.compile(r"\w+")


def article_terms(article: Article) -> dict[str, int]:
    """term -> weight for one article (empty unless published)."""
    if article.status != PUBLISHED:
        return {}
    words = [w for w in WORD.findall(article.title.lower()) if len(w) >= MIN_WORD_LENGTH]
    terms = {f"w:{word}": WORD_WEIGHT for word in words}
    terms[f"c:{article.category_id}"] = CATEGORY_WEIGHT
    terms.update({f"t:{str(tag).lower()[:100]}": TAG_WEIGHT for tag in article.tags or ()})
    return terms


def _store_terms(session: Session, article: Article) -> None:
    session.execute(sa.delete(ArticleTerm).where(ArticleTerm.article_id == article.id))
    rows = [
        {"article_id": article.id, "term": term, "locale": article.locale, "weight": weight}
        for term, weight in article_terms(article).items()
    ]
    if rows:
        session.execute(sa.insert(ArticleTerm), rows)


def _ranked_neighbours(session: Session, article_id: int, limit: int) -> list[int]:
    """Published articles sharing the most weighted terms with one article."""
    mine = sa.orm.aliased(ArticleTerm)
    theirs = sa.orm.aliased(ArticleTerm)
    score = sa.func.sum(theirs.weight).label("score")
    query = (
        sa.select(theirs.article_id, score)
        .join(mine, sa.and_(mine.locale == theirs.locale, mine.term == theirs.term))
        .join(Article, Article.id == theirs.article_id)
        .where(mine.article_id == article_id, theirs.article_id != article_id)
        .group_by(theirs.article_id, Article.view_count, Article.title)
        .order_by(score.desc(), Article.view_count.desc(), Article.title)
        .limit(limit)
    )
    return [row[0] for row in session.execute(query)]


def _store_related(session: Session, article_id: int, published: bool) -> list[int]:
    session.execute(sa.delete(RelatedArticle).where(RelatedArticle.article_id == article_id))
    if not published:
        return []
    related = _ranked_neighbours(session, article_id, RELATED_LIMIT)
    if related:
        session.execute(
            sa.insert(RelatedArticle),
            [
                {"article_id": article_id, "position": position, "related_id": other}
                for position, other in enumerate(related, start=1)
            ],
        )
    return related


def refresh(session: Session, articles: list[Article]) -> None:
    """Recompute terms and related lists for changed articles and their neighbours."""
    for article in articles:
        _store_terms(session, article)
    changed = {a.id for a in articles}
    pointing = set(
        session.scalars(
            sa.select(RelatedArticle.article_id).where(RelatedArticle.related_id.in_(changed))
        )
    )
    neighbours: set[int] = set()
    for article in articles:
        neighbours.update(_store_related(session, article.id, article.status == PUBLISHED))
    for other_id in (pointing | neighbours) - changed:
        status = session.scalar(sa.select(Article.status).where(Article.id == other_id))
        _store_related(session, other_id, status == PUBLISHED)
    bump_content_version(session)


def rebuild_all(session: Session) -> int:
    """Recompute every article's terms and related list (after a bulk load); returns the count."""
    articles = list(session.scalars(sa.select(Article)))
    session.execute(sa.delete(RelatedArticle))
    session.execute(sa.delete(ArticleTerm))
    for article in articles:
        _store_terms(session, article)
    for article in articles:
        _store_related(session, article.id, article.status == PUBLISHED)
    bump_content_version(session)
    return len(articles)


def related_to(article: Article) -> list[Article]:
    """The stored related articles of one article that are still published (one query)."""
    query = (
        sa.select(Article)
        .join(RelatedArticle, RelatedArticle.related_id == Article.id)
        .where(RelatedArticle.article_id == article.id, Article.status == PUBLISHED)
        .order_by(RelatedArticle.position)
        .options(LIST_COLUMNS, sa.orm.lazyload(Article.category))
    )
    return list(db.session.scalars(query))


def bump_content_version(session: Session) -> None:
    """Published content changed: every page cache and ETag keyed on the version goes stale."""
    updated = session.execute(
        sa.update(ContentVersion)
        .where(ContentVersion.id == 1)
        .values(version=ContentVersion.version + 1, changed_at=utcnow())
    )
    if not updated.rowcount:
        session.execute(sa.insert(ContentVersion).values(id=1, version=1, changed_at=utcnow()))
    session.info[BUMPED_KEY] = True
    _forget_content_state()


def _forget_content_state() -> None:
    """This process reads the version again on its next use."""
    if has_app_context():
        g.pop("kb_content_state", None)
        current_app.extensions.pop(STATE_KEY, None)


def _after_commit(session: Session) -> None:
    """A request on another thread may have read the old version between the bump and the
    commit and kept it for a second; forget it again once the new one is visible."""
    if session.info.pop(BUMPED_KEY, False):
        _forget_content_state()


def content_state() -> tuple[int, datetime | None]:
    """(version, when published content last changed).

    Read from the database at most every VERSION_RECHECK_SECONDS per process (a publish in
    this process resets it at once; another worker sees it within that time).
    """
    if "kb_content_state" in g:
        return g.kb_content_state
    memo = current_app.extensions.get(STATE_KEY)
    if memo is None or memo[0] < time.monotonic():
        query = sa.select(ContentVersion.version, ContentVersion.changed_at).where(
            ContentVersion.id == 1
        )
        # From the primary: a replica may lag behind the publish this number announces.
        primary = {"bind": db.engine}
        row = db.session.execute(query, bind_arguments=primary).first()
        memo = (time.monotonic() + VERSION_RECHECK_SECONDS, (row[0], row[1]) if row else (0, None))
        current_app.extensions[STATE_KEY] = memo
    g.kb_content_state = memo[1]
    return memo[1]


def content_version() -> int:
    return content_state()[0]


def _note_changes(session: Session, flush_context) -> None:
    """after_flush: remember which articles this transaction wrote or deleted."""
    changed = session.info.setdefault(CHANGED_KEY, {"ids": set(), "deleted": set()})
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Article) and (obj in session.new or session.is_modified(obj)):
            changed["ids"].add(obj.id)
    changed["deleted"].update(obj.id for obj in session.deleted if isinstance(obj, Article))


def _refresh_before_commit(session: Session) -> None:
    session.flush()  # before_commit runs before the commit's own flush
    changed = session.info.pop(CHANGED_KEY, None)
    if not changed or not (changed["ids"] or changed["deleted"]):
        return
    if changed["deleted"]:  # SQLite does not enforce ON DELETE CASCADE
        gone = changed["deleted"]
        session.execute(sa.delete(ArticleTerm).where(ArticleTerm.article_id.in_(gone)))
        session.execute(
            sa.delete(RelatedArticle).where(
                sa.or_(RelatedArticle.article_id.in_(gone), RelatedArticle.related_id.in_(gone))
            )
        )
    query = sa.select(Article).where(Article.id.in_(changed["ids"] - changed["deleted"]))
    articles = list(session.scalars(query)) if changed["ids"] else []
    if articles:
        refresh(session, articles)
    else:
        bump_content_version(session)
    session.info.pop(CHANGED_KEY, None)  # the flushes above wrote no article


def _forget(session: Session, *args) -> None:
    session.info.pop(CHANGED_KEY, None)
    session.info.pop(BUMPED_KEY, None)


def init_related(app: Flask) -> None:
    """Listen to the app's sessions so article changes refresh related lists in their commit."""
    register_content_version(app, content_version)
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _note_changes):
        event.listen(session_class, "after_flush", _note_changes)
        event.listen(session_class, "before_commit", _refresh_before_commit)
        event.listen(session_class, "after_rollback", _forget)
        event.listen(session_class, "after_commit", _after_commit)
