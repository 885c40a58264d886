"""The audit log: one row per editorial action, written in the action's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import User
from app.editor.models import EditorAuditEntry
from app.extensions import db
from app.kb.models import Article

PAGE_SIZE = 50


def record_action(
    actor_id: int | None,
    action: str,
    *,
    article: Article | None = None,
    subject: str = "",
    **detail: object,
) -> EditorAuditEntry:
    """Add an audit row; the caller commits with the change it describes."""
    if article is not None and not subject:
        subject = f"{article.locale}/{article.slug}"
    entry = EditorAuditEntry(
        actor_id=actor_id,
        action=action,
        article_id=article.id if article is not None else None,
        subject=subject[:200],
        detail={k: v for k, v in detail.items() if v is not None},
    )
    if article is not None and article.id is None:
        db.session.flush()
        entry.article_id = article.id
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditRow:
    entry: EditorAuditEntry
    actor_name: str


def audit_page(
    page: int = 1, article_id: int | None = None, action: str | None = None
) -> tuple[list[AuditRow], bool]:
    """Newest first, PAGE_SIZE per page; returns (rows, has_more)."""
    query = (
        select(EditorAuditEntry, User.display_name)
        .outerjoin(User, User.id == EditorAuditEntry.actor_id)
        .order_by(EditorAuditEntry.created_at.desc(), EditorAuditEntry.id.desc())
    )
    if article_id:
        query = query.where(EditorAuditEntry.article_id == article_id)
    if action:
        query = query.where(EditorAuditEntry.action == action)
    rows = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    found = [AuditRow(entry, name or "—") for entry, name in rows[:PAGE_SIZE]]
    return found, len(rows) > PAGE_SIZE


def action_names() -> list[str]:
    return list(db.session.scalars(select(EditorAuditEntry.action).distinct().order_by("action")))
