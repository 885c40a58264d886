"""One row per survey offered to a person: shown, then answered or dismissed."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class SurveyKind(enum.StrEnum):
    NPS = "nps"  # 0–10: how likely to recommend us, and why
    CSAT = "csat"  # 1–5: how satisfied with the help just received


class SurveyState(enum.StrEnum):
    SHOWN = "shown"
    ANSWERED = "answered"
    DISMISSED = "dismissed"


SCORES = {SurveyKind.NPS: range(0, 11), SurveyKind.CSAT: range(1, 6)}


class SurveyResponse(db.Model):
    """A survey shown to a person (a user, or an anonymous session) and what came of it.

    `person` is ``u:<user id>`` or ``s:<session key>``: the once-per-period rule is kept per
    person and kind. The comment is PII-scrubbed (app/pii.py) before it is stored.
    """

    __tablename__ = "survey_response"
    __table_args__ = (
        sa.Index("ix_survey_response_person", "person", "kind", "shown_at"),
        sa.Index("ix_survey_response_answered", "kind", "state", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    person: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account_user.id", ondelete="SET NULL")
    )
    session_key: Mapped[str | None] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(8))
    subject_type: Mapped[str | None] = mapped_column(sa.String(20))
    subject_id: Mapped[int | None] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(12), default=SurveyState.SHOWN.value)
    score: Mapped[int | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
