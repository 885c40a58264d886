"""Onboarding milestones CS defines: reaching an event, a guide, or one step of a guide."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class MilestoneKind(enum.StrEnum):
    EVENT = "event"  # the customer's first event of that name
    GUIDE = "guide"  # every step of the guide ticked off
    STEP = "step"  # one step of a guide ticked off


class Milestone(db.Model):
    """One milestone; `target` is an event name, a guide's translation key, or "key/step"."""

    __tablename__ = "insights_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(12))
    target: Mapped[str] = mapped_column(sa.String(210))
    position: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
