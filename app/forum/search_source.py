"""Forum topics and their replies as search documents.

A topic's row holds its title, tags and question; each visible reply is a
row of its own, found as its topic (``group_id``). So a reply into a topic of
1,000 replies analyzes that reply only, and moving or solving a topic sets
columns on its reply rows without analyzing them again. Hidden topics and
hidden replies are not in search.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.forum.models import ForumCategory, Post, Topic
from app.forum.paths import topic_path
from app.markdown import html_to_text
from search.documents import IndexChanges, SearchDocument, make_doc_id

TOPIC_SUMMARY_CHARS = 240
TOPIC_BODY_MAX_CHARS = 100_000
REINDEX_FIELDS = ("title", "tags", "locale", "category_id", "accepted_post_id", "is_hidden")
"""A changed topic is analyzed again only when one of these changed (not on every reply)."""


def _category_slug(session: Session, topic: Topic) -> str:
    category = session.get(ForumCategory, topic.category_id)
    return category.slug if category is not None else ""


def topic_document(topic: Topic, question: Post | None, category: str) -> SearchDocument:
    """The topic's own row: title, tags and the question."""
    text = html_to_text(question.body_html) if question is not None else ""
    return SearchDocument(
        doc_id=make_doc_id("topic", topic.id),
        type="topic",
        locale=topic.locale,
        kind="topic",
        category=category,
        title=topic.title,
        summary=text[:TOPIC_SUMMARY_CHARS],
        body=text[:TOPIC_BODY_MAX_CHARS],
        tags=list(topic.tags or ()),
        url=topic_path(topic.locale, topic.id, topic.title),
        solved=topic.is_solved,
        updated=topic.last_activity_at,
        popularity=topic.vote_count,
    )


def reply_document(post: Post, topic: Topic, category: str) -> SearchDocument:
    """A reply's row, found as its topic."""
    return SearchDocument(
        doc_id=make_doc_id("post", post.id),
        type="post",
        locale=topic.locale,
        kind="topic",
        category=category,
        title="",
        summary="",
        body=html_to_text(post.body_html)[:TOPIC_BODY_MAX_CHARS],
        url=topic_path(topic.locale, topic.id, topic.title),
        solved=topic.is_solved,
        updated=post.created_at,
        group_id=make_doc_id("topic", topic.id),
    )


def _question(session: Session, topic_id: int) -> Post | None:
    return session.scalars(
        sa.select(Post).where(Post.topic_id == topic_id, Post.is_first.is_(True)).limit(1)
    ).first()


def _changed(obj, names: Sequence[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


class TopicSource:
    """Forum topics (their row: title, tags, question) and their replies (a row each)."""

    name = "topic"
    models = (Topic, Post)

    def changes(self, session: Session, new: list, dirty: list, deleted: list) -> IndexChanges:
        changes = IndexChanges()
        writes: dict[str, SearchDocument] = {}
        gone_topics = {t.id for t in deleted if isinstance(t, Topic)}
        changes.remove_groups.extend(make_doc_id("topic", pk) for pk in sorted(gone_topics))
        topics: dict[int, Topic] = {}  # topics whose own row is written again
        whole: set[int] = set()  # topics whose replies are all written again
        for topic in (o for o in [*new, *dirty] if isinstance(o, Topic)):
            if topic.id in gone_topics:
                continue
            if topic.is_hidden:
                changes.remove_groups.append(make_doc_id("topic", topic.id))
                continue
            if topic in new or _changed(topic, REINDEX_FIELDS):
                topics[topic.id] = topic
                if topic not in new and _changed(topic, ("is_hidden", "locale")):
                    whole.add(topic.id)
        for post in (o for o in [*new, *dirty, *deleted] if isinstance(o, Post)):
            if post.topic_id in gone_topics:
                continue
            topic = topics.get(post.topic_id) or session.get(Topic, post.topic_id)
            if topic is None or topic.is_hidden:
                continue
            if post.is_first:  # the question is part of the topic's own row
                topics[topic.id] = topic
            elif post in deleted or post.is_hidden:
                changes.remove.append(make_doc_id("post", post.id))
            elif post in new or _changed(post, ("body_html", "is_hidden")):
                writes[make_doc_id("post", post.id)] = reply_document(
                    post, topic, _category_slug(session, topic)
                )
        for topic in topics.values():
            category = _category_slug(session, topic)
            writes[make_doc_id("topic", topic.id)] = topic_document(
                topic, _question(session, topic.id), category
            )
            if topic.id in whole:
                for doc in self._replies(session, [topic]):
                    writes[doc.doc_id] = doc
            elif topic not in new:
                changes.update_groups[make_doc_id("topic", topic.id)] = {
                    "category": category,
                    "url": topic_path(topic.locale, topic.id, topic.title),
                    "solved": topic.is_solved,
                }
        changes.write.extend(writes.values())
        return changes

    def _replies(self, session: Session, topics: Sequence[Topic]) -> list[SearchDocument]:
        by_id = {t.id: t for t in topics}
        categories = {t.id: _category_slug(session, t) for t in topics}
        posts = session.scalars(
            sa.select(Post)
            .where(
                Post.topic_id.in_(list(by_id)),
                Post.is_first.is_(False),
                Post.is_hidden.is_(False),
            )
            .order_by(Post.id)
        )
        return [reply_document(p, by_id[p.topic_id], categories[p.topic_id]) for p in posts]

    def keys(self, session: Session) -> list[int]:
        return list(
            session.scalars(
                sa.select(Topic.id).where(Topic.is_hidden.is_(False)).order_by(Topic.id)
            )
        )

    def documents(self, session: Session, keys: Sequence[int]) -> list[SearchDocument]:
        topics = list(
            session.scalars(
                sa.select(Topic)
                .where(Topic.id.in_(keys), Topic.is_hidden.is_(False))
                .order_by(Topic.id)
            )
        )
        questions = {
            p.topic_id: p
            for p in session.scalars(
                sa.select(Post).where(Post.topic_id.in_(keys), Post.is_first.is_(True))
            )
        }
        docs = [topic_document(t, questions.get(t.id), t.category.slug) for t in topics]
        return docs + self._replies(session, topics)

    def category_names(self, session: Session, locale: str) -> dict[str, str]:
        return {c.slug: c.name_in(locale) for c in session.scalars(sa.select(ForumCategory))}

    def counts(self, session: Session) -> dict[str, int]:
        return dict(
            session.execute(
                sa.select(Topic.locale, sa.func.count())
                .where(Topic.is_hidden.is_(False))
                .group_by(Topic.locale)
            ).all()
        )
