"""Page views are written in batches off the request's path, and none is lost on a clean exit."""

from __future__ import annotations

import subprocess
import sys
import time

import sqlalchemy as sa

from app.events import Event, buffer_event, event_buffer, insert_event
from app.extensions import db
from app.kb.models import Article, Category
from app.kb.view_counts import ARTICLE_VIEWS
from tests.conftest import PROJECT_ROOT, make_app


def make_article() -> int:
    category = Category(slug="c", names={"en": "C"})
    article = Article(
        locale="en", slug="a", translation_key="a", category=category, title="A",
        status="published",
    )  # fmt: skip
    db.session.add(article)
    db.session.commit()
    return article.id


def counts(article_id: int) -> tuple[int, int]:
    events = db.session.scalar(sa.select(sa.func.count(Event.id)))
    views = db.session.scalar(sa.select(Article.view_count).where(Article.id == article_id))
    db.session.rollback()
    return events, views


def view(app, article_id: int) -> None:
    with app.test_request_context():
        buffer_event(
            "article_view",
            session_key="k" * 22,
            locale="en",
            subject=("article", article_id),
            counter=ARTICLE_VIEWS,
        )


def test_views_wait_for_a_full_batch(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}", EVENT_BUFFER_SIZE=3)
    app.config["EVENT_BUFFER_SECONDS"] = 60
    with app.app_context():
        db.create_all()
        article_id = make_article()
        view(app, article_id)
        view(app, article_id)
        assert counts(article_id) == (0, 0)  # nothing written on the requests' path yet
        view(app, article_id)
        assert counts(article_id) == (3, 3)  # one transaction: three rows, view_count + 3


def test_a_partial_batch_is_written_after_its_seconds(tmp_path):
    app = make_app(
        tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}", EVENT_BUFFER_SIZE=100,
        EVENT_BUFFER_SECONDS=1,
    )  # fmt: skip
    with app.app_context():
        db.create_all()
        article_id = make_article()
        view(app, article_id)
        deadline = time.time() + 15
        while counts(article_id) != (1, 1) and time.time() < deadline:
            time.sleep(0.2)
        assert counts(article_id) == (1, 1)
        assert event_buffer(app).pending == 0


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from app import create_app
from app.events import buffer_event
from app.kb.view_counts import ARTICLE_VIEWS
app = create_app({{"DATABASE_URL": {url!r},
                   "EVENT_BUFFER_SIZE": 100, "EVENT_BUFFER_SECONDS": 600}})
with app.test_request_context():
    for _ in range(7):
        buffer_event("article_view", session_key="k" * 22, subject=("article", {article_id}),
                     counter=ARTICLE_VIEWS)
print("exiting with 7 views buffered")
"""


def test_a_clean_exit_writes_what_is_buffered(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    app = make_app(tmp_path, url)
    with app.app_context():
        db.create_all()
        article_id = make_article()
        script = SCRIPT.format(root=str(PROJECT_ROOT), url=url, article_id=article_id)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert counts(article_id) == (7, 7)


def test_an_event_a_page_links_to_is_written_at_once_with_its_id(postgres_app):
    """insert_event (the search page's event): one INSERT, the id back, data as recorded."""
    with postgres_app.test_request_context("/en/search?q=x"):
        first = insert_event("search", session_key="k" * 22, locale="en", query="x", results=3)
        second = insert_event("search", session_key="k" * 22, locale="en", query="y", results=0)
        db.session.commit()
        assert second > first
        stored = db.session.get(Event, first)
        assert (stored.name, stored.locale, stored.session_key) == ("search", "en", "k" * 22)
        assert stored.data == {"query": "x", "results": 3} and stored.occurred_at is not None
