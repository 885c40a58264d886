"""The audit log: one table for moderation, admin and editor actions (who did what to what, why).

Each area writes with :func:`record_action` in the transaction of the change it describes
and reads its own rows back with :func:`newest_first`; what an action is called on screen
stays with the area that records it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

MODERATION = "moderation"
ADMIN = "admin"
EDITOR = "editor"


class AuditEntry(db.Model):
    """One action: the area it belongs to, who, what, on which target, why, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_area_time", "area", "created_at"),
        sa.Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(sa.String(20))  # MODERATION, ADMIN or EDITOR
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account_user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    target_type: Mapped[str] = mapped_column(sa.String(20), default="")  # post, user, article…
    target_id: Mapped[int | None] = mapped_column()
    subject: Mapped[str] = mapped_column(sa.String(200), default="")  # readable target
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record_action(
    area: str,
    actor_id: int | None,
    action: str,
    *,
    target: tuple[str, int | None] | None = None,
    subject: str = "",
    reason: str = "",
    **detail: object,
) -> AuditEntry:
    """Add an audit row to the current transaction; the caller commits with its change."""
    target_type, target_id = target or ("", None)
    entry = AuditEntry(
        area=area,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject=subject[:200],
        reason=reason,
        detail={key: value for key, value in detail.items() if value is not None},
    )
    db.session.add(entry)
    return entry


def newest_first(*areas: str) -> sa.Select:
    """The rows of `areas`, newest first; callers add their filters and paging."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.area.in_(areas))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def action_names(*areas: str) -> list[str]:
    """Every action recorded so far in `areas`, for a filter's choices."""
    query = (
        sa.select(AuditEntry.action)
        .where(AuditEntry.area.in_(areas))
        .distinct()
        .order_by(AuditEntry.action)
    )
    return list(db.session.scalars(query))
