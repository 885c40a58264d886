"""Upvotes on topics and replies (one per user per post) and the accepted answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.forum.errors import ForumError
from app.forum.models import Post, PostVote, Topic
from app.forum.notifications import follower_ids, notify, send_pending_mail
from app.forum.permissions import can_accept


def has_voted(user: User | None, post: Post) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(sa.select(PostVote.id).filter_by(user_id=user.id, post_id=post.id))
        is not None
    )


def voted_post_ids(user: User | None, post_ids) -> set[int]:
    """Which of these posts the user has upvoted (for the topic page's button states)."""
    if user is None or not getattr(user, "is_authenticated", False) or not post_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(PostVote.post_id).where(
                PostVote.user_id == user.id, PostVote.post_id.in_(list(post_ids))
            )
        )
    )


def _shift_counts(post: Post, delta: int) -> None:
    """Atomic +1/-1 on the post (and on its topic for a first post): no lost votes."""
    db.session.execute(
        sa.update(Post).where(Post.id == post.id).values(vote_count=Post.vote_count + delta),
        execution_options={"synchronize_session": False},
    )
    if post.is_first:
        db.session.execute(
            sa.update(Topic)
            .where(Topic.id == post.topic_id)
            .values(vote_count=Topic.vote_count + delta),
            execution_options={"synchronize_session": False},
        )


def toggle_vote(user: User, post: Post) -> bool:
    """Upvote a post, or take the upvote back; returns True when the user now votes. Commits.

    A topic's votes are its first post's. The unique (user, post) constraint makes a
    double click count once.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        raise ForumError("not_signed_in")
    if user.is_suspended:
        raise ForumError("suspended")
    if post is None or post.is_hidden or post.topic.is_hidden:
        raise ForumError("not_found")
    if post.author_id == user.id:
        raise ForumError("own_post")
    existing = db.session.scalar(sa.select(PostVote).filter_by(user_id=user.id, post_id=post.id))
    if existing is not None:
        deleted = db.session.execute(sa.delete(PostVote).where(PostVote.id == existing.id))
        if deleted.rowcount:
            _shift_counts(post, -1)
        db.session.commit()
        db.session.expire(post)
        return False
    db.session.add(PostVote(user_id=user.id, post_id=post.id))
    try:
        db.session.flush()
    except IntegrityError:  # the same user's other click won the race: one vote stands
        db.session.rollback()
        return True
    _shift_counts(post, +1)
    db.session.commit()
    db.session.expire(post)
    return True


def accept_answer(actor: User, topic: Topic, post: Post) -> Topic:
    """Mark `post` as the topic's accepted answer (replacing any other). Commits.

    The asker or staff (moderator, CS editor, admin) may do it; the answer's author and
    the topic's followers are notified.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ForumError("not_signed_in")
    if topic is None or topic.is_hidden:
        raise ForumError("not_found")
    if not can_accept(actor, topic) or actor.is_suspended:
        raise ForumError("not_allowed")
    if post is None or post.topic_id != topic.id or post.is_first or post.is_hidden:
        raise ForumError("not_an_answer")
    if topic.accepted_post_id == post.id:
        return topic
    topic.accepted_post_id = post.id
    topic.updated_at = utcnow()
    pending = notify([post.author_id], "accepted", topic, post, actor)
    others = [uid for uid in follower_ids(topic.id) if uid != post.author_id]
    pending += notify(others, "accepted", topic, post, actor)
    db.session.commit()
    send_pending_mail(pending)
    return topic


def unaccept(actor: User, topic: Topic) -> Topic:
    """Clear the accepted answer: the topic is no longer solved. Commits."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ForumError("not_signed_in")
    if topic is None or topic.is_hidden:
        raise ForumError("not_found")
    if not can_accept(actor, topic) or actor.is_suspended:
        raise ForumError("not_allowed")
    if topic.accepted_post_id is not None:
        topic.accepted_post_id = None
        topic.updated_at = utcnow()
        db.session.commit()
    return topic
