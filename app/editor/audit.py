"""The editor's view of the audit log (app/audit.py): its actions, their labels, its pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app import audit
from app.accounts.models import User
from app.audit import AuditEntry
from app.extensions import db
from app.kb.models import Article

PAGE_SIZE = 50
ARTICLE = "article"  # the target type of an action on an article

# What the log shows for each `action` passed to record_action; unknown names show as they are.
ACTION_LABELS = {
    "archive": _l("Article archived"),
    "attach_file": _l("File attached"),
    "capture_topic": _l("Written from a forum topic"),
    "create": _l("Article created"),
    "discard": _l("Unpublished changes discarded"),
    "publish": _l("Article published"),
    "publish_scheduled": _l("Published on schedule"),
    "remove_attachment": _l("Attachment removed"),
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
) -> AuditEntry:
    """Add an editor row to the audit log; the caller commits with the change it describes."""
    target = None
    if article is not None:
        subject = subject or f"{article.locale}/{article.slug}"
        if article.id is None:
            db.session.flush()
        target = (ARTICLE, article.id)
    return audit.record_action(
        audit.EDITOR, actor_id, action, target=target, subject=subject, **detail
    )


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str

    @property
    def article_id(self) -> int | None:
        """The article acted on, if any (synonym and image actions have none)."""
        return self.entry.target_id if self.entry.target_type == ARTICLE else None


def audit_page(
    page: int = 1, article_id: int | None = None, action: str | None = None
) -> tuple[list[AuditRow], bool]:
    """Newest first, PAGE_SIZE per page; returns (rows, has_more)."""
    query = (
        audit.newest_first(audit.EDITOR)
        .add_columns(User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
    )
    if article_id:
        query = query.where(AuditEntry.target_type == ARTICLE, AuditEntry.target_id == article_id)
    if action:
        query = query.where(AuditEntry.action == action)
    rows = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    found = [AuditRow(entry, name or "—") for entry, name in rows[:PAGE_SIZE]]
    return found, len(rows) > PAGE_SIZE


def action_names() -> list[str]:
    return audit.action_names(audit.EDITOR)
