"""Knowledge-base models: categories, articles (FAQs, guides), steps, revisions, feedback."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db


class ArticleKind(enum.StrEnum):
    FAQ = "faq"
    GUIDE = "guide"


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class RevisionState(enum.StrEnum):
    """Whether a revision became the article's live fields, or is a change still pending."""

    APPLIED = "applied"  # the article's fields were (or are) this snapshot
    DRAFT = "draft"  # an edit of a published article, not live yet
    IN_REVIEW = "in_review"  # a pending edit submitted for a second person's review


class FeedbackReason(enum.StrEnum):
    OUTDATED = "outdated"
    UNCLEAR = "unclear"
    DID_NOT_SOLVE = "did_not_solve"
    MISSING_INFORMATION = "missing_information"


class Category(db.Model):
    __tablename__ = "kb_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    def name_in(self, locale: str) -> str:
        """The category's name in a locale, falling back to English, then the slug."""
        return self.names.get(locale) or self.names.get("en") or self.slug

    def description_in(self, locale: str) -> str:
        return self.descriptions.get(locale) or self.descriptions.get("en") or ""


class Article(db.Model):
    """One article in one language; versions in other languages share translation_key."""

    __tablename__ = "kb_article"
    __table_args__ = (
        sa.UniqueConstraint("locale", "slug", name="uq_kb_article_locale_slug"),
        sa.Index("ix_kb_article_translation", "translation_key", "locale"),
        # A category page (and its count) reads this index in order, never the table.
        sa.Index("ix_kb_article_listing", "locale", "status", "category_id", "kind", "title"),
        sa.Index("ix_kb_article_popular", "locale", "status", "view_count"),
        sa.Index("ix_kb_article_recent", "locale", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    slug: Mapped[str] = mapped_column(sa.String(120))
    translation_key: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16), default=ArticleKind.FAQ.value)
    status: Mapped[str] = mapped_column(sa.String(16), default=ArticleStatus.DRAFT.value)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_category.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    toc: Mapped[list] = mapped_column(sa.JSON, default=list)
    view_count: Mapped[int] = mapped_column(default=0)
    # Relative path under content/ when the article came from a file; None if made in the browser.
    content_path: Mapped[str | None] = mapped_column(sa.String(400))
    # Digest of the article's fields when it last matched its file (import or export).
    synced_digest: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    # A translation: the number of the source-language revision it was translated from.
    source_revision: Mapped[int | None] = mapped_column()

    category: Mapped[Category] = relationship(lazy="joined")
    steps: Mapped[list[GuideStep]] = relationship(
        back_populates="article", order_by="GuideStep.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", order_by="ArticleRevision.number", cascade="all, delete-orphan"
    )

    @property
    def is_guide(self) -> bool:
        return self.kind == ArticleKind.GUIDE.value

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED.value


class GuideStep(db.Model):
    """An ordered step of an onboarding guide; `key` is stable so reader progress survives edits."""

    __tablename__ = "kb_guide_step"
    __table_args__ = (sa.UniqueConstraint("article_id", "key", name="uq_kb_guide_step_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_article.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(200))
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")

    article: Mapped[Article] = relationship(back_populates="steps")


class ArticleRevision(db.Model):
    """A full snapshot of an article after one change: who, when, what."""

    __tablename__ = "kb_article_revision"
    __table_args__ = (sa.UniqueConstraint("article_id", "number", name="uq_kb_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("kb_article.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    source: Mapped[str] = mapped_column(sa.String(20))  # import, editor, restore, system
    changed_fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(
        sa.String(16), default=RevisionState.APPLIED.value, server_default="applied"
    )
    slug: Mapped[str | None] = mapped_column(sa.String(120))
    # The revision number the editor's form was based on (optimistic concurrency, diffs).
    base_number: Mapped[int | None] = mapped_column()
    source_revision: Mapped[int | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    publish_at: Mapped[datetime | None] = mapped_column(index=True)  # scheduled publication
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    published_at: Mapped[datetime | None] = mapped_column()

    article: Mapped[Article] = relationship(back_populates="revisions")

    @property
    def is_pending(self) -> bool:
        return self.state != RevisionState.APPLIED.value


class ArticleRedirect(db.Model):
    """An article's former slug in a locale: old links answer 301 to the current URL."""

    __tablename__ = "kb_article_redirect"
    __table_args__ = (sa.UniqueConstraint("locale", "slug", name="uq_kb_article_redirect_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    slug: Mapped[str] = mapped_column(sa.String(120))
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleFeedback(db.Model):
    """A "Was this helpful?" vote, with the reason and comment a "no" may add."""

    __tablename__ = "kb_article_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    helpful: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    session_key: Mapped[str | None] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GuideProgress(db.Model):
    """A step a signed-in reader ticked off; keyed by translation, so it holds in every language."""

    __tablename__ = "kb_guide_progress"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "translation_key", "step_key", name="uq_kb_guide_progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("account_user.id", ondelete="CASCADE"))
    translation_key: Mapped[str] = mapped_column(sa.String(120))
    step_key: Mapped[str] = mapped_column(sa.String(80))
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
