"""Writers through the shipped nginx + gunicorn take the host's turns (app/write_gate.py)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter

import pytest

from tests.deploy.conftest import WRITER_PASSWORD
from tests.processes import CSRF, Client, Gunicorn, Nginx, app_env

pytestmark = pytest.mark.slow
WRITERS = 10
POSTS_EACH = 4
WORKER = re.compile(r'"POST /en/community/topics/\d+/reply [^"]*" 303 .* <(\d+)>')


def test_concurrent_replies_through_several_workers_all_land_once(site, tmp_path):
    gunicorn = Gunicorn(app_env(**site.settings(PROXY_HOPS=1)), tmp_path / "web.log", workers=3)
    gunicorn.start()
    nginx = None
    statuses: Counter[int] = Counter()
    sent: list[str] = []
    lock = threading.Lock()
    reply_path = "/".join(site.topic_path.split("/")[:5]) + "/reply"

    def write(number: int) -> None:
        client = Client(nginx.port, timeout=30)
        client.post_form(
            "/account/sign-in",
            "/account/sign-in",
            {"email": site.writer_email, "password": WRITER_PASSWORD},
        )
        token = CSRF.search(client.get(site.topic_path)[2]).group(1)
        for sequence in range(POSTS_EACH):
            body = f"turns-{number}-{sequence}: export to CSV?"
            status = client.request("POST", reply_path, form={"body": body, "csrf_token": token})
            with lock:
                statuses[status[0]] += 1
                sent.append(body)

    try:
        nginx = Nginx(tmp_path / "nginx", gunicorn, site.media).start()
        writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=120)
        log = gunicorn.output()
    finally:
        if nginx:
            nginx.stop()
        gunicorn.stop()

    assert statuses == {303: WRITERS * POSTS_EACH}  # each one waited its turn, none refused
    with sqlite3.connect(site.database) as connection:
        saved = Counter(
            row[0]
            for row in connection.execute(
                "SELECT body_markdown FROM forum_post WHERE body_markdown LIKE 'turns-%'"
            )
        )
    assert saved == Counter(sent)  # every reply once: none lost, none doubled
    assert len(set(WORKER.findall(log))) > 1  # the replies came through several processes
