"""Editor models: uploaded article images (editorial actions go to the audit log, app/audit.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


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


class Attachment(db.Model):
    """A file attached to an article (a PDF, a spreadsheet…), listed under it for download.

    Stored under MEDIA_DIR/attachments/ by `name`; its type was found from its content.
    """

    __tablename__ = "editor_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)  # file name on disk and in URLs
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(20))  # a key of app/editor/file_types.py
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column()
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
