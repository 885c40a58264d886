"""SIGKILL `flask search reindex` midway on PostgreSQL: search keeps answering, a rerun finishes.

800 topics are inserted without search rows, indexed by a first reindex,
then every row is marked as written by an older analyzer (what an analyzer
change leaves). A second reindex, in a process of its own, is killed after its
first batches: rows are half new, half old, every topic is still found,
`flask search status` reports the stale rows instead of crashing, and a rerun
brings them all up to date. The commands that are not killed run in-process
(the same CLI commands through Flask's runner): a process start costs more
CPU than the command.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum.models import ForumCategory, Post, Topic
from app.forum.seeding import ensure_categories
from search.analysis import ANALYZER_VERSION
from tests.conftest import POSTGRES_URL, drop_postgres_schema, make_app, reset_postgres_schema
from tests.forum.conftest import make_user
from tests.processes import PROJECT_ROOT
from tests.scale.conftest import server_env

pytestmark = pytest.mark.slow

TOPICS = 800
SAMPLES = (0, TOPICS // 2, TOPICS - 1)


@pytest.fixture
def forum_without_search_rows(tmp_path):
    url, schema = reset_postgres_schema(POSTGRES_URL)
    app = make_app(tmp_path, url)
    with app.app_context():
        db.create_all()
        ensure_categories()
        author_id = make_user("bulk@example.com", name="Bulk").id
        category_id = db.session.scalars(sa.select(ForumCategory.id)).first()
        db.session.remove()
        with db.engine.begin() as conn:  # Core inserts: no session, so no search rows yet
            ids = conn.scalars(
                sa.insert(Topic).returning(Topic.id, sort_by_parameter_order=True),
                [
                    {
                        "locale": "en",
                        "category_id": category_id,
                        "author_id": author_id,
                        "title": f"Bulk question {n} about invoices",
                        "tags": [],
                    }
                    for n in range(TOPICS)
                ],
            ).all()
            bodies = [f"The reindexw{n} export stops at the second page." for n in range(TOPICS)]
            conn.execute(
                sa.insert(Post),
                [
                    {
                        "topic_id": topic_id,
                        "author_id": author_id,
                        "is_first": True,
                        "body_markdown": body,
                        "body_html": f"<p>{body}</p>",
                        "body_digest": hashlib.sha256(body.encode()).hexdigest(),
                    }
                    for topic_id, body in zip(ids, bodies, strict=True)
                ],
            )
        db.engine.dispose()
    yield app, url
    with app.app_context():
        db.engine.dispose()
    drop_postgres_schema(POSTGRES_URL, schema)


def flask(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app:create_app", "search", *args]


def run_flask(app, *args: str):
    """`flask search <args>` in this process; the result has `exit_code` and `output`."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["search", *args])
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture
def counter(forum_without_search_rows):
    """An engine of its own for counting search rows while the reindex writes them: one
    pooled connection for the whole test, not a new PostgreSQL backend per 50 ms poll."""
    _app, url = forum_without_search_rows
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    yield engine
    engine.dispose()


def rows_at_current_version(engine: sa.Engine) -> tuple[int, int]:
    """(rows written by the current analyzer, all rows), in a transaction of its own."""
    with engine.connect() as conn:
        current, total = conn.execute(
            sa.text(
                "SELECT count(*) FILTER (WHERE analyzer_version = :v), count(*)"
                " FROM search_documents"
            ),
            {"v": ANALYZER_VERSION},
        ).one()
    return current, total


def found(client, word: str) -> bool:
    response = client.get("/api/v1/search", query_string={"q": word, "locale": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["total"] == 1


def test_a_killed_reindex_leaves_search_answering_and_a_rerun_finishes(
    forum_without_search_rows, counter
):
    app, url = forum_without_search_rows
    first = run_flask(app, "reindex")
    assert first.exit_code == 0, first.output
    assert rows_at_current_version(counter) == (TOPICS, TOPICS)
    with app.app_context():
        with db.engine.begin() as conn:  # what an analyzer change leaves
            conn.execute(
                sa.text("UPDATE search_documents SET analyzer_version = analyzer_version - 1")
            )
        db.engine.dispose()

    client = app.test_client()
    failures: list[str] = []
    stop = threading.Event()

    def search_meanwhile() -> None:
        """The samples searched every 50 ms while the reindex runs (unpaced, the searches
        took the CPU the reindex needed to reach its first commits)."""
        with app.app_context():
            while not stop.is_set():
                for n in SAMPLES:
                    if not found(client, f"reindexw{n}"):
                        failures.append(f"reindexw{n}")
                stop.wait(0.05)
            db.session.remove()

    reader = threading.Thread(target=search_meanwhile)
    reader.start()
    killed = subprocess.Popen(
        flask(url, "reindex"), cwd=PROJECT_ROOT, env=server_env(url), stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while rows_at_current_version(counter)[0] < 200:  # a batch of 200 committed
            assert killed.poll() is None, "the reindex ended before it could be killed"
            assert time.monotonic() < deadline, "the reindex wrote nothing in 60 s"
            time.sleep(0.05)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        stop.set()
        reader.join(timeout=30)
    current, total = rows_at_current_version(counter)
    assert total == TOPICS and 0 < current < TOPICS, (current, total)
    assert not failures, f"search missed topics during the reindex: {failures[:5]}"
    with app.app_context():
        assert all(found(client, f"reindexw{n}") for n in SAMPLES)
        db.session.remove()
    status = run_flask(app, "status")
    assert status.exit_code == 0, status.output
    assert f"{TOPICS - current} rows from an older analyzer" in status.output

    rerun = run_flask(app, "reindex")
    assert rerun.exit_code == 0, rerun.output
    assert rows_at_current_version(counter) == (TOPICS, TOPICS)
    status = run_flask(app, "status")
    assert status.exit_code == 0 and "older analyzer" not in status.output, status.output
    with app.app_context():
        assert all(found(client, f"reindexw{n}") for n in SAMPLES)
        db.session.remove()
