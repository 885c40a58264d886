"""The first-party event log: one row per thing a visitor did, no IPs, no personal data."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.kb.models import utcnow


class Event(db.Model):
    """One first-party event (article_view, feedback, search, click, ...); see docs in README."""

    __tablename__ = "insights_event"
    __table_args__ = (sa.Index("ix_insights_event_name_time", "name", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    subject_type: Mapped[str | None] = mapped_column(sa.String(20))
    subject_id: Mapped[int | None] = mapped_column()
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
