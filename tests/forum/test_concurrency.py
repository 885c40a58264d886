"""Twenty threads reply to one topic at once: no post and no count is lost (SQLite and PG)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.forum.models import Post, Topic
from app.forum.posting import create_reply
from app.forum.seeding import ensure_categories
from tests.conftest import make_app
from tests.forum.conftest import make_topic, make_user

THREADS = 20


@pytest.fixture(params=["sqlite-file", "postgresql"])
def threaded_app(request, tmp_path, postgres_schemas):
    """An app whose database is shared by many connections: a SQLite file (WAL) or PostgreSQL."""
    if request.param == "sqlite-file":
        app = make_app(tmp_path, f"sqlite:///{tmp_path / 'forum.sqlite3'}")
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    url = postgres_schemas.emptied()
    app = make_app(tmp_path, url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_parallel_replies_lose_nothing(threaded_app):
    app = threaded_app
    with app.app_context():
        ensure_categories()
        asker = make_user("asker@example.com", name="Asker")
        topic_id = make_topic(asker).id
        user_ids = [make_user(f"u{i}@example.com", name=f"User {i}").id for i in range(THREADS)]
        if db.engine.dialect.name == "sqlite":
            mode = db.session.execute(sa.text("PRAGMA journal_mode")).scalar()
            assert mode == "wal"
        db.session.remove()

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def post_reply(number: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)  # all start together (before taking a connection)
                user = db.session.get(User, user_ids[number])
                topic = db.session.get(Topic, topic_id)
                create_reply(user, topic, f"Reply number {number} from a separate thread")
            except BaseException as error:  # reported below, with the thread's number
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post_reply, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    with app.app_context():
        replies = db.session.scalars(
            sa.select(Post.body_markdown).where(Post.topic_id == topic_id, Post.is_first.is_(False))
        ).all()
        assert len(replies) == THREADS
        assert db.session.get(Topic, topic_id).reply_count == THREADS
        # Every reply's search row committed with it (where the database has a search backend:
        # PostgreSQL's arrives with its own branch).
        from app.site_search.services import SearchRequest, run_search
        from search.backends import has_backend

        if has_backend(db.engine):
            hits = run_search(SearchRequest(text="separate thread", locale="en")).hits
            assert [h.doc_id for h in hits] == [f"topic:{topic_id}"]
        db.session.remove()


def test_simultaneous_flags_by_one_user_store_one(threaded_app):
    """A double click sends two flag requests at once: one flag is stored, the other is told."""
    from app.forum.models import Flag
    from app.moderation import services as moderation

    app = threaded_app
    with app.app_context():
        ensure_categories()
        asker = make_user("asker@example.com", name="Asker")
        post_id = db.session.scalar(sa.select(Post.id).where(Post.topic_id == make_topic(asker).id))
        reporter_id = make_user("reporter@example.com", name="Reporter").id
        db.session.remove()

    attempts = 8
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def flag(_number: int) -> None:
        with app.app_context():
            try:
                post = db.session.get(Post, post_id)
                reporter = db.session.get(User, reporter_id)
                moderation.flag_post(post, reporter, "spam")
                barrier.wait(timeout=60)  # everyone has passed the "already flagged?" check
                moderation.commit_flag(post, reporter)
                outcomes.append("stored")
            except moderation.ModerationError as error:
                outcomes.append(error.code)
            except BaseException as error:  # reported below
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=flag, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["already_flagged"] * (attempts - 1) + ["stored"], outcomes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Flag.id))) == 1
