"""The first-party event log: `Event` rows, `record_event` and the anonymous session key.

Every area records events here; insights only reads them. No IPs, no personal data.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, session
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

SESSION_KEY = "tp_sk"
SESSION_KEY_BORN = "tp_sk_born"


class Event(db.Model):
    """One first-party event (article_view, search, click, ...); see app/insights/EVENTS.md."""

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


def anonymous_session_key() -> str:
    """A random key for this browser session that rotates; never derived from the IP."""
    hours = current_app.config["SESSION_KEY_ROTATION_HOURS"]
    born = session.get(SESSION_KEY_BORN, 0)
    if SESSION_KEY not in session or time.time() - born > hours * 3600:
        session[SESSION_KEY] = secrets.token_urlsafe(16)
        session[SESSION_KEY_BORN] = int(time.time())
    return session[SESSION_KEY]


VISITOR_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def visitor_session_key(sent: str | None) -> str:
    """The session key for a counting request (a beacon), without starting a session.

    The browser's session key if it has a session; else the key static JS keeps in the
    browser's storage and sends along (`sent`); else (no JS, no session) a key of its own.
    """
    if SESSION_KEY in session:
        return anonymous_session_key()
    if sent and VISITOR_KEY.fullmatch(sent):
        return sent
    return secrets.token_urlsafe(16)


def record_event(
    name: str,
    *,
    locale: str | None = None,
    subject: tuple[str, int] | None = None,
    session_key: str | None = None,
    **data: Any,
) -> Event:
    """Add an event to the current transaction; the caller commits."""
    user_id = current_user.id if current_user.is_authenticated else None
    event = Event(
        name=name,
        session_key=session_key or anonymous_session_key(),
        user_id=user_id,
        locale=locale,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        data=data,
    )
    db.session.add(event)
    return event
