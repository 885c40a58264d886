"""Closing the loop and leaving the site: gap tasks, API tokens, webhook alerts already sent."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.kb.models import Article


class GapStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ADDRESSED = "addressed"
    WONT_DO = "wont_do"


class GapTask(db.Model):
    """A content gap (a normalized query in one language) turned into work for someone."""

    __tablename__ = "insights_gap_task"
    __table_args__ = (sa.UniqueConstraint("locale", "gap_key", name="uq_insights_gap_task_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    gap_key: Mapped[str] = mapped_column(sa.String(200))
    label: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default=GapStatus.OPEN.value)
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    article_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    addressed_at: Mapped[datetime | None] = mapped_column()

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    article: Mapped[Article | None] = relationship()


class ApiToken(db.Model):
    """A personal token for /api/v1/insights/...; only its SHA-256 is stored."""

    __tablename__ = "insights_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class GapAlert(db.Model):
    """A gap the webhook already announced, so it is announced once."""

    __tablename__ = "insights_gap_alert"
    __table_args__ = (sa.UniqueConstraint("locale", "gap_key", name="uq_insights_gap_alert_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8))
    gap_key: Mapped[str] = mapped_column(sa.String(200))
    count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered: Mapped[bool] = mapped_column(default=False)
