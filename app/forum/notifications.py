"""Following topics and telling people about replies, accepted answers and @mentions."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.forum.listing import post_page
from app.forum.models import Notification, Post, Topic, TopicFollow
from app.forum.paths import topic_path
from app.mail import send_mail

log = logging.getLogger(__name__)

KINDS = ("reply", "accepted", "mention")


@dataclass(frozen=True)
class PendingMail:
    """A notification e-mail to send once the transaction that caused it has committed."""

    user_id: int
    kind: str
    topic_id: int
    actor_name: str
    post_id: int | None = None


def is_following(user: User | None, topic: Topic) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    found = db.session.scalar(
        sa.select(TopicFollow.id).filter_by(user_id=user.id, topic_id=topic.id)
    )
    return found is not None


def add_follow(user: User, topic: Topic) -> None:
    """Follow inside the caller's transaction (no commit); a no-op when already following."""
    if not is_following(user, topic):
        db.session.add(TopicFollow(user_id=user.id, topic_id=topic.id))


def follow(user: User, topic: Topic) -> None:
    """Follow a topic and commit; two clicks at once still leave one follow."""
    if is_following(user, topic):
        return
    db.session.add(TopicFollow(user_id=user.id, topic_id=topic.id))
    try:
        db.session.commit()
    except IntegrityError:  # the other click won: the user follows, which is what was asked
        db.session.rollback()


def unfollow(user: User, topic: Topic) -> None:
    db.session.execute(sa.delete(TopicFollow).filter_by(user_id=user.id, topic_id=topic.id))
    db.session.commit()


def follower_ids(topic_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(TopicFollow.user_id).filter_by(topic_id=topic_id)))


def notify(
    user_ids, kind: str, topic: Topic, post: Post | None, actor: User | None
) -> list[PendingMail]:
    """Add one in-app notification per user (never to the actor); returns the mail to send."""
    pending: list[PendingMail] = []
    actor_id = actor.id if actor is not None else None
    for user_id in dict.fromkeys(user_ids):
        if user_id == actor_id:
            continue
        db.session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                topic_id=topic.id,
                post_id=post.id if post is not None else None,
                actor_id=actor_id,
            )
        )
        pending.append(
            PendingMail(
                user_id,
                kind,
                topic.id,
                actor.display_name if actor else "",
                post.id if post is not None else None,
            )
        )
    return pending


def _absolute(path: str) -> str:
    base = current_app.config["BASE_URL"] or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path


def _mail_text(kind: str, topic: Topic, actor_name: str, link: str) -> tuple[str, str]:
    """Subject and body of a notification e-mail, in the language that is active."""
    subjects = {
        "reply": _("New reply to “%(title)s”", title=topic.title),
        "accepted": _("An answer was accepted in “%(title)s”", title=topic.title),
        "mention": _("%(name)s mentioned you in “%(title)s”", name=actor_name, title=topic.title),
    }
    subject = subjects.get(kind, topic.title)
    body = "\n\n".join(
        [
            subject,
            _("Read it here: %(link)s", link=link),
            _(
                "You get these e-mails because you follow this topic or were mentioned in it. "
                "You can turn them off in your profile."
            ),
        ]
    )
    return subject, body


def post_path(topic: Topic, post_id: int | None, reader: User) -> str:
    """The topic page that shows the post to `reader`, at the post (the topic without one)."""
    page = post_page(topic, post_id, reader)
    return topic_path(topic.locale, topic.id, topic.title, page=page, post_id=post_id)


def send_pending_mail(pending: list[PendingMail]) -> None:
    """After commit: queue mail for the people who chose e-mail notifications."""
    if not pending:
        return
    for item in pending:
        try:
            user = db.session.get(User, item.user_id)
            topic = db.session.get(Topic, item.topic_id)
            if user is None or topic is None or not user.email_notifications:
                continue
            if user.is_suspended:
                continue
            link = _absolute(post_path(topic, item.post_id, user))
            with force_locale(user.locale or topic.locale):
                subject, body = _mail_text(item.kind, topic, item.actor_name, link)
            send_mail(user.email, subject, body)
        except Exception:  # a mail problem must never undo or fail the post
            log.exception("notification mail for user %s failed", item.user_id)
    db.session.commit()  # the queued mail (app/jobs/), delivered by the worker


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def notifications_for(user: User, limit: int = 50) -> list[Notification]:
    """The user's newest notifications (unread and read)."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return result.rowcount or 0
