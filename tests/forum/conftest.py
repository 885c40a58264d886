"""Forum test helpers: categories, people with roles, and a topic builder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from app.accounts.models import User
from app.clock import utcnow
from app.extensions import db
from app.forum.models import ForumCategory
from app.forum.seeding import ensure_categories
from tests.conftest import csrf_token_from

PASSWORD = "correct horse battery"
# A real Argon2id hash with tiny costs: signing in stays real but takes milliseconds, not seconds.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def make_user(email, password=PASSWORD, role="customer", name="Ada", age_days=365):
    """A user whose account is old enough that new-account spam limits do not apply."""
    assert password == PASSWORD
    user = User(
        email=email,
        display_name=name,
        role=role,
        password_hash=CHEAP_HASH,
        email_notifications=False,
        created_at=utcnow() - timedelta(days=age_days),
    )
    db.session.add(user)
    db.session.commit()
    return user


def category(slug: str = "questions") -> ForumCategory:
    return db.session.query(ForumCategory).filter_by(slug=slug).one()


def make_topic(author, title="How do I export my data?", body="I need a CSV of all tasks.", **kw):
    from app.forum.services import create_topic

    return create_topic(
        author,
        kw.pop("category", None) or category(kw.pop("slug", "questions")),
        kw.pop("locale", "en"),
        title,
        body,
        kw.pop("tags", ["export"]),
    )


class People:
    """Accounts with each role the forum cares about."""

    def __init__(self) -> None:
        self.asker = make_user("asker@example.com", PASSWORD, name="Ada Asker")
        self.helper = make_user("helper@example.com", PASSWORD, name="Hal Helper")
        self.other = make_user("other@example.com", PASSWORD, name="Olga Other")
        self.moderator = make_user("mod@example.com", PASSWORD, role="moderator", name="Mo Mod")
        self.editor = make_user("cs@example.com", PASSWORD, role="cs_editor", name="Cy Editor")


@pytest.fixture
def forum(app):
    """The in-memory app with the default categories."""
    ensure_categories()
    return app


@pytest.fixture
def people(forum) -> People:
    return People()


def post_form(client, page_url: str, action: str, **data):
    """Submit a form the way a browser does: CSRF token from the page, then POST."""
    page = client.get(page_url, follow_redirects=True)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})
