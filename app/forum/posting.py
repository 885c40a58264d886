"""Starting topics, replying and editing: the rules every post goes through before it is saved."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.forum import content_rules
from app.forum.errors import ForumError
from app.forum.models import ForumCategory, Post, PostRevision, Topic
from app.forum.notifications import add_follow, follower_ids, notify, send_pending_mail
from app.forum.paths import profile_path
from app.forum.permissions import is_moderator, is_staff
from app.forum.spam import PostRejected, body_digest, check_new_post
from app.markdown import handle_key, mention_handles, render_user_markdown

MAX_MENTIONS = 20


def _spam_check(author: User, body: str, title: str | None = None) -> None:
    """The spam rules (app/forum/spam.py), refused as a ForumError with the rule's message."""
    try:
        check_new_post(author, body, title=title)
    except PostRejected as rejected:
        code = getattr(rejected, "code", "")
        raise ForumError(
            "suspended" if code == "suspended" else "rejected", rejected.message, reason=code
        ) from rejected


def _check_author(user: User) -> None:
    if user is None:
        raise ForumError("not_signed_in")
    if getattr(user, "is_suspended", False):  # checked first: Flask-Login calls them signed out
        raise ForumError("suspended")
    if not getattr(user, "is_authenticated", False):
        raise ForumError("not_signed_in")


def _resolve_mentions(source: str, locale: str) -> dict[str, User]:
    """Handle key → user for the @mentions in `source`; ambiguous handles link nobody."""
    keys = sorted(mention_handles(source))[:MAX_MENTIONS]
    if not keys:
        return {}
    squashed = sa.func.lower(sa.func.replace(User.display_name, " ", ""))
    candidates = db.session.scalars(sa.select(User).where(squashed.in_(keys)))
    found: dict[str, list[User]] = {}
    for user in candidates:
        found.setdefault(handle_key(user.display_name), []).append(user)
    return {key: users[0] for key, users in found.items() if key in keys and len(users) == 1}


def render_post(source: str, locale: str) -> tuple[str, list[User]]:
    """Sanitized HTML for a post and the users it mentions (linked to their profiles)."""
    users = _resolve_mentions(source, locale)
    urls = {key: profile_path(locale, user.id) for key, user in users.items()}
    rendered = render_user_markdown(source, resolve_mention=urls.get)
    return rendered.html, [users[key] for key in rendered.mentions]


def _duplicate_window():
    return utcnow() - timedelta(seconds=current_app.config["FORUM_DUPLICATE_WINDOW_SECONDS"])


def recent_duplicate_reply(author: User, topic_id: int, digest: str) -> Post | None:
    """The same author's identical reply to the same topic a moment ago (a double click)."""
    return db.session.scalar(
        sa.select(Post)
        .where(
            Post.topic_id == topic_id,
            Post.author_id == author.id,
            Post.body_digest == digest,
            Post.is_first.is_(False),
            Post.created_at >= _duplicate_window(),
        )
        .order_by(Post.id)
        .limit(1)
    )


def recent_duplicate_topic(author: User, title: str, digest: str) -> Topic | None:
    """The same author's identical new topic a moment ago (a double click on "Post")."""
    return db.session.scalar(
        sa.select(Topic)
        .join(Post, sa.and_(Post.topic_id == Topic.id, Post.is_first.is_(True)))
        .where(
            Topic.author_id == author.id,
            Topic.title == title,
            Post.body_digest == digest,
            Post.created_at >= _duplicate_window(),
        )
        .order_by(Topic.id)
        .limit(1)
    )


def create_topic(
    author: User,
    category: ForumCategory,
    locale: str,
    title: str,
    body_markdown: str,
    tags=(),
) -> Topic:
    """Start a topic: its first Post holds the question; the author follows it. Commits.

    Raises ForumError (see app/forum/errors.py). A second identical submission within
    FORUM_DUPLICATE_WINDOW_SECONDS returns the first topic instead of making another.
    """
    _check_author(author)
    if category is None:
        raise ForumError("not_found")
    if category.staff_only and not is_staff(author):
        raise ForumError("staff_only")
    if locale not in current_app.config["LOCALES"]:
        raise ForumError("not_found")
    title = content_rules.clean_title(title, current_app.config["FORUM_TITLE_MAX_CHARS"])
    body = content_rules.clean_body(body_markdown, current_app.config["FORUM_BODY_MAX_CHARS"])
    digest = body_digest(body)
    existing = recent_duplicate_topic(author, title, digest)
    if existing is not None:
        return existing
    _spam_check(author, body, title=title)
    html, mentioned = render_post(body, locale)
    now = utcnow()
    topic = Topic(
        locale=locale,
        category=category,
        author=author,
        title=title,
        tags=content_rules.clean_tags(tags),
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    post = Post(
        topic=topic,
        author=author,
        is_first=True,
        body_markdown=body,
        body_html=html,
        body_digest=digest,
        created_at=now,
    )
    db.session.add_all([topic, post])
    db.session.flush()
    add_follow(author, topic)
    pending = notify([u.id for u in mentioned], "mention", topic, post, author)
    db.session.commit()
    send_pending_mail(pending)
    return topic


def _refusal_for(topic_id: int, author: User) -> ForumError:
    """Why the guarded UPDATE matched no row: the topic vanished, was hidden or was locked."""
    db.session.rollback()
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.is_hidden:
        return ForumError("not_found")
    return ForumError("locked")


def create_reply(author: User, topic: Topic, body_markdown: str) -> Post:
    """Reply to a topic and notify its followers and the people mentioned. Commits.

    Concurrency: the reply count is an atomic UPDATE that also takes the topic's write lock
    (a row lock on PostgreSQL, the database write lock on SQLite) before anything is read
    for the insert, so parallel replies never lose a post or a count, and a double click
    that arrives while the first request holds the lock finds the first reply and returns it.
    """
    _check_author(author)
    if topic is None or topic.is_hidden:
        raise ForumError("not_found")
    staff_override = is_moderator(author)
    if topic.is_locked and not staff_override:
        raise ForumError("locked")
    body = content_rules.clean_body(body_markdown, current_app.config["FORUM_BODY_MAX_CHARS"])
    digest = body_digest(body)
    topic_id = topic.id
    existing = recent_duplicate_reply(author, topic_id, digest)
    if existing is not None:
        return existing
    _spam_check(author, body)
    html, mentioned = render_post(body, topic.locale)
    now = utcnow()
    values: dict = {"reply_count": Topic.reply_count + 1, "last_activity_at": now}
    if author.id != topic.author_id:
        values["first_answer_at"] = sa.func.coalesce(Topic.first_answer_at, now)
    guard = [Topic.id == topic_id, Topic.is_hidden.is_(False)]
    if not staff_override:
        guard.append(Topic.is_locked.is_(False))
    result = db.session.execute(
        sa.update(Topic).where(*guard).values(**values),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise _refusal_for(topic_id, author)
    existing = recent_duplicate_reply(author, topic_id, digest)
    if existing is not None:  # the twin request committed while this one waited for the lock
        db.session.rollback()
        return existing
    post = Post(
        topic_id=topic_id,
        author=author,
        body_markdown=body,
        body_html=html,
        body_digest=digest,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    mentioned_ids = [u.id for u in mentioned]
    pending = notify(mentioned_ids, "mention", topic, post, author)
    followers = [uid for uid in follower_ids(topic_id) if uid not in mentioned_ids]
    pending += notify(followers, "reply", topic, post, author)
    add_follow(author, topic)
    db.session.commit()
    send_pending_mail(pending)
    return post


def edit_post(editor: User, post: Post, body_markdown: str, title: str | None = None) -> Post:
    """Change a post's text (and the topic title for a first post), keeping a revision. Commits.

    Authors edit their own posts while the topic is open; moderators edit any post.
    """
    _check_author(editor)
    if post is None or post.is_hidden or post.topic.is_hidden:
        raise ForumError("not_found")
    moderator = is_moderator(editor)
    if post.author_id != editor.id and not moderator:
        raise ForumError("not_author")
    topic = post.topic
    if topic.is_locked and not moderator:
        raise ForumError("locked")
    body = content_rules.clean_body(body_markdown, current_app.config["FORUM_BODY_MAX_CHARS"])
    new_title = None
    if post.is_first and title is not None:
        new_title = content_rules.clean_title(title, current_app.config["FORUM_TITLE_MAX_CHARS"])
    title_changed = new_title is not None and new_title != topic.title
    if body == post.body_markdown and not title_changed:
        return post  # nothing changed: no revision, no "edited" marker
    html, mentioned = render_post(body, topic.locale)
    before = {u.id for u in render_post(post.body_markdown, topic.locale)[1]}
    number = 1 + (
        db.session.scalar(
            sa.select(sa.func.max(PostRevision.number)).where(PostRevision.post_id == post.id)
        )
        or 0
    )
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=number,
            title=topic.title if post.is_first else None,
            body_markdown=post.body_markdown,
            editor_id=editor.id,
        )
    )
    now = utcnow()
    post.body_markdown = body
    post.body_html = html
    post.body_digest = body_digest(body)
    post.edited_at = now
    if title_changed:
        topic.title = new_title
    topic.updated_at = now
    # Only people newly mentioned by the edit hear about it.
    pending = notify(
        [u.id for u in mentioned if u.id not in before], "mention", topic, post, editor
    )
    db.session.commit()
    send_pending_mail(pending)
    return post


def recount_replies(topic: Topic) -> None:
    """Set reply_count from the visible replies (moderation calls this after hide/restore)."""
    count = db.session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            Post.topic_id == topic.id, Post.is_first.is_(False), Post.is_hidden.is_(False)
        )
    )
    db.session.execute(
        sa.update(Topic).where(Topic.id == topic.id).values(reply_count=count),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(topic, ["reply_count"])
