"""Moderation services: flags, the flag queue, hiding, locking, pinning, moving, suspending.

Every moderator action needs a reason and writes an audit log row (app/audit.py). The
functions change rows through the ORM session only (so the search rows'
after_flush hook sees a changed Topic) and never commit: the caller does.

Decisions worth knowing:
- Hiding a topic's first post hides the topic too (a topic is its question), and
  restoring the first post restores the topic; each change is logged.
- Hiding the accepted answer un-accepts it (logged as "unaccept"), so a topic is
  never shown, or indexed, as solved by an answer nobody can read. Restoring the
  post does not re-accept it: the asker or staff accepts again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import Role, User
from app.audit import AuditEntry
from app.clock import utcnow
from app.extensions import db
from app.forum import permissions as forum_permissions
from app.forum.models import Flag, ForumCategory, Post, Topic
from app.forum.spam import normalize_body
from app.pagination import paginate

FLAG_REASONS = ("spam", "offensive", "off_topic", "other")
ALREADY_FLAGGED = _l("You have already flagged this post. Moderators will review it.")
REASON_MAX = 500
NOTE_MAX = 500


class ModerationError(Exception):
    """An action that cannot proceed; `.code` is stable, `.message` is localized."""

    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def is_moderator(user) -> bool:
    """Moderators and admins (User.has_role lets admin pass every check)."""
    return forum_permissions.is_moderator(user)


def post_visible_to(viewer, post: Post) -> bool:
    """Hidden posts (or posts in hidden topics) are for moderators' eyes only."""
    if post.is_hidden or post.topic.is_hidden:
        return is_moderator(viewer)
    return True


def topic_visible_to(viewer, topic: Topic) -> bool:
    return not topic.is_hidden or is_moderator(viewer)


def _require_moderator(moderator: User) -> None:
    if not is_moderator(moderator):
        raise ModerationError("forbidden", _l("Only moderators can do that."))


def clean_reason(reason: str | None) -> str:
    """The reason as stored; raises when it is empty once invisible characters are gone."""
    text = " ".join((reason or "").split())
    if not normalize_body(text):
        raise ModerationError("reason_required", _l("Give a reason for this action."))
    if len(text) > REASON_MAX:
        raise ModerationError(
            "reason_too_long",
            lazy_ngettext(
                "Keep the reason under %(num)d character.",
                "Keep the reason under %(num)d characters.",
                REASON_MAX,
            ),
        )
    return text


def _log(moderator: User, action: str, target_type: str, target_id: int, reason: str) -> None:
    audit.record_action(
        audit.MODERATION, moderator.id, action, target=(target_type, target_id), reason=reason
    )


def _resolve_flags(post: Post, moderator: User, resolution: str) -> int:
    """Close every open flag on the post; returns how many were open."""
    flags = db.session.scalars(
        sa.select(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
    ).all()
    now = utcnow()
    for flag in flags:
        flag.resolved_at = now
        flag.resolved_by_id = moderator.id
        flag.resolution = resolution
    return len(flags)


# --- Flags ------------------------------------------------------------------------------


def flag_post(post: Post, reporter: User, reason: str, note: str | None = None) -> Flag:
    """A signed-in user reports a post: once per open flag, never their own post."""
    if reason not in FLAG_REASONS:
        raise ModerationError("bad_reason", _l("Choose a reason from the list."))
    if not post_visible_to(reporter, post):
        raise ModerationError("not_found", _l("That post does not exist."))
    if post.author_id == reporter.id:
        raise ModerationError("own_post", _l("You cannot flag your own post."))
    if _open_flag(post, reporter) is not None:
        raise ModerationError("already_flagged", ALREADY_FLAGGED)
    note = " ".join((note or "").split())[:NOTE_MAX] or None
    flag = Flag(post_id=post.id, reporter_id=reporter.id, reason=reason, note=note)
    db.session.add(flag)
    return flag


def _open_flag(post: Post, reporter: User) -> int | None:
    return db.session.scalar(
        sa.select(Flag.id).where(
            Flag.post_id == post.id,
            Flag.reporter_id == reporter.id,
            Flag.resolved_at.is_(None),
        )
    )


def commit_flag(post: Post, reporter: User) -> None:
    """Commit the flag :func:`flag_post` added.

    Two requests at the same instant (a double click) both pass the check in
    :func:`flag_post`; the database's unique index on open flags lets only one
    in, and the other is told it has already flagged the post.
    """
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if _open_flag(post, reporter) is None:
            raise
        raise ModerationError("already_flagged", ALREADY_FLAGGED) from None


@dataclass
class QueueItem:
    """One flagged post in the queue with its open flags summed up."""

    post: Post
    flags: list[Flag] = field(default_factory=list)

    @property
    def topic(self) -> Topic:
        return self.post.topic

    @property
    def count(self) -> int:
        return len(self.flags)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return Counter(flag.reason for flag in self.flags).most_common()

    @property
    def notes(self) -> list[str]:
        return [flag.note for flag in self.flags if flag.note]

    @property
    def first_flagged_at(self) -> datetime:
        return min(flag.created_at for flag in self.flags)


def _queue_order() -> sa.Select:
    """Flagged posts' ids: most-flagged first, then the longest waiting."""
    return (
        sa.select(Flag.post_id)
        .where(Flag.resolved_at.is_(None))
        .group_by(Flag.post_id)
        .order_by(sa.func.count().desc(), sa.func.min(Flag.created_at), Flag.post_id)
    )


def _queue_items(post_ids: list[int]) -> list[QueueItem]:
    """The queue entries of these posts, in this order, with their open flags."""
    posts = {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(post_ids)))}
    items = {post_id: QueueItem(post=posts[post_id]) for post_id in post_ids if post_id in posts}
    open_flags = db.session.scalars(
        sa.select(Flag)
        .where(Flag.resolved_at.is_(None), Flag.post_id.in_(list(items)))
        .order_by(Flag.created_at, Flag.id)
    )
    for flag in open_flags:
        items[flag.post_id].flags.append(flag)
    return list(items.values())


def flag_queue(limit: int = 100) -> list[QueueItem]:
    """Open flags grouped per post: most-flagged first, then the longest waiting."""
    return _queue_items(list(db.session.scalars(_queue_order().limit(limit))))


def flag_queue_page(page: int, per_page: int) -> tuple[list[QueueItem], Pagination]:
    """One page of the flag queue, in flag_queue's order."""
    pagination = paginate(_queue_order(), page, per_page)
    return _queue_items(list(pagination.items)), pagination


def open_flag_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Flag.post_id))).where(Flag.resolved_at.is_(None))
    )


def dismiss_flags(moderator: User, post: Post, reason: str) -> int:
    """The post is fine: close its open flags without touching it."""
    _require_moderator(moderator)
    reason = clean_reason(reason)
    closed = _resolve_flags(post, moderator, "dismissed")
    if not closed:
        raise ModerationError("no_flags", _l("This post has no open flags."))
    _log(moderator, "dismiss_flags", "post", post.id, reason)
    return closed


# --- Posts ------------------------------------------------------------------------------


def hide_post(moderator: User, post: Post, reason: str) -> None:
    """Hide a post from everyone but moderators; open flags on it are resolved as "hidden"."""
    _require_moderator(moderator)
    reason = clean_reason(reason)
    if post.is_hidden:
        raise ModerationError("already_hidden", _l("This post is already hidden."))
    post.is_hidden = True
    _log(moderator, "hide", "post", post.id, reason)
    _resolve_flags(post, moderator, "hidden")
    topic = post.topic
    if topic.accepted_post_id == post.id:
        topic.accepted_post_id = None
        _log(moderator, "unaccept", "post", post.id, reason)
    if post.is_first and not topic.is_hidden:
        topic.is_hidden = True
        _log(moderator, "hide", "topic", topic.id, reason)
    _recount_visible_replies(topic)


def restore_post(moderator: User, post: Post, reason: str) -> None:
    """Show a hidden post again (and its topic, when it is the first post)."""
    _require_moderator(moderator)
    reason = clean_reason(reason)
    if not post.is_hidden:
        raise ModerationError("not_hidden", _l("This post is not hidden."))
    post.is_hidden = False
    _log(moderator, "restore", "post", post.id, reason)
    topic = post.topic
    if post.is_first and topic.is_hidden:
        topic.is_hidden = False
        _log(moderator, "restore", "topic", topic.id, reason)
    _recount_visible_replies(topic)


def _recount_visible_replies(topic: Topic) -> None:
    """Keep the topic's reply count to the replies customers can see."""
    from app.forum.posting import recount_replies

    db.session.flush()
    recount_replies(topic)


# --- Topics -----------------------------------------------------------------------------

TOPIC_FLAGS = {
    # action: (attribute, new value, message when already in that state)
    "lock": ("is_locked", True, _l("This topic is already locked.")),
    "unlock": ("is_locked", False, _l("This topic is not locked.")),
    "pin": ("is_pinned", True, _l("This topic is already pinned.")),
    "unpin": ("is_pinned", False, _l("This topic is not pinned.")),
    "hide": ("is_hidden", True, _l("This topic is already hidden.")),
    "restore": ("is_hidden", False, _l("This topic is not hidden.")),
}


def set_topic_state(moderator: User, topic: Topic, action: str, reason: str) -> None:
    """Lock, unlock, pin, unpin, hide or restore a topic."""
    _require_moderator(moderator)
    if action not in TOPIC_FLAGS:
        raise ModerationError("bad_action", _l("That action is not available here."))
    reason = clean_reason(reason)
    attribute, value, already = TOPIC_FLAGS[action]
    if getattr(topic, attribute) == value:
        raise ModerationError("no_change", already)
    setattr(topic, attribute, value)
    if action == "restore":
        # A restored topic shows its question: the first post comes back with it.
        first = next((post for post in topic.posts if post.is_first), None)
        if first is not None and first.is_hidden:
            first.is_hidden = False
            _log(moderator, "restore", "post", first.id, reason)
    _log(moderator, action, "topic", topic.id, reason)


def move_topic(moderator: User, topic: Topic, category: ForumCategory, reason: str) -> None:
    """Move a topic to another category."""
    _require_moderator(moderator)
    reason = clean_reason(reason)
    if category is None:
        raise ModerationError("bad_category", _l("Choose a category."))
    if topic.category_id == category.id:
        raise ModerationError("no_change", _l("The topic is already in that category."))
    topic.category_id = category.id
    topic.category = category
    # The log has no details column: the destination leads the reason.
    _log(moderator, "move", "topic", topic.id, f"→ {category.slug}: {reason}"[:REASON_MAX])


def categories() -> list[ForumCategory]:
    return db.session.scalars(
        sa.select(ForumCategory).order_by(ForumCategory.position, ForumCategory.id)
    ).all()


# --- Users ------------------------------------------------------------------------------


def suspend_user(moderator: User, user: User, reason: str, hide_posts: bool = False) -> int:
    """Suspend an account (no sign-in, session refused); optionally hide all their posts.

    Moderators cannot suspend themselves or staff; an admin can suspend staff.
    Returns how many posts were hidden.
    """
    _require_moderator(moderator)
    reason = clean_reason(reason)
    if user.id == moderator.id:
        raise ModerationError("self", _l("You cannot suspend your own account."))
    if user.role != Role.CUSTOMER.value and not moderator.has_role(Role.ADMIN.value):
        raise ModerationError("staff", _l("Only an administrator can suspend a staff account."))
    if user.is_suspended:
        raise ModerationError("already_suspended", _l("This account is already suspended."))
    user.is_suspended = True
    _log(moderator, "suspend", "user", user.id, reason)
    hidden = 0
    if hide_posts:
        posts = db.session.scalars(
            sa.select(Post).where(Post.author_id == user.id, Post.is_hidden.is_(False))
        ).all()
        for post in posts:
            hide_post(moderator, post, reason)
            hidden += 1
    return hidden


def unsuspend_user(moderator: User, user: User, reason: str) -> None:
    _require_moderator(moderator)
    reason = clean_reason(reason)
    if not user.is_suspended:
        raise ModerationError("not_suspended", _l("This account is not suspended."))
    user.is_suspended = False
    _log(moderator, "unsuspend", "user", user.id, reason)


def user_summary(user: User) -> dict[str, int]:
    """Counts a moderator weighs before suspending: posts, hidden posts, flags against them."""
    posts = db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.author_id == user.id))
    hidden = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(Post.author_id == user.id, Post.is_hidden)
    )
    flags = db.session.scalar(
        sa.select(sa.func.count(Flag.id))
        .join(Post, Flag.post_id == Post.id)
        .where(Post.author_id == user.id)
    )
    return {"posts": posts or 0, "hidden": hidden or 0, "flags": flags or 0}


# --- The log ----------------------------------------------------------------------------


@dataclass
class LogEntry:
    action: AuditEntry
    moderator: User | None
    target: object | None  # the Post, Topic or User acted on, if it still exists


def moderation_log(page: int = 1, per_page: int = 50):
    """The log, newest first, one page at a time; returns (entries, pagination)."""
    pagination = paginate(
        audit.newest_first(audit.MODERATION, audit.ADMIN),
        max(page, 1),
        per_page,
    )
    models = {"post": Post, "topic": Topic, "user": User}
    entries = []
    for action in pagination.items:
        model = models.get(action.target_type)
        target = db.session.get(model, action.target_id) if model else None
        entries.append(LogEntry(action, db.session.get(User, action.actor_id), target))
    return entries, pagination
