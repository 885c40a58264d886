"""Page views are written in batches off the request's path, and none is lost on a clean exit."""

from __future__ import annotations

import subprocess
import sys
import time

import sqlalchemy as sa

from app.events import PENDING, Event, buffer_event, buffer_linked_event, event_buffer
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


def stored(event_id: int) -> tuple:
    row = db.session.get(Event, event_id)
    found = (row.name, row.session_key, row.locale, row.data) if row else None
    db.session.rollback()
    return found


def check_linked_events(app) -> None:
    """Ids and keys exist at once; content comes with the batch; a re-key is kept."""
    with app.test_request_context("/en/search?q=x"):
        first, first_key = buffer_linked_event("search", locale="en", query="x", results=3)
        second, second_key = buffer_linked_event("search", locale="en", query="y", results=0)
        assert first != second and first_key != second_key
        # the rows exist (a click or the beacon finds them), their content not yet
        assert stored(first) == (PENDING, first_key, None, {})
        db.session.execute(  # what the results page's beacon does
            sa.update(Event).where(Event.id == first).values(session_key="v" * 32)
        )
        db.session.commit()
        third, _ = buffer_linked_event("search", locale="en", query="z", results=1)
        # the third filled the batch: one transaction wrote all three
        assert stored(first) == ("search", "v" * 32, "en", {"query": "x", "results": 3})
        assert stored(second) == ("search", second_key, "en", {"query": "y", "results": 0})
        assert stored(third)[0] == "search"
    # taking the last reserved row asked the writer thread for more; a clean exit gives
    # them back
    buffer = event_buffer(app)
    deadline = time.time() + 15
    while len(buffer.reserved) < 3 and time.time() < deadline:
        time.sleep(0.05)
    assert len(buffer.reserved) == 3
    buffer.close()
    assert db.session.scalar(sa.select(sa.func.count()).where(Event.name == PENDING)) == 0
    db.session.rollback()


def test_an_event_a_page_links_to_has_its_id_at_once_and_is_written_in_a_batch(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}", EVENT_BUFFER_SIZE=3)
    app.config["EVENT_BUFFER_SECONDS"] = 60
    with app.app_context():
        db.create_all()
        check_linked_events(app)


def test_linked_events_on_postgresql(tmp_path, postgres_schemas):
    app = make_app(tmp_path, postgres_schemas.emptied(), EVENT_BUFFER_SIZE=3)
    app.config["EVENT_BUFFER_SECONDS"] = 60
    with app.app_context():
        check_linked_events(app)
        db.session.remove()
        db.engine.dispose()


LINKED_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from app import create_app
from app.events import buffer_linked_event
app = create_app({{"DATABASE_URL": {url!r},
                   "EVENT_BUFFER_SIZE": 100, "EVENT_BUFFER_SECONDS": 600}})
with app.test_request_context():
    for n in range(4):
        buffer_linked_event("search", locale="en", query=str(n), results=n)
print("exiting with 4 searches buffered and 96 rows reserved")
"""


def test_a_clean_exit_writes_linked_events_and_gives_back_the_reserved_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    app = make_app(tmp_path, url)
    with app.app_context():
        db.create_all()
        script = LINKED_SCRIPT.format(root=str(PROJECT_ROOT), url=url)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        names = db.session.scalars(sa.select(Event.name).order_by(Event.id)).all()
        assert names == ["search"] * 4


def test_prune_deletes_rows_a_crashed_process_reserved(tmp_path):
    from datetime import timedelta

    from app.clock import utcnow
    from app.insights.rollups import prune

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'b.sqlite3'}")
    with app.app_context():
        db.create_all()
        now = utcnow()
        for age in (timedelta(hours=2), timedelta(minutes=5)):
            db.session.add(Event(name=PENDING, session_key="k" * 22, occurred_at=now - age))
        db.session.add(Event(name="search", session_key="k" * 22, occurred_at=now - age))
        db.session.commit()
        assert prune(30, now=now) == 1  # the old reserved row; a fresh one may still be filled
        names = db.session.scalars(sa.select(Event.name).order_by(Event.id)).all()
        assert names == [PENDING, "search"]
