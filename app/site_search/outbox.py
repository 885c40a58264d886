"""The search outbox: changes are queued in the writer's transaction and applied after commit.

Why an outbox: the index lives outside the database, so a crash between the
commit and the index write would lose the change. Queuing a row in the same
transaction makes the database the truth; applying it after commit, and
retrying what failed (at start-up, on the next write, or with `flask search
sync`), means search always catches up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import delete, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.extensions import db
from app.forum.models import Post, Topic
from app.kb.models import Article, ArticleStatus
from app.site_search.documents import article_document, topic_document
from app.site_search.engine import search_index
from app.site_search.models import SearchOutbox
from search.documents import make_doc_id

log = logging.getLogger(__name__)
PENDING_KEY = "search_outbox_queued"
DEFER_KEY = "search_outbox_deferred"  # set in session.info to apply the queue later, in one go
DRAIN_STATE_KEY = "search_outbox_drain"  # app.extensions: (lock, "drain again" event)
DRAIN_LIMIT = 10_000

# Which model classes are searchable, and how to load one as (locale, document-or-None).
SEARCHABLE: dict[type, str] = {Article: "article", Topic: "topic"}


def _post_topic_key(session: Session, post: Post) -> tuple[str, int, str] | None:
    """A forum post is indexed as part of its topic: a changed post re-indexes the topic."""
    topic_id = post.topic_id if post.topic_id is not None else getattr(post.topic, "id", None)
    if topic_id is None:
        return None
    with session.no_autoflush:
        topic = session.get(Topic, topic_id)
    return ("topic", topic_id, topic.locale) if topic is not None else None


# Objects that are not documents themselves but belong to one: type -> (doc_type, pk, locale).
SEARCH_PARENTS: dict[type, Callable] = {Post: _post_topic_key}


def _search_key(session: Session, obj) -> tuple[str, int, str] | None:
    doc_type = SEARCHABLE.get(type(obj))
    if doc_type is not None:
        return (doc_type, obj.id, obj.locale) if obj.id is not None else None
    parent = SEARCH_PARENTS.get(type(obj))
    return parent(session, obj) if parent is not None else None


def _queue_changes(session: Session, flush_context) -> None:
    """after_flush: one outbox row per searchable object touched in this transaction."""
    queued: set[tuple[str, int]] = session.info.setdefault(PENDING_KEY, set())
    touched = [*session.new, *session.dirty, *session.deleted]
    for obj in touched:
        if type(obj) not in SEARCHABLE and type(obj) not in SEARCH_PARENTS:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=True):
            continue
        key = _search_key(session, obj)
        if key is None:
            continue
        doc_type, pk, locale = key
        if (doc_type, pk) not in queued:
            queued.add((doc_type, pk))
            session.add(SearchOutbox(doc_type=doc_type, doc_pk=pk, locale=locale))


def _clear_queue(session: Session, *args) -> None:
    session.info.pop(PENDING_KEY, None)


def _drain_after_commit(session: Session) -> None:
    if not session.info.pop(PENDING_KEY, None):
        return
    if session.info.get(DEFER_KEY):  # a bulk writer drains once at the end (rows stay queued)
        return
    # One drainer per process at a time: twenty parallel posts must not each hold a second
    # connection while they queue for the index's write lock (that exhausted the pool).
    # A commit that finds a drain running asks it to go round once more, so nothing waits.
    lock, wanted = current_app.extensions.setdefault(
        DRAIN_STATE_KEY, (threading.Lock(), threading.Event())
    )
    wanted.set()
    while wanted.is_set():
        if not lock.acquire(blocking=False):
            return  # the running drain sees `wanted` after it lets go, and drains again
        try:
            wanted.clear()
            drain_outbox()
        except Exception:  # the rows stay queued; the next drain retries them
            log.exception("applying the search outbox failed; it will be retried")
        finally:
            lock.release()


def _load_article(session: Session, pk: int):
    article = session.get(Article, pk)
    if article is None or article.status != ArticleStatus.PUBLISHED.value:
        return None
    return article_document(article)


def _load_topic(session: Session, pk: int):
    topic = session.get(Topic, pk)
    if topic is None or topic.is_hidden:
        return None
    return topic_document(topic)


LOADERS: dict[str, Callable] = {"article": _load_article, "topic": _load_topic}


def _apply_one(session: Session, row: SearchOutbox, index) -> None:
    document = LOADERS[row.doc_type](session, row.doc_pk)
    if document is None:
        index.remove(make_doc_id(row.doc_type, row.doc_pk), row.locale)
    else:
        index.add_or_update(document)


def _apply_in_one_batch(session: Session, rows: list[SearchOutbox], index) -> bool:
    """Many rows (an import) go in one index commit; on any failure fall back to row by row."""
    documents, removals = {}, {}
    try:
        for row in rows:
            key = make_doc_id(row.doc_type, row.doc_pk)
            document = LOADERS[row.doc_type](session, row.doc_pk)
            if document is None:
                removals[key] = row.locale
                documents.pop(key, None)
            else:
                documents[key] = document
                removals.pop(key, None)
        for key, locale in removals.items():
            index.remove(key, locale)
        index.add_or_update_many(documents.values())
    except Exception:  # the row-by-row pass records which row fails
        log.warning("batch indexing failed; retrying row by row", exc_info=True)
        return False
    return True


def drain_outbox(limit: int | None = None) -> int:
    """Apply queued rows to the index, oldest first; returns how many were applied."""
    index = search_index()
    with Session(db.engine) as session:
        query = select(SearchOutbox).order_by(SearchOutbox.id).limit(limit or DRAIN_LIMIT)
        rows = session.scalars(query).all()
        done: list[int] = []
        if len(rows) > 1 and _apply_in_one_batch(session, rows, index):
            done = [row.id for row in rows]
        else:
            for row in rows:
                try:
                    _apply_one(session, row, index)
                except Exception as error:  # recorded on the row and retried later
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:500]
                    log.warning("search outbox row %s failed: %s", row.id, row.last_error)
                    continue
                done.append(row.id)
        applied = len(done)
        if done:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(done)))
        session.commit()
    return applied


def pending_count() -> int:
    return db.session.query(SearchOutbox).count()


def sync_on_start(app: Flask) -> None:
    """Apply what a killed process left in the outbox; skip quietly before the schema exists."""
    with app.app_context():
        try:
            if pending_count():
                drain_outbox()
        except SQLAlchemyError:
            db.session.rollback()
        finally:
            db.session.remove()


def init_outbox(app: Flask) -> None:
    """Listen to the app's sessions so every searchable change is queued and then applied."""
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _queue_changes):
        event.listen(session_class, "after_flush", _queue_changes)
        event.listen(session_class, "after_commit", _drain_after_commit)
        event.listen(session_class, "after_rollback", _clear_queue)
