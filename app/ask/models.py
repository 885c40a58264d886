"""The ask flow's server-side draft: kept between the preview, a suggestion and "No, back"."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class AskDraft(db.Model):
    """A question being asked, keyed by the flow token the ask form carries.

    Why a table and not the cookie session: a body may be many kilobytes (Japanese and Arabic
    triple in UTF-8), and a session cookie over 4 KB is silently dropped by browsers. The row
    also makes posting idempotent: `posted_at` is claimed with one conditional UPDATE, so a
    double-clicked "Post my question" creates one topic.
    """

    __tablename__ = "forum_ask_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_category.id", ondelete="SET NULL")
    )
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    posted_at: Mapped[datetime | None] = mapped_column()
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_topic.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
