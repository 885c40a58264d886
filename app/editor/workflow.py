"""The editorial workflow: draft → in review → published → archived, and scheduled publishing.

Publishing a pending revision goes through app.kb.articles.save_article, so the article's
fields, its rendered HTML and the search rows all change in one transaction: either
everything is published or nothing is.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.clock import utcnow
from app.editor.audit import record_action
from app.editor.errors import EditorError
from app.editor.revisions import (
    category_by_slug,
    check_slug_free,
    fields_from_snapshot,
    pending_revision,
    rename_slug,
    working_revision,
)
from app.extensions import db
from app.kb.articles import fields_of, save_article
from app.kb.models import Article, ArticleRevision, ArticleStatus, RevisionState

PUBLISHED = ArticleStatus.PUBLISHED.value


def review_required() -> bool:
    return bool(current_app.config["EDITOR_REQUIRE_REVIEW"])


def workflow_state(article: Article) -> str:
    """The working copy's state: draft, in_review, published (nothing pending) or archived."""
    pending = pending_revision(article)
    if pending is not None:
        return pending.state
    return article.status


def submitter_id(article: Article) -> int | None:
    revision = working_revision(article)
    return revision.submitted_by_id if revision else None


def submit_for_review(article: Article, user_id: int) -> None:
    """Ask a colleague to review the working copy."""
    pending = pending_revision(article)
    if pending is not None:
        if pending.state == RevisionState.IN_REVIEW.value:
            raise EditorError(_("This change is already waiting for review."))
        pending.state = RevisionState.IN_REVIEW.value
        pending.submitted_by_id = user_id
    elif article.status == ArticleStatus.DRAFT.value:
        fields = replace(fields_of(article), status=ArticleStatus.IN_REVIEW.value)
        save_article(article, fields, article.category, source="workflow", author_id=user_id)
        working_revision(article).submitted_by_id = user_id
    else:
        raise EditorError(_("Only a draft can be sent for review."))
    record_action(user_id, "submit", article=article)


def return_to_draft(article: Article, user_id: int) -> None:
    """The reviewer asks for changes: the working copy goes back to draft."""
    pending = pending_revision(article)
    if pending is not None and pending.state == RevisionState.IN_REVIEW.value:
        pending.state = RevisionState.DRAFT.value
    elif article.status == ArticleStatus.IN_REVIEW.value:
        fields = replace(fields_of(article), status=ArticleStatus.DRAFT.value)
        save_article(article, fields, article.category, source="workflow", author_id=user_id)
    else:
        raise EditorError(_("This article is not waiting for review."))
    record_action(user_id, "return_to_draft", article=article)


def check_can_publish(article: Article, user_id: int) -> None:
    """Raise EditorError unless `user_id` may publish the working copy now."""
    state = workflow_state(article)
    if state == PUBLISHED:
        raise EditorError(_("There is nothing new to publish: the live article is current."))
    if review_required():
        if state != ArticleStatus.IN_REVIEW.value:
            raise EditorError(_("Send this change for review first: a colleague publishes it."))
        if submitter_id(article) == user_id:
            raise EditorError(
                _("Someone other than the person who sent it for review must publish it.")
            )


def publish(
    article: Article, user_id: int, *, now: datetime | None = None, scheduled: bool = False
) -> ArticleRevision:
    """Make the working copy live; records who and when. The caller commits."""
    if not scheduled:
        check_can_publish(article, user_id)
    now = now or utcnow()
    pending = pending_revision(article)
    if pending is not None:
        fields = fields_from_snapshot(article, pending.snapshot, pending.slug)
        fields = replace(fields, status=PUBLISHED)
        category = category_by_slug(fields.category)  # validated before anything changes
        if fields.slug != article.slug:
            check_slug_free(article.locale, fields.slug, article)
            rename_slug(article, fields.slug)
        save_article(article, fields, category, source=pending.source, revision=pending)
        if pending.source_revision is not None:
            article.source_revision = pending.source_revision
        revision = pending
    elif article.status != PUBLISHED:
        fields = replace(fields_of(article), status=PUBLISHED)
        save_article(article, fields, article.category, source="publish", author_id=user_id)
        revision = working_revision(article)
    else:
        raise EditorError(_("There is nothing new to publish: the live article is current."))
    revision.published_by_id = user_id
    revision.published_at = now
    for other in article.revisions:
        other.publish_at = None
    article.published_at = now
    article.published_by_id = user_id
    article.updated_at = now
    record_action(
        user_id,
        "publish_scheduled" if scheduled else "publish",
        article=article,
        revision=revision.number,
    )
    return revision


def archive(article: Article, user_id: int) -> None:
    """Take an article off the site; it stays in the database and can be published again."""
    if article.status == ArticleStatus.ARCHIVED.value:
        raise EditorError(_("This article is already archived."))
    fields = replace(fields_of(article), status=ArticleStatus.ARCHIVED.value)
    save_article(article, fields, article.category, source="workflow", author_id=user_id)
    for revision in article.revisions:
        revision.publish_at = None
    record_action(user_id, "archive", article=article)


def reopen(article: Article, user_id: int) -> None:
    """An archived article becomes a draft again."""
    if article.status != ArticleStatus.ARCHIVED.value:
        raise EditorError(_("Only an archived article can be reopened."))
    fields = replace(fields_of(article), status=ArticleStatus.DRAFT.value)
    save_article(article, fields, article.category, source="workflow", author_id=user_id)
    record_action(user_id, "reopen", article=article)


def schedule(
    article: Article, user_id: int, when: datetime, *, now: datetime | None = None
) -> None:
    """Publish the current working copy at `when` (naive UTC); editing again cancels it."""
    now = now or utcnow()
    if when <= now:
        raise EditorError(_("Choose a time in the future."), field="publish_at")
    check_can_publish(article, user_id)
    revision = working_revision(article)
    revision.publish_at = when
    revision.published_by_id = user_id
    record_action(
        user_id,
        "schedule",
        article=article,
        revision=revision.number,
        publish_at=when.isoformat(timespec="minutes"),
    )


def cancel_schedule(article: Article, user_id: int) -> None:
    revision = working_revision(article)
    if revision is None or revision.publish_at is None:
        raise EditorError(_("Nothing is scheduled for this article."))
    revision.publish_at = None
    record_action(user_id, "unschedule", article=article, revision=revision.number)


def scheduled_at(article: Article) -> datetime | None:
    revision = working_revision(article)
    return revision.publish_at if revision else None


def publish_due(now: datetime | None = None) -> list[Article]:
    """Publish every scheduled working copy whose time has come; commits each one.

    Run by `flask editor publish-due` (cron) and lazily on requests (see app/editor/views.py).
    A revision that is no longer the working copy, or that fails, loses its schedule.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(ArticleRevision)
        .where(ArticleRevision.publish_at <= now)
        .order_by(ArticleRevision.publish_at)
    ).all()
    published = []
    for revision in due:
        article = revision.article
        if working_revision(article) is not revision:
            revision.publish_at = None
            db.session.commit()
            continue
        try:
            publish(article, revision.published_by_id, now=now, scheduled=True)
        except EditorError as error:
            db.session.rollback()
            revision = db.session.get(ArticleRevision, revision.id)
            revision.publish_at = None
            record_action(
                revision.published_by_id,
                "schedule_failed",
                article=revision.article,
                reason=error.message,
            )
        else:
            published.append(article)
        db.session.commit()
    return published


def any_due(now: datetime | None = None) -> bool:
    now = now or utcnow()
    query = select(ArticleRevision.id).where(ArticleRevision.publish_at <= now).limit(1)
    return db.session.scalar(query) is not None
