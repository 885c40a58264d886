"""PostgreSQL: SIGKILL the whole server (master and workers) while 50 writers post, restart.

(The same on a SQLite file: tests/site_search/test_serving_while_writing.py.)

Every reply the server acknowledged (303) must be in the database and found
by search after the restart, with no command run by hand: search rows are
written in the post's own transaction, so there is nothing to recover.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
import sqlalchemy as sa

from tests.processes import Client, Gunicorn
from tests.scale.conftest import server_env, sign_in

pytestmark = pytest.mark.slow

ACKNOWLEDGED_BEFORE_KILL = 30


def test_acknowledged_posts_survive_a_sigkill_and_are_found(pg_forum, tmp_path):
    forum = pg_forum
    env = server_env(forum.database_url)
    server = Gunicorn(env, tmp_path / "first.log", workers=2).start()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write(number: int) -> None:
        client = Client(server.port, timeout=10)
        topic = random.Random(number).choice(forum.topic_paths)
        sequence = 0
        try:
            while sign_in(client, forum.writers[number]) != 303:
                pass
            while not stop.is_set():
                sequence += 1
                word = f"ackw{number}q{sequence}"
                body = f"Reply {word} from writer {number}: the export still fails."
                if client.post_form(topic, forum.reply_action(topic), {"body": body}).status == 303:
                    with lock:
                        acknowledged.append(word)
        except (OSError, AssertionError):  # the server went away mid-request: not acknowledged
            return

    writers = [threading.Thread(target=write, args=(n,)) for n in range(len(forum.writers))]
    try:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL:
            assert time.monotonic() < deadline, f"only {len(acknowledged)} posts acknowledged"
            time.sleep(0.05)
        server.kill_all()
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=20)
        server.stop()

    restarted = Gunicorn(env, tmp_path / "second.log", workers=2).start()
    try:
        engine = sa.create_engine(_sqlalchemy_url(forum.database_url))
        with engine.connect() as conn:
            bodies = conn.execute(sa.text("SELECT body_markdown FROM forum_post")).scalars()
            saved = {word for body in bodies for word in body.split() if word.startswith("ackw")}
        engine.dispose()
        lost = [word for word in acknowledged if word not in saved]
        assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged posts lost: {lost[:5]}"
        reader = Client(restarted.port)
        unfound = [word for word in acknowledged if reader.search_total(word) == 0]
        assert not unfound, f"{len(unfound)} saved posts not found by search: {unfound[:5]}"
    finally:
        restarted.stop()


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")
