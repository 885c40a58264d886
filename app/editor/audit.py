"""The audit log: one row per editorial action, written in the action's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.editor.models import EditorAuditEntry
from app.extensions import db
from app.kb.models import Article

PAGE_SIZE = 50

# What the log shows for each `action` passed to record_action; unknown names show as they are.
ACTION_LABELS = {
    "archive": _l("Article archived"),
    "capture_topic": _l("Written from a forum topic"),
    "create": _l("Article created"),
    "discard": _l("Unpublished changes discarded"),
    "publish": _l("Article published"),
    "publish_scheduled": _l("Published on schedule"),
    "reopen": _l("Reopened as draft"),
    "restore": _l("Revision restored"),
    "return_to_draft": _l("Changes requested"),
    "save": _l("Changes saved"),
    "schedule": _l("Publication scheduled"),
    "schedule_failed": _l("Scheduled publication failed"),
    "submit": _l("Sent for review"),
    "synonym_delete": _l("Synonyms removed"),
    "synonym_save": _l("Synonyms saved"),
    "translate": _l("Translation started"),
    "unschedule": _l("Schedule cancelled"),
    "upload_image": _l("Image uploaded"),
}
# The keys record_action callers put in `detail`.
DETAIL_LABELS = {
    "original": _l("Original file name"),
    "publish_at": _l("Publish at (UTC)"),
    "reason": _l("Reason"),
    "restored": _l("Restored revision"),
    "revision": _l("Revision"),
    "source": _l("Source article"),
    "synonyms": _l("Synonyms"),
    "topic": _l("Forum topic"),
}


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
