"""A forum on a private PostgreSQL schema for the server tests: writers and topics to reply to."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from tests.conftest import POSTGRES_URL, drop_postgres_schema, make_app, reset_postgres_schema
from tests.forum.conftest import PASSWORD, make_topic, make_user
from tests.processes import app_env


@dataclass
class Forum:
    database_url: str
    writers: list[str]  # e-mail addresses; every one signs in with PASSWORD
    topic_paths: list[str]  # /en/community/topics/<id>/<slug>

    @staticmethod
    def reply_action(topic_path: str) -> str:
        return "/".join(topic_path.split("/")[:5]) + "/reply"


def build_forum(tmp_path, database_url: str, writers: int, topics: int) -> Forum:
    """Tables, categories, ``writers`` customers past the new-account rules, ``topics`` topics."""
    from app.forum.paths import topic_path
    from app.forum.seeding import ensure_categories

    app = make_app(tmp_path, database_url)
    with app.app_context():
        db.create_all()
        ensure_categories()
        emails = [
            make_user(f"writer{n}@example.com", name=f"Writer {n}").email for n in range(writers)
        ]
        owner = make_user("owner@example.com", name="Owner")
        made = [
            make_topic(owner, title=f"Drill topic {n}", body=f"Replies to drill {n} go below.")
            for n in range(topics)
        ]
        paths = [topic_path("en", t.id, t.title) for t in made]
        db.session.remove()
        db.engine.dispose()
    return Forum(database_url, emails, paths)


@pytest.fixture
def pg_forum(tmp_path):
    """The forum on a fresh schema of the shared PostgreSQL server (50 writers, 5 topics)."""
    url, schema = reset_postgres_schema(POSTGRES_URL)
    yield build_forum(tmp_path, url, writers=50, topics=5)
    drop_postgres_schema(POSTGRES_URL, schema)


def server_env(database_url: str, **settings) -> dict[str, str]:
    """A production-like server on ``database_url`` with the posting limits lifted."""
    return app_env(
        DATABASE_URL=database_url,
        RATELIMIT_POSTING="100000 per minute",
        RATELIMIT_SIGN_IN="100000 per minute",
        RATELIMIT_FORUM_ACTIONS="100000 per minute",
        SPAM_NEW_ACCOUNT_POSTS_PER_HOUR="100000",
        **settings,
    )


def sign_in(client, email: str) -> int:
    fields = {"email": email, "password": PASSWORD}
    return client.post_form("/account/sign-in", "/account/sign-in", fields).status
