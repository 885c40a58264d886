"""Moderation test builders: users of each role, categories, topics and posts (plain ORM)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.forum.spam import body_digest
from tests.conftest import make_user

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(fast_hashing):
    """Every test here hashes passwords cheaply (the root fixture, made automatic)."""
    return fast_hashing


@pytest.fixture
def client(app):
    return app.test_client()


def make_category(slug: str = "questions", name: str = "Questions"):
    from app.forum.models import ForumCategory

    category = ForumCategory(slug=slug, kind="questions", names={"en": name})
    db.session.add(category)
    db.session.commit()
    return category


def make_post(topic, author, body: str = "A reply.", *, is_first: bool = False, ago=None):
    """A post created directly (not through the forum's services), `ago` in the past."""
    from app.forum.models import Post

    post = Post(
        topic=topic,
        author=author,
        is_first=is_first,
        body_markdown=body,
        body_html=f"<p>{body}</p>",
        body_digest=body_digest(body),
        created_at=utcnow() - (ago or timedelta(0)),
    )
    db.session.add(post)
    db.session.commit()
    return post


def make_topic(author, category, title: str = "How do I export?", body: str = "Where is it?"):
    """A topic with its first post."""
    from app.forum.models import Topic

    topic = Topic(locale="en", category=category, author=author, title=title)
    db.session.add(topic)
    db.session.flush()
    make_post(topic, author, body, is_first=True)
    return topic


def age(user, hours: float) -> None:
    """Make an account `hours` old."""
    user.created_at = utcnow() - timedelta(hours=hours)
    db.session.commit()


@pytest.fixture
def forum(app):
    """Users of each role, two categories, a customer's topic with a reply by another customer."""
    from types import SimpleNamespace

    asker = make_user("asker@example.com", PASSWORD, "customer", "Asker")
    replier = make_user("replier@example.com", PASSWORD, "customer", "Replier")
    moderator = make_user("mod@example.com", PASSWORD, "moderator", "Mod")
    admin = make_user("admin@example.com", PASSWORD, "admin", "Admin")
    editor = make_user("editor@example.com", PASSWORD, "cs_editor", "Editor")
    questions = make_category("questions", "Questions")
    ideas = make_category("ideas", "Ideas")
    topic = make_topic(asker, questions)
    first = topic.posts[0]
    reply = make_post(topic, replier, "Try Settings, then Export.")
    return SimpleNamespace(
        app=app,
        asker=asker,
        replier=replier,
        moderator=moderator,
        admin=admin,
        editor=editor,
        questions=questions,
        ideas=ideas,
        topic=topic,
        first=first,
        reply=reply,
    )
