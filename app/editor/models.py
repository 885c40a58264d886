"""Editor models: the audit log of editorial actions and uploaded article images."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class EditorAuditEntry(db.Model):
    """One editorial action: who did what to which article (or synonym, image), and when."""

    __tablename__ = "editor_audit"
    __table_args__ = (sa.Index("ix_editor_audit_article", "article_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    article_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(sa.String(200), default="")  # readable target
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MediaFile(db.Model):
    """An image uploaded for articles, re-encoded and stored under instance/media/."""

    __tablename__ = "editor_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)  # file name on disk and in URLs
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    article_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="SET NULL")
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
