"""Forum models: categories, topics, posts (the first post is the question), votes, follows."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db


class ForumCategoryKind(enum.StrEnum):
    QUESTIONS = "questions"
    IDEAS = "ideas"
    ANNOUNCEMENTS = "announcements"
    DISCUSSION = "discussion"


class ForumCategory(db.Model):
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=ForumCategoryKind.DISCUSSION.value)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    staff_only: Mapped[bool] = mapped_column(default=False)  # announcements: staff start topics

    def name_in(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.slug

    def description_in(self, locale: str) -> str:
        return self.descriptions.get(locale) or self.descriptions.get("en") or ""


class Topic(db.Model):
    """A question, idea or announcement; its text is the first Post."""

    __tablename__ = "forum_topic"
    __table_args__ = (
        sa.Index("ix_forum_topic_listing", "locale", "is_hidden", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_category.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    accepted_post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_post.id", use_alter=True, ondelete="SET NULL")
    )
    vote_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    view_count: Mapped[int] = mapped_column(default=0)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column()
    # Knowledge capture (the editor's "Turn into FAQ"): the article written from this topic.
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kb_article.id"))

    category: Mapped[ForumCategory] = relationship(lazy="joined")
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    posts: Mapped[list[Post]] = relationship(
        back_populates="topic",
        foreign_keys="Post.topic_id",
        order_by="Post.id",
        cascade="all, delete-orphan",
    )

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None


class Post(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (sa.Index("ix_forum_post_topic", "topic_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_topic.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id"), index=True)
    is_first: Mapped[bool] = mapped_column(default=False)
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    body_digest: Mapped[str] = mapped_column(sa.String(64), index=True)  # duplicate detection
    vote_count: Mapped[int] = mapped_column(default=0)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column()

    topic: Mapped[Topic] = relationship(back_populates="posts", foreign_keys=[topic_id])
    author: Mapped[User] = relationship(lazy="joined")
    revisions: Mapped[list[PostRevision]] = relationship(
        back_populates="post", order_by="PostRevision.number", cascade="all, delete-orphan"
    )


class PostRevision(db.Model):
    """The text of a post before an edit: history is kept, "edited" is shown."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    title: Mapped[str | None] = mapped_column(sa.String(200))
    body_markdown: Mapped[str] = mapped_column(sa.Text)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")


class PostVote(db.Model):
    """One upvote per user per post (a topic's votes are its first post's)."""

    __tablename__ = "forum_vote"
    __table_args__ = (sa.UniqueConstraint("user_id", "post_id", name="uq_forum_vote_user_post"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TopicFollow(db.Model):
    __tablename__ = "forum_follow"
    __table_args__ = (sa.UniqueConstraint("user_id", "topic_id", name="uq_forum_follow_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_topic.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app notification: a reply, an accepted answer or a mention."""

    __tablename__ = "forum_notification"
    __table_args__ = (sa.Index("ix_forum_notification_user", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # reply, accepted, mention
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_topic.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class Flag(db.Model):
    """A signed-in user's report of a post, waiting in the moderators' queue."""

    __tablename__ = "forum_flag"
    __table_args__ = (
        # One open flag per reporter and post, even for two requests at the same instant.
        sa.Index(
            "uq_forum_flag_open",
            "post_id",
            "reporter_id",
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id"))
    reason: Mapped[str] = mapped_column(sa.String(20))  # spam, offensive, off_topic, other
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    resolution: Mapped[str | None] = mapped_column(sa.String(20))  # hidden, dismissed
