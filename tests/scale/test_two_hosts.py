"""Two application hosts, one PostgreSQL database: what one writes, the other's search finds.

Two gunicorn instances on different ports share nothing but the database
(no index directory, no cache): a reply posted through one is found by a
search through the other within a second.
"""

from __future__ import annotations

import time

import pytest

from tests.processes import Client, Gunicorn
from tests.scale.conftest import server_env, sign_in

pytestmark = pytest.mark.slow


def test_a_post_through_one_host_is_found_through_the_other(pg_forum, tmp_path):
    env = server_env(pg_forum.database_url)
    first = Gunicorn(env, tmp_path / "first.log", workers=1)
    second = Gunicorn(env, tmp_path / "second.log", workers=1)
    try:
        first.start()
        second.start()
        assert first.port != second.port
        writer, reader = Client(first.port), Client(second.port)
        assert sign_in(writer, pg_forum.writers[0]) == 303
        topic = pg_forum.topic_paths[0]
        for n, word in enumerate(["quokkaline", "wombatrix", "numbatcore"]):
            assert reader.search_total(word) == 0
            body = f"The {word} importer fails on the second sheet (try {n})."
            reply = writer.post_form(topic, pg_forum.reply_action(topic), {"body": body})
            assert reply.status == 303
            posted = time.monotonic()
            while reader.search_total(word) == 0:
                assert time.monotonic() - posted < 1.0, (
                    f"{word}: not found on the other host in 1 s"
                )
                time.sleep(0.02)
    finally:
        first.stop()
        second.stop()
