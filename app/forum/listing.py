"""Reading the forum: topic lists with sorts and pages, a topic's posts, profiles."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.extensions import db
from app.forum.models import ForumCategory, Notification, Post, PostRevision, Topic
from app.forum.permissions import can_see_hidden

SORTS = ("latest", "top", "unanswered", "solved")
REPLY_PAGE_CAP = 1_000_000  # ?page= above this is treated as this (then as the last page)


def categories() -> list[ForumCategory]:
    return list(db.session.scalars(sa.select(ForumCategory).order_by(ForumCategory.position)))


def category_by_slug(slug: str) -> ForumCategory | None:
    return db.session.scalar(sa.select(ForumCategory).filter_by(slug=slug))


def topic_counts(locale: str) -> dict[int, int]:
    """Visible topics per category in one language."""
    rows = db.session.execute(
        sa.select(Topic.category_id, sa.func.count(Topic.id))
        .where(Topic.locale == locale, Topic.is_hidden.is_(False))
        .group_by(Topic.category_id)
    )
    return {category_id: count for category_id, count in rows}


def parse_sort(value: str | None) -> str:
    return value if value in SORTS else "latest"


def topics_query(
    locale: str,
    sort: str = "latest",
    category: ForumCategory | None = None,
    include_hidden: bool = False,
) -> sa.Select:
    """Topics in one language, newest activity first (pinned on top) or by another sort."""
    query = sa.select(Topic).where(Topic.locale == locale)
    if not include_hidden:
        query = query.where(Topic.is_hidden.is_(False))
    if category is not None:
        query = query.where(Topic.category_id == category.id)
    if sort == "top":
        order = [Topic.vote_count.desc(), Topic.last_activity_at.desc()]
    elif sort == "unanswered":
        query = query.where(Topic.reply_count == 0, Topic.accepted_post_id.is_(None))
        order = [Topic.created_at.desc()]
    elif sort == "solved":
        query = query.where(Topic.accepted_post_id.is_not(None))
        order = [Topic.last_activity_at.desc()]
    else:
        order = [Topic.is_pinned.desc(), Topic.last_activity_at.desc()]
    return query.order_by(*order, Topic.id.desc())


def paginate_topics(query: sa.Select, page: int, per_page: int):
    """One page of topics (Flask-SQLAlchemy Pagination); out-of-range pages come back empty."""
    return db.paginate(query, page=page, per_page=per_page, error_out=False, max_per_page=100)


def parse_page(value: str | None) -> int:
    """A page number from the query string; anything odd is page 1."""
    try:
        page = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return page if 1 <= page <= 10_000 else 1


def visible_topic(topic_id: int, viewer: User | None, include_hidden: bool) -> Topic | None:
    topic = db.session.get(Topic, topic_id)
    if topic is None or (topic.is_hidden and not include_hidden):
        return None
    return topic


@dataclass(frozen=True)
class TopicPage:
    """One page of a topic: the question and the accepted answer head page 1, then replies."""

    question: Post | None
    accepted: Post | None
    replies: Pagination

    @property
    def posts(self) -> list[Post]:
        return [p for p in (self.question, self.accepted, *self.replies.items) if p is not None]


def replies_per_page() -> int:
    return max(1, int(current_app.config["FORUM_REPLIES_PER_PAGE"]))


def parse_reply_page(value: str | None) -> int:
    """A topic page number from the query string: odd values are page 1, huge ones are capped.

    The topic page then clamps what is left to its last page, so no value is an error.
    """
    try:
        page = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return min(page, REPLY_PAGE_CAP) if page >= 1 else 1


def _paged_reply_filters(topic: Topic, include_hidden: bool) -> list:
    """The replies shown page by page: not the question, not the accepted answer."""
    clauses = [Post.topic_id == topic.id, Post.is_first.is_(False)]
    if topic.accepted_post_id is not None:
        clauses.append(Post.id != topic.accepted_post_id)
    if not include_hidden:
        clauses.append(Post.is_hidden.is_(False))
    return clauses


def _accepted_answer(topic: Topic, include_hidden: bool) -> Post | None:
    if topic.accepted_post_id is None:
        return None
    post = db.session.get(Post, topic.accepted_post_id)
    if post is None or post.topic_id != topic.id or (post.is_hidden and not include_hidden):
        return None
    return post


def topic_page(topic: Topic, include_hidden: bool, page: int, per_page: int) -> TopicPage:
    """The posts on one page of a topic, oldest reply first; a page past the end is the last."""
    query = sa.select(Post).where(*_paged_reply_filters(topic, include_hidden)).order_by(Post.id)
    replies = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > max(replies.pages, 1):
        replies = db.paginate(query, page=max(replies.pages, 1), per_page=per_page, error_out=False)
    if replies.page > 1:
        return TopicPage(None, None, replies)
    question = db.session.scalar(
        sa.select(Post).where(Post.topic_id == topic.id, Post.is_first.is_(True))
    )
    return TopicPage(question, _accepted_answer(topic, include_hidden), replies)


def post_page(topic: Topic, post_id: int | None, viewer: User | None) -> int:
    """The page of `topic` that shows this post to `viewer` (moderators also see hidden ones).

    The question and the accepted answer are on page 1; a reply's page counts the paged
    replies before it, so links to a post (mail, notifications, redirects) land on it.
    """
    if post_id is None or post_id == topic.accepted_post_id:
        return 1
    before = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            *_paged_reply_filters(topic, can_see_hidden(viewer)), Post.id < post_id
        )
    )
    return (before or 0) // replies_per_page() + 1


def revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            sa.select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.number.desc())
        )
    )


def editor_names(revision_list: list[PostRevision]) -> dict[int, str]:
    ids = {r.editor_id for r in revision_list}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


@dataclass(frozen=True)
class ProfileStats:
    topics: int
    replies: int
    accepted: int


def profile_stats(user: User) -> ProfileStats:
    replies = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            Post.author_id == user.id, Post.is_first.is_(False), Post.is_hidden.is_(False)
        )
    )
    accepted = db.session.scalar(
        sa.select(sa.func.count(Topic.id))
        .join(Post, Post.id == Topic.accepted_post_id)
        .where(Post.author_id == user.id, Topic.is_hidden.is_(False))
    )
    topics = db.session.scalar(
        sa.select(sa.func.count(Topic.id)).where(
            Topic.author_id == user.id, Topic.is_hidden.is_(False)
        )
    )
    return ProfileStats(topics=topics or 0, replies=replies or 0, accepted=accepted or 0)


def topics_by(user: User, limit: int = 50) -> list[Topic]:
    """A user's visible topics in every language, newest first."""
    return list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.author_id == user.id, Topic.is_hidden.is_(False))
            .order_by(Topic.created_at.desc(), Topic.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    topic: Topic
    actor_name: str | None
    page: int = 1  # the topic page that shows the notification's post


def notification_items(user: User, limit: int = 50) -> list[NotificationItem]:
    """The user's newest notifications with their topic, who caused them and the post's page."""
    actor = aliased(User)
    rows = db.session.execute(
        sa.select(Notification, Topic, actor.display_name)
        .join(Topic, Topic.id == Notification.topic_id)
        .outerjoin(actor, actor.id == Notification.actor_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [NotificationItem(n, t, name, post_page(t, n.post_id, user)) for n, t, name in rows]


def published_faq_for(topic: Topic):
    """The published article written from this topic ("Turn into FAQ"), if there is one."""
    from app.kb.models import Article, ArticleStatus

    if topic.article_id is None:
        return None
    article = db.session.get(Article, topic.article_id)
    if article is None or article.status != ArticleStatus.PUBLISHED.value:
        return None
    return article
