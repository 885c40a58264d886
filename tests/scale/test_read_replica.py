"""TOUCHPOINT_DATABASE_READ_URL on a real streaming replica built on this machine.

A scratch primary and a ``pg_basebackup -R`` replica (tests/scale/clusters.py).
With the replica's replay paused, a topic written on the primary is not
found by search nor shown by its page: those reads really go to the replica,
while the search request's own event write goes to the primary (the replica
would refuse it). Once replay resumes, search finds the post through the
replica.
"""

from __future__ import annotations

import time

import pytest

from app.extensions import db
from app.forum.paths import topic_path
from app.forum.seeding import ensure_categories
from app.read_replica import EXTENSION_KEY
from tests.conftest import make_app
from tests.forum.conftest import make_topic, make_user
from tests.scale.clusters import ScratchClusters, server_binaries

pytestmark = pytest.mark.slow

WORD = "zebrafinch"


@pytest.fixture(scope="module")
def clusters():
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) on this machine")
    scratch = ScratchClusters(binaries)
    try:
        primary = scratch.start_primary()
        replica = scratch.add_replica()
        yield scratch, primary, replica
    finally:
        scratch.stop()


def search_total(client, text: str) -> int:
    response = client.get("/api/v1/search", query_string={"q": text, "locale": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def test_searches_and_public_pages_read_from_the_replica(clusters, tmp_path):
    scratch, primary, replica = clusters
    app = make_app(tmp_path, primary, DATABASE_READ_URL=replica)
    client = app.test_client()
    with app.app_context():
        db.create_all()
        ensure_categories()
        author = make_user("writer@example.com", name="Writer")
        scratch.wait_for_replay()
        scratch.sql(scratch.replica_port, "SELECT pg_wal_replay_pause()")
        topic = make_topic(author, title=f"My {WORD} export stopped", body=f"The {WORD} job fails.")
        topic_url = topic_path("en", topic.id, topic.title)
        db.session.remove()

        # Replay paused: the replica has neither the topic nor its search rows.
        assert client.get(topic_url).status_code == 404
        assert search_total(client, WORD) == 0
        # The search above recorded its event on the primary.
        assert scratch.sql(scratch.primary_port, "SELECT count(*) FROM insights_event") >= 1

        scratch.sql(scratch.replica_port, "SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 10
        while search_total(client, WORD) == 0:
            assert time.monotonic() < deadline, "the replica never showed the new post"
            time.sleep(0.1)
        assert client.get(topic_url).status_code == 200
        db.session.remove()
        db.engine.dispose()
        app.extensions[EXTENSION_KEY].engine.dispose()


def test_a_read_url_needs_postgresql_on_both_sides(tmp_path):
    with pytest.raises(ValueError, match="streaming replica"):
        make_app(tmp_path, "sqlite://", DATABASE_READ_URL="postgresql://postgres@127.0.0.1/x")
